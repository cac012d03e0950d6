"""Turning raw result numbers into the text clinicians read: one module, so
'0.317 (0.112-0.899)' and 'p = 0.016' look the same on every page and export."""

from __future__ import annotations

import math

import pandas as pd

from recur import tables
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
    """'bed_gy' -> 'BED (Gy)'; unknown columns keep their name."""
    name, unit = variable_label(column)
    if name == column:
        name = column.replace("_", " ").capitalize()
    return f"{name} ({unit})" if unit else name


def table_one_display(t1: pd.DataFrame) -> pd.DataFrame:
    """Table 1 for the screen: Characteristic, level, one column per group."""
    t = t1.copy()
    t["value"] = [
        f"{fmt_number(r.median)} ({fmt_number(r.min)}-{fmt_number(r.max)})"
        + (f"; missing {r.n_missing}" if r.n_missing else "")
        if r.kind == "numeric" else fmt_n_percent(r.n, r.percent)
        for r in t.itertuples()
    ]
    t["Characteristic"] = t[tables.VARIABLE].map(variable_title)
    t["Level"] = t[tables.LEVEL].where(t[tables.KIND] == "categorical", "median (range)")
    wide = t.pivot_table(index=["Characteristic", "Level"], columns=tables.GROUP, values="value",
                         aggfunc="first", sort=False)
    order = list(dict.fromkeys(t[tables.GROUP]))
    return wide[order].reset_index().rename_axis(columns=None)


def term_label(variable: str, level: str, term: str) -> str:
    """'egfr', 'wild-type' -> 'EGFR: wild-type'; cutoff and numeric terms keep their name."""
    if level == term:  # a cutoff group, already named
        return term
    if not level or level.startswith("trend"):
        return variable_title(variable) + (f" ({level})" if level else "")
    return f"{variable_title(variable).split(' (')[0]}: {level}"


def cox_table_display(table: pd.DataFrame, model: str) -> pd.DataFrame:
    """The papers' Tables 2 / 3: rows = factors, per endpoint 'HR (95% CI)'
    and 'p'; a term that could not be estimated reads 'not estimable'."""
    part = table[table["model"] == model]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for r in part.itertuples():
        key = (term_label(r.variable, r.level, r.term), r.reference or "")
        cells = rows.setdefault(key, {})
        ep = r.endpoint.upper()
        cells[f"{ep} HR (95% CI)"] = fmt_hr(r.hr, r.lower, r.upper) if r.hr == r.hr else "not estimable"
        cells[f"{ep} p"] = fmt_p_value(r.p)
    out = pd.DataFrame([{"Factor": k[0], "Reference": k[1], **v} for k, v in rows.items()])
    return out.fillna("")


def short_note(note: str) -> str:
    """The reason part of a Cox note ('no events in this group (n=3)')."""
    return note.split(";")[0]


def survival_summary_display(km) -> pd.DataFrame:
    """Per group: n, events, median (95% CI) and the landmark rates (95% CI)."""
    rows = []
    for g in km.groups:
        med = km.medians[km.medians["group"] == g].iloc[0]
        row = {"Group": g, "n": int(med["n"]), "Events": int(med["n_events"]),
               "Median, months (95% CI)": fmt_median_ci(med["median"], med["lower"], med["upper"])}
        if not km.at_times.empty:
            for r in km.at_times[km.at_times["group"] == g].itertuples():
                label = f"{r.time / 12:g}-year" if r.time % 12 == 0 else f"{r.time:g}-month"
                row[label] = "-" if r.beyond_last_observed else fmt_percent_ci(r.surv, r.lower, r.upper)
        rows.append(row)
    return pd.DataFrame(rows)


def model_sizes_caption(table: pd.DataFrame, model: str) -> str:
    """'OS: n=74, events=14 · PFS: ...' for one model type of a screening table."""
    sizes = table[table["model"] == model].groupby("endpoint", sort=False)[["n", "n_events"]].max()
    return " · ".join(f"{ep.upper()}: n={r.n}, events={r.n_events}" for ep, r in sizes.iterrows())


def toxicity_display(tox: pd.DataFrame) -> pd.DataFrame:
    """Grade 3 / 4 / 5 counts and grade >=3 n (%) per adverse event."""
    out = tox.rename(columns={f"grade_{g}": f"Grade {g}" for g in range(6)})
    out["Grade >=3"] = [fmt_n_percent(n, p) for n, p in zip(tox["grade_3plus"], tox["grade_3plus_percent"])]
    out = out.rename(columns={"event": "Adverse event", "phase": "Phase", "assessed": "Assessed"})
    return out[["Adverse event", "Phase", "Assessed", "Grade 3", "Grade 4", "Grade 5", "Grade >=3"]]


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
