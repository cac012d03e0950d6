"""Landmark analysis: compare groups only among patients still event-free and
followed at a landmark time, with the clock restarted there.

Grouping by something known only after the time origin (tumour response,
a later failure) credits a group with the time its patients had to survive
to be classified: immortal-time bias. Starting at a landmark by which the
grouping is known removes it (Anderson, Cain & Gelber 1983, J Clin Oncol
1:710-719; Dafni 2011, Circ Cardiovasc Qual Outcomes 4:363-371).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recur.errors import RecurError

ROW, REASON = "row", "reason"
NO_DATA, EVENT_BEFORE, CENSORED_BEFORE = (
    "no time or event", "event at or before the landmark", "follow-up ended at or before the landmark")


@dataclass(frozen=True)
class LandmarkResult:
    """``data``: the patients at risk after the landmark, ``time`` reset to
    time - landmark. ``excluded``: row (the input's index label), reason."""

    data: pd.DataFrame
    landmark: float
    excluded: pd.DataFrame

    @property
    def n_excluded(self) -> int:
        return len(self.excluded)

    def counts(self) -> dict[str, int]:
        """Excluded patients per reason."""
        return self.excluded[REASON].value_counts().to_dict()


def landmark(df: pd.DataFrame, time: str, event: str, landmark: float) -> LandmarkResult:
    """Keep the patients event-free and still followed after ``landmark``
    (same unit as ``time``), i.e. time > landmark, and reset their clock.

    Patients with the event at or before the landmark, censored at or before
    it (time = landmark leaves nothing to analyse), or missing time / event
    are excluded and listed with the reason.

    >>> lm = landmark(df, "os_months", "os_event", 3)
    >>> lm.n_excluded, lm.data["os_months"].min() > 0
    """
    for col in (time, event):
        if col not in df.columns:
            raise RecurError(f"Column '{col}' not found; available: {', '.join(map(str, df.columns))}.")
    if not (np.isfinite(landmark) and landmark >= 0):
        raise RecurError(f"The landmark must be a time of 0 or more, not {landmark}.")
    t = pd.to_numeric(df[time], errors="coerce")
    e = pd.to_numeric(df[event], errors="coerce")
    missing = t.isna() | e.isna()
    done = ~missing & (t <= landmark)
    reason = pd.Series(np.select([missing, done & (e == 1), done], [NO_DATA, EVENT_BEFORE, CENSORED_BEFORE], ""),
                       index=df.index)
    kept = df[reason == ""].copy()
    kept[time] = t[reason == ""] - landmark
    excluded = pd.DataFrame({ROW: df.index[reason != ""], REASON: reason[reason != ""].to_numpy()})
    return LandmarkResult(kept, float(landmark), excluded)
