"""Derived variables (BED, EQD2, intervals), endpoint (time, event) pairs and
failure patterns, from a cleaned canonical table (cohort-schema.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from recur.dose import derive_completion, derive_phases, eqd2
from recur.frames import column_or_nan, rows_frame, with_columns
from recur.schema import ESCC_REGIONS, MONTH_DAYS
from recur.settings import EndpointRules
from recur.validate import Problem, problem
from recur.variables import ENDPOINTS, event_column, time_column

FAILURE_DATES = {
    "os": (),
    "pfs": ("date_progression", "date_local_failure", "date_regional_failure", "date_distant_failure"),
    "lrfs": ("date_local_failure", "date_regional_failure"),
    "fflp": ("date_local_failure",),
    "dmfs": ("date_distant_failure",),
}
NO_FAILURE, LR_ONLY, DISTANT_ONLY, BOTH, SITE_UNKNOWN = (
    "none", "locoregional only", "distant only", "locoregional + distant", "progression, site unknown")
FAILURE_PATTERNS = (NO_FAILURE, LR_ONLY, DISTANT_ONLY, BOTH, SITE_UNKNOWN)
SYNCHRONOUS_DAYS = 28
EXCLUSION_COLUMNS = ["endpoint", "patient_id", "reason"]


def _months_between(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """Months between datetime64 arrays (days / MONTH_DAYS; NaN where either is missing)."""
    return (later - earlier) / np.timedelta64(1, "D") / MONTH_DAYS


def _earliest(dates: list[np.ndarray], n: int) -> np.ndarray:
    """Row-wise earliest of datetime64[ns] arrays, missing ignored (NaT when all are)."""
    first = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    for d in dates:
        first = np.fmin(first, d)
    return first


def derive_radiotherapy(df: pd.DataFrame, alpha_beta: float, problems: list[Problem] | None = None) -> pd.DataFrame:
    """dose_per_fraction, bed_gy, eqd2_gy, cumulative_dose_gy, cumulative_eqd2_gy,
    the per-phase BED / EQD2 of multi-phase courses and ``rt_completed``.

    BED = D (1 + d / (alpha/beta)); EQD2 = BED / (1 + 2 / (alpha/beta))
    (``recur.dose``). A course in phases takes its BED from the phases (a
    sequential boost adds them; a SIB counts the boost volume). A supplied
    bed_gy is kept where neither phases nor dose and fractions are given.
    """
    ab = column_or_nan(df, "alpha_beta").fillna(alpha_beta)
    out = derive_phases(df, ab, problems if problems is not None else [])
    dose, fx = column_or_nan(out, "rt_dose_gy"), column_or_nan(out, "rt_fractions")
    d = dose / fx
    bed = column_or_nan(out, "course_bed_gy").fillna(dose * (1 + d / ab))
    if "course_bed_gy" in out:
        del out["course_bed_gy"]  # (drop() would copy every column)
    new: dict[str, pd.Series] = {}
    if "rt_dose_gy" in out or "rt_fractions" in out:
        new["dose_per_fraction"] = d
    if "bed_gy" in out or ("rt_dose_gy" in out and "rt_fractions" in out):
        new["bed_gy"] = bed.fillna(column_or_nan(out, "bed_gy"))
    course_bed = new.get("bed_gy", out.get("bed_gy"))
    if course_bed is not None:
        new["eqd2_gy"] = eqd2(course_bed, ab)
    if "prior_rt_dose_gy" in out:
        new["cumulative_dose_gy"] = out["prior_rt_dose_gy"] + dose
        prior_fx = column_or_nan(out, "prior_rt_fractions")
        prior_d = out["prior_rt_dose_gy"] / prior_fx
        prior_eqd2 = out["prior_rt_dose_gy"] * (prior_d + ab) / (2 + ab)
        if prior_fx.notna().any():
            new["cumulative_eqd2_gy"] = prior_eqd2 + new.get("eqd2_gy", out.get("eqd2_gy", np.nan))
    return derive_completion(with_columns(out, new))


def interval_columns(df: pd.DataFrame, problems: list[Problem]) -> dict[str, pd.Series]:
    """dfi_months (surgery -> recurrence) and ttr_months (first RT end, else
    surgery -> recurrence); dates win over supplied values."""
    new = {}
    ids = df["patient_id"]
    rec, surg, first_rt = (_dates(df, c) for c in ("date_recurrence", "date_surgery", "date_initial_rt_end"))
    before = rec < surg  # NaT compares False
    if before.any():
        problems.append(problem("error", "date_recurrence", ids[before], "recurrence is dated before the "
                                "primary surgery; correct either date. DFI left missing.", "date_order"))
    dfi = _months_between(rec, surg)
    dfi[before] = np.nan
    if "date_recurrence" in df and "date_surgery" in df:
        new["dfi_months"] = pd.Series(dfi, index=df.index).fillna(column_or_nan(df, "dfi_months"))
    ttr = _months_between(rec, np.where(np.isnat(first_rt), surg, first_rt))
    early = (ttr < 0) & ~np.isnat(first_rt)
    if early.any():
        problems.append(problem("error", "date_recurrence", ids[early], "recurrence is dated before the end "
                                "of the first radiotherapy course; correct either date. TTR left missing.",
                                "date_order"))
    ttr[~(ttr >= 0)] = np.nan
    if "date_recurrence" in df and ("date_surgery" in df or "date_initial_rt_end" in df):
        new["ttr_months"] = pd.Series(ttr, index=df.index).fillna(column_or_nan(df, "ttr_months"))
    return new


ROMAN = {"1": "I", "2": "II", "3": "III", "4": "IV"}


def region_columns(df: pd.DataFrame, problems: list[Problem]) -> dict[str, pd.Series]:
    """Normalise ``recurrence_regions`` (';'-separated; '2' -> 'II', case-free,
    regions in I-IV order) and count them in ``recurrence_region_count``.
    Regions outside I-IV are kept under their own name and reported. Nothing
    without the column."""
    if "recurrence_regions" not in df:
        return {}
    ids = df["patient_id"]
    tokens = df["recurrence_regions"].map(
        lambda v: None if pd.isna(v) else {ROMAN.get(t.strip().upper(), t.strip().upper())
                                           for t in str(v).split(";") if t.strip()})
    unknown = tokens.map(lambda ts: bool(ts and ts - set(ESCC_REGIONS)))
    if unknown.any():
        problems.append(problem("warning", "recurrence_regions", ids[unknown], "regions other than I, II, III, IV "
                                "are counted under their own name; check the spelling.", "unknown_region"))
    rank = {r: i for i, r in enumerate(ESCC_REGIONS)}
    return {"recurrence_regions": tokens.map(
                lambda ts: None if ts is None else ";".join(sorted(ts, key=lambda t: (rank.get(t, len(rank)), t)))
                or None),
            "recurrence_region_count": tokens.map(lambda ts: np.nan if ts is None else float(len(ts)))}


def _dates(df: pd.DataFrame, name: str) -> np.ndarray:
    """A date column as datetime64[ns] (NaT where missing or absent): numpy
    compares NaT as False, so no missing-value masks are needed."""
    if name not in df:
        return np.full(len(df), np.datetime64("NaT"), dtype="datetime64[ns]")
    return df[name].to_numpy(dtype="datetime64[ns]")


def _check_date_order(df: pd.DataFrame, rules: EndpointRules, problems: list[Problem]) -> None:
    ids = df["patient_id"]
    start, end, death, fu, rec = (_dates(df, c) for c in ("date_rt_start", "date_rt_end", "date_death",
                                                          "date_last_followup", "date_recurrence"))
    checks = [
        ("date_death", death < start, "death is dated before the start of radiotherapy; correct either date."),
        ("date_rt_end", end < start, "radiotherapy ends before it starts; swap or correct the dates."),
        ("date_last_followup", fu < start, "last follow-up is before the start of radiotherapy; correct either date."),
        ("date_last_followup", death > fu,
         "death is dated after the last follow-up; set the last follow-up to the date of death or later."),
    ]
    if rules.origin == "rt_start":
        checks.append(("date_rt_start", start < rec,
                       "salvage radiotherapy starts before the recurrence was diagnosed; check both dates."))
    for col in FAILURE_DATES["pfs"]:
        if col in df:
            checks.append((col, _dates(df, col) > fu,
                           "event is dated after the last follow-up; update the last follow-up date."))
    for col, mask, message in checks:
        if mask.any():
            level = "warning" if col == "date_rt_start" else "error"
            problems.append(problem(level, col, ids[mask], message, "date_order"))


def endpoint_columns(df: pd.DataFrame, rules: EndpointRules, problems: list[Problem]
                     ) -> tuple[dict[str, np.ndarray], pd.DataFrame, tuple[str, ...]]:
    """``<ep>_months`` / ``<ep>_event`` for every endpoint that the data
    support. Returns (columns, exclusions (endpoint, patient_id, reason), endpoints)."""
    ids = df["patient_id"]
    origin_col = "date_rt_start" if rules.origin == "rt_start" else "date_recurrence"
    _check_date_order(df, rules, problems)
    origin, death, fu = _dates(df, origin_col), _dates(df, "date_death"), _dates(df, "date_last_followup")
    has_follow_up = "date_last_followup" in df or "date_death" in df
    death_counts = {"os": True, "pfs": rules.pfs_death_is_event, "lrfs": rules.lrfs_death_is_event,
                    "fflp": False, "dmfs": rules.dmfs_death_is_event}
    reasons = np.array(["", f"no {origin_col}", "no date_last_followup or date_death",
                        f"event or follow-up dated before {origin_col}", "failure dated after the last follow-up"],
                       dtype=object)
    exclusions: list[tuple[str, object, str]] = []  # (endpoint, patient_id, reason)
    available: list[str] = []
    new: dict[str, np.ndarray] = {}
    for ep in ENDPOINTS:
        tcol, ecol = time_column(ep), event_column(ep)
        failure_cols = [c for c in FAILURE_DATES[ep] if c in df]
        use_dates = origin_col in df and has_follow_up and (ep == "os" or failure_cols)
        supplied = tcol in df and ecol in df
        if not use_dates and not supplied:
            continue
        available.append(ep)
        if not use_dates:
            for mask, reason in ((df[tcol].isna(), f"no {tcol}"), (df[ecol].isna(), f"no {ecol}")):
                exclusions += [(ep, i, reason) for i in ids[mask]]
            continue
        fail = _earliest([_dates(df, c) for c in failure_cols], len(df))
        event_date = np.fmin(fail, death) if death_counts[ep] else fail
        censor_date = np.where(np.isnat(death), fu, death)
        end = np.where(np.isnat(event_date), censor_date, event_date)
        time = _months_between(end, origin)
        event = (~np.isnat(event_date)).astype(float)
        # the first reason that applies, per row (0: none), named only for the rows excluded
        why = np.select([np.isnat(origin), np.isnat(end), time < 0, fail > fu], [1, 2, 3, 4], 0)
        bad = why > 0
        exclusions += [(ep, i, r) for i, r in zip(ids[bad], reasons[why[bad]])]
        time[bad], event[bad] = np.nan, np.nan
        if supplied:
            gap = np.abs(time - df[tcol].to_numpy(dtype=float)) > 1
            if gap.any():
                problems.append(problem("warning", tcol, ids[gap], "supplied time differs from the dates by "
                                        "more than one month; the dates are used. Check both.", "time_mismatch"))
        new[tcol], new[ecol] = time, event
    return new, rows_frame(exclusions, EXCLUSION_COLUMNS), tuple(available)


FAILURE_TYPES = {"in-field (local)": ("date_local_failure",),
                 "out-of-field regional": ("date_regional_failure",),
                 "distant": ("date_distant_failure",)}


def _ever_and_first(dates: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per kind of failure (datetime64 arrays): (ever, part of the first
    failure), where failures within 28 days of the earliest count as synchronous."""
    first = _earliest(list(dates.values()), len(next(iter(dates.values()))))
    window = np.timedelta64(SYNCHRONOUS_DAYS, "D")
    return {k: (~np.isnat(d), d - first <= window) for k, d in dates.items()}  # NaT compares False


def failure_types(df: pd.DataFrame) -> pd.DataFrame:
    """Per patient and kind of failure (in-field, out-of-field regional,
    distant; only the kinds whose date column is present): ``<kind>`` True when
    it ever occurred, ``<kind> first`` when it was (part of) the first failure."""
    present = {k: _dates(df, cols[0]) for k, cols in FAILURE_TYPES.items() if cols[0] in df}
    if not present:
        return pd.DataFrame(index=df.index)
    flags = _ever_and_first(present)
    return pd.DataFrame({**{k: ever for k, (ever, _) in flags.items()},
                         **{f"{k} first": first for k, (_, first) in flags.items()}}, index=df.index)


def failure_pattern_columns(df: pd.DataFrame) -> dict[str, pd.Series]:
    """``failure_pattern`` (whole follow-up) and ``failure_pattern_first``
    (at first failure; sites within 28 days of the first count together)."""
    if not any(c in df for c in FAILURE_DATES["pfs"]):
        return {}
    lr = _earliest([_dates(df, "date_local_failure"), _dates(df, "date_regional_failure")], len(df))
    prog = ~np.isnat(_dates(df, "date_progression"))
    flags = _ever_and_first({"lr": lr, "dm": _dates(df, "date_distant_failure")})
    return {"failure_pattern": _pattern(flags["lr"][0], flags["dm"][0], prog, df.index),
            "failure_pattern_first": _pattern(flags["lr"][1], flags["dm"][1], prog, df.index)}


def _pattern(lr: np.ndarray, dm: np.ndarray, prog: np.ndarray, index: pd.Index) -> pd.Series:
    """The pattern of each patient as a Categorical (positions in FAILURE_PATTERNS)."""
    code = np.select([lr & dm, lr, dm, prog], [FAILURE_PATTERNS.index(p) for p in (BOTH, LR_ONLY, DISTANT_ONLY,
                                                                                   SITE_UNKNOWN)],
                     FAILURE_PATTERNS.index(NO_FAILURE)).astype(np.int8)
    return pd.Series(pd.Categorical.from_codes(code, categories=list(FAILURE_PATTERNS)), index=index)


def derive_disease_course(df: pd.DataFrame, rules: EndpointRules, problems: list[Problem]
                          ) -> tuple[pd.DataFrame, pd.DataFrame, tuple[str, ...]]:
    """The disease course: intervals (DFI, TTR), recurrence regions, endpoints
    and failure patterns, their columns set in one step (none of them reads
    another's columns: one rebuild of the table instead of four). Returns
    (data, exclusions (endpoint, patient_id, reason), endpoints)."""
    new = {**interval_columns(df, problems), **region_columns(df, problems)}
    endpoint_new, exclusions, endpoints = endpoint_columns(df, rules, problems)
    return with_columns(df, {**new, **endpoint_new, **failure_pattern_columns(df)}), exclusions, endpoints
