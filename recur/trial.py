"""Trial-style reporting: completion of the planned dose, 1/2/3-year OS and
PFS per arm, and a CONSORT-like flow of numbers (rows in the file, enrolled,
allocated, started, received the planned dose, analysed) in which every
patient who leaves a step is listed with the reason.

>>> report = trial_report(cohort, Settings())
>>> report.flow[["step", "group", "n", "n_excluded"]]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recur.cohort import Cohort, analysis_frame
from recur.levels import level_text
from recur.settings import Settings
from recur.stats._prepare import group_levels
from recur.stats.km import OVERALL, KMResult, kaplan_meier
from recur.tables import clopper_pearson
from recur.variables import event_column, time_column

TRIAL_ARM = "arm"  # the schema's trial-arm column, used unless another grouping is chosen
TRIAL_MONTHS = (12.0, 24.0, 36.0)
TRIAL_ENDPOINTS = ("os", "pfs")
FLOW_COLUMNS = ["step", "parent", "group", "n", "n_excluded"]
FLOW_EXCLUSION_COLUMNS = ["step", "group", "patient_id", "reason"]
COMPLETION_COLUMNS = ["group", "n", "completed", "not_completed", "unknown", "rate", "lower", "upper"]


@dataclass(frozen=True)
class TrialReport:
    """``completion``: the planned dose received, per arm, rate among the
    known with an exact 95% CI. ``survival``: endpoint -> Kaplan-Meier per arm
    at 12/24/36 months. ``flow``: (step, parent, group, n, n_excluded), where
    n of the parent minus n_excluded is n. ``exclusions``: who left which
    step, and why. ``notes``: steps that the cohort's columns cannot show."""

    arm: str | None
    completion: pd.DataFrame
    survival: dict[str, KMResult]
    flow: pd.DataFrame
    exclusions: pd.DataFrame
    notes: tuple[str, ...] = ()


def trial_arm(cohort: Cohort, settings: Settings) -> str | None:
    """The grouping chosen in the Settings, else the ``arm`` column when present."""
    if settings.group_by:
        return settings.group_by
    return TRIAL_ARM if TRIAL_ARM in cohort.data else None


def _group_labels(frame: pd.DataFrame, arm: str | None) -> pd.Series:
    if arm is None:
        return pd.Series(OVERALL, index=frame.index, dtype=object)
    return level_text(frame[arm]).where(frame[arm].notna())


def completion_table(frame: pd.DataFrame, arm: str | None) -> pd.DataFrame:
    """Patients who received the planned dose (``rt_completed`` = yes) per arm
    and overall; the rate among those whose completion is known."""
    if "rt_completed" not in frame:
        return pd.DataFrame(columns=COMPLETION_COLUMNS)
    groups = _group_labels(frame, arm)
    parts = [(OVERALL, frame)] + ([(str(g), frame[groups == str(g)]) for g in group_levels(groups.dropna())]
                                  if arm else [])
    rows = []
    for label, part in parts:
        done, known = int((part["rt_completed"] == "yes").sum()), int(part["rt_completed"].notna().sum())
        lo, hi = clopper_pearson(done, known) if known else (np.nan, np.nan)
        rows.append({"group": label, "n": len(part), "completed": done, "not_completed": known - done,
                     "unknown": len(part) - known, "rate": done / known if known else np.nan, "lower": lo,
                     "upper": hi})
    return pd.DataFrame(rows, columns=COMPLETION_COLUMNS)


class _Flow:
    """Collects steps and their exclusions, per group."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.excluded: list[dict] = []

    def step(self, name: str, parent: str, ids: pd.Series, groups: pd.Series, reasons: pd.Series) -> pd.Series:
        """Record a step from ``parent``: rows with an empty reason stay. Returns the mask of those kept."""
        keep = reasons == ""
        for group in _ordered(groups):
            mine = groups == group
            self.rows.append({"step": name, "parent": parent, "group": group, "n": int((mine & keep).sum()),
                              "n_excluded": int((mine & ~keep).sum())})
            self.excluded += [{"step": name, "group": group, "patient_id": i, "reason": r}
                              for i, r in zip(ids[mine & ~keep], reasons[mine & ~keep])]
        return keep


def _ordered(groups: pd.Series) -> list[str]:
    return [str(g) for g in group_levels(groups.dropna().astype(str))] if groups.notna().any() else [OVERALL]


def _reasons(index: pd.Index, *rules: tuple[pd.Series, str]) -> pd.Series:
    """The first reason whose mask is true, per row; '' when none."""
    out = pd.Series("", index=index, dtype=object)
    for mask, reason in rules:
        out[(out == "") & mask] = reason
    return out


def consort_flow(cohort: Cohort, settings: Settings, arm: str | None) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                             tuple[str, ...]]:
    """The flow of numbers and its exclusions (see ``TrialReport``)."""
    flow, notes = _Flow(), []
    df = cohort.data
    flow.rows.append({"step": "Rows in the file", "parent": "", "group": OVERALL, "n": cohort.file_rows,
                      "n_excluded": 0})
    rows = pd.Series([f"row {r}" for r in cohort.dropped_rows["row"]], dtype=object)
    file_groups = pd.Series(OVERALL, index=range(cohort.file_rows), dtype=object)
    file_reasons = pd.Series("", index=file_groups.index, dtype=object)
    file_reasons.iloc[len(df):] = cohort.dropped_rows["reason"].astype(str).to_numpy()
    file_ids = pd.concat([df["patient_id"], rows], ignore_index=True)
    flow.step("Enrolled (patients in the file)", "Rows in the file", file_ids, file_groups, file_reasons)
    frame, _ = analysis_frame(cohort, settings)
    outside = ~df.index.isin(frame.index)
    flow.step("In the subgroup", "Enrolled (patients in the file)", df["patient_id"],
              pd.Series(OVERALL, index=df.index, dtype=object),
              _reasons(df.index, (pd.Series(outside, index=df.index), "outside the subgroup filter")))
    ids = frame["patient_id"]
    groups = _group_labels(frame, arm)
    no_arm = groups.isna()
    flow.step("Allocated", "In the subgroup", ids, groups.fillna(OVERALL),
              _reasons(frame.index, (no_arm, f"no value of {arm}")))
    frame, groups, ids = frame[~no_arm], groups[~no_arm], ids[~no_arm]
    started_from = [c for c in ("date_rt_start", "rt_dose_gy") if c in frame]
    parent = "Allocated"
    if started_from:
        none = frame[started_from].isna().all(axis=1)
        keep = flow.step("Started salvage RT", parent, ids, groups,
                         _reasons(frame.index, (none, f"no {' or '.join(started_from)}")))
        parent = "Started salvage RT"
        if "rt_completed" in frame:
            done = frame["rt_completed"]
            flow.step("Received the planned dose", parent, ids[keep], groups[keep],
                      _reasons(frame.index[keep], (done[keep].isna(), "completion not recorded"),
                               (done[keep] != "yes", "planned dose not completed")))
        else:
            notes.append("No rt_completed or planned_dose_gy column: completion of the planned dose is not shown.")
    else:
        notes.append("No date_rt_start or rt_dose_gy column: who started salvage RT is not shown.")
    for ep in TRIAL_ENDPOINTS:
        if ep not in cohort.endpoints:
            notes.append(f"{ep.upper()} cannot be built from this file: not analysed.")
            continue
        why = cohort.exclusions[cohort.exclusions["endpoint"] == ep].set_index("patient_id")["reason"]
        missing = frame[time_column(ep)].isna() | frame[event_column(ep)].isna()
        reasons = ids.map(why).where(missing, "").fillna(f"no {ep}_months or {ep}_event")
        flow.step(f"Analysed for {ep.upper()}", "Allocated", ids, groups, reasons)
    return (pd.DataFrame(flow.rows, columns=FLOW_COLUMNS), pd.DataFrame(flow.excluded, columns=FLOW_EXCLUSION_COLUMNS),
            tuple(notes))


def trial_report(cohort: Cohort, settings: Settings) -> TrialReport:
    """Completion, 1/2/3-year OS and PFS per arm, and the CONSORT-like flow
    for the Settings' subgroup and arm (``trial_arm``)."""
    arm = trial_arm(cohort, settings)
    frame, _ = analysis_frame(cohort, settings)
    m = settings.methods
    survival = {ep: kaplan_meier(frame, time_column(ep), event_column(ep), by=arm, at=list(TRIAL_MONTHS),
                                 conf_type=m.km_conf_type, conf_level=m.conf_level)
                for ep in TRIAL_ENDPOINTS if ep in cohort.endpoints}
    flow, exclusions, notes = consort_flow(cohort, settings, arm)
    return TrialReport(arm, completion_table(frame, arm), survival, flow, exclusions, notes)
