"""Time to build the exports (issue 10), run once in a fresh process by
bench/run.py: the slide deck and the HTML report of one cohort, each from
scratch (analyses, figures, one Chromium start), grouped by BED >=78 Gy.

    python -m bench.export_cases CSV
Prints one JSON line: seconds for the contents alone, the deck, the report.
"""

from __future__ import annotations

import json
import sys
import time


def measure(csv: str) -> dict[str, float]:
    import recur
    import recur.export as export

    cohort = recur.load_cohort(csv)
    settings = recur.Settings(group_by="BED >=78 Gy")
    out: dict[str, float] = {"patients": len(cohort.data)}
    for name, build in (("contents", export.report_contents), ("deck", export.deck), ("report", export.report)):
        started = time.perf_counter()
        build(cohort, settings)
        out[name] = time.perf_counter() - started
    return out


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
