"""One measured case of `make bench`, run in a fresh process by bench/run.py:
load its data (not timed), one warm-up call, one full garbage collection,
then ``repeats`` timed calls.
Prints one JSON line: {"seconds": [...], "peak_mb": ...}: the process's own
peak RSS (VmHWM), so memory is the real peak, not tracemalloc.

    python -m bench.cases TASK DATA_CSV REPEATS [INNER]

INNER > 1 times INNER calls per sample and reports their mean (small sizes,
where one call is shorter than the clock's useful resolution); R does the same.
"""

from __future__ import annotations

import gc
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
    if name == "km_recur":  # as the Survival analysis calls it: one prepared input for both
        from recur.stats._prepare import prepare_survival
        from recur.stats.km import kaplan_meier_from_input
        from recur.stats.logrank import logrank_from_input

        def run():
            data = prepare_survival(df, "time", "event", "group")
            km = kaplan_meier_from_input(data, at=LANDMARKS)
            return km.medians, km.at_times, logrank_from_input(data, "group").p
        return run
    if name == "km_sketch":
        return lambda: km_sketch(df)
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


def km_sketch(df):
    """The floor: a minimal plain-numpy KM + log-rank doing the same work as
    km_recur (2 groups, log-log CIs, 4 landmarks, medians with CIs, log-rank)
    with none of recur's checks, near-tie merging, R rules or result tables."""
    import numpy as np
    import pandas as pd

    codes, labels = pd.factorize(df["group"], sort=True)
    t, e = df["time"].to_numpy(), df["event"].to_numpy()
    order = np.argsort(t)
    ts, es, gs = t[order], e[order], codes[order]
    new = np.empty(len(ts), dtype=bool)
    new[0] = True
    np.not_equal(ts[1:], ts[:-1], out=new[1:])
    k = len(labels)
    cell = (np.cumsum(new) - 1) * k + gs
    total = np.bincount(cell, minlength=new.sum() * k).reshape(-1, k)
    deaths = np.bincount(cell, weights=es, minlength=new.sum() * k).reshape(-1, k)
    risk = np.cumsum(total[::-1], axis=0)[::-1]
    times, out = ts[new], {}
    for g in range(k):
        mine = total[:, g] > 0
        tg, n, d = times[mine], risk[mine, g], deaths[mine, g]
        with np.errstate(divide="ignore", invalid="ignore"):
            s = np.cumprod(1 - d / n)
            se = np.sqrt(np.cumsum(d / (n * (n - d))))
            shift = 1.96 * se / np.log(s)
            lo, hi = s ** np.exp(-shift), s ** np.exp(shift)
        at = np.searchsorted(tg, LANDMARKS, side="right") - 1
        med = [tg[np.searchsorted(-curve, -0.5)] if (curve <= 0.5).any() else np.nan for curve in (s, lo, hi)]
        out[labels[g]] = (s[at], lo[at], hi[at], med)
    with_death = deaths.sum(axis=1) > 0
    n, d = risk[with_death].astype(float), deaths[with_death]
    n_tot, d_tot = n.sum(axis=1), d.sum(axis=1)
    expected = (d_tot[:, None] * n / n_tot[:, None]).sum(axis=0)
    var = (d_tot * (n_tot - d_tot) / np.maximum(n_tot - 1, 1) * n[:, 0] * n[:, 1] / n_tot**2).sum()
    chisq = (d[:, 0].sum() - expected[0]) ** 2 / var
    return out, chisq


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
    # One full collection now, as every Python case does: the objects its imports made (scipy, numba) are
    # then traversed here, not in the middle of a timed call (timeit goes further and turns the collector off).
    gc.collect()
    print(json.dumps({"warm": True}), flush=True)  # the parent knows a call finished if it must stop the case
    seconds = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            run()
        seconds.append((time.perf_counter() - t0) / inner * getattr(run, "scale", 1))
    print(json.dumps({"seconds": seconds, "peak_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """This process's own peak resident memory (VmHWM). Not ru_maxrss: after a
    spawn, Linux counts the parent's resident memory at the fork in it."""
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM")) / 1024


if __name__ == "__main__":
    main()
