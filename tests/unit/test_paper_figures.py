"""The Kaplan-Meier figure's hazard ratio (against R's coxph and recur.cox),
toxicity grades hand-counted on the demo cohort with the bars in the table's
row order, dark axis text, and the presentation style."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import recur
from recur import tables
from recur.analysis import survival_analysis
from recur.cohort import analysis_frame
from recur.figures import build_km_figure, build_toxicity_figure
from recur.figures.bars import toxicity_labels
from recur.figures.km import hazard_ratio_lines
from recur.figures.style import AXIS_TEXT, presentation_style
from recur.format import toxicity_display
from tests.conftest import DATA, reference, reference_data


def test_hazard_ratio_lines_carry_r_coxph_numbers():
    lung = reference_data("lung")
    lung["sex"] = lung["sex"].map({1: "male", 2: "female"})
    coefficients = recur.cox(lung, "time", "event", ["sex"], reference={"sex": "male"}).coefficients
    r = reference("lung")["cox"]["sex"]["efron"]["coefficients"][0]  # coxph(Surv(time, status) ~ sex)
    assert hazard_ratio_lines(coefficients) == [f"HR {r['hr']:.3f} ({r['hr_lower95']:.3f}-{r['hr_upper95']:.3f})",
                                                 "female vs male"]
    assert hazard_ratio_lines(coefficients)[0] == "HR 0.588 (0.424-0.816)"


def test_survival_analysis_gives_the_named_groups_hazard_ratio_for_the_figure(nsclc_cohort):
    settings = recur.Settings(group_by="BED >=78 Gy", endpoint="pfs")
    result = survival_analysis(nsclc_cohort, settings)
    frame, _ = analysis_frame(nsclc_cohort, settings)
    direct = recur.cox(frame, "pfs_months", "pfs_event", ["BED >=78 Gy"],
                       reference={"BED >=78 Gy": "BED <78 Gy"}).coefficients.iloc[0]
    hr = result.hazard_ratios.iloc[0]
    assert (hr.level, hr.reference) == ("BED >=78 Gy", "BED <78 Gy")  # the named group against the other
    assert hr.hr == pytest.approx(direct.hr, rel=1e-12) and hr.hr < 1
    texts = lambda fig: [a.text for a in fig.layout.annotations]  # noqa: E731
    fig = build_km_figure(result.km, result.logrank, hazard_ratios=result.hazard_ratios)
    assert f"HR {direct.hr:.3f} ({direct.lower:.3f}-{direct.upper:.3f})" in texts(fig)
    assert "BED &gt;=78 Gy vs BED &lt;78 Gy" in texts(fig)  # shown as plain text
    assert not any(t.startswith("HR") for t in texts(build_km_figure(result.km, result.logrank)))
    assert survival_analysis(nsclc_cohort, recur.Settings()).hazard_ratios is None  # no grouping, no HR


def test_toxicity_grades_by_group_are_the_hand_counts_and_bars_follow_the_rows(nsclc_cohort):
    settings = recur.Settings()
    frame, _ = analysis_frame(nsclc_cohort, settings)
    tox = tables.toxicity_table(frame, "BED >=78 Gy")
    raw = pd.read_csv(DATA / "demo_nsclc_synthetic.csv")
    bed = raw.rt_dose_gy * (1 + raw.rt_dose_gy / raw.rt_fractions / 10)
    groups = {"All patients": raw, "BED <78 Gy": raw[bed < 78 - 1e-9], "BED >=78 Gy": raw[bed >= 78 - 1e-9]}
    events = ["neutropenia", "esophagitis", "pneumonitis", "vomiting"]
    assert list(zip(tox.event, tox.group)) == [(e, g) for e in events for g in groups]
    for row in tox.itertuples():
        grades = groups[row.group][f"tox_{row.event}"]
        assert row.assessed == grades.notna().sum()
        assert [getattr(row, f"grade_{k}") for k in range(6)] == [(grades == k).sum() for k in range(6)]
        assert row.any_grade == (grades >= 1).sum() and row.grade_3plus == (grades >= 3).sum()
        assert row.grade_3plus_percent == pytest.approx(100 * (grades >= 3).sum() / grades.notna().sum())
    shown = toxicity_display(tox)
    first = shown.iloc[2]  # neutropenia, BED >=78 Gy
    g = groups["BED >=78 Gy"].tox_neutropenia
    assert first["Any grade"] == f"{(g >= 1).sum()} ({100 * (g >= 1).sum() / g.notna().sum():.1f}%)"
    bars = build_toxicity_figure(tox)
    labels = list(bars.data[0].y)
    assert labels == [s.replace("<", "&lt;").replace(">", "&gt;") for s in toxicity_labels(tox)]
    assert labels[:2] == ["neutropenia: All patients", "neutropenia: BED &lt;78 Gy"]
    assert bars.layout.yaxis.autorange == "reversed"  # the first row on top


def test_acute_rows_come_before_late_and_whole_course_rows():
    df = pd.DataFrame({"tox_late_fibrosis": [0, 1], "tox_cough": [1, 2], "tox_acute_mucositis": [3, np.nan]})
    tox = tables.toxicity_table(df)
    assert list(zip(tox.event, tox.phase)) == [("mucositis", "acute"), ("fibrosis", "late"), ("cough", "any")]
    assert tox.set_index("event").loc["mucositis", ["assessed", "grade_3plus_percent"]].tolist() == [1, 100.0]


def test_axis_text_is_near_black_and_presentation_style_scales_every_font():
    df = pd.DataFrame({"t": [1, 2, 3, 4], "e": [1, 0, 1, 1]})
    fig = build_km_figure(recur.kaplan_meier(df, "t", "e"))
    assert fig.layout.yaxis.title.font.color == AXIS_TEXT and fig.layout.xaxis2.title.font.color == AXIS_TEXT
    sizes = (fig.layout.font.size, fig.layout.yaxis.title.font.size, fig.data[-1].textfont.size)
    presentation_style(fig, font_scale=1.5, height=500)
    assert (fig.layout.font.size, fig.layout.yaxis.title.font.size, fig.data[-1].textfont.size) == tuple(
        round(s * 1.5) for s in sizes)
    assert fig.layout.height == 500 and fig.layout.yaxis.title.font.color == AXIS_TEXT
