r"""Density-level distances: L² from particles without density estimation, grid L¹/L²/TV, and W1.

Particles (from :func:`sgmverify.pde.transport_density`) carry the exact log-density
:math:`\log\hat q` of the law they are drawn from; then (Elamvazhuthi–Oymak–Pasqualetti notes,
``docs/papers/elamvazhuthi_oymak_pasqualetti_2023.md`` §6, "Tips for the ODE side")

.. math::
    \|\hat q - q\|_2^2 = \int \hat q^2 - 2\hat q q + q^2
    = \mathbb E_{X\sim\hat q}\bigl[\hat q(X) - 2q(X)\bigr] + \|q\|_2^2,

a plain Monte Carlo mean with a Student-t interval (:func:`sgmverify.estimates.mean_ci`) and no kernel
bandwidth.  Gridded densities (cell values on a :class:`~sgmverify.pde.Grid1D` / ``Grid2D``) are
compared by the midpoint rule (:func:`grid_l2`, :func:`grid_l1`, :func:`grid_tv`).

In 1-D, :math:`W_1 = \int|F - G|\,dx` (docs/papers/elamvazhuthi_oymak_pasqualetti_2023.md §2.4) is
computed *exactly* for piecewise-constant grid
densities (piecewise-linear CDFs) and empirical step CDFs (:func:`w1_grid_1d`, :func:`w1_samples_grid_1d`,
:func:`w1_samples_1d`).  In 2-D, :func:`w1_grid_2d` / :func:`w1_samples_grid_2d` solve the exact transport
problem with POT (cell masses at cell centres), and :func:`sliced_w1` averages exact 1-D W1 over random
directions.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import ot
from scipy.interpolate import RegularGridInterpolator

from sgmverify.errors import InvalidParameterError, ShapeError
from sgmverify.estimates import Estimate, mean_ci
from sgmverify.pde import Grid1D, Grid2D

from ._checks import (
    as_rng,
    check_count,
    check_dense,
    check_level,
    finite_array,
    finite_result,
    real_array,
    real_number,
)

__all__ = [
    "grid_interpolator",
    "grid_l1",
    "grid_l2",
    "grid_norm_l2_squared",
    "grid_tv",
    "l2_particles",
    "l2_squared_particles",
    "sliced_w1",
    "w1_grid_1d",
    "w1_grid_2d",
    "w1_samples_1d",
    "w1_samples_grid_1d",
    "w1_samples_grid_2d",
]


_finite = finite_array


def _on_grid(grid: Grid1D | Grid2D, rho: object, name: str) -> np.ndarray:
    if not isinstance(grid, Grid1D | Grid2D):
        raise InvalidParameterError(f"grid must be a Grid1D or Grid2D, got {type(grid).__name__}.")
    arr = _finite(rho, name)
    if arr.shape != grid.shape:
        raise ShapeError(f"{name} has shape {arr.shape}; the grid needs shape {grid.shape}.")
    return arr


# ----------------------------------------------------------------------------------------------------
# L² from particles


def l2_squared_particles(
    logq_hat: object, q_values: object, q_norm_squared: float, level: float = 0.95
) -> Estimate:
    r"""Monte Carlo estimate of :math:`\|\hat q - q\|_2^2 = \mathbb E_{\hat q}[\hat q - 2q] + \|q\|_2^2`.

    Parameters
    ----------
    logq_hat : array_like, shape (n,)
        :math:`\log\hat q(X_i)` at i.i.d. particles :math:`X_i \sim \hat q` (e.g. ``transport_density``).
        ``-inf`` is allowed (zero density).
    q_values : array_like, shape (n,)
        :math:`q(X_i)` (e.g. a closed form, or :func:`grid_interpolator` of a Fokker–Planck solution).
    q_norm_squared : float
        :math:`\|q\|_2^2` (closed form, quadrature or :func:`grid_norm_l2_squared`).
    level : float
        Confidence level of the Student-t interval.

    Returns
    -------
    Estimate
        May be slightly negative when :math:`\hat q \approx q` (unbiased estimator).  ``extra`` holds
        ``q_norm_squared`` and ``max_term_share`` = max|term| / sum|term|: a value near 1 flags a single
        dominating particle (heavy tails, e.g. a concentrating ODE flow), where the t-interval is unreliable.
        If some :math:`\log\hat q > 700` the density overflows float64 (the flow forms an atom): the result
        is ``+inf`` with ``extra["overflow"] = True``.
    """
    level = check_level(level)
    lq = real_array(logq_hat, "logq_hat")
    q = _finite(q_values, "q_values")
    if lq.ndim != 1 or q.shape != lq.shape:
        raise ShapeError(f"logq_hat and q_values must both have shape (n,), got {lq.shape} and {q.shape}.")
    if np.any(np.isnan(lq)) or np.any(lq == np.inf):
        raise InvalidParameterError("logq_hat contains NaN or +inf; the transported density must be finite.")
    if np.any(q < 0):
        raise InvalidParameterError("q_values has negative entries; a density must be >= 0.")
    qn = real_number(q_norm_squared, "q_norm_squared")
    if not (math.isfinite(qn) and qn >= 0):
        raise InvalidParameterError(f"q_norm_squared must be finite and >= 0, got {q_norm_squared!r}.")
    if lq.size and np.max(lq) > 700:  # q̂ > 1e304 at a particle: the flow concentrates into an atom
        inf = math.inf
        return Estimate(
            inf,
            inf,
            inf,
            level=level,
            n=int(lq.size),
            method="particles: q̂ overflows (atom forming)",
            extra={"q_norm_squared": qn, "max_logq_hat": float(np.max(lq)), "overflow": True},
        )
    terms = np.exp(lq) - 2.0 * q
    est = mean_ci(terms, level=level)
    abs_sum = float(np.sum(np.abs(terms)))
    share = float(np.max(np.abs(terms)) / abs_sum) if abs_sum > 0 else 0.0
    return Estimate(
        est.value + qn,
        est.ci_low + qn,
        est.ci_high + qn,
        level=level,
        n=est.n,
        method="particles: mean(q̂ - 2q) + ||q||², student-t",
        extra={"q_norm_squared": qn, "max_term_share": share},
    )


def l2_particles(logq_hat: object, q_values: object, q_norm_squared: float, level: float = 0.95) -> Estimate:
    r""":math:`\|\hat q - q\|_2` from :func:`l2_squared_particles`.

    The interval is mapped by :math:`v \mapsto \sqrt{\max(v, 0)}`.
    """
    sq = l2_squared_particles(logq_hat, q_values, q_norm_squared, level)
    out = sq.map(lambda v: math.sqrt(max(v, 0.0)))
    out.extra["l2_squared"] = sq.value
    return out


def grid_interpolator(grid: Grid1D | Grid2D, rho: object) -> Callable[[np.ndarray], np.ndarray]:
    """Piecewise-linear interpolant through the cell-centre values (zero outside the domain).

    Returns ``q(x)`` with ``x`` of shape (n,) or (n, 1) in 1-D, (n, 2) in 2-D; error :math:`O(\\Delta x^2)`.
    Between the outermost centre and the wall the value of the outermost cell is used.
    """
    r = _on_grid(grid, rho, "rho")
    if isinstance(grid, Grid1D):
        xs = np.concatenate([[grid.lo], grid.x, [grid.hi]])
        ys = np.concatenate([[r[0]], r, [r[-1]]])

        def q1(x: np.ndarray) -> np.ndarray:
            x = np.asarray(x, dtype=float)
            x = x[:, 0] if x.ndim == 2 else x
            return np.interp(x, xs, ys, left=0.0, right=0.0)

        return q1
    ex = np.concatenate([[grid.lo[0]], grid.x, [grid.hi[0]]])
    ey = np.concatenate([[grid.lo[1]], grid.y, [grid.hi[1]]])
    rp = np.pad(r, 1, mode="edge")
    interp = RegularGridInterpolator((ex, ey), rp, bounds_error=False, fill_value=0.0)

    def q2(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        if x.ndim != 2 or x.shape[1] != 2:
            raise ShapeError(f"points must have shape (n, 2), got {x.shape}.")
        return interp(x)

    return q2


# ----------------------------------------------------------------------------------------------------
# Grid distances (midpoint rule)


def grid_norm_l2_squared(grid: Grid1D | Grid2D, p: object) -> float:
    r""":math:`\|p\|_2^2 \approx \sum_i p_i^2 |\text{cell}|`."""
    a = _on_grid(grid, p, "p")
    with np.errstate(over="ignore", invalid="ignore"):
        return finite_result(float(np.sum(a * a) * grid.cell_volume), "the squared L2 norm")


def grid_l2(grid: Grid1D | Grid2D, p: object, q: object) -> float:
    r""":math:`\|p - q\|_2 \approx (\sum_i (p_i - q_i)^2 |\text{cell}|)^{1/2}`."""
    a, b = _on_grid(grid, p, "p"), _on_grid(grid, q, "q")
    with np.errstate(over="ignore", invalid="ignore"):
        return finite_result(float(np.sqrt(np.sum((a - b) ** 2) * grid.cell_volume)), "the L2 distance")


def grid_l1(grid: Grid1D | Grid2D, p: object, q: object) -> float:
    r""":math:`\|p - q\|_1 \approx \sum_i |p_i - q_i|\,|\text{cell}|`."""
    a, b = _on_grid(grid, p, "p"), _on_grid(grid, q, "q")
    with np.errstate(over="ignore", invalid="ignore"):
        return finite_result(float(np.sum(np.abs(a - b)) * grid.cell_volume), "the L1 distance")


def grid_tv(grid: Grid1D | Grid2D, p: object, q: object) -> float:
    r"""Total variation :math:`\tfrac12\|p - q\|_1`."""
    return 0.5 * grid_l1(grid, p, q)


# ----------------------------------------------------------------------------------------------------
# W1 in 1-D: exact integrals of |F - G|


def _abs_linear_integral(a: np.ndarray, b: np.ndarray, h: np.ndarray) -> float:
    r""":math:`\sum \int_0^{h}|a + (b-a)s/h|\,ds`, exactly (zero crossing inside when ab < 0)."""
    same = a * b >= 0
    denom = np.where(same, 1.0, np.abs(a) + np.abs(b))
    cross = h * (a * a + b * b) / (2 * denom)
    return float(np.sum(np.where(same, 0.5 * h * (np.abs(a) + np.abs(b)), cross)))


def _masses_1d(grid: Grid1D, rho: np.ndarray, normalize: bool, mass_atol: float, name: str) -> np.ndarray:
    """CDF at the edges; checks the total mass is 1 (or rescales when ``normalize``)."""
    if not isinstance(normalize, bool | np.bool_):
        raise InvalidParameterError(f"normalize must be True or False, got {normalize!r:.60}.")
    mass_atol = real_number(mass_atol, "mass_atol")
    if not (math.isfinite(mass_atol) and mass_atol >= 0):
        raise InvalidParameterError(f"mass_atol must be finite and >= 0, got {mass_atol}.")
    if np.any(rho < 0):
        raise InvalidParameterError(f"{name} has negative values; W1 needs non-negative densities.")
    with np.errstate(over="ignore", invalid="ignore"):
        cdf = np.concatenate([[0.0], np.cumsum(rho) * grid.dx])
    m = finite_result(float(cdf[-1]), f"the mass of {name}")
    if normalize:
        if m <= 0:
            raise InvalidParameterError(f"{name} has zero mass.")
        return cdf / m
    if abs(m - 1.0) > mass_atol:
        raise InvalidParameterError(
            f"{name} has mass {m:.12g}, not 1 (tolerance {mass_atol:g}); W1 compares probability measures: "
            "pass normalize=True to rescale, or widen the domain."
        )
    return cdf


def w1_grid_1d(grid: Grid1D, p: object, q: object, normalize: bool = False, mass_atol: float = 1e-6) -> float:
    r"""Exact :math:`W_1 = \int |F_p - F_q|\,dx` for piecewise-constant densities on the same 1-D grid.

    Both CDFs are linear on each cell, so each cell contributes the exact integral of :math:`|{\rm linear}|`.
    """
    if not isinstance(grid, Grid1D):
        raise InvalidParameterError("w1_grid_1d needs a Grid1D; use w1_grid_2d in 2-D.")
    fp = _masses_1d(grid, _on_grid(grid, p, "p"), normalize, mass_atol, "p")
    fq = _masses_1d(grid, _on_grid(grid, q, "q"), normalize, mass_atol, "q")
    d = fp - fq
    return _abs_linear_integral(d[:-1], d[1:], np.full(grid.n, grid.dx))


def _weights(w: object | None, n: int, name: str) -> np.ndarray:
    if w is None:
        return np.full(n, 1.0 / n)
    arr = _finite(w, name)
    with np.errstate(over="ignore"):
        total = float(arr.sum()) if arr.shape == (n,) else 0.0
    if arr.shape != (n,) or np.any(arr < 0) or not 0 < total < math.inf:
        raise InvalidParameterError(f"{name} must be {n} non-negative numbers with a positive sum.")
    return arr / arr.sum()


def _samples_1d(x: object, name: str) -> np.ndarray:
    arr = _finite(x, name)
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1 or arr.size < 1:
        raise ShapeError(f"{name} must have shape (n,) or (n, 1) with n >= 1, got {arr.shape}.")
    return arr


def w1_samples_grid_1d(
    samples: object,
    grid: Grid1D,
    rho: object,
    weights: object | None = None,
    normalize: bool = False,
    mass_atol: float = 1e-6,
) -> float:
    r"""Exact :math:`\int|F_n - G|\,dx`: empirical CDF (optionally weighted) vs a grid density's CDF.

    Breakpoints are the samples and the cell edges; between two of them :math:`F_n` is constant and
    :math:`G` is linear, so the integral is exact.  Samples outside the grid are allowed (:math:`G` is 0 on
    the left, 1 on the right).  This is the W1 distance of the *empirical* measure: it carries the
    sampling bias :math:`O(n^{-1/2})`.
    """
    if not isinstance(grid, Grid1D):
        raise InvalidParameterError("w1_samples_grid_1d needs a Grid1D; use w1_samples_grid_2d in 2-D.")
    xs = _samples_1d(samples, "samples")
    w = _weights(weights, xs.size, "weights")
    order = np.argsort(xs, kind="stable")
    xs, cw = xs[order], np.cumsum(w[order])
    ge = _masses_1d(grid, _on_grid(grid, rho, "rho"), normalize, mass_atol, "rho")
    b = np.union1d(xs, grid.edges)
    f = np.concatenate([[0.0], cw])[np.searchsorted(xs, b[:-1], side="right")]
    g = np.interp(b, grid.edges, ge)
    with np.errstate(over="ignore", invalid="ignore"):
        return finite_result(_abs_linear_integral(f - g[:-1], f - g[1:], np.diff(b)), "W1")


def w1_samples_1d(
    x: object, y: object, weights_x: object | None = None, weights_y: object | None = None
) -> float:
    r"""Exact :math:`W_1 = \int|F_x - F_y|\,dx` between two (weighted) empirical measures on the line."""
    xs, ys = _samples_1d(x, "x"), _samples_1d(y, "y")
    wx, wy = _weights(weights_x, xs.size, "weights_x"), _weights(weights_y, ys.size, "weights_y")
    ox, oy = np.argsort(xs, kind="stable"), np.argsort(ys, kind="stable")
    xs, ys, cx, cy = xs[ox], ys[oy], np.cumsum(wx[ox]), np.cumsum(wy[oy])
    b = np.union1d(xs, ys)
    fx = np.concatenate([[0.0], cx])[np.searchsorted(xs, b[:-1], side="right")]
    fy = np.concatenate([[0.0], cy])[np.searchsorted(ys, b[:-1], side="right")]
    with np.errstate(over="ignore", invalid="ignore"):
        return finite_result(float(np.sum(np.abs(fx - fy) * np.diff(b))), "W1")


# ----------------------------------------------------------------------------------------------------
# W1 in 2-D


def _grid_atoms(grid: Grid2D, rho: object, name: str, tiny: float) -> tuple[np.ndarray, np.ndarray]:
    r = _on_grid(grid, rho, name)
    tiny = real_number(tiny, "tiny")
    if not (math.isfinite(tiny) and 0 <= tiny < 1):
        raise InvalidParameterError(f"tiny must lie in [0, 1), got {tiny}.")
    if np.any(r < 0):
        raise InvalidParameterError(f"{name} has negative values; W1 needs non-negative densities.")
    with np.errstate(over="ignore"):
        mass = (r * grid.cell_volume).ravel()
    finite_result(float(np.sum(mass)), f"the mass of {name}")
    if not mass.max() > 0:
        raise InvalidParameterError(f"{name} has zero mass; W1 compares probability measures.")
    pts = np.stack([grid.X.ravel(), grid.Y.ravel()], axis=1)
    keep = mass > tiny * mass.max()
    return pts[keep], mass[keep]


def _emd_w1(pa: np.ndarray, ma: np.ndarray, pb: np.ndarray, mb: np.ndarray, max_pairs: int) -> float:
    max_pairs = check_count(max_pairs, "max_pairs")
    if pa.shape[0] * pb.shape[0] > max_pairs:
        raise InvalidParameterError(
            f"exact transport between {pa.shape[0]} and {pb.shape[0]} atoms exceeds max_pairs={max_pairs}; "
            "use a coarser grid, fewer samples, or sliced_w1."
        )
    cost = ot.dist(pa, pb, metric="euclidean")
    return float(ot.emd2(ma / ma.sum(), mb / mb.sum(), cost, numItermax=10_000_000))


def w1_grid_2d(grid: Grid2D, p: object, q: object, tiny: float = 1e-12, max_pairs: int = 25_000_000) -> float:
    r"""Exact :math:`W_1` between the cell-mass measures of two 2-D grid densities (POT ``emd2``).

    Each cell's mass sits at its centre and both measures are normalised to mass 1; cells below
    ``tiny * max`` are dropped.  Against the piecewise-constant densities this is exact up to the
    quantisation :math:`|W_1 - W_1^{\rm atoms}| \le 2\sqrt{(\Delta x^2 + \Delta y^2)/12}`.
    """
    if not isinstance(grid, Grid2D):
        raise InvalidParameterError("w1_grid_2d needs a Grid2D; use w1_grid_1d in 1-D.")
    pa, ma = _grid_atoms(grid, p, "p", tiny)
    pb, mb = _grid_atoms(grid, q, "q", tiny)
    return _emd_w1(pa, ma, pb, mb, max_pairs)


def w1_samples_grid_2d(
    samples: object, grid: Grid2D, rho: object, tiny: float = 1e-12, max_pairs: int = 25_000_000
) -> float:
    r"""Exact :math:`W_1` between the empirical measure of ``samples`` (n, 2) and a grid's cell masses.

    Quantisation error :math:`\le \sqrt{(\Delta x^2 + \Delta y^2)/12}`; sampling bias :math:`O(n^{-1/2})`
    (in 2-D up to a log factor).
    """
    if not isinstance(grid, Grid2D):
        raise InvalidParameterError("w1_samples_grid_2d needs a Grid2D.")
    xs = _finite(samples, "samples")
    if xs.ndim != 2 or xs.shape[1] != 2 or xs.shape[0] < 1:
        raise ShapeError(f"samples must have shape (n, 2), got {xs.shape}.")
    pb, mb = _grid_atoms(grid, rho, "rho", tiny)
    return _emd_w1(xs, np.full(xs.shape[0], 1.0 / xs.shape[0]), pb, mb, max_pairs)


def sliced_w1(
    x: object,
    y: object,
    n_projections: int = 100,
    rng: np.random.Generator | int | None = None,
    weights_x: object | None = None,
    weights_y: object | None = None,
) -> float:
    r"""Sliced :math:`W_1`: mean over random unit directions :math:`\theta` of the exact 1-D
    :math:`W_1(\theta_\#\mu, \theta_\#\nu)` (:func:`w1_samples_1d`).  :math:`SW_1 \le W_1`.

    ``x``, ``y``: (n, d) and (m, d) (weighted) atoms, e.g. samples, or grid cell centres with cell masses.
    """
    xs, ys = _finite(x, "x"), _finite(y, "y")
    if xs.ndim != 2 or ys.ndim != 2 or xs.shape[1] != ys.shape[1]:
        raise ShapeError(f"x and y must have shapes (n, d) and (m, d), got {xs.shape} and {ys.shape}.")
    n_projections = check_count(n_projections, "n_projections")
    check_dense(
        (xs.shape[0] + ys.shape[0] + xs.shape[1]) * float(n_projections), f"{n_projections} projections"
    )
    gen = as_rng(rng, "sliced_w1's choice of random directions")
    z = gen.standard_normal((xs.shape[1], n_projections))
    z /= np.linalg.norm(z, axis=0)
    with np.errstate(over="ignore", invalid="ignore"):
        px, py = xs @ z, ys @ z
    vals = [w1_samples_1d(px[:, k], py[:, k], weights_x, weights_y) for k in range(n_projections)]
    return float(np.mean(vals))
