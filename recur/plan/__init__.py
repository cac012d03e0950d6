"""Planning the next study: sample size and power for comparing two survival
curves (``sample_size_survival``, ``power_survival``, as R's rpact), the
assumptions taken from the cohort open (``assumptions_from_cohort``) and a
sample-size paragraph for a protocol (``justification``)."""

from recur.plan.from_cohort import CohortAssumptions, GroupAssumption, assumptions_from_cohort
from recur.plan.justify import justification
from recur.plan.survival import (ESCC_TRIAL, METHODS, Power, SampleSize, SurvivalDesign, event_probability, events_needed,
                                 power_curve, power_survival, sample_size_survival)

__all__ = ["ESCC_TRIAL", "METHODS", "CohortAssumptions", "GroupAssumption", "Power", "SampleSize", "SurvivalDesign",
           "assumptions_from_cohort", "event_probability", "events_needed", "justification", "power_curve",
           "power_survival", "sample_size_survival"]
