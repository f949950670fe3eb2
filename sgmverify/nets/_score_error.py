r"""Score error of a learned score against the exact score of the noised data law.

Three forms that convergence theorems assume (e.g. Gao–Nguyen–Zhu 2025, "accurate score estimates"; the
norm's form is not fixed there, see ``docs/papers/gao_nguyen_zhu_2023.md`` §2):

* per time, :math:`\varepsilon^2(t) = \mathbb E_{X\sim p_t}\|s_\theta(X,t) - \nabla\log p_t(X)\|^2`
  (:func:`score_error`), a Monte Carlo mean with a Student-t interval;
* time-integrated, :math:`\int_{t_0}^{t_1}\lambda(t)\,\varepsilon^2(t)\,dt` (:func:`integrated_score_error`),
  by Gauss–Legendre quadrature in :math:`u=\log t`;
* uniform over a finite cloud, :math:`\max_{(t,x)}\|s_\theta(x,t)-\nabla\log p_t(x)\|`
  (:func:`sup_score_error`).

Points are drawn as :math:`X_t = m(t)X_0+\sigma(t)Z` with :math:`X_0` from ``data.sample``; the exact score is
``data.noised(process, t).score``.  ``score`` may be a :class:`~sgmverify.nets.TrainedScoreNetwork` or
any callable ``score(x, t) -> (n, d)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import stats

from sgmverify.errors import InvalidParameterError, ShapeError, TimeDomainError, UnknownNameError
from sgmverify.estimates import Estimate, mean_ci

__all__ = ["integrated_score_error", "noised_points", "score_error", "score_error_profile", "sup_score_error"]

ScoreFn = Callable[[np.ndarray, float], np.ndarray]


def _rng(rng: np.random.Generator | int | None) -> np.random.Generator:
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, int | np.integer):
        return np.random.default_rng(rng)
    raise InvalidParameterError(
        f"rng must be a numpy Generator or an integer seed, got {type(rng).__name__}."
    )


def noised_points(data: Any, process: Any, t: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of :math:`X_t = m(t)X_0 + \\sigma(t)Z` (shape (n, d))."""
    if not (isinstance(n, int | np.integer) and n >= 2):
        raise InvalidParameterError(f"n must be an integer >= 2 (a CI needs two samples), got {n!r}.")
    x0 = np.asarray(data.sample(int(n), rng), dtype=float).reshape(int(n), -1)
    return float(process.mean_coeff(t)) * x0 + float(process.std(t)) * rng.standard_normal(x0.shape)


def _sq_errors(score: ScoreFn, data: Any, process: Any, t: float, x: np.ndarray) -> np.ndarray:
    if not (math.isfinite(t) and 0 < t < process.t_max):
        raise TimeDomainError(f"t = {t} must lie in (0, {process.t_max}) (the score is singular at t = 0).")
    exact = np.asarray(data.noised(process, t).score(x), dtype=float)
    approx = np.asarray(score(x, t), dtype=float)
    if approx.shape != exact.shape:
        raise ShapeError(f"score(x, t) returned shape {approx.shape}; expected {exact.shape} (like x).")
    if not np.all(np.isfinite(approx)):
        raise InvalidParameterError(
            f"score(x, t) returned NaN/inf at t = {t}; the learned score is unusable there."
        )
    return np.sum((approx - exact) ** 2, axis=1)


def score_error(
    score: ScoreFn,
    data: Any,
    process: Any,
    t: float,
    n: int = 4096,
    rng: np.random.Generator | int | None = None,
    *,
    relative: bool = False,
    level: float = 0.95,
) -> Estimate:
    r""":math:`\mathbb E_{p_t}\|s_\theta - \nabla\log p_t\|^2` with a Student-t CI (``mean_ci``).

    ``relative=True`` divides by :math:`\mathbb E_{p_t}\|\nabla\log p_t\|^2` (the same points; the CI is then
    the delta-method interval of the ratio of means, method "ratio-delta").
    """
    gen = _rng(rng)
    x = noised_points(data, process, t, n, gen)
    err = _sq_errors(score, data, process, t, x)
    if not relative:
        return mean_ci(err, level)
    ref = np.sum(np.asarray(data.noised(process, t).score(x)) ** 2, axis=1)
    return _ratio_ci(err, ref, level)


def _ratio_ci(a: np.ndarray, b: np.ndarray, level: float) -> Estimate:
    """Delta-method CI of mean(a)/mean(b) for paired samples."""
    n = a.size
    ma, mb = float(np.mean(a)), float(np.mean(b))
    r = ma / mb
    resid = (a - r * b) / mb
    se = float(np.std(resid, ddof=1)) / math.sqrt(n)
    q = float(stats.t.ppf(0.5 + level / 2, n - 1))
    return Estimate(r, r - q * se, r + q * se, level, n=n, method="ratio-delta")


def score_error_profile(
    score: ScoreFn,
    data: Any,
    process: Any,
    times: Sequence[float],
    n: int = 2048,
    rng: np.random.Generator | int | None = None,
    level: float = 0.95,
) -> list[Estimate]:
    """:func:`score_error` at each time (independent draws per time)."""
    gen = _rng(rng)
    return [score_error(score, data, process, float(t), n, gen, level=level) for t in times]


def _weight(process: Any, t: np.ndarray, weighting: str) -> np.ndarray:
    if weighting == "none":
        return np.ones_like(t)
    if weighting == "sigma2":
        return np.asarray(process.var(t), dtype=float)
    if weighting == "likelihood":
        return np.asarray(process.diffusion(t), dtype=float) ** 2 * np.ones_like(t)
    raise UnknownNameError(f"unknown weighting {weighting!r}; use 'none', 'sigma2' or 'likelihood'.")


def _nodes(t0: float, t1: float, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Gauss–Legendre nodes/weights for :math:`\\int_{t_0}^{t_1} f(t)dt = \\int f(e^u)e^u du`."""
    x, w = np.polynomial.legendre.leggauss(k)
    a, b = math.log(t0), math.log(t1)
    u = 0.5 * (b - a) * x + 0.5 * (b + a)
    t = np.exp(u)
    return t, 0.5 * (b - a) * w * t


def integrated_score_error(
    score: ScoreFn,
    data: Any,
    process: Any,
    t_min: float,
    t_max: float,
    weighting: str = "none",
    n_t: int = 12,
    n: int = 1024,
    rng: np.random.Generator | int | None = None,
    level: float = 0.95,
) -> Estimate:
    r""":math:`\int_{t_{\min}}^{t_{\max}}\lambda(t)\,\mathbb E_{p_t}\|s_\theta-\nabla\log p_t\|^2\,dt`.

    Gauss–Legendre with ``n_t`` nodes in :math:`u = \log t` (the integrand varies on a log scale near
    :math:`t_{\min}`), independent Monte Carlo draws of size ``n`` per node.  Combining the per-node CIs:
    the value is :math:`\sum_i w_i\lambda_i\hat\varepsilon^2_i`; the draws are independent, so its standard
    error is :math:`(\sum_i (w_i\lambda_i)^2 \widehat{se}_i^2)^{1/2}` (normal quantile).  The quadrature
    error is not Monte Carlo noise: it is estimated by the rule with ``n_t // 2`` nodes on fresh draws, and
    the interval is widened by :math:`|Q_{n_t} - Q_{n_t/2}|` on both sides (``extra["quadrature_gap"]``).
    """
    if not (0 < t_min < t_max < process.t_max):
        raise TimeDomainError(f"need 0 < t_min < t_max < {process.t_max}; got [{t_min}, {t_max}].")
    if not (isinstance(n_t, int) and n_t >= 2):
        raise InvalidParameterError(f"n_t must be an integer >= 2, got {n_t!r}.")
    gen = _rng(rng)

    def rule(k: int) -> tuple[float, float]:
        t, w = _nodes(t_min, t_max, k)
        coef = w * _weight(process, t, weighting)
        est = [score_error(score, data, process, float(ti), n, gen, level=level) for ti in t]
        q_t = np.array([float(stats.t.ppf(0.5 + level / 2, e.n - 1)) for e in est])
        se = np.array([e.half_width for e in est]) / q_t
        return float(np.sum(coef * [e.value for e in est])), float(np.sqrt(np.sum((coef * se) ** 2)))

    value, se = rule(n_t)
    coarse, _ = rule(max(n_t // 2, 1))
    gap = abs(value - coarse)
    half = float(stats.norm.ppf(0.5 + level / 2)) * se + gap
    return Estimate(
        value,
        value - half,
        value + half,
        level,
        n=n * n_t,
        method=f"Gauss-Legendre in log t ({n_t} nodes) + MC; widened by the {n_t // 2}-node gap",
        extra={"quadrature_gap": gap, "mc_se": se, "weighting": weighting},
    )


def sup_score_error(
    score: ScoreFn,
    data: Any,
    process: Any,
    times: Sequence[float],
    n: int = 2048,
    rng: np.random.Generator | int | None = None,
    points: np.ndarray | None = None,
) -> Estimate:
    r""":math:`\max_{t\in\text{times},\,x\in\text{cloud}}\|s_\theta(x,t)-\nabla\log p_t(x)\|` (not squared).

    The cloud is ``points`` (the same for every t) or ``n`` fresh draws from each :math:`p_t`.  The value is
    exact *for the cloud* (``Estimate.exact_value``); over all of :math:`\mathbb R^d` it is only a lower
    bound of the supremum, which the method string says.  ``extra`` records where the maximum is.
    """
    gen = _rng(rng)
    best, where = -math.inf, None
    for t in times:
        x = (
            noised_points(data, process, float(t), n, gen)
            if points is None
            else np.asarray(points, dtype=float)
        )
        err = np.sqrt(_sq_errors(score, data, process, float(t), x))
        i = int(np.argmax(err))
        if err[i] > best:
            best, where = float(err[i]), (float(t), x[i].tolist())
    return Estimate(
        best,
        best,
        best,
        None,
        exact=True,
        n=len(times) * (n if points is None else len(points)),
        method="max over a finite cloud (a lower bound of the sup over R^d)",
        extra={"argmax_t": where[0], "argmax_x": where[1]},
    )
