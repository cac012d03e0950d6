"""Display names and units of the variables users cut and plot, and the
endpoint names. One place, so labels read the same on every page and export."""

from __future__ import annotations

from typing import Literal

Endpoint = Literal["os", "pfs", "lrfs", "fflp", "dmfs"]
ENDPOINTS: tuple[Endpoint, ...] = ("os", "pfs", "lrfs", "fflp", "dmfs")
ENDPOINT_NAMES: dict[str, str] = {
    "os": "Overall survival",
    "pfs": "Progression-free survival",
    "lrfs": "Locoregional recurrence-free survival",
    "fflp": "Freedom from local progression",
    "dmfs": "Distant metastasis-free survival",
}

# variable -> (short label, unit); unit "" when dimensionless.
VARIABLE_LABELS: dict[str, tuple[str, str]] = {
    "bed_gy": ("BED", "Gy"),
    "eqd2_gy": ("EQD2", "Gy"),
    "rt_dose_gy": ("Dose", "Gy"),
    "dose_per_fraction": ("Dose/fraction", "Gy"),
    "cumulative_dose_gy": ("Cumulative dose", "Gy"),
    "cumulative_eqd2_gy": ("Cumulative EQD2", "Gy"),
    "dfi_months": ("DFI", "months"),
    "ttr_months": ("TTR", "months"),
    "age": ("Age", "years"),
    "gtv_cc": ("GTV", "cm³"),
    "ptv_cc": ("PTV", "cm³"),
    "ecog": ("ECOG", ""),
    "kps": ("KPS", ""),
    "rt_fractions": ("Fractions", ""),
    "egfr": ("EGFR", ""),
    "sex": ("Sex", ""),
    "histology": ("Histology", ""),
    "stage_initial": ("Initial stage", ""),
    "stage_recurrence": ("Stage at recurrence", ""),
    "margin": ("Resection margin", ""),
    "recurrence_site": ("Recurrence site", ""),
    "recurrence_type": ("Recurrence type", ""),
    "concurrent_chemo": ("Concurrent chemotherapy", ""),
    "rt_technique": ("RT technique", ""),
    "cancer": ("Cancer", ""),
    "arm": ("Arm", ""),
    "treatment_plan": ("Treatment plan", ""),
    "lesion_diameter_cm": ("Lesion diameter", "cm"),
    "recurrence_region_count": ("Involved regions", ""),
    "phase1_eqd2_gy": ("Phase 1 EQD2", "Gy"),
    "phase2_eqd2_gy": ("Phase 2 EQD2", "Gy"),
    "planned_dose_gy": ("Planned dose", "Gy"),
    "boost_type": ("Boost", ""),
    "rt_completed": ("Planned dose received", ""),
}


def time_column(endpoint: str) -> str:
    """``os`` -> ``os_months``."""
    return f"{endpoint}_months"


def event_column(endpoint: str) -> str:
    """``os`` -> ``os_event``."""
    return f"{endpoint}_event"


ORIGIN_LABELS = {"rt_start": "First day of salvage RT", "recurrence": "Diagnosis of the recurrence"}


def variable_label(variable: str) -> tuple[str, str]:
    """Short label and unit of a column; unknown columns keep their own name."""
    return VARIABLE_LABELS.get(variable, (variable, ""))


def format_threshold(value: float) -> str:
    """78.0 -> '78', 28.70 -> '28.7': thresholds as a clinician writes them."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("-0", "") else "0"
