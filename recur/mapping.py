"""Mapping a user's column names onto the canonical ones: explicit mapping
first, then case-insensitive matching, and proposals for the mapping step."""

from __future__ import annotations

import difflib
import re
from typing import Iterable, Mapping

from recur.schema import COLUMNS, canonical_key

# Common spellings in clinical spreadsheets -> canonical column.
SYNONYMS: dict[str, str] = {
    "id": "patient_id", "patient": "patient_id", "study_id": "patient_id", "pid": "patient_id",
    "gender": "sex", "ps": "ecog", "ecog_ps": "ecog", "bed": "bed_gy", "bed10": "bed_gy",
    "dose": "rt_dose_gy", "total_dose": "rt_dose_gy", "dose_gy": "rt_dose_gy", "fractions": "rt_fractions",
    "fx": "rt_fractions", "n_fractions": "rt_fractions", "os": "os_months", "os_time": "os_months",
    "os_status": "os_event", "death": "os_event", "pfs": "pfs_months", "dfi": "dfi_months",
    "ttr": "ttr_months", "gtv": "gtv_cc", "ptv": "ptv_cc", "technique": "rt_technique",
    "chemo": "concurrent_chemo", "ccrt": "concurrent_chemo", "egfr_status": "egfr",
    "total_dose_gy": "rt_dose_gy", "rt_dose": "rt_dose_gy", "rt_start": "date_rt_start",
    "rt_start_date": "date_rt_start", "start_of_rt": "date_rt_start", "rt_end": "date_rt_end",
    "rt_end_date": "date_rt_end", "end_of_rt": "date_rt_end",
}


_TIME_NAME = re.compile(r"^(os|pfs|lrfs|dmfs|fflp|dfi|ttr)(?:_(?:time|interval))?_(days?|d|weeks?|wks?|w|months?|mos?|"
                        r"mths?|m|years?|yrs?|y)$")
UNIT_WORDS = {"d": "days", "w": "weeks", "m": "months", "y": "years"}


def time_unit_in_name(column: str) -> tuple[str, str] | None:
    """'OS (days)' -> ('os_months', 'days'); None when the name states no time unit."""
    m = _TIME_NAME.match(canonical_key(column))
    if not m:
        return None
    return f"{m.group(1)}_months", UNIT_WORDS[m.group(2)[0]]


def _match(column: str) -> str | None:
    key = canonical_key(column)
    if key in COLUMNS or key.startswith("tox_"):
        return key
    if (timed := time_unit_in_name(column)) is not None:
        return timed[0]
    return SYNONYMS.get(key)


def units_from_names(renames: Mapping[str, str]) -> dict[str, str]:
    """Time unit of each renamed time column, read from the user's column name."""
    out = {}
    for user, canonical in renames.items():
        timed = time_unit_in_name(user)
        if timed and timed[0] == canonical:
            out[canonical] = timed[1]
    return out


def column_renames(columns: Iterable[str], mapping: Mapping[str, str] | None) -> dict[str, str]:
    """The renames to canonical names ({user column: canonical}): the user's
    mapping first, else the column's own match. Unmatched columns keep their names."""
    mapping = dict(mapping or {})
    renames: dict[str, str] = {}
    taken: set[str] = set(mapping.values())
    for col in columns:
        if col in mapping:
            renames[col] = mapping[col]
            continue
        target = _match(col)
        if target and target not in taken and target != col:
            renames[col] = target
            taken.add(target)
        elif target == col:
            taken.add(col)
    return renames


def propose_mapping(columns: list[str]) -> dict[str, str | None]:
    """For the mapping step: each user column -> the canonical column it most
    likely is (exact, synonym, or close spelling), or None."""
    proposals: dict[str, str | None] = {}
    canon = list(COLUMNS)
    for col in columns:
        target = _match(col)
        if target is None:
            close = difflib.get_close_matches(canonical_key(col), canon, n=1, cutoff=0.75)
            target = close[0] if close else None
        proposals[col] = target
    return proposals
