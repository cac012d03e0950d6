"""Levels of categorical columns: spellings that are one category ('Adeno',
'adenocarcinoma'; 'SCC', 'Squamous cell') are proposed as one level, and
the user's recodings and level orders (kept in ``Settings``) are applied."""

from __future__ import annotations

import re
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from recur.distinct import distinct_counts, map_distinct
from recur.io.contract import text_cells

# Normalised spelling -> the concept it names (checked after lower-casing and
# dropping punctuation and extra spaces).
SYNONYMS: dict[str, str] = {
    **{k: "adenocarcinoma" for k in ("adeno", "adenoca", "adeno ca", "adc", "ac", "adenocarcinoma",
                                       "adenocarcinom", "adenocarcinoma nos")},
    **{k: "squamous" for k in ("scc", "sq", "sqcc", "squamous", "squamous cell", "squamous cell carcinoma",
                                 "squamous carcinoma", "sq cell", "squamous cell ca", "escc")},
    **{k: "lelc" for k in ("lelc", "lymphoepithelioma like carcinoma", "lymphoepithelioma like")},
    **{k: "male" for k in ("m", "male", "man", "men")},
    **{k: "female" for k in ("f", "female", "woman", "women", "w")},
    **{k: "yes" for k in ("yes", "y", "1", "true", "ja", "oui", "si")},
    **{k: "no" for k in ("no", "n", "0", "false", "nein", "non")},
    **{k: "unknown" for k in ("unknown", "unk", "not known", "nk", "not tested", "n k")},
}


def level_label(value: object) -> str:
    """A level as text, the one rule for every page, filter and table:
    integer-valued numbers without '.0' (ECOG 1.0 -> '1'), other numbers to
    10 significant digits (62.00000000000001 -> '62'), text as it is."""
    if isinstance(value, (float, np.floating)):
        return str(int(value)) if float(value).is_integer() else f"{float(value):.10g}"
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value))
    return str(value)


def level_text(values: pd.Series) -> pd.Series:
    """``level_label`` of every value; missing stays missing."""
    return values.astype(object).map(level_label, na_action="ignore")


def _normalise(level: str) -> str:
    """Lower case, punctuation as spaces; a dotted abbreviation closes up ('E.N.I.' -> 'eni')."""
    words = re.sub(r"[^\w\s]", " ", str(level).lower()).replace("_", " ").split()
    return "".join(words) if len(words) > 1 and all(len(w) == 1 for w in words) else " ".join(words)


def concept(level: str) -> str:
    """The category a spelling names: 'Squamous-cell' -> 'squamous', 'Adeno' -> 'adenocarcinoma'."""
    key = _normalise(level)
    return SYNONYMS.get(key, key)


def propose_merges(values: pd.Series) -> list[tuple[str, tuple[str, ...]]]:
    """Groups of two or more spellings of one category, each with the spelling
    proposed for all of them: the category's full name when one spelling is it
    ('adenocarcinoma' over 'Adeno'), else the most frequent, the longer on a tie."""
    counts: dict[str, int] = {}
    for value, n in zip(*distinct_counts(values)):  # counted in C, not per row
        counts[str(value)] = counts.get(str(value), 0) + int(n)
    groups: dict[str, list[str]] = {}
    for level in counts:
        groups.setdefault(concept(level), []).append(level)
    out = []
    for key, spellings in groups.items():
        if len(spellings) > 1:
            full = [s for s in spellings if _normalise(s) == key]
            target = max(full or spellings, key=lambda s: (counts[s], len(s), s))
            out.append((target, tuple(sorted(spellings, key=lambda s: (-counts[s], s)))))
    return sorted(out)


def merge_recodes(proposals: Iterable[tuple[str, tuple[str, ...]]]) -> tuple[tuple[str, str], ...]:
    """The recoding that accepts proposals: every other spelling -> the proposed one."""
    return tuple((s, target) for target, spellings in proposals for s in spellings if s != target)


def apply_levels(data: pd.DataFrame, recodes: Mapping[str, Sequence[tuple[str, str]]],
                 orders: Mapping[str, Sequence[str]]) -> tuple[pd.DataFrame, list[str]]:
    """Rename/merge levels, then order them (a Categorical in the given order,
    levels not named keep their natural order after them). Returns the data and
    the names of columns a recoding or order was given for but that are absent."""
    out = data.copy(deep=False)  # columns are replaced, never written into
    absent = [c for c in list(recodes) + list(orders) if c not in out]
    for col, pairs in recodes.items():
        if col in out:
            mapping = dict(pairs)
            s = out[col]
            if isinstance(s.dtype, pd.CategoricalDtype):  # coded text: once per distinct spelling
                out[col] = map_distinct(s, lambda v: mapping.get(str(v), str(v)))
            else:
                out[col] = s.where(s.isna(), s.astype(str).map(lambda v: mapping.get(v, v)))
    for col, order in orders.items():
        if col not in out:
            continue
        values = text_cells(out[col]) if isinstance(out[col].dtype, pd.CategoricalDtype) else out[col]
        present = [str(v) for v in values.dropna().astype(str).unique()]
        levels = [lv for lv in order if lv in present] + sorted(lv for lv in present if lv not in order)
        out[col] = pd.Categorical(values.where(values.isna(), values.astype(str)), categories=levels)
    return out, sorted(set(absent))
