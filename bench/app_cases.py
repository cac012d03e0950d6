"""The app-side measurements of `make bench`, each run in a fresh process by
bench/run.py: page reruns (AppTest, server time) and the memory held by the
app's caches over repeated uploads and cutoff changes (issue 7).

    python -m bench.app_cases page PAGE [CSV] | uploads CSV | cutoffs CSV
Prints one JSON line.
"""

from __future__ import annotations

import json
import logging
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rss_mb() -> float:
    """Current resident set size (MB), from /proc (what the machine holds now)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def page_rerun_s(page: str, csv: str | None, repeats: int = 5) -> dict[str, list[float]]:
    """Server times (s) of page reruns after a BED threshold change: "miss" a
    new threshold, "hit" a threshold seen before (the caches answer)."""
    from streamlit.testing.v1 import AppTest

    from recur.ui.state import CohortSource, Keys

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.query_params["by"] = "BED >=78 Gy"
    if csv:
        path = Path(csv)
        at.session_state[Keys.SOURCE] = CohortSource(path.name, path.read_bytes(), False)
    at.run()
    at.switch_page(page).run()
    at.number_input(key=Keys.cutoff_threshold("bed_gy")).set_value(70.0).run()  # warm-up
    miss, hit = [], []
    for thr in [71.0, 72.0, 73.0, 74.0, 75.0, 76.0, 77.0, 79.0, 80.0][:repeats]:
        t0 = time.perf_counter()
        at.number_input(key=Keys.cutoff_threshold("bed_gy")).set_value(thr).run()
        miss.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
        t0 = time.perf_counter()
        at.number_input(key=Keys.cutoff_threshold("bed_gy")).set_value(70.0).run()
        hit.append(time.perf_counter() - t0)
    return {"miss": miss, "hit": hit}


def uploads(csv: str, count: int = 50) -> list[float]:
    """RSS (MB) after each of ``count`` uploads through the app's cache
    (recur.ui.cache.load): the same rows under a new file name each time, so
    each is a new cohort for the cache, as 50 different users' files would be."""
    from recur.settings import Settings
    from recur.ui import cache
    from recur.ui.state import CohortSource

    raw = Path(csv).read_bytes()
    series = []
    for i in range(count):
        source = CohortSource(f"upload_{i}_{Path(csv).name}", bytes(bytearray(raw)), False)
        cohort = cache.load(source, Settings())
        cache.survival(cohort, Settings())
        del cohort, source
        series.append(_rss_mb())
    return series


def cutoffs(csv: str, count: int = 15) -> list[float]:
    """RSS (MB) after each of ``count`` BED threshold changes (Survival
    analysis through the app's caches) on one cohort."""
    from recur.settings import Cutoff, Settings
    from recur.ui import cache
    from recur.ui.state import CohortSource

    path = Path(csv)
    source = CohortSource(path.name, path.read_bytes(), False)
    base = Settings()
    cohort = cache.load(source, base)
    series = []
    for i in range(count):
        bed = Cutoff("bed_gy", ">=", 70.0 + i)  # within the cohort's BED range: two groups each time
        cut = tuple(bed if c.variable == "bed_gy" else c for c in base.cutoffs)
        cache.survival(cohort, replace(base, cutoffs=cut, group_by=bed.label))
        series.append(_rss_mb())
    return series


def main() -> None:
    sys.path.insert(0, str(ROOT))
    for name in ("streamlit", "streamlit.runtime.scriptrunner_utils.script_run_context",
                 "streamlit.runtime.caching.cache_data_api"):
        logging.getLogger(name).setLevel(logging.ERROR)  # bare-mode chatter, not a result
    mode = sys.argv[1]
    if mode == "page":
        out = page_rerun_s(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    elif mode == "uploads":
        out = {"rss_mb": uploads(sys.argv[2])}
    else:
        out = {"rss_mb": cutoffs(sys.argv[2])}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
