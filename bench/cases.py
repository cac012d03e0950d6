"""One measured case of `make bench`, run in a fresh process by bench/run.py:
load its data (not timed), one warm-up call, then ``repeats`` timed calls.
Prints one JSON line: {"seconds": [...]}. The parent reads the process's
peak RSS (ru_maxrss, from os.wait4), so memory is the real peak, not tracemalloc.

    python -m bench.cases TASK DATA_CSV REPEATS [INNER]

INNER > 1 times INNER calls per sample and reports their mean (small sizes,
where one call is shorter than the clock's useful resolution); R does the same.
"""

from __future__ import annotations

import io
import json
import sys
import time
from pathlib import Path

LANDMARKS = [12.0, 24.0, 36.0, 60.0]
COVARIATES = ["x0", "x1", "x2", "x3", "x4"]
LOOP_SAMPLE = 20  # cuts the lifelines loop really tests; its time is scaled to all candidate cuts


def _stats_frame(path: str):
    import pandas as pd

    return pd.read_csv(path)


def task(name: str, path: str):
    """A zero-argument callable doing the measured work of ``name``."""
    if name.startswith("load_"):
        raw = Path(path).read_bytes()
        if name == "load_recur":
            import recur

            return lambda: recur.load_cohort(raw, name=Path(path).name)
        import pandas as pd

        dates = [c for c in pd.read_csv(io.BytesIO(raw), nrows=1).columns if c.startswith("date_")]
        return lambda: pd.read_csv(io.BytesIO(raw), parse_dates=dates)
    df = _stats_frame(path)
    if name == "km_recur":
        from recur.stats.km import kaplan_meier
        from recur.stats.logrank import logrank

        def run():
            km = kaplan_meier(df, "time", "event", by="group", at=LANDMARKS)
            return km.medians, km.at_times, logrank(df, "time", "event", "group").p
        return run
    if name == "km_lifelines":
        from lifelines import KaplanMeierFitter
        from lifelines.statistics import logrank_test
        from lifelines.utils import median_survival_times

        g = (df["group"] == "A").to_numpy()

        def run():
            for mask in (g, ~g):
                kmf = KaplanMeierFitter().fit(df["time"][mask], df["event"][mask])
                kmf.survival_function_at_times(LANDMARKS)
                median_survival_times(kmf.confidence_interval_)
                kmf.median_survival_time_
            return logrank_test(df["time"][g], df["time"][~g], df["event"][g], df["event"][~g]).p_value
        return run
    if name in ("cox_recur", "cox_breslow_recur"):
        from recur.stats.cox import cox

        ties = "breslow" if "breslow" in name else "efron"
        return lambda: cox(df, "time", "event", COVARIATES, ties=ties)
    if name in ("cox_lifelines", "cox_lifelines_batch"):
        from lifelines import CoxPHFitter

        data = df[COVARIATES + ["time", "event"]]
        batch = name.endswith("batch")
        return lambda: CoxPHFitter().fit(data, "time", "event", batch_mode=batch)
    if name == "cuminc_recur":
        from recur.stats.competing import cumulative_incidence, gray_test

        def run():
            cif = cumulative_incidence(df, "time", "status", by="group", at=LANDMARKS)
            return cif.at_times, gray_test(df, "time", "status", "group")
        return run
    if name.startswith("maxstat"):
        return _maxstat_task(name, df)
    raise ValueError(f"unknown task {name!r}")


def _maxstat_task(name: str, df):
    """Cutpoint scan of x0 (issue 11): recur's vectorised scan vs a loop of
    lifelines log-rank tests over the same candidate cuts (LOOP_SAMPLE of them
    timed, the time scaled to all: ``run.scale``); HL on veteran karno."""
    from recur.stats.maxstat import cutpoint_scan

    if name == "maxstat_recur":
        return lambda: cutpoint_scan(df, "time", "event", "x0", pmethods=("Lau92", "HL"))
    if name == "maxstat_perm_recur":
        return lambda: cutpoint_scan(df, "time", "event", "x0", pmethods=("permutation",), n_perm=9999)
    if name == "maxstat_hl_recur":  # veteran karno, N = 137
        return lambda: cutpoint_scan(df, "time", "status", "karno", pmethods=("HL",))
    if name == "maxstat_lifelines_loop":
        import numpy as np
        from lifelines.statistics import logrank_test

        cuts = cutpoint_scan(df, "time", "event", "x0", pmethods=()).scan["cut"].to_numpy()
        sample = cuts[np.linspace(0, len(cuts) - 1, min(LOOP_SAMPLE, len(cuts))).astype(int)]
        t, e, x = df["time"].to_numpy(), df["event"].to_numpy(), df["x0"].to_numpy()

        def run():
            for cut in sample:
                low = x <= cut
                logrank_test(t[low], t[~low], e[low], e[~low])
        run.scale = len(cuts) / len(sample)
        return run
    raise ValueError(f"unknown task {name!r}")


def main() -> None:
    name, path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    inner = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import warnings

    warnings.simplefilter("ignore")  # lifelines' convergence chatter is not a result
    run = task(name, path)
    run()  # warm-up
    seconds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            run()
        seconds.append((time.perf_counter() - t0) / inner * getattr(run, "scale", 1))
    print(json.dumps({"seconds": seconds}))


if __name__ == "__main__":
    main()
