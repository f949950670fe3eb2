"""Measured numbers with their uncertainty.

An :class:`Estimate` is what every measurement in sgmverify returns: a point value and a confidence
interval ``[ci_low, ci_high]`` at a stated level, or ``exact=True`` when the number comes from a closed
form / exact recursion (then the interval collapses to the value, and verdicts use a relative tolerance
instead).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from sgmverify.errors import InvalidParameterError

__all__ = ["Estimate", "bootstrap_ci", "mean_ci", "percentile_estimate"]


@dataclass(frozen=True)
class Estimate:
    """A measured value with a confidence interval.

    Attributes
    ----------
    value : float
        Point estimate.
    ci_low, ci_high : float
        Confidence interval at level ``level`` (equal to ``value`` when ``exact``).
    level : float or None
        Confidence level of the interval, e.g. 0.95 (``None`` for an exact value).
    exact : bool
        True when the value has no Monte Carlo error (closed form, exact recursion).
    n : int or None
        Number of samples the estimate is based on.
    method : str
        How the interval was obtained ("exact", "bootstrap-percentile", "student-t", ...).
    """

    value: float
    ci_low: float
    ci_high: float
    level: float | None = 0.95
    exact: bool = False
    n: int | None = None
    method: str = ""
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("value", "ci_low", "ci_high"):
            v = getattr(self, name)
            object.__setattr__(self, name, float(v))
        if self.exact and not (self.ci_low == self.value == self.ci_high or math.isnan(self.value)):
            raise InvalidParameterError(
                f"an exact Estimate has no interval, got [{self.ci_low}, {self.ci_high}] at {self.value}; "
                "use Estimate.exact_value(v) or pass exact=False."
            )
        if math.isnan(self.value):
            return
        if not (self.ci_low <= self.value <= self.ci_high) and not (
            math.isnan(self.ci_low) or math.isnan(self.ci_high)
        ):
            raise InvalidParameterError(
                f"Estimate interval [{self.ci_low}, {self.ci_high}] does not contain its value {self.value}; "
                "pass ci_low <= value <= ci_high."
            )

    @classmethod
    def exact_value(cls, value: float, method: str = "exact") -> Estimate:
        """An exact (noise-free) value."""
        return cls(value, value, value, level=None, exact=True, n=None, method=method)

    @property
    def half_width(self) -> float:
        """Half the interval's width (0 for an exact value)."""
        return 0.5 * (self.ci_high - self.ci_low)

    def to_dict(self) -> dict:
        """A strict-JSON dict: non-finite numbers are written as the strings "nan", "inf", "-inf"."""
        d = asdict(self)
        for k in ("value", "ci_low", "ci_high"):
            if not math.isfinite(d[k]):
                d[k] = str(d[k])
        return d

    @classmethod
    def from_dict(cls, d: dict) -> Estimate:
        """Inverse of :meth:`to_dict` (also accepts a NaN level, the old encoding of "exact")."""
        d = dict(d)
        for k in ("value", "ci_low", "ci_high"):
            d[k] = float(d[k])
        if isinstance(d.get("level"), float) and math.isnan(d["level"]):
            d["level"] = None
        return cls(**d)

    def map(self, f: Callable[[float], float]) -> Estimate:
        """Apply a monotone increasing function to the value and both ends of the interval."""
        return Estimate(
            f(self.value),
            f(self.ci_low),
            f(self.ci_high),
            self.level,
            self.exact,
            self.n,
            self.method,
            self.extra,
        )


def mean_ci(samples: np.ndarray, level: float = 0.95) -> Estimate:
    r"""Student-t confidence interval for the mean of i.i.d. samples.

    .. math:: \bar x \pm t_{n-1, (1+\ell)/2}\, s / \sqrt n
    """
    if not (isinstance(level, numbers.Real) and 0 < level < 1):
        raise InvalidParameterError(f"level must lie in (0, 1), got {level!r}.")
    x = np.asarray(samples, dtype=float).ravel()
    if x.size < 2:
        raise InvalidParameterError(f"mean_ci needs at least 2 samples, got {x.size}.")
    if not np.all(np.isfinite(x)):
        raise InvalidParameterError("mean_ci got non-finite samples; remove NaN/inf first.")
    m = float(x.mean())
    se = float(x.std(ddof=1) / math.sqrt(x.size))
    q = float(stats.t.ppf(0.5 + level / 2, df=x.size - 1))
    return Estimate(m, m - q * se, m + q * se, level=level, n=int(x.size), method="student-t")


def bootstrap_ci(
    statistic: Callable[[np.ndarray], float],
    n: int,
    rng: np.random.Generator,
    n_boot: int = 200,
    level: float = 0.95,
    point: float | None = None,
) -> Estimate:
    """Percentile bootstrap interval of ``statistic(idx)`` over resampled index arrays.

    ``statistic`` receives an integer index array of length ``n`` (drawn with replacement) and returns a
    float; the point estimate is ``statistic(arange(n))`` unless ``point`` is given.
    """
    if n_boot < 10:
        raise InvalidParameterError(f"n_boot must be >= 10 for a percentile interval, got {n_boot}.")
    if not 0 < level < 1:
        raise InvalidParameterError(f"level must lie in (0, 1), got {level}.")
    value = float(statistic(np.arange(n))) if point is None else float(point)
    reps = np.array([statistic(rng.integers(0, n, size=n)) for _ in range(n_boot)], dtype=float)
    return percentile_estimate(value, reps, level=level, n=n, method="bootstrap-percentile")


def percentile_estimate(
    point: float,
    replicates: Any,
    *,
    level: float = 0.95,
    n: int | None = None,
    method: str = "bootstrap-percentile",
    extra: dict | None = None,
) -> Estimate:
    """``point`` with the percentile interval of its bootstrap ``replicates`` (widened to contain it)."""
    lo, hi = np.quantile(np.asarray(replicates, dtype=float), [(1 - level) / 2, (1 + level) / 2])
    return Estimate(
        float(point), min(lo, point), max(hi, point), level=level, n=n, method=method, extra=extra or {}
    )
