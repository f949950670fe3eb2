r"""Distances between empirical measures (samples): exact optimal transport, 1-D quantiles, sliced W2.

Names say what a number is: ``w2_*`` returns the 2-Wasserstein distance :math:`W_2` itself.

:func:`w2_empirical` (exact optimal transport with POT [4]_, bootstrap CI), :func:`w2_1d_quantile`
(exact 1-D empirical W2 by sorting), :func:`sliced_w2` (Monte Carlo over directions [5]_).  The Gaussian
closed forms are in :mod:`sgmverify.metrics._gaussian`, which re-exports these names.

References
----------
.. [4] Flamary, R., Courty, N., et al. (2021). POT: Python Optimal Transport. Journal of Machine
   Learning Research, 22(78), 1–8.
.. [5] Bonneel, N., Rabin, J., Peyré, G., & Pfister, H. (2015). Sliced and Radon Wasserstein
   barycenters of measures. Journal of Mathematical Imaging and Vision, 51(1), 22–45.
.. [6] Fournier, N., & Guillin, A. (2015). On the rate of convergence in Wasserstein distance of the
   empirical measure. Probability Theory and Related Fields, 162(3–4), 707–738.
"""

from __future__ import annotations

import dataclasses
import math
import warnings

import numpy as np
import ot

from sgmverify.errors import InvalidParameterError, ShapeError
from sgmverify.estimates import Estimate, bootstrap_ci

from ._checks import as_rng, check_count, check_dense, check_level, finite_result
from ._gaussian import _finite_array

__all__ = ["sliced_w2", "w2_1d_quantile", "w2_empirical"]


def _samples(x: object, name: str) -> np.ndarray:
    arr = _finite_array(x, f"samples {name}")
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise ShapeError(f"samples {name} must have shape (n,) or (n, d), got {arr.shape}.")
    if arr.shape[0] < 1:
        raise ShapeError(f"samples {name} is empty; pass at least one sample.")
    return arr


def _paired_samples(x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = _samples(x, "x"), _samples(y, "y")
    if xs.shape[1] != ys.shape[1]:
        raise ShapeError(
            f"x has dimension {xs.shape[1]} but y has dimension {ys.shape[1]}; samples must share d."
        )
    return xs, ys


_as_rng = as_rng


def _quantile_coupling(n: int, m: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Monotone coupling of uniform n- and m-point measures: (weights, sorted-x index, sorted-y index).

    The quantile functions are step functions with jumps at i/n and j/m; on each interval between
    consecutive breakpoints both are constant, so the integral of their squared difference is a finite sum.
    """
    if n == m:
        idx = np.arange(n)
        return np.full(n, 1.0 / n), idx, idx
    u = np.sort(np.concatenate([np.arange(1, n + 1) / n, np.arange(1, m + 1) / m]))
    lo = np.concatenate([[0.0], u[:-1]])
    du = u - lo
    mid = 0.5 * (lo + u)
    ix = np.minimum(np.ceil(mid * n).astype(int) - 1, n - 1)
    iy = np.minimum(np.ceil(mid * m).astype(int) - 1, m - 1)
    return du, np.maximum(ix, 0), np.maximum(iy, 0)


def _w2_squared_sorted(xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Exact squared 1-D W2 between uniform empirical measures, column by column (inputs sorted on axis 0)."""
    du, ix, iy = _quantile_coupling(xs.shape[0], ys.shape[0])
    return np.einsum("k,k...->...", du, (xs[ix] - ys[iy]) ** 2)


def w2_1d_quantile(x: object, y: object) -> float:
    r"""Exact W2 between two 1-D empirical measures (uniform weights), by sorting.

    In one dimension the monotone (quantile) coupling is optimal, so

    .. math::
        W_2^2(\hat\mu_n, \hat\nu_m) = \int_0^1 \bigl|F_n^{-1}(u) - G_m^{-1}(u)\bigr|^2 \, du ,

    which for ``n == m`` is :math:`\frac1n \sum_i (x_{(i)} - y_{(i)})^2` and otherwise an exact finite
    sum over the merged breakpoints :math:`\{i/n\} \cup \{j/m\}`.  O((n + m) log(n + m)).

    Parameters
    ----------
    x, y : array_like, shape (n,) / (m,) or (n, 1) / (m, 1)
        Samples.

    Returns
    -------
    float
        :math:`W_2` (not squared) between the empirical measures.
    """
    xs, ys = _paired_samples(x, y)
    if xs.shape[1] != 1:
        raise ShapeError(f"w2_1d_quantile needs 1-D samples, got dimension {xs.shape[1]}; use w2_empirical.")
    with np.errstate(over="ignore", invalid="ignore"):
        val = float(_w2_squared_sorted(np.sort(xs[:, 0]), np.sort(ys[:, 0])))
    return math.sqrt(max(0.0, finite_result(val, "W2^2")))


def _emd_w2_squared(xs: np.ndarray, ys: np.ndarray, num_itermax: int) -> float:
    a = np.full(xs.shape[0], 1.0 / xs.shape[0])
    b = np.full(ys.shape[0], 1.0 / ys.shape[0])
    # backend="scipy": cdist computes sum (x - y)^2 directly; the default expansion
    # |x|^2 + |y|^2 - 2 x.y cancels catastrophically for nearby points far from the origin.
    M = ot.dist(xs, ys, metric="sqeuclidean", backend="scipy")
    if not np.all(np.isfinite(M)):
        finite_result(math.inf, "the squared distance between two samples")
    cost, log = ot.emd2(a, b, M, numItermax=num_itermax, log=True)
    if log.get("warning"):
        warnings.warn(
            f"ot.emd2 did not converge ({log['warning']}); increase num_itermax (now {num_itermax}).",
            UserWarning,
            stacklevel=3,
        )
    return max(0.0, float(cost))


def w2_empirical(
    x: object,
    y: object,
    n_boot: int = 200,
    rng: np.random.Generator | int | None = None,
    level: float = 0.95,
    *,
    num_itermax: int = 1_000_000,
) -> Estimate:
    r"""W2 (not squared) between two empirical measures by exact optimal transport, with a bootstrap CI.

    .. math::
        W_2(\hat\mu_n, \hat\nu_m) = \Bigl(\min_{\pi \in \Pi(\frac1n \mathbf 1, \frac1m \mathbf 1)}
            \sum_{i,j} \pi_{ij} \lVert x_i - y_j \rVert^2\Bigr)^{1/2}

    solved with POT's network simplex ``ot.emd2`` (Flamary et al. 2021 [4]_) on the squared-Euclidean
    cost ``ot.dist``.  The interval is a percentile bootstrap: x and y are resampled independently (with
    replacement) ``n_boot`` times.

    .. warning::
        :math:`W_2(\hat\mu_n, \hat\nu_m)` is a *biased* estimate of :math:`W_2(\mu, \nu)`: the empirical
        measure converges at rate :math:`O(n^{-1/d})` for d > 4 (Fournier & Guillin 2015 [6]_), slower
        than the Monte Carlo rate, and the estimate is typically too large (two samples of one law have
        :math:`W_2 > 0`).  The bootstrap interval covers *sampling variability only, not this bias*, and
        it is not valid when the true distance is 0 or near it.  Resampling with replacement duplicates
        points, which itself raises the transport cost, so for d >= 2 the interval tends to sit above
        the point estimate (``ci_low == value`` is common).  Prefer d = 1 (:func:`w2_1d_quantile`),
        closed forms (:func:`~sgmverify.metrics.w2_gaussian`), or :func:`sliced_w2` when the bias matters.

    Cost: one O((n + m)^3) network simplex per bootstrap replicate; n, m of a few hundred is fast.

    Parameters
    ----------
    x, y : array_like, shape (n, d) / (m, d), or (n,) / (m,) for d = 1
        Samples.
    n_boot : int, optional
        Bootstrap replicates (>= 10), or 0 for the point estimate only (NaN interval).
    rng : numpy.random.Generator or int
        Source of the bootstrap resampling; required when ``n_boot > 0``.
    level : float, optional
        Confidence level of the interval.
    num_itermax : int, optional
        Iteration cap of ``ot.emd2``; a ``UserWarning`` is issued when it is reached.

    Returns
    -------
    Estimate
        ``value`` is :math:`W_2` of the given samples; ``extra`` holds ``w2_squared``, ``n_x``, ``n_y``.
    """
    xs, ys = _paired_samples(x, y)
    n, m = xs.shape[0], ys.shape[0]
    level = check_level(level)
    n_boot = check_count(n_boot, "n_boot", minimum=0)
    num_itermax = check_count(num_itermax, "num_itermax")
    check_dense(float(n) * float(m), f"the {n} x {m} transport cost matrix")
    w2_sq = _emd_w2_squared(xs, ys, num_itermax)
    value = math.sqrt(w2_sq)
    extra = {"w2_squared": w2_sq, "n_x": n, "n_y": m, "dim": xs.shape[1]}
    bias_note = "; excludes the O(n^{-1/d}) bias of empirical W2"
    if n_boot == 0:
        nan = float("nan")
        return Estimate(
            value, nan, nan, level=level, n=n, method="point (no bootstrap)" + bias_note, extra=extra
        )
    gen = _as_rng(rng, "the bootstrap interval of w2_empirical")

    def statistic(idx: np.ndarray) -> float:
        jdx = gen.integers(0, m, size=m)
        return math.sqrt(_emd_w2_squared(xs[idx], ys[jdx], num_itermax))

    est = bootstrap_ci(statistic, n, gen, n_boot=n_boot, level=level, point=value)
    return dataclasses.replace(
        est,
        method="bootstrap-percentile (two-sample; sampling variability only" + bias_note + ")",
        extra=extra,
    )


def sliced_w2(
    x: object,
    y: object,
    n_projections: int = 100,
    rng: np.random.Generator | int | None = None,
    *,
    projections: object | None = None,
) -> float:
    r"""Sliced 2-Wasserstein distance (not squared) between two empirical measures.

    .. math::
        SW_2(\hat\mu, \hat\nu) = \Bigl(\mathbb E_{\theta \sim \mathcal U(\mathbb S^{d-1})}
            W_2^2(\theta_\# \hat\mu, \theta_\# \hat\nu)\Bigr)^{1/2}
        \approx \Bigl(\frac1L \sum_{l=1}^L W_2^2(\theta_{l\#} \hat\mu, \theta_{l\#} \hat\nu)\Bigr)^{1/2}

    (Bonneel et al. 2015 [5]_; the same definition as POT's ``ot.sliced_wasserstein_distance`` with
    ``p=2``).  Each 1-D :math:`W_2^2` is exact (sorted quantiles, :func:`w2_1d_quantile`; unequal sample
    sizes use the exact coupling of the two quantile step functions).  Directions are
    :math:`\theta = z / \lVert z \rVert`, :math:`z \sim N(0, I_d)`.  :math:`SW_2 \le W_2`.  In d = 1 the
    only direction is :math:`\pm 1`, so the result is the exact 1-D W2 and ``rng`` is not needed.

    Parameters
    ----------
    x, y : array_like, shape (n, d) / (m, d), or (n,) / (m,)
        Samples.
    n_projections : int, optional
        Number L of random directions (ignored when ``projections`` is given or d = 1).
    rng : numpy.random.Generator or int
        Source of the directions; required unless ``projections`` is given or d = 1.
    projections : array_like, shape (d, L), optional
        Explicit directions as columns (normalised here), as in POT.

    Returns
    -------
    float
        Monte Carlo estimate of :math:`SW_2`.
    """
    xs, ys = _paired_samples(x, y)
    d = xs.shape[1]
    if projections is not None:
        P = _finite_array(projections, "projections")
        if P.ndim != 2 or P.shape[0] != d or P.shape[1] < 1:
            raise ShapeError(f"projections must have shape ({d}, L) with L >= 1, got {P.shape}.")
        norms = np.linalg.norm(P, axis=0)
        if np.any(norms == 0):
            raise InvalidParameterError("projections contains a zero column; directions must be non-zero.")
        P = P / norms
    elif d == 1:
        P = np.ones((1, 1))
    else:
        n_projections = check_count(n_projections, "n_projections")
        check_dense((xs.shape[0] + ys.shape[0] + d) * float(n_projections), f"{n_projections} projections")
        gen = _as_rng(rng, "sliced_w2's choice of directions")
        Z = gen.standard_normal((d, int(n_projections)))
        P = Z / np.linalg.norm(Z, axis=0)
    with np.errstate(over="ignore", invalid="ignore"):
        px = np.sort(xs @ P, axis=0)
        py = np.sort(ys @ P, axis=0)
        val = float(np.mean(_w2_squared_sorted(px, py)))
    return math.sqrt(max(0.0, finite_result(val, "SW2^2")))
