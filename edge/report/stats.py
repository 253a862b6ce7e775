"""The intervals and tests behind the report: Wilson for rates, Welch for means, chi-square for the split.

Pure functions of counts and sums, so every number in a report can be checked by hand.
"""

from __future__ import annotations

import math

import msgspec

Z95 = 1.959963984540054
SRM_ALPHA = 0.001  # the usual threshold: a real split fails this by chance once in a thousand reports


class Rate(msgspec.Struct, kw_only=True):
    hits: int
    n: int
    rate: float
    low: float
    high: float


class Mean(msgspec.Struct, kw_only=True):
    """A mean over ``n`` shoppers (zeros included) with its 95 % t interval."""

    n: int
    mean: float
    low: float
    high: float


class Lift(msgspec.Struct, kw_only=True):
    diff: float          # personalized minus control
    low: float
    high: float
    relative: float | None  # diff over the control value


class Srm(msgspec.Struct, kw_only=True):
    """Sample-ratio mismatch: do the buckets hold the shares the server was told to make?"""

    expected_control_share: float
    observed_control_share: float
    control: int
    personalized: int
    chi2: float
    p_value: float
    broken: bool


def wilson(hits: int, n: int, z: float = Z95) -> Rate:
    """The Wilson score interval: sound for small n and for rates near 0 or 1."""
    if n <= 0:
        return Rate(hits=0, n=0, rate=0.0, low=0.0, high=1.0)
    p = hits / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return Rate(hits=hits, n=n, rate=p, low=max(0.0, centre - half), high=min(1.0, centre + half))


def lift(treated: Rate, control: Rate, z: float = Z95) -> Lift | None:
    """Difference of proportions with a normal-approximation (Wald) interval."""
    if treated.n == 0 or control.n == 0:
        return None
    p1, p0 = treated.rate, control.rate
    diff = p1 - p0
    se = math.sqrt(p1 * (1 - p1) / treated.n + p0 * (1 - p0) / control.n)
    return Lift(diff=diff, low=diff - z * se, high=diff + z * se, relative=diff / p0 if p0 > 0 else None)


def t95(df: float) -> float:
    """The two-sided 95 % quantile of Student's t, by the Cornish-Fisher expansion around the normal one
    (within 0.1 % of the exact value from 3 degrees of freedom on; the exact values below that)."""
    if df < 1:
        return math.inf
    if df < 3:
        return 12.706204736174698 if df < 2 else 4.302652729749464
    z = Z95
    return (z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
            + (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / (92160 * df**4))


def _variance(n: int, total: float, squares: float) -> float:
    return max(0.0, (squares - total * total / n) / (n - 1)) if n > 1 else 0.0


def mean(n: int, total: float, squares: float) -> Mean:
    """Mean of ``n`` values given their sum and sum of squares, with a t interval."""
    if n <= 0:
        return Mean(n=0, mean=0.0, low=0.0, high=0.0)
    m = total / n
    half = t95(n - 1) * math.sqrt(_variance(n, total, squares) / n) if n > 1 else math.inf
    return Mean(n=n, mean=m, low=m - half, high=m + half)


def welch(treated: tuple[int, float, float], control: tuple[int, float, float]) -> Lift | None:
    """Difference of two means (each as n, sum, sum of squares) with Welch's interval."""
    (n1, s1, q1), (n0, s0, q0) = treated, control
    if n1 < 2 or n0 < 2:
        return None
    m1, m0 = s1 / n1, s0 / n0
    a, b = _variance(n1, s1, q1) / n1, _variance(n0, s0, q0) / n0
    diff = m1 - m0
    se = math.sqrt(a + b)
    df = (a + b) ** 2 / (a * a / (n1 - 1) + b * b / (n0 - 1)) if a + b > 0 else n1 + n0 - 2
    half = t95(df) * se
    return Lift(diff=diff, low=diff - half, high=diff + half, relative=diff / m0 if m0 > 0 else None)


def srm(control: int, personalized: int, expected: float) -> Srm | None:
    """Pearson's chi-square test (1 degree of freedom) of the observed split against ``expected``."""
    n = control + personalized
    if n == 0:
        return None
    if expected <= 0.0 or expected >= 1.0:
        wrong = control if expected <= 0.0 else personalized
        chi2, p = (math.inf, 0.0) if wrong else (0.0, 1.0)
    else:
        e1, e0 = n * expected, n * (1 - expected)
        chi2 = (control - e1) ** 2 / e1 + (personalized - e0) ** 2 / e0
        p = math.erfc(math.sqrt(chi2 / 2))
    return Srm(expected_control_share=expected, observed_control_share=control / n, control=control,
               personalized=personalized, chi2=chi2, p_value=p, broken=p < SRM_ALPHA)
