"""Maximally selected log-rank statistics: scan every cutpoint of a numeric
variable, pick the one that best separates survival, and give p-values that
account for the search (R's ``maxstat.test(..., smethod = "LogRank")``).

Statistic (Hothorn & Lausen 2003; exactRankTests::cscores): log-rank scores
a_i = delta_i - sum_{t_j <= t_i} delta_j / (N - R_j + 1), R_j the rank of t_j
with ties given the maximum rank. For a cut after the m-th smallest x, with
S_m the sum of those m scores, E_m = m/N sum(a) and
V_m = m(N-m)/(N^2(N-1)) (N sum(a^2) - (sum a)^2), the standardised statistic
is |S_m - E_m| / sqrt(V_m); all cuts at once from one cumulative sum.
Candidate cuts: distinct x whose count of x <= cut lies in
[max(1, floor(minprop N)), floor(maxprop N)]. Group 1 is x <= cut.

P-values adjusted for the search:
- ``Lau92``: Lausen & Schumacher (1992), Biometrics 48:73-85, the
  asymptotic Brownian-bridge approximation (good for large N, a formula).
- ``HL``: Hothorn & Lausen (2003), CSDA 43:121-137, the improved Bonferroni
  bound from the exact permutation distribution of S_m (shift algorithm).
  As R (``iscores = TRUE``), it uses integer scores: scores with halves are
  doubled, others shifted to min 0 and rounded to round(a N / max a); the
  statistic it compares is the one from those scores (``hl_statistic``).
  R multiplies subset counts by gamma(m+1) gamma(N-m+1) / gamma(N+1), which
  overflows above N = 170 (NaN); here the distribution is built directly as
  probabilities (each step weights by k/j and (j-k)/j), so nothing overflows.
  It needs about N^2 x sum(scores) / 2 operations: above ``HL_MAX_CELLS`` it is
  not computed and a note says why.
- ``permutation``: conditional Monte-Carlo (R's ``condMC``): scores permuted
  among patients (a compiled Fisher-Yates shuffle, seeded), every cut's
  statistic from one running sum, p = (1 + #{M* >= M}) / (1 + B).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, Mapping, Sequence

import numba
import numpy as np
import pandas as pd
from scipy.stats import chi2, norm

from recur.errors import RecurError
from recur.stats._prepare import prepare_survival, stable_argsort
from recur.stats.logrank import logrank

PMethod = Literal["Lau92", "HL", "permutation"]
PMETHODS: tuple[PMethod, ...] = ("Lau92", "HL", "permutation")
CUT, STATISTIC, Z, N_LE, N_GT, HR, HR_LOWER, HR_UPPER = ("cut", "statistic", "z", "n_le", "n_gt", "hr",
                                                         "hr_lower", "hr_upper")
HL_MAX_CELLS = 15_000_000  # (N + 1) x (sum of integer scores + 1): 120 MB, about N x that / 2 operations
SEED = 20261128
Z975 = float(norm.ppf(0.975))  # once: scipy's ppf costs milliseconds a call


@dataclass(frozen=True)
class CutpointScan:
    """One scan: ``scan`` has a row per candidate cut (CUT, STATISTIC = |z|, Z
    signed (> 0: higher hazard above the cut), N_LE, N_GT, and the Peto
    one-step HR of x > cut vs x <= cut with its 95% CI); the selected
    ``cutpoint`` (group 1 = x <= cutpoint) with its maximal ``statistic`` M;
    ``naive_p`` the unadjusted log-rank p of that one split (R's survdiff);
    ``p_values`` per method (None when not computed, ``notes`` say why)."""

    variable: str
    arrays: "_Scan" = field(repr=False)  # the scan's arrays; ``scan`` is their table, built when asked for
    cutpoint: float
    statistic: float
    n: int
    n_events: int
    n_le: int
    n_gt: int
    naive_chisq: float
    naive_p: float
    p_values: Mapping[str, float | None]
    minprop: float
    maxprop: float
    hl_statistic: float | None = None
    n_perm: int = 0
    seed: int | None = None
    n_dropped: int = 0
    notes: tuple[str, ...] = field(default=())

    @cached_property
    def scan(self) -> pd.DataFrame:
        """One row per candidate cut (see the class docstring)."""
        a = self.arrays
        hr, lower, upper = _peto_hr(a)
        return pd.DataFrame({CUT: a.x_sorted[a.m - 1], STATISTIC: np.abs(a.z), Z: -a.z, N_LE: a.m,
                             N_GT: len(a.x_sorted) - a.m, HR: hr, HR_LOWER: lower, HR_UPPER: upper})

    @property
    def methods(self) -> dict[str, str]:
        return {"statistic": "maximally selected log-rank (Hothorn & Lausen 2003; R maxstat)",
                "cut range": f"{self.minprop:g}-{self.maxprop:g} quantiles",
                "HR": "Peto one-step exp((O-E)/V) from the scan's log-rank scores, x > cut vs x <= cut"}


@dataclass(frozen=True)
class _Scan:
    """The arrays of one scan (internal; shared by the public functions)."""

    x_sorted: np.ndarray
    scores: np.ndarray  # in x order
    m: np.ndarray  # cut after the m-th smallest x
    z: np.ndarray  # (S_m - E_m) / sqrt(V_m)
    variance: np.ndarray

    @property
    def best(self) -> int:
        return int(np.argmax(np.abs(self.z)))  # first maximum, as R's min(which(Test == max))


def logrank_scores(time: np.ndarray, event: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """exactRankTests::cscores(Surv(time, event), type = "LogRank"); ``order``:
    the stable sorting permutation of ``time`` when already known."""
    n = len(time)
    order = stable_argsort(time) if order is None else order
    t = time[order]
    starts = np.r_[True, t[1:] != t[:-1]]
    ends = np.r_[np.flatnonzero(starts)[1:], n]
    max_rank = ends[np.cumsum(starts) - 1]  # 1-based rank, tied times at their maximum
    cum = np.cumsum(event[order] / (n - max_rank + 1.0))
    scores = np.empty(n)
    scores[order] = event[order] - cum[max_rank - 1]
    return scores


def integer_scores(scores: np.ndarray) -> np.ndarray:
    """R maxstat's ``iscores``: halves doubled, else shifted and rounded to 0..N."""
    frac = scores - np.floor(scores)
    if frac.sum() == 0:
        return scores
    if np.all(frac[frac != 0] == 0.5):
        return 2 * scores
    shifted = scores - scores.min()
    return np.round(shifted * len(scores) / shifted.max())


def _cut_positions(x_sorted: np.ndarray, minprop: float, maxprop: float, variable: str) -> np.ndarray:
    n = len(x_sorted)
    m = np.flatnonzero(np.r_[True, x_sorted[1:] != x_sorted[:-1]])  # count of x below each distinct value
    m = m[(m >= max(1, math.floor(n * minprop))) & (m <= math.floor(n * maxprop))]
    if len(m) == 0:
        raise RecurError(f"'{variable}' has no cutpoint between its {100 * minprop:g}th and {100 * maxprop:g}th "
                         "percentiles (too few distinct values there); widen the range or choose another variable.")
    return m


def _scan(x: np.ndarray, scores: np.ndarray, minprop: float, maxprop: float, variable: str,
          order: np.ndarray | None = None) -> _Scan:
    order = stable_argsort(x) if order is None else order
    xs, a = x[order], scores[order]
    n = len(a)
    m = _cut_positions(xs, minprop, maxprop, variable)
    total = a.sum()
    variance = m * (n - m) / (n**2 * (n - 1.0)) * (n * (a**2).sum() - total**2)
    if not np.all(variance > 0):
        raise RecurError(f"The log-rank statistic over '{variable}' is undefined: every patient has the same "
                         "log-rank score (no events, or everyone has the event at the same time).")
    z = (np.cumsum(a)[m - 1] - m / n * total) / np.sqrt(variance)
    return _Scan(xs, a, m, z, variance)


def _inputs(df: pd.DataFrame, time: str, event: str,
            variable: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, np.ndarray]:
    """(time, event, x) of the complete rows, how many rows lacked one of
    them, and the stable sorting permutation of the time."""
    if variable not in df.columns:
        raise RecurError(f"Column '{variable}' not found; available: {', '.join(map(str, df.columns))}.")
    x_all = pd.to_numeric(df[variable], errors="coerce")
    has_x = x_all.notna().to_numpy()
    if has_x.all() and df.index.is_unique:  # nothing to take out first: no copy of the frame
        data = prepare_survival(df, time, event)
        x = x_all.to_numpy(dtype=float)[df.index.get_indexer(data.index)]
    else:
        kept = df.loc[has_x, [c for c in (time, event) if c in df.columns]].reset_index(drop=True)
        data = prepare_survival(kept, time, event)  # its index: positions among the rows with x
        x = x_all.to_numpy(dtype=float)[has_x][data.index.to_numpy()]
    if not np.isfinite(x).all():
        raise RecurError(f"Column '{variable}' has infinite values; give each patient a finite value.")
    if len(x) < 3:
        raise RecurError(f"A cutpoint scan of '{variable}' needs at least 3 patients with {time}, {event} and "
                         f"'{variable}'; found {len(x)}.")
    return data.time, data.event.astype(float), x, len(df) - len(x), data.order


def lausen92_p(statistic: float, minprop: float = 0.1, maxprop: float = 0.9) -> float:
    """Lausen & Schumacher (1992) approximation of P(M >= b), as maxstat's ``pLausen92``."""
    b = statistic
    if b < 1:
        return 1.0
    db = math.exp(-b * b / 2) / math.sqrt(2 * math.pi)
    p = 4 * db / b + db * (b - 1 / b) * math.log(maxprop * (1 - minprop) / ((1 - maxprop) * minprop))
    return max(p, 0.0)


def _subset_sum_probabilities(scores: np.ndarray, k_max: int) -> np.ndarray:
    """P[k, s] = P(the sum of a random k-subset of the integer ``scores`` is s), k <= ``k_max``:
    exactRankTests' shift-algorithm counts divided by choose(N, k), built as
    probabilities (adding element j: P_j[k] = (j-k)/j P_{j-1}[k] + k/j P_{j-1}[k-1] shifted)."""
    a = np.sort(scores.astype(np.int64))  # small scores first keeps the used columns few early on
    total = int(a.sum())
    p = np.zeros((k_max + 1, total + 1))
    p[0, 0] = 1.0
    reach = 0
    for j, aj in enumerate(a, start=1):
        reach += int(aj)
        top = min(j, k_max)  # larger subsets never feed the rows wanted
        k = np.arange(1, top + 1)[:, None]
        added = p[0:top, :reach + 1 - aj] * (k / j)  # from the old rows k - 1, before they change
        p[1:top + 1, :reach + 1] *= (j - k) / j
        p[1:top + 1, aj:reach + 1] += added
    return p


def hothorn_lausen_p(statistic: float, scores: np.ndarray, m: np.ndarray) -> float:
    """maxstat's ``pmaxstat`` (the improved Bonferroni bound of Hothorn &
    Lausen 2003) for integer ``scores`` and cut positions ``m``, including its
    conventions: sums of 0 are left out, and the step from cut i to i + 1 is
    credited only where the bound can tell the next cut exceeds b too."""
    s = scores - scores.min()
    n, total = len(s), int(s.sum())
    k_max = int(m.max())  # rows above the last cut add nothing to the bound
    rows = np.arange(1, k_max + 1)
    expect = rows / n * total
    var = rows * (n - rows) / (n**2 * (n - 1.0)) * (n * (s**2).sum() - total**2)
    prob = _subset_sum_probabilities(s, k_max)[1:, 1:]  # rows m = 1..k_max, columns sums 1..total (R drops sum 0)
    sums = np.arange(1, total + 1)
    stat = np.abs(sums[None, :] - expect[:, None]) / np.sqrt(var)[:, None]
    stat[prob == 0] = 0
    exceed = np.where(stat > statistic, prob, 0.0)
    tail = exceed.sum(axis=1)  # tail[i - 1] = P(|T_i| > b)
    top, low = int(s.max()), int(s.min())
    for i in range(int(m.min()), k_max):  # R: sH[i + 1] minus what cut i already exceeded for sure
        row = exceed[i - 1]
        hit = np.flatnonzero(row > 0) + 1  # sums
        below = hit[hit < expect[i - 1]]
        if len(below) and below.max() + top <= total:
            sure = below[stat[i, below + top - 1] > statistic]
            tail[i] -= row[sure - 1].sum()
        above = hit[hit > expect[i - 1]]
        if len(above):
            sure = above[stat[i, above + low - 1] > statistic]
            tail[i] -= row[sure - 1].sum()
    return min(float(tail[m - 1].sum()), 1.0)


def permutation_p(statistic: float, scores: np.ndarray, m: np.ndarray, n_perm: int,
                  seed: int | None) -> float:
    """(1 + #{M* >= M}) / (1 + B): scores permuted among patients B times
    (Fisher-Yates, seeded), each permutation's statistics at every cut from
    one running sum, compiled (numba): 9,999 permutations of 10,000 patients
    take well under a second."""
    n = len(scores)
    total = scores.sum()
    sd = np.sqrt(m * (n - m) / (n**2 * (n - 1.0)) * (n * (scores**2).sum() - total**2))
    seed = int(np.random.SeedSequence(seed).generate_state(1)[0])
    hits = _exceedances(np.ascontiguousarray(scores, dtype=np.float64), np.ascontiguousarray(m, dtype=np.int64),
                        m / n * total, sd, statistic * (1 - 1e-12), n_perm, seed)  # equal up to rounding counts
    return (1 + hits) / (1 + n_perm)


@numba.njit(cache=True)
def _splitmix64(state):  # pragma: no cover - compiled
    """(next state, 64 random bits): SplitMix64 (Steele, Lea & Flood 2014)."""
    state = state + np.uint64(0x9E3779B97F4A7C15)
    z = state
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return state, z ^ (z >> np.uint64(31))


@numba.njit(cache=True)
def _exceedances(scores, m, expect, sd, threshold, n_perm, seed):  # pragma: no cover - compiled
    """How many of ``n_perm`` random permutations of ``scores`` reach
    ``threshold`` at some cut ``m`` (strictly increasing counts). Each
    permutation is a Fisher-Yates shuffle drawing unbiased bounded integers
    (Lemire 2019: multiply, shift, reject the few draws that would bias)."""
    state = np.uint64(seed)
    perm = scores.copy()
    n, k_cuts = perm.shape[0], m.shape[0]
    hits = 0
    low_mask = np.uint64(0xFFFFFFFF)
    for _ in range(n_perm):
        for i in range(n - 1, 0, -1):
            bound = np.uint64(i + 1)
            while True:
                state, bits = _splitmix64(state)
                product = (bits >> np.uint64(32)) * bound
                if (product & low_mask) >= (np.uint64(2**32) - bound) % bound:
                    break
            j = np.int64(product >> np.uint64(32))
            perm[i], perm[j] = perm[j], perm[i]
        running, k, best = 0.0, 0, 0.0
        for pos in range(m[k_cuts - 1]):
            running += perm[pos]
            if pos + 1 == m[k]:
                value = abs(running - expect[k]) / sd[k]
                if value > best:
                    best = value
                k += 1
        if best >= threshold:
            hits += 1
    return hits


def _two_group_logrank(t: np.ndarray, e: np.ndarray, low: np.ndarray) -> float:
    """survdiff's chi-square for x <= cut vs x > cut from time-sorted arrays
    (the same sums as ``recur.logrank`` for two groups, without its general
    set-up, which would double the scan's time): (O - E)^2 / V of the low group."""
    new = np.r_[True, t[1:] != t[:-1]]
    cell = np.cumsum(new) - 1
    deaths, deaths_low = np.bincount(cell, weights=e), np.bincount(cell, weights=e * low)
    at_risk = np.cumsum(np.bincount(cell)[::-1])[::-1].astype(float)
    at_risk_low = np.cumsum(np.bincount(cell, weights=low)[::-1])[::-1]
    share = at_risk_low / at_risk
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.where(at_risk > 1, deaths * (at_risk - deaths) / (at_risk - 1), 0.0)
    return float((deaths_low.sum() - (deaths * share).sum()) ** 2 / (spread * share * (1 - share)).sum())


def _peto_hr(scan: _Scan) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """exp((O-E)/V) of x > cut vs x <= cut with exp(+-1.96/sqrt(V)): O-E of the
    upper group is minus the lower group's S_m - E_m."""
    sd = np.sqrt(scan.variance)
    log_hr = -scan.z / sd
    half = Z975 / sd
    return np.exp(log_hr), np.exp(log_hr - half), np.exp(log_hr + half)


def cutpoint_scan(df: pd.DataFrame, time: str, event: str, variable: str, minprop: float = 0.1,
                  maxprop: float = 0.9, pmethods: Sequence[PMethod] = PMETHODS, n_perm: int = 9999,
                  seed: int | None = SEED) -> CutpointScan:
    """Scan every cutpoint of ``variable`` between its ``minprop`` and
    ``maxprop`` quantiles for the split that best separates survival, with
    p-values adjusted for the search (see the module docstring for methods).
    Rows missing the time, event or variable are left out and counted.

    >>> res = cutpoint_scan(lung, "time", "event", "age")
    >>> res.cutpoint, round(res.statistic, 4), round(res.p_values["Lau92"], 4)
    (70.0, 2.0136, 0.4546)
    """
    if not 0 <= minprop < maxprop <= 1:
        raise RecurError(f"The cut range must satisfy 0 <= minprop < maxprop <= 1; got {minprop:g} and {maxprop:g}.")
    unknown = [p for p in pmethods if p not in PMETHODS]
    if unknown:
        raise RecurError(f"Unknown p-value method(s) {', '.join(map(str, unknown))}; use {', '.join(PMETHODS)}.")
    t, e, x, n_dropped, time_order = _inputs(df, time, event, variable)
    scores = logrank_scores(t, e, time_order)
    x_order = stable_argsort(x)
    scan = _scan(x, scores, minprop, maxprop, variable, x_order)
    best = scan.best
    cut = float(scan.x_sorted[scan.m[best] - 1])
    statistic = float(abs(scan.z[best]))
    naive_chisq = _two_group_logrank(t[time_order], e[time_order], x[time_order] <= cut)
    p_values: dict[str, float | None] = {}
    notes: list[str] = []
    hl_stat = None
    if "Lau92" in pmethods:
        p_values["Lau92"] = lausen92_p(statistic, minprop, maxprop)
    if "HL" in pmethods:
        iscores = integer_scores(scores)
        if (len(x) + 1) * (iscores.sum() - len(x) * iscores.min() + 1) <= HL_MAX_CELLS:
            iscan = _scan(x, iscores, minprop, maxprop, variable, x_order)
            hl_stat = float(abs(iscan.z[iscan.best]))
            p_values["HL"] = hothorn_lausen_p(hl_stat, iscan.scores, iscan.m)
        else:
            p_values["HL"] = None
            notes.append(f"The Hothorn-Lausen bound was not computed: its exact distribution for {len(x)} patients "
                         "would need too much memory; at this size the Lausen-Schumacher and permutation p-values "
                         "are accurate.")
    if "permutation" in pmethods:
        p_values["permutation"] = permutation_p(statistic, scan.scores, scan.m, n_perm, seed)
    return CutpointScan(variable=variable, arrays=scan, cutpoint=cut, statistic=statistic, n=len(x),
                        n_events=int(e.sum()), n_le=int(scan.m[best]), n_gt=int(len(x) - scan.m[best]),
                        naive_chisq=naive_chisq, naive_p=float(chi2.sf(naive_chisq, 1)), p_values=p_values, minprop=minprop,
                        maxprop=maxprop, hl_statistic=hl_stat, n_perm=n_perm if "permutation" in pmethods else 0,
                        seed=seed, n_dropped=n_dropped, notes=tuple(notes))


def bootstrap_cutpoint(df: pd.DataFrame, time: str, event: str, variable: str, minprop: float = 0.1,
                       maxprop: float = 0.9, n_boot: int = 200, seed: int | None = SEED) -> np.ndarray:
    """The cutpoint selected in each of ``n_boot`` bootstrap resamples of the
    patients (seeded): a wide spread means the selected cut is noise.
    Resamples where no cut can be made (too few distinct values) give NaN."""
    t, e, x, _, _ = _inputs(df, time, event, variable)
    rng = np.random.default_rng(seed)
    n = len(x)
    cuts = np.full(n_boot, np.nan)
    for b in range(n_boot):
        pick = rng.integers(0, n, n)
        try:
            scan = _scan(x[pick], logrank_scores(t[pick], e[pick]), minprop, maxprop, variable)
        except RecurError:  # a resample with no usable cut or no events: recorded as NaN, counted by the caller
            continue
        cuts[b] = scan.x_sorted[scan.m[scan.best] - 1]
    return cuts


@dataclass(frozen=True)
class SplitSampleCheck:
    """X-tile's check: the cut found on a random half (training), tested on the other half (validation)."""

    cutpoint: float
    n_train: int
    n_test: int
    train_p: float
    test_p: float


def split_sample_check(df: pd.DataFrame, time: str, event: str, variable: str, minprop: float = 0.1,
                       maxprop: float = 0.9, seed: int | None = SEED) -> SplitSampleCheck:
    """Find the cut on a seeded random half of the patients, then give the
    unadjusted log-rank p of that same cut on the other half."""
    t, e, x, _, _ = _inputs(df, time, event, variable)
    rng = np.random.default_rng(seed)
    train = np.zeros(len(x), dtype=bool)
    train[rng.permutation(len(x))[: len(x) // 2]] = True
    frame = pd.DataFrame({"t": t, "e": e, "x": x})
    found = cutpoint_scan(frame[train], "t", "e", "x", minprop, maxprop, pmethods=())
    test = frame[~train].assign(g=lambda d: np.where(d.x <= found.cutpoint, 1, 2))
    if test.g.nunique() < 2:
        raise RecurError(f"The cut {found.cutpoint:g} found on half the patients leaves one group empty in the "
                         "other half; the split-sample check needs more patients.")
    return SplitSampleCheck(found.cutpoint, int(train.sum()), int((~train).sum()), found.naive_p,
                            logrank(test, "t", "e", "g").p)
