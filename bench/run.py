"""`make bench`: wall time and peak memory of recur's main call paths for
synthetic cohorts of 1e2, 1e4 and 1e6 patients, next to the same work done by
calling lifelines directly; plus the Survival page's rerun time after a cutoff
change (AppTest, server side) on the demo cohort and a 100,000-patient cohort.

Each measurement runs in a fresh process: wall time from a first call, then
peak memory allocated during a second, identical call (tracemalloc, which
numpy and pandas report their buffers to).
Not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIZES = (100, 10_000, 1_000_000)
CACHE = ROOT / "artifacts" / "bench"

TASK = r'''
import json, sys, time, io
sys.path.insert(0, {root!r})
import numpy as np, pandas as pd
import recur
from recur.settings import Settings
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import logrank_test
n, task, csv_path = {n}, {task!r}, {csv!r}

import tracemalloc

raw = open(csv_path, "rb").read()
if task not in ("load_recur", "load_pandas"):
    cohort = recur.load_cohort(raw, name="bench.csv")
    frame, _ = recur.analysis_frame(cohort, Settings())
    frame = frame[frame["os_months"].notna() & frame["BED >=78 Gy"].notna()]
    covs = ["age", "bed_gy", "gtv_cc", "dfi_months", "ecog"]
    frame = frame.dropna(subset=covs)
def run():
    if task == "load_recur":
        out = recur.load_cohort(raw, name="bench.csv")
    elif task == "load_pandas":
        out = pd.read_csv(io.BytesIO(raw), parse_dates=[c for c in pd.read_csv(io.BytesIO(raw), nrows=1).columns if c.startswith("date_")])
    elif task == "km_recur":
        km = recur.kaplan_meier(frame, "os_months", "os_event", by="BED >=78 Gy", at=[12, 24, 36, 60])
        lr = recur.logrank(frame, "os_months", "os_event", "BED >=78 Gy")
    elif task == "km_lifelines":
        g = frame["BED >=78 Gy"] == "BED >=78 Gy"
        for mask in (g, ~g):
            kmf = KaplanMeierFitter().fit(frame.loc[mask, "os_months"], frame.loc[mask, "os_event"])
            kmf.survival_function_at_times([12, 24, 36, 60]); kmf.median_survival_time_; kmf.confidence_interval_
        logrank_test(frame.loc[g, "os_months"], frame.loc[~g, "os_months"], frame.loc[g, "os_event"], frame.loc[~g, "os_event"])
    elif task == "cox_recur":
        fit = recur.cox(frame, "os_months", "os_event", covs, ties="efron")
    elif task == "cox_lifelines":
        CoxPHFitter().fit(frame[covs + ["os_months", "os_event"]], "os_months", "os_event")

t0 = time.perf_counter()
run()
seconds = time.perf_counter() - t0
tracemalloc.start()
run()
peak = tracemalloc.get_traced_memory()[1] / 2**20
print(json.dumps({{"seconds": seconds, "peak_mb": peak}}))
'''

PAIRS = [("load + derive", "load_recur", "load_pandas", "pandas.read_csv only"),
         ("KM + log-rank by BED cutoff", "km_recur", "km_lifelines", "lifelines KM x2 + logrank_test"),
         ("Cox, 5 covariates (Efron)", "cox_recur", "cox_lifelines", "lifelines CoxPHFitter")]


def cohort_csv(n: int) -> Path:
    from recur.demo import make_nsclc_demo

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"nsclc_{n}.csv"
    if not path.exists():
        make_nsclc_demo(n=n, seed=1).to_csv(path, index=False)
    return path


def measure(n: int, task: str, csv: Path) -> dict:
    code = TASK.format(root=str(ROOT), n=n, task=task, csv=str(csv))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=3000)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def fmt(r: dict) -> str:
    if "error" in r:
        return f"failed: {r['error'][:60]}"
    return f"{r['seconds']:8.3f} s {r['peak_mb']:8.0f} MB"


def survival_rerun_ms(n: int | None) -> tuple[float, float]:
    """Median server time (ms) of a Survival-page rerun after a BED threshold
    change: (cache miss: new threshold, cache hit: back to a seen threshold)."""
    import logging

    from streamlit.testing.v1 import AppTest

    from recur.ui.state import CohortSource, Keys

    for name in ("streamlit", "streamlit.runtime.scriptrunner_utils.script_run_context"):
        logging.getLogger(name).setLevel(logging.ERROR)  # bare-mode chatter, not a result
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.query_params["by"] = "BED >=78 Gy"
    if n:
        path = cohort_csv(n)
        at.session_state[Keys.SOURCE] = CohortSource(path.name, path.read_bytes(), False)
    at.run()
    at.switch_page("pages/1_Survival.py").run()
    miss, hit = [], []
    for i, thr in enumerate([70.0, 72.0, 74.0, 76.0, 80.0]):
        widget = at.number_input(key=Keys.cutoff_threshold("bed_gy"))
        t0 = time.perf_counter()
        widget.set_value(thr).run()
        miss.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
        t0 = time.perf_counter()
        at.number_input(key=Keys.cutoff_threshold("bed_gy")).set_value(70.0 if i else 72.0).run()
        hit.append(time.perf_counter() - t0)
    med = lambda v: 1000 * sorted(v)[len(v) // 2]  # noqa: E731
    return med(miss), med(hit)


def main() -> None:
    print("recur benchmark (2 cores; each figure from a fresh process)\n")
    print(f"{'patients':>9}  {'task':<30} {'recur':>21}   {'direct':>21}  direct = ")
    for n in SIZES:
        csv = cohort_csv(n)
        for label, ours, theirs, what in PAIRS:
            print(f"{n:>9,}  {label:<30} {fmt(measure(n, ours, csv)):>21}   {fmt(measure(n, theirs, csv)):>21}  {what}",
                  flush=True)
    print("\nSurvival page rerun after a BED threshold change (AppTest, server time, median of 5):")
    for n, label in ((None, "demo cohort (74)"), (100_000, "100,000 patients")):
        miss, hit = survival_rerun_ms(n)
        print(f"  {label:<18} new threshold {miss:8.0f} ms   threshold seen before (cached) {hit:8.0f} ms")


if __name__ == "__main__":
    main()
