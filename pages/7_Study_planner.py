"""Plan the next study: events, patients and trial length for comparing two
survival curves (as R's rpact), from typed-in or cohort-derived assumptions."""

import streamlit as st

from recur.plan import sample_size_survival
from recur.ui.page import guard, start_page
from recur.ui.planner import cohort_controls, design_inputs, show_result

cohort, settings = start_page("Study planner")
st.caption("Sample size and power for the log-rank comparison of two survival curves: events by Schoenfeld's, "
           "Freedman's or Hsieh's formula, patients from the probability of an event by the analysis with uniform "
           "accrual, exponential survival and drop-out. The numbers match R's rpact::getSampleSizeSurvival. "
           "Defaults: the ESCC salvage trial (1-year OS 70% vs 60%, two-sided α 0.05, power 80%).")
settings = cohort_controls(cohort, settings)
with guard():
    design = design_inputs()
    result = sample_size_survival(design)
show_result(design, result)
