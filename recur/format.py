"""Turning raw result numbers into the text clinicians read: one module, so
'0.317 (0.112-0.899)' and 'p = 0.016' look the same on every page and export."""

from __future__ import annotations

import math

import pandas as pd

from recur import tables
from recur.model_checks import PH_MARK, PH_VIOLATED
from recur.schema import COLUMNS
from recur.variables import variable_label

NOT_REACHED = "NR"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_p(p: float | None) -> str:
    """'p < 0.001', 'p = 0.016', 'p = 0.53'; '-' when not available."""
    if _missing(p):
        return "-"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def fmt_p_value(p: float | None) -> str:
    """A p-value for a table cell: '<0.001', '0.016', '0.53'."""
    return fmt_p(p).replace("p = ", "").replace("p < ", "<")


def fmt_hr(hr: float | None, lower: float | None, upper: float | None) -> str:
    """'0.317 (0.112-0.899)'; '-' when not estimable."""
    if _missing(hr):
        return "-"
    return f"{hr:.3f} ({lower:.3f}-{upper:.3f})"


def fmt_time(t: float | None, digits: int = 1) -> str:
    """A time in months, 'NR' when not reached."""
    return NOT_REACHED if _missing(t) else f"{t:.{digits}f}"


def fmt_median_ci(median: float | None, lower: float | None, upper: float | None) -> str:
    """'19.0 (12.3-NR)'."""
    return f"{fmt_time(median)} ({fmt_time(lower)}-{fmt_time(upper)})"


def fmt_percent_ci(s: float | None, lower: float | None, upper: float | None) -> str:
    """A survival probability as '84.2% (71.0-91.7)'."""
    if _missing(s):
        return "-"
    if _missing(lower) and _missing(upper):
        return f"{100 * s:.1f}%"
    lo = "-" if _missing(lower) else f"{100 * lower:.1f}"
    hi = "-" if _missing(upper) else f"{100 * upper:.1f}"
    return f"{100 * s:.1f}% ({lo}-{hi})"


def fmt_n_percent(n: int, percent: float | None) -> str:
    """'54 (73.0%)'."""
    return f"{n}" if _missing(percent) else f"{n} ({percent:.1f}%)"


def fmt_number(x: float | None) -> str:
    """Numbers in medians and ranges: up to one decimal, no trailing zero."""
    if _missing(x):
        return "-"
    return f"{x:.1f}".rstrip("0").rstrip(".") if abs(x) < 1000 else f"{x:.0f}"


def variable_title(column: str) -> str:
    """'bed_gy' -> 'BED (Gy)'; 'brachy_boost' -> 'Brachy boost'; the user's
    own columns keep the name their file gives them."""
    name, unit = variable_label(column)
    if name == column and (column in COLUMNS or column.startswith("tox_")):
        name = column.replace("_", " ").capitalize()
    return f"{name} ({unit})" if unit else name


def table_one_display(t1: pd.DataFrame, *, mean_sd: bool = False) -> pd.DataFrame:
    """Table 1 for the screen and the CSV: Characteristic, Level, one column per
    group headed 'name (n=..)'; numbers as 'Median (range)' (and 'Mean (SD)'
    with ``mean_sd``), categories as 'n (%)' in the table's level order, the
    'Missing' row last; with a split, 'p-value' and 'Test' on each variable's
    first row. See ``table_one_footnote`` for the sentence under it."""
    groups = list(dict.fromkeys(t1[tables.GROUP]))
    sizes = t1.drop_duplicates(tables.GROUP).set_index(tables.GROUP)[tables.GROUP_N]
    headers = {g: f"{g} (n={int(sizes[g])})" for g in groups}
    split = len(groups) > 1
    out: list[dict[str, str]] = []
    for var, rows in t1.groupby(tables.VARIABLE, sort=False):
        values = rows[~rows[tables.IS_MISSING]]
        lines: list[tuple[str, dict[str, str]]] = []
        if rows[tables.KIND].iloc[0] == "numeric":
            lines.append(("Median (range)", {r.group: fmt_median_range(r.median, r.min, r.max) if r.n else "-"
                                             for r in values.itertuples()}))
            if mean_sd:
                lines.append(("Mean (SD)", {r.group: fmt_mean_sd(r.mean, r.sd) if r.n else "-"
                                            for r in values.itertuples()}))
        else:
            for level, part in values.groupby(tables.LEVEL, sort=False):
                lines.append((str(level), {r.group: fmt_n_percent(r.n, r.percent) for r in part.itertuples()}))
        missing = rows[rows[tables.IS_MISSING]]
        if len(missing):
            lines.append(("Missing", {r.group: str(r.n) for r in missing.itertuples()}))
        p, test = rows[tables.P_VALUE].iloc[0], rows[tables.TEST].iloc[0]
        for i, (level, cells) in enumerate(lines):
            row = {"Characteristic": variable_title(str(var)), "Level": level,
                   **{headers[g]: cells.get(g, "") for g in groups}}
            if split:
                row["p-value"] = (fmt_p_value(p) if test else "-") if i == 0 else ""
                row["Test"] = test if i == 0 else ""
            out.append(row)
    columns = ["Characteristic", "Level", *headers.values()] + (["p-value", "Test"] if split else [])
    return pd.DataFrame(out, columns=columns)


def term_label(variable: str, level: str, term: str) -> str:
    """'egfr', 'wild-type' -> 'EGFR: wild-type'; cutoff and numeric terms keep their name."""
    if level == term:  # a cutoff group, already named
        return term
    if not level or level.startswith("trend"):
        return variable_title(variable) + (f" ({level})" if level else "")
    return f"{variable_title(variable).split(' (')[0]}: {level}"


def cox_table_display(table: pd.DataFrame, model: str) -> pd.DataFrame:
    """The papers' Tables 2 / 3: rows = factors, per endpoint 'HR (95% CI)'
    and 'p'; a term that could not be estimated reads 'not estimable'; a
    failed PH test marks the HR (``PH_MARK``; footnote ``PH_FOOTNOTE``)."""
    part = table[table["model"] == model]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for r in part.itertuples():
        key = (term_label(r.variable, r.level, r.term), r.reference or "")
        cells = rows.setdefault(key, {})
        ep = r.endpoint.upper()
        cells[f"{ep} HR (95% CI)"] = (fmt_hr(r.hr, r.lower, r.upper) + (PH_MARK if getattr(r, PH_VIOLATED, False)
                                      else "")) if r.hr == r.hr else "not estimable"
        cells[f"{ep} p"] = fmt_p_value(r.p)
    out = pd.DataFrame([{"Factor": k[0], "Reference": k[1], **v} for k, v in rows.items()])
    return out.fillna("")


def short_note(note: str) -> str:
    """The reason part of a Cox note ('no events in this group (n=3)')."""
    return note.split(";")[0]


def survival_summary_display(km) -> pd.DataFrame:
    """Per group: n, events, median (95% CI) and the landmark rates (95% CI)."""
    medians = {med["group"]: med for med in km.medians.to_dict("records")}  # one row per group
    landmarks = km.at_times.to_dict("records")
    rows = []
    for g in km.groups:
        med = medians[g]
        row = {"Group": g, "n": int(med["n"]), "Events": int(med["n_events"]),
               "Median, months (95% CI)": fmt_median_ci(med["median"], med["lower"], med["upper"])}
        for r in landmarks:
            if r["group"] == g:
                row[landmark_label(r["time"])] = ("-" if r["beyond_last_observed"] else
                                                  fmt_percent_ci(r["surv"], r["lower"], r["upper"]))
        rows.append(row)
    return pd.DataFrame(rows)


def model_sizes_caption(table: pd.DataFrame, model: str) -> str:
    """'OS: n=74, events=14 · PFS: ...' for one model type of a screening table."""
    sizes = table[table["model"] == model].groupby("endpoint", sort=False)[["n", "n_events"]].max()
    return " · ".join(f"{ep.upper()}: n={r.n}, events={r.n_events}" for ep, r in sizes.iterrows())


def toxicity_display(tox: pd.DataFrame) -> pd.DataFrame:
    """Per adverse event (and group, when split) in the table's row order:
    assessed patients, then grades 1-5, any grade and grade >=3, each as n (%)
    of the assessed patients."""
    grades = [(f"Grade {g}", f"grade_{g}") for g in range(1, 6)] + [("Any grade", "any_grade"),
                                                                    ("Grade >=3", "grade_3plus")]
    out = pd.DataFrame({"Adverse event": tox["event"], "Phase": tox["phase"]})
    if tox["group"].nunique() > 1:
        out["Group"] = tox["group"]
    out["Assessed"] = tox["assessed"]
    for title, col in grades:
        out[title] = [fmt_n_percent(n, p) for n, p in zip(tox[col], tox[f"{col}_percent"])]
    return out


def response_display(resp: pd.DataFrame) -> pd.DataFrame:
    """Response counts with the objective response rate as '63.5% (51.5-74.4)'."""
    orr = [fmt_percent_ci(o, lo, hi) for o, lo, hi in zip(resp["orr"], resp["orr_lower"], resp["orr_upper"])]
    out = resp.drop(columns=["orr", "orr_lower", "orr_upper"]).assign(**{"ORR (95% CI)": orr})
    return out.rename(columns={"group": "Group", "missing": "Missing", "evaluable": "Evaluable"})


def failure_pattern_display(ever: pd.DataFrame, first: pd.DataFrame) -> pd.DataFrame:
    """Whole follow-up and first failure side by side, as n (%)."""
    both = ever.merge(first, on=["group", "pattern"], how="outer", sort=False, suffixes=("_ever", "_first"))
    both = both.fillna({"n_ever": 0, "n_first": 0, "percent_ever": 0.0, "percent_first": 0.0})
    both[["n_ever", "n_first"]] = both[["n_ever", "n_first"]].astype(int)
    return pd.DataFrame({
        "Group": both["group"], "Pattern": both["pattern"],
        "Whole follow-up, n (%)": [fmt_n_percent(n, p) for n, p in zip(both["n_ever"], both["percent_ever"])],
        "At first failure, n (%)": [fmt_n_percent(n, p) for n, p in zip(both["n_first"], both["percent_first"])],
    })


def fmt_stat(x: float | None) -> str:
    """A median, range end, mean or SD: one decimal from 10 up (no trailing
    zero: 62.00000000000001 -> '62'), 3 significant digits below 10, none
    from 1000 up."""
    if _missing(x):
        return "-"
    if abs(x) >= 1000:
        return f"{x:.0f}"
    text = f"{x:.1f}" if abs(x) >= 10 else f"{x:.3g}"
    text = text.rstrip("0").rstrip(".") if "." in text and "e" not in text else text
    return "0" if text == "-0" else text


def fmt_median_range(median: float | None, low: float | None, high: float | None) -> str:
    """'62 (60-66)'."""
    return f"{fmt_stat(median)} ({fmt_stat(low)}-{fmt_stat(high)})"


def fmt_mean_sd(mean: float | None, sd: float | None) -> str:
    """'62.7 (3.06)'."""
    return f"{fmt_stat(mean)} ({fmt_stat(sd)})"


def table_one_footnote(t1: pd.DataFrame, by: str | None = None) -> str:
    """The sentence under Table 1: what the cells hold, the tests used and
    their rule (gtsummary's add_p() defaults), and who is in no group."""
    text = "Numbers: median (range); categories: n (% of patients with a value); missing values counted apart."
    tests = set(t1[tables.TEST].dropna()) - {""}
    if tests:
        text += (" p-values (missing values excluded): categories by Pearson's chi-square test without continuity"
                 " correction when every expected count is at least 5, otherwise Fisher's exact test; numbers by"
                 " the Wilcoxon rank-sum (Mann-Whitney U) test for 2 groups, Kruskal-Wallis for more"
                 " (as R gtsummary's add_p()).")
        if tables.FISHER_MONTE_CARLO in tests:
            text += (f" Tables too large to enumerate: Fisher's p from {tables.FISHER_RESAMPLES:,} simulated"
                     " tables (fixed seed).")
    sizes = t1.drop_duplicates(tables.GROUP).set_index(tables.GROUP)[tables.GROUP_N]
    if len(sizes) > 1:
        outside = int(sizes.iloc[0] - sizes.iloc[1:].sum())
        if outside:
            text += f" {outside} patient(s) without a value of {by or 'the split'} are in {sizes.index[0]} only."
    return text


def cif_display(result) -> pd.DataFrame:
    """Per group (``recur.estimands.CompetingAnalysis``): n, failures, deaths
    without failure, and at each landmark the cumulative incidence '12.3% (SE 4.1)'
    next to 1 - KM, which overstates it when deaths come first."""
    rows = []
    at, km_at = result.cif.at_times, result.km.at_times
    for c in result.cif.counts.itertuples():
        row = {"Group": c.group, "n": c.n, "Failures": c.n_events, "Deaths without failure": c.n_competing}
        mine = at[(at["group"] == c.group) & (at["cause"] == 1)] if len(at) else at
        for r in mine.itertuples():
            label = landmark_label(r.time)
            km = km_at[(km_at["group"] == c.group) & (km_at["time"] == r.time)]
            row[f"{label} CIF (SE)"] = "-" if r.beyond_last_observed else (
                f"{100 * r.cif:.1f}% (SE {100 * math.sqrt(r.variance):.1f})")
            row[f"{label} 1 - KM"] = "-" if km.empty or bool(km["beyond_last_observed"].iloc[0]) else (
                f"{100 * (1 - km['surv'].iloc[0]):.1f}%")
        rows.append(row)
    return pd.DataFrame(rows)


def failure_type_display(table: pd.DataFrame) -> pd.DataFrame:
    """In-field / out-of-field / distant failure, whole follow-up and first failure, as n (%)."""
    return pd.DataFrame({
        "Group": table["group"], "Failure": table["failure"],
        "Whole follow-up, n (%)": [fmt_n_percent(n, p) for n, p in zip(table["n_ever"], table["percent_ever"])],
        "At first failure, n (%)": [fmt_n_percent(n, p) for n, p in zip(table["n_first"], table["percent_first"])],
    })


def failure_rates_display(table: pd.DataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    """Per group: n, failures, deaths first, then the rate (95% CI) at each time."""
    rows = []
    for c in counts.itertuples(index=False):
        row = {"Group": c.group, "n": c.n, "Failures": c.failures, "Deaths first": c.deaths_first}
        for r in table[table["group"] == c.group].itertuples():
            row[landmark_label(r.time)] = "-" if r.beyond_last_observed else fmt_percent_ci(r.incidence, r.lower,
                                                                                              r.upper)
        rows.append(row)
    return pd.DataFrame(rows)


def rmst_display(result) -> pd.DataFrame:
    """Per group (``recur.stats.rmst.RMSTResult``): n, events, 'RMST, months (95% CI)'."""
    level = f"{100 * result.conf_level:g}%"
    header = f"RMST to {result.tau:g} months ({level} CI)"
    return pd.DataFrame([{"Group": r.group, "n": r.n, "Events": r.n_events,
                          header: f"{r.rmst:.2f} ({r.lower:.2f} to {r.upper:.2f})"} for r in result.groups.itertuples()])


def rmst_difference_text(result) -> list[str]:
    """'BED >=78 Gy minus BED <78 Gy: 1.65 months (95% CI -0.75 to 4.06), p = 0.18', one per group after the first."""
    level = f"{100 * result.conf_level:g}%"
    return [f"{r.group} minus {r.reference}: {r.difference:.2f} months ({level} CI {r.lower:.2f} to {r.upper:.2f}), "
            f"{fmt_p(r.p)}" for r in result.differences.itertuples()]


def completion_display(table: pd.DataFrame) -> pd.DataFrame:
    """Per group: patients, completed n (%) with its exact 95% CI, not completed, unknown."""
    return pd.DataFrame({
        "Group": table["group"], "n": table["n"],
        "Received the planned dose": [f"{c} ({fmt_percent_ci(r, lo, hi)})" for c, r, lo, hi in
                                      zip(table["completed"], table["rate"], table["lower"], table["upper"])],
        "Not completed": table["not_completed"], "Not recorded": table["unknown"]})


def trial_survival_display(survival: dict) -> pd.DataFrame:
    """OS and PFS one under the other: per group n, events, median and the landmark rates."""
    parts = [survival_summary_display(km).assign(Endpoint=endpoint.upper()) for endpoint, km in survival.items()]
    if not parts:
        return pd.DataFrame()
    both = pd.concat(parts, ignore_index=True)
    return both[["Endpoint"] + [c for c in both if c != "Endpoint"]]


def flow_display(flow: pd.DataFrame) -> pd.DataFrame:
    """The CONSORT-like flow: step, from which step, group, n, left out."""
    return pd.DataFrame({"Step": flow["step"], "From": flow["parent"], "Group": flow["group"], "n": flow["n"],
                         "Left out": flow["n_excluded"]})


def fmt_percent_ci_text(s: float | None, lower: float | None, upper: float | None, level: float = 0.95) -> str:
    """A probability for a sentence: '84.2% (95% CI 70.1-92.0%)'; an end of the
    interval that cannot be estimated reads 'NE' (no interval at all: '100.0%')."""
    if _missing(s):
        return "not estimable"
    if _missing(lower) and _missing(upper):
        return f"{100 * s:.1f}%"
    ends = ["NE" if _missing(x) else f"{100 * x:.1f}" for x in (lower, upper)]
    return f"{100 * s:.1f}% ({100 * level:g}% CI {ends[0]}-{ends[1]}%)"


def fmt_median_text(median: float | None, lower: float | None, upper: float | None, level: float = 0.95) -> str:
    """A median time for a sentence: '19.0 months (95% CI 12.3-NR)', or 'not reached (95% CI 30.1-NR)'."""
    head = "not reached" if _missing(median) else f"{fmt_time(median)} months"
    return f"{head} ({100 * level:g}% CI {fmt_time(lower)}-{fmt_time(upper)})"


def landmark_label(months: float) -> str:
    """24 -> '2-year', 18 -> '18-month'."""
    return f"{months / 12:g}-year" if months % 12 == 0 else f"{months:g}-month"
