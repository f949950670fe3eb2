"""Measured numbers with their uncertainty.

An :class:`Estimate` is what every measurement in sgmverify returns: a point value and a confidence
interval ``[ci_low, ci_high]`` at a stated level, or ``exact=True`` when the number comes from a closed
form / exact recursion (then the interval collapses to the value, and verdicts use a relative tolerance
instead).

The interval builders: :func:`mean_ci` (Student-t), :func:`bootstrap_ci` and :func:`percentile_estimate`
(percentile bootstrap), and :func:`loglog_slope` (the exponent of a power law, fitted on a log-log scale).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from sgmverify._validate import float_array
from sgmverify.errors import InvalidParameterError, InvalidTypeError, ShapeError

__all__ = ["Estimate", "bootstrap_ci", "loglog_slope", "mean_ci", "percentile_estimate"]


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
            object.__setattr__(self, name, _real(getattr(self, name), f"Estimate.{name}"))
        if self.level is not None:
            object.__setattr__(self, "level", _level(self.level))
        if not isinstance(self.exact, bool | np.bool_):
            raise InvalidTypeError(f"Estimate.exact must be True or False, got {self.exact!r}.")
        object.__setattr__(self, "exact", bool(self.exact))
        whole = (isinstance(self.n, numbers.Integral) and not isinstance(self.n, bool | np.bool_)) or (
            isinstance(self.n, float | np.floating) and math.isfinite(self.n) and float(self.n).is_integer()
        )
        if self.n is not None and not whole:
            raise InvalidTypeError(f"Estimate.n must be a whole number of samples or None, got {self.n!r}.")
        if self.n is not None and self.n < 0:
            raise InvalidParameterError(f"Estimate.n must be >= 0 (a number of samples), got {self.n!r}.")
        if not isinstance(self.method, str):
            raise InvalidTypeError(f"Estimate.method must be a string, got {self.method!r}.")
        if not isinstance(self.extra, dict):
            raise InvalidTypeError(f"Estimate.extra must be a dict, got {type(self.extra).__name__}.")
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
    level = _level(level)
    x = _real_array(samples, "samples").ravel()
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
    if isinstance(n_boot, bool) or not isinstance(n_boot, numbers.Integral):
        raise InvalidTypeError(f"n_boot must be an integer, got {n_boot!r}.")
    if n_boot < 10:
        raise InvalidParameterError(f"n_boot must be >= 10 for a percentile interval, got {n_boot}.")
    level = _level(level)
    if not callable(statistic):
        raise InvalidTypeError(f"statistic must be a callable idx -> float, got {type(statistic).__name__}.")
    if isinstance(n, bool | np.bool_) or not isinstance(n, numbers.Integral):
        raise InvalidTypeError(f"n must be an integer (the number of samples), got {n!r:.60}.")
    if n < 1:
        raise InvalidParameterError(f"n must be >= 1 (the number of samples to resample), got {n}.")
    if not isinstance(rng, np.random.Generator):
        raise InvalidTypeError(
            f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}."
        )

    def stat(idx: np.ndarray) -> float:
        return _real(statistic(idx), "statistic(idx)")

    value = stat(np.arange(n)) if point is None else _real(point, "point")
    reps = np.array([stat(rng.integers(0, n, size=n)) for _ in range(n_boot)], dtype=float)
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
    """``point`` with the percentile interval of its bootstrap ``replicates`` (widened to contain it).

    ``replicates`` is a non-empty 1-D array of real numbers; a NaN replicate gives a NaN interval (the
    verdict rule reads it as INCONCLUSIVE, never HOLDS), a NaN ``point`` an Estimate with a NaN value (an
    ERROR verdict: the measurement failed).
    """
    level = _level(level)
    point = _real(point, "point")
    reps = _real_array(replicates, "replicates")
    if reps.ndim != 1 or reps.size == 0:
        raise ShapeError(
            f"replicates must be a non-empty 1-D array (one value per bootstrap replicate), got shape "
            f"{reps.shape}; draw at least one replicate (10 or more for a percentile interval)."
        )
    lo, hi = np.quantile(reps, [(1 - level) / 2, (1 + level) / 2])
    return Estimate(
        float(point), min(lo, point), max(hi, point), level=level, n=n, method=method, extra=extra or {}
    )


def _real(value: Any, name: str) -> float:
    """``value`` as a float: a real number (Python, numpy or 0-d array), NaN and inf allowed."""
    if isinstance(value, str | bytes | bool | np.bool_) or value is None or _is_complex(value):
        raise InvalidTypeError(f"{name} must be a real number, got {type(value).__name__} {value!r:.80}.")
    try:
        return float(value)
    except OverflowError:
        raise InvalidParameterError(f"{name} = {value!r:.60} is too large for float64.") from None
    except (TypeError, ValueError):
        raise InvalidTypeError(
            f"{name} must be a real number, got {type(value).__name__} {value!r}."
        ) from None


def _is_complex(value: Any) -> bool:
    """Whether ``value`` is a complex number (Python, numpy, or a complex array)."""
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        return True
    dtype = getattr(value, "dtype", None)
    return isinstance(dtype, np.dtype) and dtype.kind == "c"


def _real_array(value: Any, name: str) -> np.ndarray:
    """``value`` as a float array; InvalidTypeError for strings, complex numbers, None or other objects."""
    if isinstance(value, str | bytes | dict) or value is None:
        raise InvalidTypeError(f"{name} must be an array of real numbers, got {type(value).__name__}.")
    return float_array(value, name)


def _level(level: Any) -> float:
    """A confidence level: a real number in (0, 1) (NaN, 0, 1 and non-numbers raise)."""
    if isinstance(level, bool) or not isinstance(level, numbers.Real):
        raise InvalidTypeError(
            f"level must be a number in (0, 1) (e.g. 0.95) or None, got {type(level).__name__} {level!r}."
        )
    if not 0 < level < 1:
        raise InvalidParameterError(f"level must lie in (0, 1), e.g. 0.95; got {level!r}.")
    return float(level)


#: fewest valid replicate slopes for a percentile interval (as :func:`bootstrap_ci`'s ``n_boot``)
MIN_REPLICATES = 10


def loglog_slope(
    x: Any,
    y: Any,
    *,
    level: float | None = 0.95,
    y_lo: Any = None,
    y_hi: Any = None,
    y_boot: Any = None,
    drop_invalid_replicates: bool = False,
    n: int | None = None,
    method: str | None = None,
    extra: dict | None = None,
) -> Estimate:
    r"""Least-squares slope of :math:`\log y` against :math:`\log x` (the exponent of a power law), with an
    interval that says what it covers.

    With :math:`\xi_i = \log x_i`, :math:`\eta_i = \log y_i` and :math:`c_i = \xi_i - \bar\xi`,

    .. math::

        \hat b = \frac{\sum_i c_i\, \eta_i}{\sum_i c_i^2}, \qquad
        \hat a = \bar\eta - \hat b\, \bar\xi \qquad (\log y \approx \hat a + \hat b \log x).

    The interval depends on what the values carry (pass at most one of the options):

    * **exact values** (default): the regression (Student-t) interval of the fit,

      .. math::

          \hat b \pm t_{n-2,\,(1+\ell)/2}\; \mathrm{se}, \qquad
          \mathrm{se}^2 = \frac{\sum_i (\eta_i - \hat a - \hat b \xi_i)^2 / (n-2)}{\sum_i c_i^2},

      which needs :math:`n \ge 3` points.  For noise-free values it measures how far the points depart from
      a pure power law (curvature from lower-order terms), not sampling error: an exact power law gives a
      point.  For :math:`\eta_i` with i.i.d. normal errors it is the exact confidence interval.
      ``level=None``: the slope alone, with the unbounded interval :math:`(-\infty, \infty)`
      (:math:`n \ge 2`).
    * **intervals** ``y_lo <= y <= y_hi`` (Monte Carlo intervals, discretisation brackets): :math:`\hat b` is
      linear in :math:`\eta` with coefficients of the sign of :math:`c_i`, so its range over the box
      :math:`\prod_i [\log y^{lo}_i, \log y^{hi}_i]` is

      .. math::

          \big[\hat b(\eta^{-}),\ \hat b(\eta^{+})\big], \qquad
          \eta^{\pm}_i = \log y^{hi}_i \text{ if } \pm c_i > 0, \ \log y^{lo}_i \text{ otherwise}

      (widened to contain :math:`\hat b`).  If the true values lie in all the intervals at once with
      probability :math:`\ge \ell`, the least-squares slope of the true values lies in this interval with
      probability :math:`\ge \ell`.  ``level`` is that simultaneous level (e.g. :math:`\ell_0^n` for
      independent intervals at level :math:`\ell_0`); ``None`` for deterministic brackets.
    * **replicates** ``y_boot`` of shape ``(n_points, B)`` (bootstrap replicates of each value, or independent
      repeats; column :math:`j` is one replicate of the whole curve): the percentile interval at level
      ``level`` of the :math:`B` replicate slopes (:func:`percentile_estimate`, widened to contain
      :math:`\hat b`).  Replicates with a value that is not finite and positive raise, or with
      ``drop_invalid_replicates=True`` are left out and counted in ``extra["dropped_replicates"]``.

    Parameters
    ----------
    x, y : (n_points,) arrays of finite positive numbers, ``n_points >= 2``; ``x`` not all equal.
    level : float in (0, 1) or None
        Confidence level (see above for its meaning in each case).
    y_lo, y_hi : (n_points,) arrays, optional
        Interval ends, ``0 < y_lo <= y <= y_hi < inf``; give both or neither.
    y_boot : (n_points, B) array, optional
        Replicates, ``B >= 10`` valid ones.
    drop_invalid_replicates : bool
        With ``y_boot``: leave out replicates with a non-finite or non-positive value instead of raising.
    n : int, optional
        Number of samples behind the values, stored as :attr:`Estimate.n`.
    method : str, optional
        Replaces the default description of the fit and its interval.
    extra : dict, optional
        Added to the diagnostics in :attr:`Estimate.extra` (``intercept``, ``n_points``; ``stderr`` for the
        regression interval; ``n_replicates``, ``dropped_replicates`` for replicates).

    Returns
    -------
    Estimate
        ``value`` = :math:`\hat b`, never ``exact``.

    Examples
    --------
    >>> est = loglog_slope([1.0, 2.0, 4.0, 8.0], [3.0, 0.75, 0.1875, 0.046875])
    >>> round(est.value, 12), round(est.half_width, 12)
    (-2.0, 0.0)
    """
    if level is not None:
        level = _level(level)
    if (y_lo is None) != (y_hi is None):
        raise InvalidParameterError("give both y_lo and y_hi (the interval ends of y), or neither")
    if y_lo is not None and y_boot is not None:
        raise InvalidParameterError("give either intervals (y_lo, y_hi) or replicates (y_boot), not both")
    if drop_invalid_replicates and y_boot is None:
        raise InvalidParameterError("drop_invalid_replicates applies to replicates: pass y_boot as well")
    if y_boot is not None and level is None:
        raise InvalidParameterError("replicates give a percentile interval: it needs a level in (0, 1)")
    x_arr = _positive_vector(x, "x")
    npts = x_arr.size
    if npts < 2:
        raise InvalidParameterError(f"loglog_slope needs at least 2 points, got {npts}; pass more pairs")
    y_arr = _positive_vector(y, "y", npts)
    xi, eta = np.log(x_arr), np.log(y_arr)
    c = xi - xi.mean()
    sxx = float(c @ c)
    if not sxx > 0:
        raise InvalidParameterError(f"all x are equal ({x_arr[0]!r}): no slope can be fitted")
    slope = float(c @ eta) / sxx
    intercept = float(eta.mean() - slope * xi.mean())
    info: dict[str, Any] = {"intercept": intercept, "n_points": npts}
    fit = f"least-squares log-log slope over {npts} points"
    if y_lo is not None:
        lo, hi = _positive_vector(y_lo, "y_lo", npts), _positive_vector(y_hi, "y_hi", npts)
        if np.any(lo > y_arr) or np.any(hi < y_arr):
            raise InvalidParameterError("need y_lo <= y <= y_hi at every point; check the interval ends")
        log_lo, log_hi = np.log(lo), np.log(hi)
        s_hi = float(c @ np.where(c > 0, log_hi, log_lo)) / sxx
        s_lo = float(c @ np.where(c > 0, log_lo, log_hi)) / sxx
        ci = (min(s_lo, slope), max(s_hi, slope))
        how = "interval: extreme slopes with each value at an end of its interval"
    elif y_boot is not None:
        reps, dropped = _replicate_slopes(y_boot, npts, c, sxx, drop_invalid_replicates)
        info.update(n_replicates=int(reps.size), dropped_replicates=dropped)
        est = percentile_estimate(slope, reps, level=level)
        ci = (est.ci_low, est.ci_high)
        how = f"percentile interval of {reps.size} replicate slopes"
    elif level is None:
        ci = (-math.inf, math.inf)
        how = "no interval (level None)"
    else:
        if npts < 3:
            raise InvalidParameterError(
                "a regression interval needs at least 3 points (2 leave no residual); pass more points, "
                "intervals (y_lo, y_hi), replicates (y_boot), or level=None for the slope alone"
            )
        resid = eta - intercept - slope * xi
        se = math.sqrt(float(resid @ resid) / (npts - 2) / sxx)
        half = float(stats.t.ppf(0.5 + level / 2, npts - 2)) * se
        info["stderr"] = se
        ci = (slope - half, slope + half)
        how = "Student-t regression interval of the fit (slope ± t·stderr)"
    return Estimate(
        slope,
        min(ci[0], slope),
        max(ci[1], slope),
        level=level,
        n=n,
        method=method or f"{fit}, {how}",
        extra={**info, **(extra or {})},
    )


def _positive_vector(values: Any, name: str, size: int | None = None) -> np.ndarray:
    """``values`` as a 1-D float array of finite positive numbers (of length ``size`` when given)."""
    arr = _real_array(values, name)
    if arr.ndim != 1:
        raise ShapeError(f"{name} must be a 1-D array, got shape {arr.shape}")
    if size is not None and arr.size != size:
        raise ShapeError(f"{name} has {arr.size} values but x has {size}; pass one value per point")
    if not (np.all(np.isfinite(arr)) and np.all(arr > 0)):
        raise InvalidParameterError(
            f"{name} must be finite and positive for a log-log fit; got {arr.tolist()}. "
            "Leave out non-positive points (and say so) before fitting"
        )
    return arr


def _replicate_slopes(
    y_boot: Any, npts: int, c: np.ndarray, sxx: float, drop: bool
) -> tuple[np.ndarray, int]:
    """Least-squares slopes of the columns of ``y_boot`` (n_points, B), and how many were left out."""
    boot = _real_array(y_boot, "y_boot")
    if boot.ndim != 2 or boot.shape[0] != npts:
        raise ShapeError(f"y_boot must have shape (n_points, B) = ({npts}, B), got {boot.shape}")
    with np.errstate(invalid="ignore"):
        valid = np.all(np.isfinite(boot) & (boot > 0), axis=0)
    dropped = int((~valid).sum())
    if dropped and not drop:
        raise InvalidParameterError(
            f"{dropped} of {boot.shape[1]} replicates have a value that is not finite and positive; "
            "pass drop_invalid_replicates=True to leave them out (they are counted in the result)"
        )
    if valid.sum() < MIN_REPLICATES:
        raise InvalidParameterError(
            f"a percentile interval needs at least {MIN_REPLICATES} valid replicates, got {int(valid.sum())}"
        )
    return c @ np.log(boot[:, valid]) / sxx, dropped
