"""BED and EQD2 of single-phase and multi-phase courses (a PTV phase plus a
sequential boost, or a simultaneous integrated boost), per phase and in total.

Linear-quadratic model (Fowler 1989; ICRU 2004): with D the physical dose,
n the fractions and d = D / n the dose per fraction,
BED = D (1 + d / (alpha/beta)) and EQD2 = BED / (1 + 2 / (alpha/beta)).

>>> round(float(eqd2(bed(59.92, 28, 10.0), 10.0)), 2)  # the ESCC trial's SIB to the PGTV
60.62
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from recur.frames import column_or_nan
from recur.validate import Problem, problem

PHASE_COLUMNS = ("phase1_dose_gy", "phase1_fractions", "phase2_dose_gy", "phase2_fractions")
PHASE_DERIVED = ("phase1_bed_gy", "phase1_eqd2_gy", "phase2_bed_gy", "phase2_eqd2_gy")
DOSE_TOLERANCE_GY = 0.05  # rounding in a written dose; beyond it a supplied total disagrees with the phases
DOSE_FORMULA = ("BED = D (1 + d / (α/β)), EQD2 = BED / (1 + 2 / (α/β)), with D the physical dose, d the dose per "
                "fraction (D / n). A sequential boost adds its phases' BED and EQD2; a simultaneous integrated "
                "boost (SIB) is reported to the boost volume (PGTV): its own dose and fractions.")


def bed(dose_gy, fractions, alpha_beta):
    """Biologically effective dose, Gy: D (1 + D / n / (alpha/beta)). Works on
    numbers and on aligned Series (missing in, missing out)."""
    return dose_gy * (1 + dose_gy / fractions / alpha_beta)


def eqd2(bed_gy, alpha_beta):
    """Equivalent dose in 2-Gy fractions, Gy: BED / (1 + 2 / (alpha/beta))."""
    return bed_gy / (1 + 2 / alpha_beta)


def derive_phases(df: pd.DataFrame, alpha_beta: pd.Series, problems: list[Problem]) -> pd.DataFrame:
    """Per-phase BED / EQD2 and the course totals from the phase columns.

    Adds ``phase1_bed_gy``, ``phase1_eqd2_gy``, ``phase2_bed_gy``,
    ``phase2_eqd2_gy`` and ``course_bed_gy`` (the total: phase 1 alone, phases
    added for a sequential boost, phase 2 alone for a SIB). Fills
    ``rt_dose_gy`` / ``rt_fractions`` from the phases where they are missing
    (sequential: sums; SIB: the boost volume's). A phase 2 without
    ``boost_type`` is read as sequential, and said so.
    """
    out = df.copy(deep=False)  # columns are replaced, never written into: no need to copy them
    if not any(c in out for c in PHASE_COLUMNS):
        return out
    ids = out["patient_id"]
    d1, n1, d2, n2 = (column_or_nan(out, c) for c in PHASE_COLUMNS)
    kind = column_or_nan(out, "boost_type")
    has2 = d2.notna() & n2.notna()
    untyped = has2 & kind.isna()
    if untyped.any():
        problems.append(problem("warning", "boost_type", ids[untyped], "phase 2 is given without boost_type; "
                                "it is read as a sequential boost. Write SIB if it was simultaneous.", "boost_type"))
    sib = has2 & (kind == "SIB")
    split = sib & n1.notna() & (n1 != n2)
    if split.any():
        problems.append(problem("warning", "phase2_fractions", ids[split], "a simultaneous boost is given in the "
                                "same fractions as phase 1, but the counts differ; check both.", "sib_fractions"))
    b1, b2 = bed(d1, n1, alpha_beta), bed(d2, n2, alpha_beta)
    out["phase1_bed_gy"], out["phase1_eqd2_gy"] = b1, eqd2(b1, alpha_beta)
    out["phase2_bed_gy"], out["phase2_eqd2_gy"] = b2, eqd2(b2, alpha_beta)
    out["course_bed_gy"] = b1.where(~has2, np.where(sib, b2, b1 + b2))
    course_dose = d1.where(~has2, np.where(sib, d2, d1 + d2))
    course_fx = n1.where(~has2, np.where(sib, n2, n1 + n2))
    given = column_or_nan(out, "rt_dose_gy")
    differ = given.notna() & course_dose.notna() & ((given - course_dose).abs() > DOSE_TOLERANCE_GY)
    if differ.any():
        problems.append(problem("warning", "rt_dose_gy", ids[differ], "differs from the phases' dose "
                                "(sequential: added; SIB: the boost volume's); BED and EQD2 use the phases.",
                                "phase_dose"))
    out["rt_dose_gy"] = given.fillna(course_dose)
    out["rt_fractions"] = column_or_nan(out, "rt_fractions").fillna(course_fx)
    return out


def derive_completion(df: pd.DataFrame) -> pd.DataFrame:
    """``rt_completed`` (yes / no) where not given: the delivered ``rt_dose_gy``
    reached ``planned_dose_gy`` (within 0.05 Gy of rounding)."""
    if "planned_dose_gy" not in df or "rt_dose_gy" not in df:
        return df
    out = df.copy(deep=False)  # columns are replaced, never written into: no need to copy them
    planned, given = out["planned_dose_gy"], out["rt_dose_gy"]
    known = planned.notna() & given.notna()
    derived = pd.Series(np.where(given >= planned - DOSE_TOLERANCE_GY, "yes", "no"), index=out.index).where(known)
    out["rt_completed"] = column_or_nan(out, "rt_completed").astype(object).where(lambda s: s.notna(), derived)
    return out
