"""`make bench`: recur next to lifelines and R (same data, same run) for
Kaplan-Meier + log-rank and Cox at 1e3..1e6 patients with continuous and
tied times; loading a cohort file next to pandas.read_csv; page reruns
(AppTest, server time); the memory the app's caches hold over repeated
uploads and cutoff changes. Writes the tables to bench/results.md.

Honest by construction: every measured case runs in a fresh process, one
warm-up call, one full garbage collection (every Python case alike: the
collector's first pass over the imports' objects is not a call's cost),
then the median (min-max) of REPEATS timed calls (fewer at
1e6, stated in the table); memory is the process's own peak RSS (VmHWM,
reported by the case; ru_maxrss would count the parent's memory at the
spawn), not tracemalloc. R times itself with system.time on the same CSV.
A case still running after CASE_LIMIT_S is stopped and its row says so.
Not a test: it measures and asserts nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "artifacts" / "bench"
RESULTS = ROOT / "bench" / "results.md"
SIZES = (1_000, 10_000, 100_000, 1_000_000)
KINDS = ("continuous", "tied")
QUICK = os.environ.get("RECUR_BENCH_QUICK") == "1"  # sizes up to 1e5 only, for a first look


def repeats_for(n: int) -> int:
    return 3 if n >= 1_000_000 else 5


def inner_for(n: int) -> int:
    """Calls per timed sample (their mean), so a sample is not below the clock's resolution."""
    return {1_000: 20, 10_000: 5}.get(n, 1)


R_SCRIPT = r"""
suppressMessages(library(survival))
args <- commandArgs(TRUE)
task <- args[1]; path <- args[2]; reps <- as.integer(args[3]); inner <- as.integer(args[4])
d <- read.csv(path)
run <- if (task == "km") function() {
  f <- survfit(Surv(time, event) ~ group, data = d, conf.type = "log-log")
  s <- summary(f, times = c(12, 24, 36, 60), extend = TRUE)
  m <- quantile(f, 0.5)
  t <- survdiff(Surv(time, event) ~ group, data = d)
  invisible(t$chisq)
} else function() {
  invisible(coxph(Surv(time, event) ~ x0 + x1 + x2 + x3 + x4, data = d,
                  ties = if (task == "cox_breslow") "breslow" else "efron"))
}
if (startsWith(task, "maxstat")) {
  suppressMessages(library(maxstat))
  run <- switch(task,
    maxstat = function() maxstat.test(Surv(time, event) ~ x0, data = d, smethod = "LogRank", pmethod = "Lau92"),
    maxstat_perm = function() maxstat.test(Surv(time, event) ~ x0, data = d, smethod = "LogRank",
                                           pmethod = "condMC", B = 9999),
    maxstat_hl = function() maxstat.test(Surv(time, status) ~ karno, data = d, smethod = "LogRank", pmethod = "HL"))
}
run()
el <- sapply(seq_len(reps), function(i) system.time(for (j in seq_len(inner)) run())[["elapsed"]] / inner)
cat("SECONDS", el, "\n")
hwm <- grep("^VmHWM", readLines("/proc/self/status"), value = TRUE)
cat("PEAK_KB", as.numeric(gsub("[^0-9]", "", hwm)), "\n")
"""


R_CUMINC = r"""
suppressMessages(library(cmprsk))
args <- commandArgs(TRUE)
path <- args[2]; reps <- as.integer(args[3]); inner <- as.integer(args[4])
d <- read.csv(path)
run <- function() {
  f <- cuminc(ftime = d$time, fstatus = d$status, group = d$group, cencode = 0)
  invisible(list(timepoints(f, c(12, 24, 36, 60)), f$Tests))
}
run()
el <- sapply(seq_len(reps), function(i) system.time(for (j in seq_len(inner)) run())[["elapsed"]] / inner)
cat("SECONDS", el, "\n")
hwm <- grep("^VmHWM", readLines("/proc/self/status"), value = TRUE)
cat("PEAK_KB", as.numeric(gsub("[^0-9]", "", hwm)), "\n")
"""


def competing_csv(n: int, kind: str) -> Path:
    """The stats cohort with a competing event: status 0 censored, 1 failure,
    2 death first (the events split about 60 / 40)."""
    path = DATA / f"competing_{kind}_{n}.csv"
    if not path.exists():
        df = pd.read_csv(stats_csv(n, kind))
        rng = np.random.default_rng(n + 7)
        df["status"] = np.where(df["event"] == 1, np.where(rng.random(n) < 0.6, 1, 2), 0)
        df[["time", "status", "group"]].to_csv(path, index=False, float_format="%.17g")
    return path


def stats_csv(n: int, kind: str) -> Path:
    """Synthetic cohort: 5 standard normal covariates, ~62% events, two groups;
    tied = times rounded to 0.1 month."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"stats_{kind}_{n}.csv"
    if not path.exists():
        rng = np.random.default_rng(n + (kind == "tied"))
        x = rng.standard_normal((n, 5))
        lp = x @ np.array([0.3, -0.2, 0.1, 0.0, 0.2])
        t_event = rng.exponential(20 * np.exp(-lp))
        t_censor = rng.exponential(30, n)
        time_months = np.minimum(t_event, t_censor)
        df = pd.DataFrame(x, columns=[f"x{i}" for i in range(5)])
        df["time"] = np.round(time_months, 1) if kind == "tied" else time_months
        df["event"] = (t_event <= t_censor).astype(int)
        df["group"] = np.where(rng.random(n) < 0.5, "A", "B")
        df.to_csv(path, index=False, float_format="%.17g")
    return path


def cohort_csv(n: int) -> Path:
    """A cohort file with the schema's columns (the demo generator at size n)."""
    from recur.demo import make_nsclc_demo

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"nsclc_{n}.csv"
    if not path.exists():
        make_nsclc_demo(n=n, seed=1).to_csv(path, index=False)
    return path


CASE_LIMIT_S = 600  # a case still running then is stopped, and its row says so (lifelines' Cox at 1e6)


def _run_case(cmd: list[str], timeout: float = CASE_LIMIT_S) -> tuple[str, str, int | None]:
    """(stdout, stderr, return code) of one child process; return code None
    when it ran past ``timeout`` seconds and was stopped. Each case reports its
    own peak memory (VmHWM), so nothing is read from the child's rusage."""
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            code = None
        out.seek(0)
        err.seek(0)
        return out.read().decode(), err.read().decode(errors="replace"), code


_MEASURED: dict[tuple, dict] = {}


def measure_python(task: str, path: Path, n: int, repeats: int | None = None) -> dict:
    """One case in a fresh process; a peer case shared by two tables is run once."""
    key = (task, str(path), n, repeats)
    if key not in _MEASURED:
        _MEASURED[key] = _measure_python(task, path, n, repeats)
    return _MEASURED[key]


def _measure_python(task: str, path: Path, n: int, repeats: int | None = None) -> dict:
    reps, inner = (repeats, 1) if repeats else (repeats_for(n), inner_for(n))
    cmd = [sys.executable, "-m", "bench.cases", task, str(path), str(reps), str(inner)]
    out, err, code = _run_case(cmd)
    if code is None:  # stopped: one call ran past the limit if the warm-up never finished
        warmed = any(ln.startswith('{"warm"') for ln in out.splitlines())
        return {"error": f"stopped after {CASE_LIMIT_S} s" + ("" if warmed else " (first call unfinished)"),
                "over_s": None if warmed else CASE_LIMIT_S}
    if code != 0:
        return {"error": (err.strip().splitlines() or ["failed"])[-1]}
    result = json.loads(out.strip().splitlines()[-1])
    return {"seconds": result["seconds"], "rss_mb": result["peak_mb"]}


def measure_r(task: str, path: Path, n: int, script: str = R_SCRIPT, repeats: int | None = None) -> dict:
    if shutil.which("Rscript") is None:
        return {"error": "R not installed"}
    with tempfile.NamedTemporaryFile("w", suffix=".R", delete=False) as f:
        f.write(script)
    try:
        reps, inner = (repeats, 1) if repeats else (repeats_for(n), inner_for(n))
        out, err, code = _run_case(["Rscript", f.name, task, str(path), str(reps), str(inner)])
    finally:
        os.unlink(f.name)
    line = next((ln for ln in out.splitlines() if ln.startswith("SECONDS")), None)
    if code is None:
        return {"error": f"stopped after {CASE_LIMIT_S} s"}
    if code != 0 or line is None:
        return {"error": "R failed: " + (err.strip().splitlines() or ["?"])[-1]}
    peak = next((float(ln.split()[1]) / 1024 for ln in out.splitlines() if ln.startswith("PEAK_KB")), float("nan"))
    return {"seconds": [float(v) for v in line.split()[1:]], "rss_mb": peak}


def fmt_time(r: dict) -> str:
    if "error" in r:
        return r["error"][:40]
    s = r["seconds"]
    unit, k = ("ms", 1000) if statistics.median(s) < 1 else ("s", 1)
    return f"{statistics.median(s) * k:.3g} {unit} ({min(s) * k:.3g}-{max(s) * k:.3g})"


def ratio(peer: dict, ours: dict) -> str:
    """peer time / recur time (> 1: recur faster); a lower bound when one
    call of the peer ran past the case limit."""
    if "error" not in ours and peer.get("over_s"):
        return f"> {peer['over_s'] / statistics.median(ours['seconds']):.0f}"
    if "error" in peer or "error" in ours:
        return "-"
    return f"{statistics.median(peer['seconds']) / statistics.median(ours['seconds']):.2f}"


STATS = [("KM by 2 groups + 4 landmarks + medians + log-rank", "km",
          [("lifelines", "km_lifelines")], [("numpy sketch", "km_sketch")]),
         ("Cox, 5 covariates, Efron", "cox",
          [("lifelines", "cox_lifelines"), ("lifelines batch", "cox_lifelines_batch")], []),
         ("Cox, 5 covariates, Breslow (lifelines has Efron only: its Efron times shown)", "cox_breslow",
          [("lifelines", "cox_lifelines"), ("lifelines batch", "cox_lifelines_batch")], [])]


def stats_section(lines: list[str]) -> None:
    lines += ["## Survival statistics: recur vs lifelines vs R (same data, same run)", "",
              "Time per call: median (min-max) of 5 runs after one warm-up (3 runs at 1e6); at 1e3 and "
              "1e4 each run is the mean of 20 / 5 calls. Ratio = peer time / recur time (> 1: recur "
              "faster). RSS = peak resident memory of the process (data included). recur's KM row is "
              "what the Survival analysis runs: one `prepare_survival` shared by `kaplan_meier_from_input` "
              "and `logrank_from_input`. The numpy sketch (`bench.cases.km_sketch`) is a floor, not a "
              "peer: the same curves, landmarks, medians and log-rank in plain numpy without recur's "
              "checks, R's rules or result tables; recur / sketch says how far above it recur is.", ""]
    for title, r_task, peers, floors in STATS:
        head = ["n", "times", "recur"] + [p for p, _ in peers] + ["R"] + [f for f, _ in floors] + \
            [f"ratio {p}" for p, _ in peers] + ["ratio R"] + [f"recur / {f}" for f, _ in floors] + \
            ["RSS recur / R (MB)"]
        lines += [f"### {title}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for n in SIZES[:3] if QUICK else SIZES:
            for kind in KINDS:
                path = stats_csv(n, kind)
                ours = measure_python(f"{r_task}_recur", path, n)
                others = [measure_python(task, path, n) for _, task in peers]
                r = measure_r(r_task, path, n)
                floor = [measure_python(task, path, n) for _, task in floors]
                row = [f"{n:,}", kind, fmt_time(ours)] + [fmt_time(o) for o in others] + [fmt_time(r)] + \
                    [fmt_time(f) for f in floor] + [ratio(o, ours) for o in others] + [ratio(r, ours)] + \
                    [ratio(ours, f) for f in floor] + [f"{ours.get('rss_mb', 0):.0f} / {r.get('rss_mb', 0):.0f}"]
                lines.append("| " + " | ".join(row) + " |")
                print(lines[-1], flush=True)
        lines.append("")


def competing_section(lines: list[str]) -> None:
    """Cumulative incidence (2 groups, both causes, 4 time points) + Gray's test vs cmprsk::cuminc."""
    lines += ["## Competing risks: recur vs R cmprsk::cuminc (same data, same run)", "",
              "cumulative_incidence (2 groups x 2 causes, CIF and variance at 4 times) + gray_test (both "
              "causes) vs cuminc + timepoints. Median (min-max) of 5 runs after a warm-up.", "",
              "| n | times | recur | R cuminc | ratio R | RSS recur / R (MB) |", "|---|---|---|---|---|---|"]
    for n in (10_000, 100_000):
        for kind in KINDS:
            path = competing_csv(n, kind)
            ours, r = measure_python("cuminc_recur", path, n), measure_r("cuminc", path, n, R_CUMINC)
            lines.append(f"| {n:,} | {kind} | {fmt_time(ours)} | {fmt_time(r)} | {ratio(r, ours)} | "
                         f"{ours.get('rss_mb', 0):.0f} / {r.get('rss_mb', 0):.0f} |")
            print(lines[-1], flush=True)
    lines.append("")


def loading_section(lines: list[str]) -> None:
    lines += ["## Loading a cohort file (read, validate, derive) vs pandas.read_csv", "",
              "Schema columns (the demo generator at size n), CSV bytes in memory; pandas parses the "
              "date columns only. Median (min-max) of 5 runs after a warm-up and a full garbage collection "
              "(3 runs at 1e6); RSS = peak "
              "resident memory of the process.", "",
              "| n | file MB | recur load_cohort | pandas.read_csv | recur / pandas | RSS recur / pandas (MB) |",
              "|---|---|---|---|---|---|"]
    for n in (10_000, 100_000) if QUICK else (10_000, 100_000, 1_000_000):
        path = cohort_csv(n)
        ours, pandas = measure_python("load_recur", path, n), measure_python("load_pandas", path, n)
        rel = ratio(ours, pandas)
        lines.append(f"| {n:,} | {path.stat().st_size / 2**20:.0f} | {fmt_time(ours)} | {fmt_time(pandas)} | "
                     f"{rel} | {ours.get('rss_mb', 0):.0f} / {pandas.get('rss_mb', 0):.0f} |")
        print(lines[-1], flush=True)
    lines.append("")


def _app_case(*args: str) -> dict:
    out, err, code = _run_case([sys.executable, "-m", "bench.app_cases", *args])
    if code != 0:
        return {"error": (err.strip().splitlines() or ["failed"])[-1]}
    return json.loads(out.strip().splitlines()[-1])


def app_section(lines: list[str]) -> None:
    lines += ["## Page reruns (AppTest, server time, median (min-max) of 5 after a warm-up, each page in a fresh "
              "process)", "", "| page, cohort | new BED threshold | threshold seen before (cached) |", "|---|---|---|"]
    for label, args in (("Survival, demo (74)", ("pages/1_Survival.py",)),
                        ("Survival, 100,000 patients", ("pages/1_Survival.py", str(cohort_csv(100_000)))),
                        ("Prognostic factors, demo (74)", ("pages/2_Prognostic_factors.py",))):
        times = _app_case("page", *args)
        if "error" in times:
            lines.append(f"| {label} | failed: {times['error'][:60]} | |")
        else:
            lines.append(f"| {label} | {fmt_time({'seconds': times['miss']})} | {fmt_time({'seconds': times['hit']})} |")
        print(lines[-1], flush=True)
    lines += ["", "## Memory held by the app's caches (issue 7): RSS (MB) after each step", ""]
    for label, args in (("50 uploads of a 10,000-row cohort (recur.ui.cache.load + Survival)",
                         ("uploads", str(cohort_csv(10_000)))),
                        ("15 BED cutoff changes on 1,000,000 rows (Survival through the caches)",
                         ("cutoffs", str(cohort_csv(1_000_000))))):
        series = _app_case(*args).get("rss_mb", [])
        lines += [f"- {label}: " + ", ".join(f"{v:.0f}" for v in series), ""]
        print(lines[-2], flush=True)


VETERAN = next((p for p in (ROOT.parent / "shared" / "reference" / "data" / "veteran.csv",
                             ROOT / ".." / "shared" / "reference" / "data" / "veteran.csv") if p.exists()), None)


def maxstat_section(lines: list[str]) -> None:
    """Issue 11: the cutpoint scan (every cut of x0, minprop 0.1 / maxprop 0.9)."""
    lines += ["## Cutpoint scan (maximally selected log-rank, issue 11)", "",
              "Scan of every candidate cut of x0 (continuous: about 0.8 n cuts) with the Lausen-Schumacher p "
              "(recur also asks for HL: above about N = 250 it is not computed, and says so; R's HL is NaN "
              "above N = 170). The lifelines loop runs `logrank_test` on 20 evenly spaced candidate cuts and "
              "its time is scaled to all of them (extrapolated, not measured in full). R: `maxstat.test(..., "
              "pmethod = \"Lau92\")`. Median (min-max) of 3 runs after a warm-up.", "",
              "| case | n | recur | lifelines loop (extrapolated) | R maxstat.test | ratio loop | ratio R |",
              "|---|---|---|---|---|---|---|"]

    def row(label: str, n: int, ours: dict, loop: dict | None, r: dict) -> None:
        lines.append(f"| {label} | {n:,} | {fmt_time(ours)} | {fmt_time(loop) if loop else '-'} | {fmt_time(r)} | "
                     f"{ratio(loop, ours) if loop else '-'} | {ratio(r, ours)} |")
        print(lines[-1], flush=True)

    for n in (1_000, 10_000, 100_000):
        path = stats_csv(n, "tied")
        row("scan + Lau92 (+ HL)", n, measure_python("maxstat_recur", path, n, 3),
            measure_python("maxstat_lifelines_loop", path, n, 3), measure_r("maxstat", path, n, repeats=3))
    path = stats_csv(10_000, "tied")
    row("permutation p, 9,999 permutations", 10_000, measure_python("maxstat_perm_recur", path, 10_000, 3), None,
        measure_r("maxstat_perm", path, 10_000, repeats=3))
    if VETERAN is not None:
        row("HL bound, veteran karno", 137, measure_python("maxstat_hl_recur", VETERAN, 137, 3), None,
            measure_r("maxstat_hl", VETERAN, 137, repeats=3))


def export_section(lines: list[str]) -> None:
    """Deck and report build times (bench/export_cases.py), run once per cohort."""
    lines += ["## Exports: slide deck and HTML report (issue 10), one run each", "",
              "From scratch: analyses, figures, one Chromium start per export; grouped by BED >=78 Gy.", "",
              "| cohort | analyses + figures | deck (PPTX) | report (HTML) |", "|---|---|---|---|"]
    for label, csv in (("demo (74)", ROOT / "data" / "demo_nsclc_synthetic.csv"),
                       ("10,000 patients", cohort_csv(10_000))):
        out, err, code = _run_case([sys.executable, "-m", "bench.export_cases", str(csv)])
        if code != 0:
            lines.append(f"| {label} | failed: {(err.strip().splitlines() or ['?'])[-1][:60]} | | |")
        else:
            t = json.loads(out.strip().splitlines()[-1])
            lines.append(f"| {label} | {t['contents']:.1f} s | {t['deck']:.1f} s | {t['report']:.1f} s |")
        print(lines[-1], flush=True)
    lines.append("")


def browser_section(lines: list[str]) -> None:
    """A BED threshold change as a user sees it: bench/browser_rerun.py in headless Chromium."""
    out, err, code = _run_case([sys.executable, "-m", "bench.browser_rerun"])
    lines += ["## Page reruns in the browser (Chromium, from Enter to the settled page, demo cohort)", "",
              "| page | median | min-max |", "|---|---|---|"]
    if code != 0:
        lines += [f"| failed: {(err.strip().splitlines() or ['?'])[-1][:60]} | | |", ""]
        return
    for page, t in json.loads(out.strip().splitlines()[-1]).items():
        lines.append(f"| {page} | {t['median_ms']} ms | {t['min_ms']}-{t['max_ms']} ms |")
    print("\n".join(lines[-2:]), flush=True)
    lines.append("")


SECTIONS = {"stats": stats_section, "competing": competing_section, "maxstat": maxstat_section,
            "loading": loading_section, "app": app_section, "browser": browser_section, "export": export_section}
PARTS = ROOT / "bench" / "results"  # one file per section; results.md is their concatenation


def run_sections(names: list[str]) -> None:
    """Run these sections, each saved to bench/results/<name>.md with when it
    ran and how busy the machine was, then rebuild bench/results.md from every
    section file there (so a section can be re-measured alone)."""
    PARTS.mkdir(exist_ok=True)
    for name in names:
        started, lines = time.perf_counter(), []
        SECTIONS[name](lines)
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        lines.append(f"_Section measured {when} in {(time.perf_counter() - started) / 60:.1f} min; load average "
                     f"at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores._")
        (PARTS / f"{name}.md").write_text("\n".join(lines) + "\n")
    head = ["# `make bench` results", "", f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; "
            "written by bench/run.py (`make bench` runs every section; `python -m bench.run SECTION...` re-measures "
            "some).", ""]
    parts = [(PARTS / f"{n}.md").read_text() for n in SECTIONS if (PARTS / f"{n}.md").exists()]
    RESULTS.write_text("\n".join(head) + "\n" + "\n".join(parts))
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    asked = [a for a in sys.argv[1:] if a in SECTIONS]
    run_sections(asked or list(SECTIONS))
