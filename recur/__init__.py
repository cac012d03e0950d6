"""recur: survival analysis for cohorts treated for a recurrence of cancer.

The analysis core used by the dashboard, the exports and notebooks alike.
It never imports streamlit (that glue lives in ``recur.ui``).

>>> import recur
>>> cohort = recur.load_cohort("data/demo_nsclc_synthetic.csv")
>>> km = recur.kaplan_meier(cohort.data, "os_months", "os_event", by=None, at=[24])
"""

from recur.cohort import Cohort, analysis_frame, build_cohort, cutoff_group_sizes, load_cohort
from recur.errors import RecurError
from recur.settings import DEFAULT_CUTOFFS, METHOD_PRESETS, Cutoff, EndpointRules, Filter, Methods, Settings
from recur.screen import screen_cox
from recur.stats.cox import cox, ph_test
from recur.stats.km import kaplan_meier, median_followup
from recur.stats.logrank import logrank
from recur.stats.competing import cumulative_incidence, gray_test
from recur.stats.landmark import landmark
from recur.stats.rmst import rmst
from recur.stats.maxstat import bootstrap_cutpoint, cutpoint_scan

__version__ = "0.1.0"


def __getattr__(name: str):
    """``recur.export`` on first use (it loads plotly, kaleido and python-pptx)."""
    if name == "export":
        import importlib

        return importlib.import_module("recur.export")
    raise AttributeError(f"module 'recur' has no attribute {name!r}")


__all__ = [
    "Cohort", "load_cohort", "build_cohort", "analysis_frame", "cutoff_group_sizes",
    "RecurError",
    "Settings", "Cutoff", "Filter", "EndpointRules", "Methods", "METHOD_PRESETS", "DEFAULT_CUTOFFS",
    "kaplan_meier", "median_followup", "logrank", "cox", "ph_test", "screen_cox",
    "cumulative_incidence", "gray_test", "rmst", "landmark",
    "cutpoint_scan", "bootstrap_cutpoint",
]
