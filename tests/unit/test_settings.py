"""Settings: cutoff semantics and lossless JSON / URL round trips."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from recur.errors import RecurError
from recur.settings import (METHOD_PRESETS, Cutoff, EndpointRules, Filter, Settings)


def test_default_cutoffs_and_labels():
    s = Settings()
    assert [c.label for c in s.cutoffs] == ["BED >=78 Gy", "DFI >=12 months", "TTR <=24 months"]
    assert [c.reference_label for c in s.cutoffs] == ["BED <78 Gy", "DFI <12 months", "TTR >24 months"]


def test_cutoff_assigns_named_group_reference_and_missing():
    values = pd.Series([77.9, 78.0, 90.0, np.nan])
    groups = Cutoff("bed_gy", ">=", 78).assign(values)
    assert list(groups.astype(object).fillna("missing")) == ["BED <78 Gy", "BED >=78 Gy", "BED >=78 Gy", "missing"]
    # the reference level comes first, so hazard ratios are named group vs reference
    assert list(groups.cat.categories) == ["BED <78 Gy", "BED >=78 Gy"]


def test_cutoff_strict_operators():
    g = Cutoff("ttr_months", "<", 24).assign(pd.Series([23.9, 24.0]))
    assert list(g) == ["TTR <24 months", "TTR >=24 months"]


def test_cutoff_text_round_trip_and_error():
    assert Cutoff.from_text("gtv_cc>28.7") == Cutoff("gtv_cc", ">", 28.7)
    with pytest.raises(RecurError, match="bed_gy>=78"):
        Cutoff.from_text("bed_gy~78")


EXAMPLE = Settings(
    cutoffs=(Cutoff("bed_gy", ">", 80.5), Cutoff("age", ">=", 59)),
    rules=EndpointRules(origin="recurrence", pfs_death_is_event=False, dmfs_death_is_event=True),
    methods=METHOD_PRESETS["SPSS"], filters=(Filter("histology", ("squamous", "LELC")),),
    alpha_beta=3.0, endpoint="lrfs", group_by="BED >80.5 Gy", show_ci=True, extended_risk_table=True,
    screen_p=0.1, landmarks_months=(6.0, 12.0, 18.5), mapping=(("OS (months)", "os_months"),),
    factors=("cutoff:bed_gy", "histology", "stage_initial", "age"), references=(("histology", "squamous"),),
    trends=(("stage_initial", ("I", "II", "III")),),
)


@pytest.mark.parametrize("s", [Settings(), EXAMPLE, Settings(cutoffs=()), Settings(factors=()),
                               Settings(filters=(Filter("histology", ()),))])
def test_json_and_query_round_trip(s):
    assert Settings.from_json(s.to_json()) == s
    assert Settings.from_query(s.to_query()) == s


@hsettings(max_examples=60, deadline=None)
@given(threshold=st.floats(min_value=0.01, max_value=500, allow_nan=False).map(lambda x: round(x, 3)),
       op=st.sampled_from([">=", ">", "<=", "<"]), ab=st.sampled_from([2.0, 3.0, 10.0]),
       origin=st.sampled_from(["rt_start", "recurrence"]), ci=st.booleans())
def test_round_trip_any_values(threshold, op, ab, origin, ci):
    s = Settings(cutoffs=(Cutoff("bed_gy", op, threshold),), alpha_beta=ab,
                 rules=EndpointRules(origin=origin), show_ci=ci)
    assert Settings.from_query(s.to_query()) == s
    assert Settings.from_json(s.to_json()) == s


def test_unknown_json_key_and_bad_endpoint_are_errors():
    with pytest.raises(RecurError, match="colour"):
        Settings.from_json('{"colour": "red"}')
    with pytest.raises(RecurError, match="Endpoint"):
        Settings(endpoint="xyz")


@pytest.mark.parametrize("query, key", [
    ({"lm": ["abc"]}, "lm=abc"), ({"level": ["abc"]}, "level=abc"), ({"ref": ["histology"]}, "ref=histology"),
    ({"map": ["x"]}, "map=x"), ({"cut": ["bed_gy>=78", "bed_gy>=60"]}, "cut=bed_gy>=78&cut=bed_gy>=60"),
    ({"ab": ["nan"]}, "ab=nan"), ({"ab": ["100"]}, "ab=100"), ({"screen": ["0"]}, "screen=0"),
    ({"ci": ["<a href='x'>"]}, "ci=<a href='x'>"), ({"band": ["yes"]}, "band=yes"),
    ({"ep": ["[x](http://evil.example)"]}, "ep=[x](http://evil.example)"), ({"filter": ["histology"]}, "filter=histology"),
])
def test_a_bad_query_key_is_dropped_with_one_notice_and_the_others_kept(query, key):
    settings, notices = Settings.parse_query({**query, "ep": query.get("ep", ["pfs"]), "by": ["BED >=78 Gy"]})
    assert len(notices) == 1 and key in notices[0] and notices[0].endswith("; it was ignored.")
    assert settings.group_by == "BED >=78 Gy"  # the good keys still apply
    if "ep" not in query:
        assert settings.endpoint == "pfs"
    assert Settings.from_query(settings.to_query()) == settings  # what is kept is usable
    with pytest.raises(RecurError, match="cannot be used"):
        Settings.from_query(query)


def test_query_notices_cut_long_values_and_name_unknown_keys():
    _, notices = Settings.parse_query({"lm": ["9" * 10_000 + "x"], "colour": ["red"]})
    assert len(notices[0]) < 400 and "…" in notices[0]
    assert notices[1] == "The link's setting 'colour' is not one recur knows; it was ignored."


def test_query_filter_naming_any_column_is_parsed_for_the_cohort_to_judge():
    settings, notices = Settings.parse_query({"filter": ["no_such_col:a"]})
    assert notices == () and settings.filters == (Filter("no_such_col", ("a",)),)


@pytest.mark.parametrize("text, match", [
    ("{not json", "not valid JSON"), ("[1, 2]", "one JSON object"), ('{"alpha_beta": "x"}', "alpha_beta"),
    ('{"cutoffs": [{"variable": "a", "op": "~", "threshold": 1}]}', "cutoffs"),
    ('{"cutoffs": 5}', "cutoffs"), ('{"methods": {"km_conf_type": "wild"}}', "methods must be"),
    ('{"rules": {"origin": "moon"}}', "time origin"), ('{"show_ci": "yes"}', "switches"),
])
def test_a_bad_settings_file_is_a_recur_error_naming_the_setting(text, match):
    with pytest.raises(RecurError, match=match):
        Settings.from_json(text)
