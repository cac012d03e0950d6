"""Seeded generators of the synthetic demo cohorts. They imitate the published
marginals and effect directions of shared/docs/published-cohorts.md (cohort A:
NSCLC salvage RT; cohort C: NPC re-irradiation; D: the ESCC salvage CRT trial) and are labelled synthetic in
a column and in the file name. They are not the real patients.

``make_nsclc_demo(n)`` also scales to any n (benchmarks): categorical counts
are the published ones rescaled by largest remainder, exact at n = 74.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from recur.schema import COLUMNS, MONTH_DAYS, data_dictionary
from recur.settings import EndpointRules

NSCLC_SEED = 135
NPC_SEED = 4
ESCC_SEED = 12
ESCC_ONE_YEAR_OS = {"ENI": 0.70, "IFI": 0.60}  # the trial's sample-size assumptions (section D)


def exact_counts(counts: dict[str, int], n: int, rng: np.random.Generator) -> np.ndarray:
    """Shuffled labels whose counts are ``counts`` rescaled to ``n`` (exact when
    n equals their sum); an empty-string key means missing."""
    total = sum(counts.values())
    raw = np.array(list(counts.values()), dtype=float) * n / total
    k = np.floor(raw).astype(int)
    k[np.argsort(-(raw - k))[: n - k.sum()]] += 1
    labels = np.repeat(np.array(list(counts.keys()), dtype=object), k)
    rng.shuffle(labels)
    return np.where(labels == "", None, labels)


def _spread(rng: np.random.Generator, n: int, median: float, low: float, high: float, log: bool = False) -> np.ndarray:
    """Values with the given median and range (a skewed or symmetric draw,
    then pinned so the published median and extremes hold exactly)."""
    if log:
        x = np.exp(rng.normal(np.log(median), (np.log(high) - np.log(low)) / 5, n))
    else:
        x = rng.normal(median, (high - low) / 5, n)
    x = np.clip(x, low, high)
    order = np.argsort(x)
    if n >= 4:
        mid = n // 2
        below, above = order[: mid - (n % 2 == 0)], order[mid + 1:]
        x[below] = np.minimum(x[below], median)  # keep every value on its side of the median
        x[above] = np.maximum(x[above], median)
        x[order[mid]] = median
        if n % 2 == 0:
            x[order[mid - 1]] = median
    x[order[0]], x[order[-1]] = low, high
    return x


def _dates(base: pd.Timestamp, months: np.ndarray) -> pd.Series:
    days = np.round(np.asarray(months, dtype=float) * MONTH_DAYS)
    return pd.Series(base + pd.to_timedelta(days, unit="D"))


def _exp_time(rng: np.random.Generator, rate: np.ndarray) -> np.ndarray:
    return rng.exponential(1.0 / rate)


def _grades(rng: np.random.Generator, n: int, severe: dict[int, int], mild_p: tuple[float, float, float],
            reference_n: int = 74) -> np.ndarray:
    """Worst CTCAE grade per patient: exact counts of grades >= 3 (rescaled),
    the rest drawn as 0/1/2 with probabilities ``mild_p``."""
    n_severe = {g: int(round(c * n / reference_n)) for g, c in severe.items()}
    out = rng.choice([0, 1, 2], size=n, p=mild_p)
    idx = rng.permutation(n)
    pos = 0
    for grade, count in n_severe.items():
        out[idx[pos: pos + count]] = grade
        pos += count
    return out


def make_nsclc_demo(n: int = 74, seed: int = NSCLC_SEED) -> pd.DataFrame:
    """Synthetic NSCLC salvage-RT cohort (imitates published cohort A)."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"patient_id": [f"NS{i + 1:04d}" for i in range(n)], "cancer": "NSCLC"})
    df["sex"] = exact_counts({"M": 54, "F": 20}, n, rng)
    df["age"] = np.round(_spread(rng, n, 59, 29, 84)).astype(int)
    df["ecog"] = exact_counts({"0": 30, "1": 38, "2": 6}, n, rng).astype(int)
    df["histology"] = exact_counts({"squamous": 18, "adenocarcinoma": 41, "LELC": 10, "other": 5}, n, rng)
    df["stage_initial"] = exact_counts({"I": 17, "II": 16, "III": 34, "": 7}, n, rng)
    df["egfr"] = exact_counts({"mutant": 14, "wild-type": 37, "unknown": 23}, n, rng)
    df["margin"] = exact_counts({"R0": 66, "R1": 7, "R2": 1}, n, rng)
    df["recurrence_site"] = exact_counts({"stump": 8, "regional LN": 56, "ipsilateral lung": 6,
                                          "stump + LN": 3, "LN + lung": 1}, n, rng)
    df["recurrence_type"] = np.select(
        [df["recurrence_site"].isin(["stump", "ipsilateral lung"]), df["recurrence_site"] == "regional LN"],
        ["local", "regional"], "both")
    df["concurrent_chemo"] = exact_counts({"yes": 59, "no": 15}, n, rng)
    df["rt_technique"] = exact_counts({"3D-CRT": 5, "IMRT": 62, "SBRT": 7}, n, rng)
    # Fractionation menus (dose Gy, fractions); half of the conventional courses reach BED10 >= 78.
    conventional = [(60, 30), (60, 26), (56, 28), (64, 32), (60, 28), (58, 29),
                    (60, 20), (66, 30), (68, 34), (60, 15), (66, 22), (62, 24), (66, 33)]
    sbrt = [(50, 10), (50, 10), (50, 10), (50, 10), (60, 10), (60, 12), (70, 10)]
    is_sbrt = (df["rt_technique"] == "SBRT").to_numpy()
    pick = rng.integers(0, len(conventional), n)
    dose = np.array([conventional[i][0] for i in pick], dtype=float)
    fx = np.array([conventional[i][1] for i in pick])
    sb_idx = np.nonzero(is_sbrt)[0]
    for j, i in enumerate(sb_idx):
        dose[i], fx[i] = sbrt[j % len(sbrt)]
    df["rt_dose_gy"], df["rt_fractions"] = dose, fx
    df["alpha_beta"] = 10.0
    bed = dose * (1 + dose / fx / 10)
    df["gtv_cc"] = np.round(_spread(rng, n, 28.7, 2.6, 189.3, log=True), 1)
    dfi = np.round(_spread(rng, n, 11, 6, 104, log=True), 1)
    # Calendar: RT start spread over 2012-2016, recurrence 3-6 weeks before, surgery DFI before that.
    rt_start_m = rng.uniform(0, 54, n)
    origin = pd.Timestamp("2012-01-02")
    rt_start = _dates(origin, rt_start_m)
    rec = rt_start - pd.to_timedelta(rng.integers(21, 45, n), unit="D")
    surgery = rec - pd.to_timedelta(np.round(dfi * MONTH_DAYS), unit="D")
    df["date_surgery"], df["date_recurrence"], df["date_rt_start"] = surgery, rec, rt_start
    df["date_rt_end"] = rt_start + pd.to_timedelta(np.ceil(fx * 7 / 5).astype(int), unit="D")
    # Outcomes (months from RT start): BED >=78 protective for LRFS and OS;
    # EGFR wild-type > mutant > unknown hazard of distant failure.
    high_bed = bed >= 78
    egfr_m = df["egfr"].map({"wild-type": 1.0, "mutant": 0.5, "unknown": 0.3}).to_numpy()
    t_lr = _exp_time(rng, 0.022 * np.where(high_bed, 0.3, 1.0))
    t_dm = _exp_time(rng, 0.026 * egfr_m)
    # Locoregional failure often seeds distant spread (16 of 20 in the paper).
    t_dm = np.minimum(t_dm, t_lr + _exp_time(rng, np.full(n, 1 / 5.0)))
    t_death = _exp_time(rng, 0.0095 * np.where(high_bed, 0.35, 1.0))
    t_death = np.where(t_dm < t_death, t_dm + _exp_time(rng, np.full(n, 0.02)), t_death)
    study_end = 54 + 2 - rt_start_m  # data cut-off two months after the last start
    fu = np.minimum(study_end, np.where(rng.random(n) < 0.3, rng.uniform(2, 50, n), np.inf))
    fu = np.clip(fu, 2, 50)
    return _attach_outcomes(df, rng, origin_dates=rt_start, t_lr=t_lr, t_dm=t_dm, t_death=t_death, fu=fu,
                            regional_share=0.6, tox=_nsclc_toxicity(rng, n),
                            response_counts={"CR": 11, "PR": 36, "SD": 14, "PD": 13})


def _nsclc_toxicity(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    return {
        "tox_neutropenia": _grades(rng, n, {3: 7, 4: 1}, (0.55, 0.3, 0.15)),
        "tox_esophagitis": _grades(rng, n, {3: 6, 4: 1}, (0.35, 0.4, 0.25)),
        "tox_pneumonitis": _grades(rng, n, {3: 1}, (0.6, 0.3, 0.1)),
        "tox_vomiting": _grades(rng, n, {3: 1}, (0.7, 0.25, 0.05)),
    }


def _attach_outcomes(df: pd.DataFrame, rng: np.random.Generator, *, origin_dates: pd.Series, t_lr: np.ndarray,
                     t_dm: np.ndarray, t_death: np.ndarray, fu: np.ndarray, regional_share: float,
                     tox: dict[str, np.ndarray], response_counts: dict[str, int],
                     t_regional: np.ndarray | None = None) -> pd.DataFrame:
    """Turn latent event times (months from the origin) into the schema's dates.
    Without ``t_regional`` a share of the locoregional failures (``t_lr``) is
    regional; with it, ``t_lr`` is the in-field and ``t_regional`` the
    out-of-field regional failure, each on its own."""
    n = len(df)
    end = np.minimum(fu, t_death)
    died = t_death <= fu
    lr_seen = t_lr < end
    dm_seen = t_dm < end
    origin = origin_dates.reset_index(drop=True)

    def when(months: np.ndarray, mask: np.ndarray) -> pd.Series:
        out = origin + pd.to_timedelta(np.round(np.where(mask, months, 0) * MONTH_DAYS), unit="D")
        return out.where(mask)

    if t_regional is None:
        regional = rng.random(n) < regional_share
        df["date_local_failure"] = when(t_lr, lr_seen & ~regional)
        df["date_regional_failure"] = when(t_lr, lr_seen & regional)
        first, any_seen = np.minimum(t_lr, t_dm), lr_seen | dm_seen
    else:
        rg_seen = t_regional < end
        df["date_local_failure"] = when(t_lr, lr_seen)
        df["date_regional_failure"] = when(t_regional, rg_seen)
        first, any_seen = np.minimum(np.minimum(t_lr, t_regional), t_dm), lr_seen | rg_seen | dm_seen
    df["date_distant_failure"] = when(t_dm, dm_seen)
    df["date_progression"] = when(first, any_seen)
    df["date_death"] = when(t_death, died)
    df["date_last_followup"] = when(end, np.ones(n, dtype=bool))
    sites = np.array(["lung"] * 14 + ["brain"] * 5 + ["liver"] * 4 + ["bone"] * 3 + ["adrenal"] * 2 + ["LN"] * 3)
    n_sites = rng.choice([1, 1, 1, 2], size=n)
    df["distant_sites"] = [";".join(sorted(set(rng.choice(sites, k)))) if seen else None
                           for k, seen in zip(n_sites, dm_seen)]
    df["response"] = exact_counts(response_counts, n, rng)
    for col, grades in tox.items():
        df[col] = grades
    df["synthetic"] = True
    for col in [c for c in df if c.startswith("date_")]:
        df[col] = pd.to_datetime(df[col]).dt.strftime("%Y-%m-%d")
    return df


def make_npc_demo(n: int = 184, seed: int = NPC_SEED) -> pd.DataFrame:
    """Synthetic NPC re-irradiation cohort (imitates published cohort C; the
    paper's time origin is the diagnosis of the recurrence)."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"patient_id": [f"NP{i + 1:04d}" for i in range(n)], "cancer": "NPC"})
    df["sex"] = exact_counts({"M": 133, "F": 51}, n, rng)
    df["age"] = np.round(_spread(rng, n, 49, 23, 86)).astype(int)
    df["ecog"] = exact_counts({"0": 80, "1": 94, "2": 10}, n, rng).astype(int)
    df["histology"] = exact_counts({"non-keratinising": 170, "keratinising": 14}, n, rng)
    df["stage_recurrence"] = exact_counts({"rT1-2": 64, "rT3-4": 120}, n, rng)
    df["recurrence_type"] = exact_counts({"local": 153, "both": 31}, n, rng)
    short = exact_counts({"short": 59, "long": 125}, n, rng) == "short"
    ttr = np.where(short, rng.uniform(6, 24, n), np.exp(rng.normal(np.log(45), 0.6, n)))
    ttr = np.where(short, ttr, np.clip(ttr, 24.5, 388))
    ttr[np.argmax(ttr)] = 388
    ttr[np.argmin(ttr)] = 6
    df["concurrent_chemo"] = exact_counts({"yes": 138, "no": 46}, n, rng)
    df["brachy_boost"] = exact_counts({"yes": 13, "no": 171}, n, rng)
    df["rt_technique"] = "IMRT"
    two_gy = exact_counts({"2.0": 125, "other": 59}, n, rng) == "2.0"
    dose = np.round(_spread(rng, n, 66.7, 42, 77) * 10) / 10
    fx = np.where(two_gy, np.round(dose / 2), np.round(dose / rng.choice([1.8, 2.2, 2.5], n)))
    dose = np.where(two_gy, fx * 2.0, dose)
    df["rt_dose_gy"], df["rt_fractions"] = dose, fx.astype(int)
    df["alpha_beta"] = 10.0
    df["prior_rt_dose_gy"] = rng.choice([66.0, 68.0, 70.0, 70.0, 70.0, 72.0], n)
    df["prior_rt_fractions"] = np.round(df["prior_rt_dose_gy"] / 2.12).astype(int)
    rec_m = rng.uniform(0, 96, n)
    base = pd.Timestamp("2005-01-03")
    rec = _dates(base, rec_m)
    df["date_initial_rt_end"] = rec - pd.to_timedelta(np.round(ttr * MONTH_DAYS), unit="D")
    df["date_recurrence"] = rec
    df["date_rt_start"] = rec + pd.to_timedelta(rng.integers(21, 50, n), unit="D")
    df["date_rt_end"] = df["date_rt_start"] + pd.to_timedelta(np.ceil(fx * 7 / 5).astype(int), unit="D")
    chemo = (df["concurrent_chemo"] == "yes").to_numpy()
    t4 = (df["stage_recurrence"] == "rT3-4").to_numpy()
    # DMFS: short TTR and no chemotherapy harmful; LRFS and OS worse for rT3-4.
    t_dm = _exp_time(rng, 0.0045 * np.where(short, 3.4, 1.0) * np.where(chemo, 0.25, 1.0))
    t_lr = _exp_time(rng, 0.0042 * np.where(t4, 1.4, 0.6))
    t_death = _exp_time(rng, 0.021 * np.where(t4, 1.25, 0.6))
    # Nothing happens before re-irradiation has started (at most ~7 weeks after diagnosis).
    t_dm, t_lr, t_death = (np.maximum(t, 2.0) for t in (t_dm, t_lr, t_death))
    fu = (96 + 24 - rec_m) * np.where(rng.random(n) < 0.15, rng.uniform(0.2, 1, n), 1)
    fu = np.maximum(fu, 3)
    tox = {
        "tox_acute_mucositis": _grades(rng, n, {3: 18}, (0.2, 0.45, 0.35), 184),
        "tox_late_trismus": _grades(rng, n, {3: 30, 4: 5}, (0.55, 0.3, 0.15), 184),
        "tox_late_cranial_nerve_palsy": _grades(rng, n, {3: 18, 4: 3}, (0.75, 0.15, 0.1), 184),
        "tox_late_headache": _grades(rng, n, {3: 16}, (0.6, 0.25, 0.15), 184),
        "tox_late_mucosal_necrosis": _grades(rng, n, {3: 9, 4: 3}, (0.8, 0.1, 0.1), 184),
        "tox_late_haemorrhage": _grades(rng, n, {5: 44}, (0.9, 0.07, 0.03), 184),
        "tox_late_hearing_deficit": _grades(rng, n, {3: 10}, (0.5, 0.3, 0.2), 184),
    }
    out = _attach_outcomes(df, rng, origin_dates=rec, t_lr=t_lr, t_dm=t_dm, t_death=t_death, fu=fu,
                           regional_share=0.2, tox=tox,
                           response_counts={"CR": 98, "PR": 52, "SD": 20, "PD": 14})
    fatal = out["tox_late_haemorrhage"] == 5
    out.loc[fatal & out["date_death"].isna(), "tox_late_haemorrhage"] = 4  # grade 5 only for the dead
    return out


def _pin_rate_at(t: np.ndarray, share_by: float, at: float = 12.0, gap: float = 0.1) -> np.ndarray:
    """Rescale event times so that exactly round(share_by * n) fall before
    ``at`` (order kept), none within ``gap`` months of it (day rounding)."""
    k = int(round(share_by * len(t)))
    s = np.sort(t)
    c = at / np.sqrt(s[k - 1] * s[k]) if k else at / s[0] * 1.01
    out = t * c
    out = np.where((out > at - gap) & (out < at), at - gap, out)
    return np.where((out >= at) & (out < at + gap), at + gap, out)


def _escc_dose(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """Dose schedules of section D: SIB 50.4 Gy / 28 fx to the PTV with
    59.92-62.16 Gy / 28 fx to the PGTV, 60 Gy / 30 fx, or a sequential boost
    (50.4 Gy / 28 fx + 10-12 Gy / 5-6 fx); 10% stop early (fewer fractions)."""
    schedule = exact_counts({"SIB": 200, "conventional": 60, "sequential": 20}, n, rng)
    sib = schedule == "SIB"
    seq = schedule == "sequential"
    d1 = np.where(sib | seq, 1.8, 2.0)
    n1 = np.where(sib | seq, 28, 30).astype(float)
    d2 = np.where(sib, rng.choice([2.14, 2.18, 2.22], n), 2.0)
    n2 = np.where(sib, 28, np.where(seq, rng.choice([5, 6], n), np.nan))
    planned = np.where(sib, d2 * 28, np.where(seq, 50.4 + d2 * n2, 60.0))
    stopped = exact_counts({"yes": 252, "no": 28}, n, rng) == "no"
    short = np.where(stopped, rng.integers(15, 27, n), n1)
    n1 = np.where(stopped & ~seq, short, n1)
    n2 = np.where(sib, n1, np.where(stopped & seq, np.nan, n2))  # a SIB stops with its PTV; a boost is not given
    return pd.DataFrame({
        "phase1_dose_gy": np.round(d1 * n1, 2), "phase1_fractions": n1.astype(int),
        "phase2_dose_gy": np.round(np.where(np.isnan(n2), np.nan, d2 * n2), 2),
        "phase2_fractions": pd.array(np.where(np.isnan(n2), None, n2), dtype="Int64"),
        "boost_type": np.where(sib, "SIB", np.where(seq, "sequential", None)),
        "planned_dose_gy": np.round(planned, 2)})


def make_escc_demo(n: int = 280, seed: int = ESCC_SEED) -> pd.DataFrame:
    """Synthetic ESCC salvage chemoradiation trial (imitates the design of
    section D): locoregional recurrence after oesophagectomy, ENI vs IFI,
    stratified by margin, lesion diameter, involved regions and TTR.

    Time origin: the start of salvage CRT. The arms' 1-year OS is exactly the
    trial's assumptions (70% ENI, 60% IFI: nobody is censored before a year);
    out-of-field regional failure is commoner after IFI, in-field failure the
    same in both arms. Treatment plans (this demo's coding of the four plans):
    1 = lower risk + IFI, 2 = lower risk + ENI, 3 = higher risk + IFI,
    4 = higher risk + ENI; higher risk = R1/R2, lesion >= 3 cm, two or more
    regions or TTR < 12 months.
    """
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"patient_id": [f"ES{i + 1:04d}" for i in range(n)], "cancer": "ESCC"})
    df["arm"] = exact_counts({"ENI": 140, "IFI": 140}, n, rng)
    df["sex"] = exact_counts({"M": 230, "F": 50}, n, rng)
    df["age"] = np.round(_spread(rng, n, 62, 41, 79)).astype(int)
    df["ecog"] = exact_counts({"0": 110, "1": 150, "2": 20}, n, rng).astype(int)
    df["histology"] = "squamous"
    df["margin"] = exact_counts({"R0": 220, "R1": 45, "R2": 15}, n, rng)
    df["lesion_diameter_cm"] = np.round(_spread(rng, n, 2.5, 0.8, 7.0, log=True), 1)
    n_regions = exact_counts({"1": 150, "2": 90, "3": 30, "4": 10}, n, rng).astype(int)
    regions = np.array(["I", "II", "III", "IV"])
    df["recurrence_regions"] = [";".join(regions[np.sort(rng.choice(4, k, replace=False, p=[.3, .35, .25, .1]))])
                                for k in n_regions]
    ttr = _spread(rng, n, 14, 3, 72, log=True)
    higher = ((df["margin"] != "R0") | (df["lesion_diameter_cm"] >= 3) | (n_regions >= 2) | (ttr < 12)).to_numpy()
    eni = (df["arm"] == "ENI").to_numpy()
    df["treatment_plan"] = 1 + eni.astype(int) + 2 * higher.astype(int)
    df["concurrent_chemo"] = exact_counts({"yes": 250, "no": 30}, n, rng)
    df["rt_technique"] = "IMRT"
    dose = _escc_dose(rng, n)
    df = pd.concat([df, dose], axis=1)
    df["alpha_beta"] = 10.0
    start_m = rng.uniform(0, 36, n)
    origin = pd.Timestamp("2016-03-01")
    rt_start = _dates(origin, start_m)
    rec = rt_start - pd.to_timedelta(rng.integers(14, 36, n), unit="D")
    df["date_surgery"] = rec - pd.to_timedelta(np.round(ttr * MONTH_DAYS), unit="D")
    df["date_recurrence"], df["date_rt_start"] = rec, rt_start
    fx = dose["phase1_fractions"].to_numpy()
    df["date_rt_end"] = rt_start + pd.to_timedelta(np.ceil(fx * 7 / 5).astype(int), unit="D")
    big = (df["lesion_diameter_cm"] >= 3).to_numpy()
    t_in = _exp_time(rng, 0.018 * np.where(big, 1.5, 1.0) * np.where(df["margin"] != "R0", 1.3, 1.0))
    t_out = _exp_time(rng, np.where(eni, 0.004, 0.012))
    t_dm = _exp_time(rng, 0.015 * np.where(n_regions >= 2, 1.5, 1.0))
    risk = np.where(df["ecog"] == 2, 1.6, 1.0) * np.where(big, 1.3, 1.0) * np.where(ttr < 12, 1.4, 1.0)
    t_death = _exp_time(rng, np.where(eni, 0.028, 0.040) * risk)
    first = np.minimum(np.minimum(t_in, t_out), t_dm)
    t_death = np.minimum(t_death, first + _exp_time(rng, np.full(n, 1 / 8.0)))
    t_in, t_out, t_dm = (np.maximum(t, 1.0) for t in (t_in, t_out, t_dm))
    for arm, alive in ESCC_ONE_YEAR_OS.items():
        mask = (df["arm"] == arm).to_numpy()
        t_death[mask] = np.maximum(_pin_rate_at(t_death[mask], 1 - alive), 1.0)
    fu = 36 + 24 - start_m  # data cut-off two years after the last patient starts
    lost = rng.random(n) < 0.05
    fu = np.where(lost, rng.uniform(13, 40, n), fu)  # nobody is lost before a year
    tox = {"tox_acute_esophagitis": np.where(eni, _grades(rng, n, {3: 20}, (.2, .45, .35), 140),
                                             _grades(rng, n, {3: 11}, (.3, .45, .25), 140)),
           "tox_acute_pneumonitis": np.where(eni, _grades(rng, n, {3: 8}, (.6, .3, .1), 140),
                                             _grades(rng, n, {3: 4}, (.7, .22, .08), 140)),
           "tox_acute_leukopenia": _grades(rng, n, {3: 40, 4: 6}, (.3, .4, .3), 280),
           "tox_late_esophageal_stricture": _grades(rng, n, {3: 12}, (.75, .15, .1), 280),
           "tox_late_fistula": _grades(rng, n, {3: 4, 5: 3}, (.97, .02, .01), 280)}
    out = _attach_outcomes(df, rng, origin_dates=rt_start, t_lr=t_in, t_dm=t_dm, t_death=t_death, fu=fu,
                           regional_share=0.0, tox=tox, response_counts={"CR": 100, "PR": 110, "SD": 45, "PD": 25},
                           t_regional=t_out)
    fatal = out["tox_late_fistula"] == 5
    out.loc[fatal & out["date_death"].isna(), "tox_late_fistula"] = 4  # grade 5 only for the dead
    return out


DEMO_FILES = {"demo_nsclc_synthetic.csv": make_nsclc_demo, "demo_npc_reirradiation_synthetic.csv": make_npc_demo,
              "demo_escc_salvage_synthetic.csv": make_escc_demo}

# The endpoint rules of the publication each demo imitates (published-cohorts.md),
# so the demo can be viewed as the paper reported it.
PUBLISHED_RULES = {
    "demo_nsclc_synthetic.csv": (EndpointRules(origin="rt_start", pfs_death_is_event=False),
                                 "time from the first day of RT; death without the event censored for PFS, "
                                 "LRFS and DMFS"),
    "demo_npc_reirradiation_synthetic.csv": (EndpointRules(origin="recurrence"),
                                             "time from the diagnosis of the recurrence"),
    "demo_escc_salvage_synthetic.csv": (EndpointRules(origin="rt_start", pfs_death_is_event=True),
                                        "time from the start of salvage CRT; PFS counts progression or death"),
}


def write_demo_files(folder: str = "data") -> list[str]:
    """Write the demo cohorts, a blank template and the data dictionary."""
    out = Path(folder)
    out.mkdir(exist_ok=True)
    written = []
    for name, make in DEMO_FILES.items():
        make().to_csv(out / name, index=False)
        written.append(name)
    pd.DataFrame(columns=list(COLUMNS)).to_csv(out / "cohort_template.csv", index=False)
    pd.DataFrame(data_dictionary()).to_csv(out / "data_dictionary.csv", index=False)
    return written + ["cohort_template.csv", "data_dictionary.csv"]


if __name__ == "__main__":
    print("\n".join(write_demo_files()))
