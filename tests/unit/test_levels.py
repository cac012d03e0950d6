"""Level recodings as the Cohort page stores them, and reading choices
fitted to a newly opened cohort (recur.settings_fit)."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from recur.cohort import build_cohort
from recur.levels import merge_recodes, propose_merges
from recur.settings import Settings
from recur.settings_fit import fit_to_cohort
from recur.ui.levels_controls import add_recodes

TABLE = pd.DataFrame({"patient_id": [f"P{i}" for i in range(8)], "os_months": [3, 5, 8, 9, 12, 15, 20, 24],
                      "os_event": [1, 0, 1, 1, 0, 1, 0, 1],
                      "histology": ["Adeno", "adenocarcinoma", "adenocarcinoma", "SCC", "Squamous cell",
                                    "Squamous cell", "LELC", "adenocarcinoma"]})


def test_accepting_one_proposal_merges_only_its_spellings():
    proposals = propose_merges(TABLE.histology)
    assert proposals == [("Squamous cell", ("Squamous cell", "SCC")), ("adenocarcinoma", ("adenocarcinoma", "Adeno"))]
    recodes = add_recodes((), "histology", merge_recodes(proposals[1:]))
    cohort = build_cohort(TABLE, settings=Settings(recodes=recodes))
    assert cohort.data.histology.value_counts().to_dict() == {"adenocarcinoma": 4, "Squamous cell": 2, "SCC": 1,
                                                              "LELC": 1}


def test_a_later_rename_follows_an_earlier_merge():
    recodes = add_recodes((), "histology", (("Adeno", "adenocarcinoma"),))
    recodes = add_recodes(recodes, "histology", (("adenocarcinoma", "adeno"), ("SCC", "squamous"),
                                                 ("Squamous cell", "squamous")))
    assert recodes == (("histology", (("Adeno", "adeno"), ("adenocarcinoma", "adeno"), ("SCC", "squamous"),
                                      ("Squamous cell", "squamous"))),)
    cohort = build_cohort(TABLE, settings=Settings(recodes=recodes, level_orders=(("histology", ("squamous",
                                                                                                 "adeno")),)))
    assert cohort.levels("histology") == ["squamous", "adeno", "LELC"]
    back = add_recodes(recodes, "histology", (("adeno", "Adeno"), ("squamous", "SCC")))  # back to file spellings
    assert ("Adeno", "Adeno") not in back[0][1] and ("SCC", "SCC") not in back[0][1]  # no self-mapping kept
    assert build_cohort(TABLE, settings=Settings(recodes=back)).data.histology.value_counts().to_dict() == {
        "Adeno": 4, "SCC": 3, "LELC": 1}


def test_reading_choices_for_columns_the_cohort_lacks_are_dropped_with_a_notice_each():
    cohort = build_cohort(TABLE)
    settings = Settings(recodes=(("histology", (("Adeno", "adenocarcinoma"),)), ("margin", (("r0", "R0"),))),
                        level_orders=(("egfr", ("mutant",)),), column_types=(("nodes", "category"),),
                        time_units=(("os_months", "days"), ("pfs_months", "days")), sheet="Patients")
    fitted, notices = fit_to_cohort(settings, cohort)
    assert fitted.recodes == (("histology", (("Adeno", "adenocarcinoma"),)),)
    assert (fitted.level_orders, fitted.column_types, fitted.time_units, fitted.sheet) == (
        (), (), (("os_months", "days"),), "")
    assert notices == ("Column types or time units naming columns not in this cohort were removed.",
                       "The level recoding of 'margin' was removed: this cohort has no such column.",
                       "The level order of 'egfr' was removed: this cohort has no such column.",
                       "The sheet choice 'Patients' was removed: this file has no such sheet.")


def test_a_dotted_abbreviation_is_proposed_with_its_plain_spelling():
    values = pd.Series(["E.N.I.", "eni", "eni", "IFI", "IFI", "I.F.I", "Adeno"])  # the commoner spelling wins
    assert propose_merges(values) == [("IFI", ("IFI", "I.F.I")), ("eni", ("eni", "E.N.I."))]


def test_a_cohorts_levels_and_column_lists_are_worked_out_once_and_handed_out_as_copies():
    cohort = build_cohort(TABLE, settings=Settings(level_orders=(("histology", ("LELC", "SCC", "Adeno",
                                                                               "adenocarcinoma", "Squamous cell")),)))
    assert cohort.levels("histology") == ["LELC", "SCC", "Adeno", "adenocarcinoma", "Squamous cell"]
    assert cohort.categorical_columns() == ["histology"]
    cohort.levels("histology").append("changed by a caller")
    cohort.categorical_columns().clear()
    assert cohort.levels("histology") == ["LELC", "SCC", "Adeno", "adenocarcinoma", "Squamous cell"]
    assert cohort.categorical_columns() == ["histology"]
    fewer = replace(cohort, data=cohort.data[cohort.data.histology != "LELC"])  # a new cohort: worked out anew
    assert isinstance(fewer.data.histology.dtype, pd.CategoricalDtype) and "LELC" in fewer.data.histology.cat.categories
    assert fewer.levels("histology") == ["SCC", "Adeno", "adenocarcinoma", "Squamous cell"]  # no patient: no level
