"""Tests of sgmverify.metrics._density against closed forms, quadrature and scipy's independent W1."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sgmverify.errors import InvalidParameterError, ShapeError
from sgmverify.metrics import (
    grid_interpolator,
    grid_l1,
    grid_l2,
    grid_norm_l2_squared,
    grid_tv,
    l2_particles,
    l2_squared_particles,
    sliced_w1,
    w1_grid_1d,
    w1_grid_2d,
    w1_samples_1d,
    w1_samples_grid_1d,
    w1_samples_grid_2d,
)
from sgmverify.pde import Grid1D, Grid2D


def gauss(x: np.ndarray, m: float, v: float) -> np.ndarray:
    return np.exp(-((x - m) ** 2) / (2 * v)) / np.sqrt(2 * np.pi * v)


def l2sq_gauss(m1: float, v1: float, m2: float, v2: float) -> float:
    """||N(m1,v1) - N(m2,v2)||² = 1/(2√(πv1)) + 1/(2√(πv2)) - 2 N(m1; m2, v1+v2)."""
    return 1 / (2 * math.sqrt(math.pi * v1)) + 1 / (2 * math.sqrt(math.pi * v2)) - 2 * gauss(m1, m2, v1 + v2)


# ====================================================================================================
# L² from particles


def test_l2_particles_matches_gaussian_closed_form() -> None:
    m1, v1, m2, v2 = 0.3, 0.5, -0.2, 1.2
    rng = np.random.default_rng(0)
    x = m1 + math.sqrt(v1) * rng.standard_normal(200_000)
    logq_hat = stats.norm.logpdf(x, m1, math.sqrt(v1))
    est = l2_squared_particles(logq_hat, gauss(x, m2, v2), 1 / (2 * math.sqrt(math.pi * v2)))
    exact = l2sq_gauss(m1, v1, m2, v2)
    assert est.ci_low <= exact <= est.ci_high
    assert est.half_width < 0.02 * exact  # n = 2e5: sd(q̂ - 2q) ~ 0.3 -> half width ~ 1.3e-3 vs exact 0.17
    root = l2_particles(logq_hat, gauss(x, m2, v2), 1 / (2 * math.sqrt(math.pi * v2)))
    assert root.value == pytest.approx(math.sqrt(est.value))
    assert root.ci_low <= math.sqrt(exact) <= root.ci_high


def test_l2_particles_overflow_is_infinite() -> None:
    """log q̂ = 800 at a particle (q̂ = e^800, beyond float64): L² is +inf, reported, not raised."""
    est = l2_particles(np.array([0.0, 800.0, -np.inf]), np.zeros(3), 1.0)
    assert est.value == est.ci_low == math.inf and est.extra["overflow"]
    zero = l2_squared_particles(np.array([-np.inf, -np.inf]), np.zeros(2), 0.25)  # q̂ = 0 where sampled
    assert zero.value == pytest.approx(0.25)


def test_l2_particles_interval_coverage() -> None:
    """Nominal 95% Student-t interval: over 300 independent repetitions (n = 500) the coverage must lie within
    [0.91, 0.99] (binomial sd 1.3%; ±3 sd around 0.95).  A mis-scaled interval (e.g. sd instead of sd/√n, or a
    wrong sign on the 2q term) fails this."""
    m1, v1, m2, v2 = 0.0, 1.0, 0.5, 0.7
    exact = l2sq_gauss(m1, v1, m2, v2)
    qn = 1 / (2 * math.sqrt(math.pi * v2))
    rng = np.random.default_rng(1)
    hits = 0
    for _ in range(300):
        x = m1 + math.sqrt(v1) * rng.standard_normal(500)
        e = l2_squared_particles(stats.norm.logpdf(x, m1, math.sqrt(v1)), gauss(x, m2, v2), qn)
        hits += e.ci_low <= exact <= e.ci_high
    assert 0.91 <= hits / 300 <= 0.99


def test_l2_particles_against_gridded_target_2d() -> None:
    """2-D: q̂ = N(0, I), q = N((0.5, 0), 0.8 I) as a grid density; q interpolated, ||q||² from the grid."""
    g = Grid2D((-7, -7), (7, 7), (281, 281))
    q = gauss(g.X, 0.5, 0.8) * gauss(g.Y, 0.0, 0.8)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((100_000, 2))
    lq = stats.norm.logpdf(x).sum(axis=1)
    est = l2_squared_particles(lq, grid_interpolator(g, q)(x), grid_norm_l2_squared(g, q))
    # product of 1-D cross terms: ||a - b||² = ||a||² + ||b||² - 2<a, b>, each a product of two 1-D integrals
    exact = 1 / (4 * math.pi) + 1 / (4 * math.pi * 0.8) - 2 * gauss(0.0, 0.5, 1.8) * gauss(0.0, 0.0, 1.8)
    assert est.ci_low - 1e-4 <= exact <= est.ci_high + 1e-4  # + interpolation/midpoint error O(dx²) ~ 1e-5
    assert est.extra["max_term_share"] < 1e-3


def test_grid_interpolator_1d_second_order() -> None:
    errs = []
    for n in (100, 200):
        g = Grid1D(-6, 6, n)
        xs = np.linspace(-5, 5, 777)
        errs.append(np.max(np.abs(grid_interpolator(g, gauss(g.x, 0, 1))(xs) - gauss(xs, 0, 1))))
    assert 3.5 < errs[0] / errs[1] < 4.5  # linear interpolation: error ~ h² f''/8
    g = Grid1D(0, 1, 10)
    assert grid_interpolator(g, np.ones(10))(np.array([-0.1, 0.5, 1.1])).tolist() == [0.0, 1.0, 0.0]


# ====================================================================================================
# Grid L² / L¹ / TV


def test_grid_distances_vs_closed_forms() -> None:
    g = Grid1D(-12, 12, 2400)
    p, q = gauss(g.x, 0.0, 1.0), gauss(g.x, 0.7, 1.0)
    # midpoint rule on smooth, decaying integrands: spectrally accurate, so 1e-10 is generous
    assert grid_l2(g, p, q) ** 2 == pytest.approx(l2sq_gauss(0, 1, 0.7, 1), rel=1e-10)
    l1 = 2 * (2 * stats.norm.cdf(0.35) - 1)  # equal variances: 2(2Φ(Δ/2σ) - 1)
    assert grid_l1(g, p, q) == pytest.approx(l1, rel=1e-5)  # |p - q| has a kink: O(dx²) = 1e-4 * 0.1
    assert grid_tv(g, p, q) == pytest.approx(l1 / 2, rel=1e-5)
    assert grid_norm_l2_squared(g, p) == pytest.approx(1 / (2 * math.sqrt(math.pi)), rel=1e-10)
    g2 = Grid2D((-8, -8), (8, 8), (160, 160))
    p2 = gauss(g2.X, 0, 1) * gauss(g2.Y, 0, 1)
    assert grid_norm_l2_squared(g2, p2) == pytest.approx(1 / (4 * math.pi), rel=1e-10)


# ====================================================================================================
# W1 in 1-D


def test_w1_grid_sin_example_and_l2() -> None:
    """EOP notes §2.4: p_n = 1 + sin(2πnx) on [0,1]: W1 to uniform = 1/(2πn), L² = 1/√2."""
    for n in (1, 4, 16):
        g = Grid1D(0, 1, 4096)
        e = g.edges
        p = 1 + (np.cos(2 * np.pi * n * e[:-1]) - np.cos(2 * np.pi * n * e[1:])) / (
            2 * np.pi * n * g.dx
        )  # averages
        # cell averages: the CDF is exact at the edges and linear between, so W1 is the trapezoid rule of a
        # smooth periodic integrand (spectrally accurate, measured 3e-14); L² of the projection loses
        # O((n dx)²) = 1.5e-5 relative at n = 16 (measured 2.5e-5)
        assert w1_grid_1d(g, p, np.ones(g.n)) == pytest.approx(1 / (2 * np.pi * n), rel=1e-10)
        assert grid_l2(g, p, np.ones(g.n)) == pytest.approx(1 / math.sqrt(2), rel=1e-4)


def test_w1_grid_gaussians() -> None:
    g = Grid1D(-12, 12, 2400)
    p = gauss(g.x, 0.0, 1.0)
    assert w1_grid_1d(g, p, gauss(g.x, 0.8, 1.0), normalize=True) == pytest.approx(0.8, rel=1e-5)
    # different scales: W1 = E|σ1 Z - σ2 Z| = |σ1 - σ2| √(2/π) (monotone coupling)
    assert w1_grid_1d(g, p, gauss(g.x, 0.0, 2.25), normalize=True) == pytest.approx(
        0.5 * math.sqrt(2 / math.pi), rel=1e-5
    )
    with pytest.raises(InvalidParameterError, match="mass"):
        w1_grid_1d(g, p, 2 * p)


def test_w1_samples_match_scipy_and_fine_quadrature() -> None:
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=300), rng.normal(0.3, 1.5, size=170)
    wy = rng.uniform(size=170)
    assert w1_samples_1d(x, y) == pytest.approx(stats.wasserstein_distance(x, y), rel=1e-12)
    assert w1_samples_1d(x, y, weights_y=wy) == pytest.approx(
        stats.wasserstein_distance(x, y, v_weights=wy), rel=1e-12
    )
    g = Grid1D(-1, 2, 30)
    rho = np.where(g.x < 0.5, 0.2, 0.4)
    rho = rho / (rho.sum() * g.dx)
    s = rng.uniform(-1.5, 2.5, size=50)  # some samples outside the grid
    fine = np.linspace(-3, 4, 2_000_001)
    F = np.searchsorted(np.sort(s), fine, side="right") / s.size
    G = np.interp(fine, g.edges, np.concatenate([[0], np.cumsum(rho) * g.dx]))
    ref = np.sum(np.abs(F - G)[:-1]) * (fine[1] - fine[0])  # Riemann sum: error <= jumps * h ~ 50 * 3.5e-6
    assert w1_samples_grid_1d(s, g, rho) == pytest.approx(ref, abs=2e-4)


# ====================================================================================================
# W1 in 2-D


def test_w1_2d_translation() -> None:
    """W1(μ, μ(· - v)) = |v|: translations by whole cells move the atoms exactly."""
    g = Grid2D((-6, -6), (6, 6), (36, 36))
    p = gauss(g.X, 0, 0.5) * gauss(g.Y, 0, 0.5)
    q = gauss(g.X, 3 * g.dx, 0.5) * gauss(g.Y, -2 * g.dy, 0.5)
    v = math.hypot(3 * g.dx, 2 * g.dy)
    assert w1_grid_2d(g, p, q) == pytest.approx(v, rel=1e-6)  # truncated tails differ at ~1e-12 mass
    rng = np.random.default_rng(4)
    atoms = np.stack([g.X.ravel(), g.Y.ravel()], axis=1)
    shifted = atoms + np.array([0.7, -0.4])
    w = (p * g.cell_volume).ravel()
    sw = sliced_w1(atoms, shifted, 400, rng, weights_x=w, weights_y=w)
    # SW1 of a translation = |v| E|θ_1| = |v| 2/π; Monte Carlo over 400 directions: sd ~ 0.31 |v|/20
    assert sw == pytest.approx(math.hypot(0.7, 0.4) * 2 / math.pi, abs=0.05)
    x = rng.normal(0, math.sqrt(0.5), size=(400, 2))
    w_s = w1_samples_grid_2d(x, g, p)
    assert 0 < w_s < 0.2  # empirical bias at n = 400 in 2-D ~ 0.1; quantisation <= sqrt(2/12) dx = 0.14
    assert w1_samples_grid_2d(x, g, q) > w_s + 0.5 * v


# ====================================================================================================
# Bad input


def test_bad_input() -> None:
    g = Grid1D(0, 1, 10)
    with pytest.raises(ShapeError):
        grid_l2(g, np.ones(10), np.ones(11))
    with pytest.raises(InvalidParameterError):
        grid_l1(g, np.full(10, np.nan), np.ones(10))
    with pytest.raises(InvalidParameterError):
        w1_grid_1d(g, -np.ones(10), np.ones(10))
    with pytest.raises(ShapeError):
        l2_squared_particles(np.zeros(5), np.zeros(4), 1.0)
    with pytest.raises(InvalidParameterError):
        l2_squared_particles(np.zeros(5), -np.ones(5), 1.0)
    with pytest.raises(InvalidParameterError):
        sliced_w1(np.zeros((3, 2)), np.zeros((3, 2)), 10, None)
    with pytest.raises(InvalidParameterError, match="max_pairs"):
        w1_grid_2d(Grid2D((0, 0), (1, 1), (20, 20)), np.ones((20, 20)), np.ones((20, 20)), max_pairs=100)
    with pytest.raises(InvalidParameterError):
        w1_grid_1d(Grid2D((0, 0), (1, 1), (5, 5)), np.ones((5, 5)), np.ones((5, 5)))  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------------
# junk input (found by tests/test_fuzz.py): sgmverify errors only, never a bare numpy/Python error
# ---------------------------------------------------------------------------------------------------


def test_junk_samples_weights_and_options() -> None:
    from sgmverify.errors import InvalidTypeError

    g = Grid1D(-4.0, 4.0, 40)
    rho = np.exp(-0.5 * g.x**2)
    rho /= rho.sum() * g.dx
    with pytest.raises(InvalidTypeError):
        w1_samples_1d("x = __import__('os')", [1.0, 2.0])
    with pytest.raises(InvalidTypeError):
        w1_samples_grid_1d([0.0, 1.0], g, rho, weights=[["a", "b"]])
    with pytest.raises(InvalidParameterError):
        w1_samples_grid_1d(-(10**400), g, rho)
    with pytest.raises(InvalidParameterError, match="mass_atol"):
        w1_grid_1d(g, rho, rho, mass_atol="1e-3")
    with pytest.raises(InvalidParameterError, match="normalize"):
        w1_grid_1d(g, rho, rho, normalize=np.array([]))
    with pytest.raises(InvalidTypeError, match="rng"):
        sliced_w1(np.zeros((3, 2)), np.ones((3, 2)), n_projections=3, rng={})
    with pytest.raises(InvalidParameterError, match="n_projections"):
        sliced_w1(np.zeros((3, 2)), np.ones((3, 2)), n_projections=3.0, rng=0)
    with pytest.raises(InvalidParameterError, match="level"):
        l2_particles(np.zeros(3), np.ones(3), 1.0, level="0.9")
    with pytest.raises(InvalidTypeError, match="q_norm_squared"):
        l2_particles(np.zeros(3), np.ones(3), "1.0")


def test_overflowing_distances_raise() -> None:
    g = Grid1D(-4.0, 4.0, 40)
    big = np.full(40, 1e308)
    for fn in (grid_l1, grid_l2):
        with pytest.raises(InvalidParameterError, match="overflow"):
            fn(g, big, -big)
    with pytest.raises(InvalidParameterError, match="overflow"):
        w1_samples_1d([1e308], [-1e308])
