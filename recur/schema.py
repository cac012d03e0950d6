"""The cohort file contract (shared/docs/cohort-schema.md) as data: canonical
column names, their kinds, accepted category spellings and the data dictionary."""

from __future__ import annotations

MONTH_DAYS = 30.4375
YEAR_DAYS = 365.25

# column -> (kind, description). Kinds: id, text, category, number, integer, date, event, grade.
COLUMNS: dict[str, tuple[str, str]] = {
    "patient_id": ("id", "Study ID (never a name or medical-record number)"),
    "cancer": ("text", "Primary cancer, e.g. NSCLC, NPC, ESCC"),
    "age": ("number", "Age at start of salvage treatment, years"),
    "sex": ("category", "M / F"),
    "ecog": ("integer", "ECOG performance status before salvage treatment, 0-4"),
    "kps": ("number", "Karnofsky performance status, 0-100"),
    "histology": ("text", "e.g. squamous, adenocarcinoma, LELC, other"),
    "stage_initial": ("text", "Stage of the primary tumour (I-IV, sub-stages allowed)"),
    "stage_recurrence": ("text", "Re-stage at recurrence (rT1-2 / rT3-4, or I-IV)"),
    "egfr": ("category", "mutant / wild-type / unknown"),
    "margin": ("category", "R0 / R1 / R2 resection margin of the primary surgery"),
    "recurrence_site": ("text", "e.g. stump, regional LN, ipsilateral lung, multiple"),
    "recurrence_type": ("category", "local / regional / both"),
    "date_surgery": ("date", "Primary surgery (start of the disease-free interval)"),
    "date_initial_rt_end": ("date", "End of the first radiotherapy course (re-irradiation)"),
    "date_recurrence": ("date", "Diagnosis of the recurrence being treated"),
    "date_rt_start": ("date", "First day of salvage radiotherapy (default time origin)"),
    "date_rt_end": ("date", "Last day of salvage radiotherapy"),
    "date_last_followup": ("date", "Last contact"),
    "date_death": ("date", "Death from any cause"),
    "date_progression": ("date", "First progression of any kind after salvage treatment"),
    "date_local_failure": ("date", "First in-field / local failure"),
    "date_regional_failure": ("date", "First out-of-field regional failure"),
    "date_distant_failure": ("date", "First distant metastasis"),
    "os_months": ("number", "Precomputed overall survival time, months"),
    "os_event": ("event", "1 = died, 0 = censored"),
    "pfs_months": ("number", "Precomputed progression-free survival time, months"),
    "pfs_event": ("event", "1 = progressed or died, 0 = censored"),
    "lrfs_months": ("number", "Precomputed locoregional recurrence-free survival time, months"),
    "lrfs_event": ("event", "1 = locoregional failure, 0 = censored"),
    "dmfs_months": ("number", "Precomputed distant metastasis-free survival time, months"),
    "dmfs_event": ("event", "1 = distant failure, 0 = censored"),
    "fflp_months": ("number", "Precomputed freedom from local progression time, months"),
    "fflp_event": ("event", "1 = local failure, 0 = censored"),
    "dfi_months": ("number", "Disease-free interval surgery -> recurrence, months"),
    "ttr_months": ("number", "Time to recurrence, months"),
    "rt_dose_gy": ("number", "Total physical dose of the salvage course, Gy"),
    "rt_fractions": ("integer", "Number of fractions"),
    "alpha_beta": ("number", "alpha/beta ratio, Gy (default 10)"),
    "bed_gy": ("number", "BED, Gy, if given directly instead of dose and fractions"),
    "prior_rt_dose_gy": ("number", "Dose of the first course (re-irradiation), Gy"),
    "prior_rt_fractions": ("integer", "Fractions of the first course"),
    "rt_technique": ("category", "3D-CRT / IMRT / SBRT / other"),
    "concurrent_chemo": ("category", "yes / no"),
    "induction_chemo": ("category", "yes / no"),
    "gtv_cc": ("number", "Gross tumour volume, cm3"),
    "ptv_cc": ("number", "Planning target volume, cm3"),
    "brachy_boost": ("category", "yes / no"),
    "response": ("category", "CR / PR / SD / PD / NE (RECIST after salvage treatment)"),
    "distant_sites": ("text", "Sites of distant failure, ';'-separated"),
    # Trials (issue 12): arms, plans, multi-phase courses, completion, ESCC stratification factors.
    "arm": ("text", "Trial arm, e.g. ENI (elective nodal irradiation) / IFI (involved-field irradiation)"),
    "treatment_plan": ("integer", "Treatment plan of the trial protocol, 1-4"),
    "lesion_diameter_cm": ("number", "Largest diameter of the recurrent lesion, cm"),
    "recurrence_regions": ("text", "Lymph-node regions involved by the recurrence, ';'-separated; for ESCC the "
                                   "trial's regions I; II; III; IV"),
    "phase1_dose_gy": ("number", "Physical dose of phase 1 (the PTV; the whole course when given in one phase), Gy"),
    "phase1_fractions": ("integer", "Fractions of phase 1"),
    "phase2_dose_gy": ("number", "Physical dose of phase 2: a sequential boost's own dose, or a SIB's dose to the "
                                 "boost volume (PGTV) over the whole course, Gy"),
    "phase2_fractions": ("integer", "Fractions of phase 2 (for a SIB, the same fractions as phase 1)"),
    "boost_type": ("category", "sequential / SIB (simultaneous integrated boost): how phase 2 was given"),
    "planned_dose_gy": ("number", "Prescribed dose of the course, Gy (a SIB: to the boost volume; a sequential "
                                  "boost: phases added), compared with rt_dose_gy for completion"),
    "rt_completed": ("category", "yes / no: the planned dose was delivered (derived from planned_dose_gy and "
                                 "rt_dose_gy when absent)"),
}

# Derived columns documented in the data dictionary (computed by recur, never typed in).
DERIVED_MEANINGS: dict[str, str] = {
    "phase1_bed_gy, phase2_bed_gy": "BED of each phase, Gy: D (1 + d / (alpha/beta)), d = dose per fraction",
    "phase1_eqd2_gy, phase2_eqd2_gy": "EQD2 of each phase, Gy: BED / (1 + 2 / (alpha/beta))",
    "bed_gy, eqd2_gy (course in phases)": "Course total: a sequential boost adds its phases; a SIB counts the boost "
                                          "volume (phase 2) alone",
    "recurrence_region_count": "Number of regions in recurrence_regions",
}

TOX_PREFIXES = ("tox_acute_", "tox_late_", "tox_")

YES_NO = {"yes": "yes", "y": "yes", "1": "yes", "true": "yes", "no": "no", "n": "no", "0": "no", "false": "no"}
VOCABULARIES: dict[str, dict[str, str]] = {
    "sex": {"m": "M", "male": "M", "man": "M", "f": "F", "female": "F", "woman": "F"},
    "egfr": {"mutant": "mutant", "mutated": "mutant", "mut": "mutant", "positive": "mutant",
             "wild-type": "wild-type", "wild type": "wild-type", "wildtype": "wild-type", "wt": "wild-type",
             "negative": "wild-type", "unknown": "unknown", "na": "unknown", "not tested": "unknown"},
    "margin": {"r0": "R0", "r1": "R1", "r2": "R2"},
    "recurrence_type": {"local": "local", "regional": "regional", "both": "both",
                        "local+regional": "both", "locoregional": "both"},
    "rt_technique": {"3d-crt": "3D-CRT", "3dcrt": "3D-CRT", "imrt": "IMRT", "vmat": "IMRT",
                     "sbrt": "SBRT", "sabr": "SBRT", "other": "other"},
    "concurrent_chemo": YES_NO,
    "induction_chemo": YES_NO,
    "brachy_boost": YES_NO,
    "response": {"cr": "CR", "pr": "PR", "sd": "SD", "pd": "PD", "ne": "NE"},
    "boost_type": {"sequential": "sequential", "seq": "sequential", "sib": "SIB", "simultaneous": "SIB",
                   "simultaneous integrated boost": "SIB"},
    "rt_completed": YES_NO,
}

RESPONSES = ("CR", "PR", "SD", "PD", "NE")
DISTANT_SITES = ("lung", "brain", "liver", "bone", "adrenal", "LN", "other")
ESCC_REGIONS = ("I", "II", "III", "IV")

# Column names that suggest identifying data (checked case-insensitively as substrings).
IDENTIFYING_NAME_HINTS = ("name", "surname", "mrn", "medical_record", "record_number", "hospital_number",
                          "nhs", "ssn", "birth", "dob", "address", "phone", "email")


def canonical_key(name: str) -> str:
    """Normalise a user's column name for matching: 'OS (months)' -> 'os_months'."""
    out = "".join(ch if ch.isalnum() else "_" for ch in str(name).strip().lower())
    return "_".join(part for part in out.split("_") if part)


def is_tox_column(name: str) -> bool:
    """Adverse-event grade columns: tox_<event>, tox_acute_<event>, tox_late_<event>."""
    return name.startswith("tox_") and len(name) > 4


def data_dictionary() -> list[dict[str, str]]:
    """Rows of the data dictionary (column, kind, meaning) for the template."""
    rows = [{"column": c, "kind": k, "meaning": m} for c, (k, m) in COLUMNS.items()]
    rows.append({"column": "tox_<event>", "kind": "grade",
                 "meaning": "Worst CTCAE grade 0-5 of that adverse event; tox_acute_/tox_late_ split at 90 days"})
    rows += [{"column": c, "kind": "derived", "meaning": m} for c, m in DERIVED_MEANINGS.items()]
    return rows
