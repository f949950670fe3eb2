"""Tests of sgmverify.metrics._empirical (sample-based W2) against independent references.

References used: POT's ``ot.emd2`` / ``ot.wasserstein_1d`` / ``ot.sliced_wasserstein_distance``, the
closed-form W2 between Gaussians, and exact identities (translations, sliced W2 of shifted Gaussians).
"""

from __future__ import annotations

import math

import numpy as np
import ot
import pytest

from sgmverify.errors import InvalidParameterError, ShapeError
from sgmverify.metrics import sliced_w2, w2_1d_quantile, w2_empirical, w2_gaussian

# ---------------------------------------------------------------------------------------------------
# 1-D quantile W2
# ---------------------------------------------------------------------------------------------------


def test_w2_1d_quantile_hand_example() -> None:
    # quantile functions: x -> 0 on (0, 1/2], 1 on (1/2, 1]; y -> 0, 1, 2 on thirds
    # W2^2 = (1/2 - 1/3) * 1 + (1 - 2/3) * 1 = 1/2
    assert w2_1d_quantile([1.0, 0.0], [2.0, 0.0, 1.0]) == pytest.approx(math.sqrt(0.5), rel=1e-14)
    assert w2_1d_quantile([3.0, 1.0, 2.0], [1.0, 2.0, 3.0]) == 0.0


@pytest.mark.parametrize(("n", "m"), [(50, 50), (7, 5), (30, 45), (1, 9), (64, 48)])
def test_w2_1d_quantile_matches_pot(n: int, m: int) -> None:
    rng = np.random.default_rng(n * 100 + m)
    x, y = rng.normal(size=n), rng.gamma(2.0, size=m)
    ours = w2_1d_quantile(x, y)
    exact_ot = math.sqrt(ot.emd2(np.full(n, 1 / n), np.full(m, 1 / m), ot.dist(x[:, None], y[:, None])))
    assert ours == pytest.approx(exact_ot, rel=1e-10)
    assert ours**2 == pytest.approx(float(ot.wasserstein_1d(x, y, p=2)), rel=1e-10)
    assert w2_1d_quantile(x[:, None], rng.permutation(y)) == pytest.approx(ours, rel=1e-14)


def test_w2_1d_quantile_errors() -> None:
    with pytest.raises(ShapeError, match="1-D"):
        w2_1d_quantile(np.zeros((4, 2)), np.zeros((4, 2)))
    with pytest.raises(ShapeError):
        w2_1d_quantile([], [1.0])
    with pytest.raises(InvalidParameterError, match="NaN"):
        w2_1d_quantile([0.0, np.nan], [1.0])


# ---------------------------------------------------------------------------------------------------
# empirical W2 (POT)
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "m"), [(120, 120), (90, 130)])
def test_w2_empirical_1d_equals_quantile_formula(n: int, m: int) -> None:
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=n), rng.standard_t(3, size=m)
    est = w2_empirical(x, y, n_boot=0)
    assert est.value == pytest.approx(w2_1d_quantile(x, y), rel=1e-10)
    assert est.extra["w2_squared"] == pytest.approx(est.value**2, rel=1e-12)
    assert (est.extra["n_x"], est.extra["n_y"], est.extra["dim"]) == (n, m, 1)
    assert math.isnan(est.ci_low) and math.isnan(est.ci_high) and "bias" in est.method


def test_w2_empirical_vs_bures_in_1d() -> None:
    # d = 1: the empirical W2 converges at the Monte Carlo rate with a small bias, so the bootstrap CI
    # is meaningful.  Tolerance: the CI widened by one half-width on each side (about a 4-sigma band).
    rng = np.random.default_rng(12)
    n = 400
    x, y = rng.normal(0.0, 1.0, size=n), rng.normal(1.0, 2.0, size=n)
    true = w2_gaussian(0.0, 1.0, 1.0, 4.0)
    assert true == pytest.approx(math.sqrt(2.0))
    est = w2_empirical(x, y, n_boot=40, rng=rng)
    assert est.ci_low <= est.value <= est.ci_high and est.n == n and est.level == 0.95
    assert 0 < est.half_width < 0.3
    assert est.ci_low - est.half_width <= true <= est.ci_high + est.half_width
    assert est.method.startswith("bootstrap-percentile") and "bias" in est.method


def test_w2_empirical_translation_is_exact_far_from_origin() -> None:
    # W2(mu, mu(. - c)) = |c| for any mu; far from the origin the |x|^2 + |y|^2 - 2 x.y cost expansion
    # would lose all digits of a 1e-6 shift.
    rng = np.random.default_rng(13)
    x = rng.normal(size=(60, 2)) + 1e3
    c = np.array([1e-6, -2e-6])
    assert w2_empirical(x, x.copy(), n_boot=0).value == 0.0
    assert w2_empirical(x, x + c, n_boot=0).value == pytest.approx(np.linalg.norm(c), rel=1e-6)


def test_w2_empirical_bias_in_higher_dimension_is_not_covered() -> None:
    # Two samples of the same law: true W2 = 0, but the empirical W2 is far from 0 in d = 5 and the
    # bootstrap CI (sampling variability only) excludes the truth -- as the docstring warns.
    rng = np.random.default_rng(14)
    x, y = rng.normal(size=(100, 5)), rng.normal(size=(100, 5))
    est = w2_empirical(x, y, n_boot=20, rng=rng)
    assert est.value > 1.0 and est.ci_low > 0.5


def test_w2_empirical_reproducible_and_matches_pot_in_2d() -> None:
    rng = np.random.default_rng(15)
    x, y = rng.normal(size=(80, 2)), rng.normal(size=(70, 2)) + 1.0
    e1, e2 = w2_empirical(x, y, n_boot=20, rng=3), w2_empirical(x, y, n_boot=20, rng=3)
    assert e1 == e2
    ref = math.sqrt(ot.emd2(np.full(80, 1 / 80), np.full(70, 1 / 70), ot.dist(x, y)))
    assert e1.value == pytest.approx(ref, rel=1e-9)
    assert sliced_w2(x, y, 200, rng=0) <= e1.value


def test_w2_empirical_errors() -> None:
    x = np.zeros((5, 2))
    with pytest.raises(InvalidParameterError, match="rng"):
        w2_empirical(x, x, n_boot=20)
    with pytest.raises(InvalidParameterError, match="n_boot"):
        w2_empirical(x, x, n_boot=5, rng=0)
    with pytest.raises(InvalidParameterError, match="level"):
        w2_empirical(x, x, n_boot=20, rng=0, level=1.5)
    with pytest.raises(ShapeError, match="dimension"):
        w2_empirical(x, np.zeros((5, 3)), n_boot=0)
    with pytest.raises(ShapeError):
        w2_empirical(np.zeros((5, 2, 1)), x, n_boot=0)
    with pytest.raises(ShapeError):
        w2_empirical(np.zeros((0, 2)), x, n_boot=0)
    with pytest.raises(InvalidParameterError, match="NaN"):
        w2_empirical(np.full((5, 2), np.nan), x, n_boot=0)


@pytest.mark.slow
def test_w2_empirical_bootstrap_coverage_in_1d() -> None:
    rng = np.random.default_rng(16)
    true, covered, reps = math.sqrt(2.0), 0, 60
    for _ in range(reps):
        x, y = rng.normal(0.0, 1.0, size=150), rng.normal(1.0, 2.0, size=150)
        est = w2_empirical(x, y, n_boot=100, rng=rng)
        covered += est.ci_low <= true <= est.ci_high
    assert covered / reps >= 0.83  # nominal 0.95; allows the binomial spread of 60 repetitions


# ---------------------------------------------------------------------------------------------------
# sliced W2
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "m"), [(100, 100), (100, 73)])
def test_sliced_w2_matches_pot_with_same_projections(n: int, m: int) -> None:
    rng = np.random.default_rng(17)
    x, y = rng.normal(size=(n, 3)), rng.normal(size=(m, 3)) * 1.5 + 0.3
    P = rng.normal(size=(3, 40))
    ours = sliced_w2(x, y, projections=P)
    pot = float(ot.sliced_wasserstein_distance(x, y, projections=P / np.linalg.norm(P, axis=0)))
    assert ours == pytest.approx(pot, rel=1e-10)


def test_sliced_w2_matches_pot_within_monte_carlo_tolerance() -> None:
    rng = np.random.default_rng(18)
    x, y = rng.normal(size=(200, 4)), rng.normal(size=(200, 4)) + np.array([2.0, 0, 0, 0])
    ours = sliced_w2(x, y, n_projections=5000, rng=rng)
    pot = float(ot.sliced_wasserstein_distance(x, y, n_projections=5000, seed=0))
    assert ours == pytest.approx(pot, rel=0.05)


def test_sliced_w2_of_a_translation() -> None:
    # y = x + c: each projection is a 1-D shift by theta.c, so SW2^2 = E (theta.c)^2 = |c|^2 / d exactly;
    # only the Monte Carlo over directions remains (relative sd of SW2 about 0.45 / sqrt(L) here).
    rng = np.random.default_rng(19)
    d, c = 3, np.array([3.0, 0.0, 0.0])
    x = rng.normal(size=(200, d))
    assert sliced_w2(x, x + c, 4000, rng=rng) == pytest.approx(math.sqrt(9.0 / d), rel=0.04)


def test_sliced_w2_in_1d_is_exact_w2() -> None:
    rng = np.random.default_rng(20)
    x, y = rng.normal(size=50), rng.exponential(size=31)
    assert sliced_w2(x, y) == pytest.approx(w2_1d_quantile(x, y), rel=1e-14)


def test_sliced_w2_reproducible_and_errors() -> None:
    rng = np.random.default_rng(21)
    x, y = rng.normal(size=(20, 2)), rng.normal(size=(20, 2))
    assert sliced_w2(x, y, 30, rng=5) == sliced_w2(x, y, 30, rng=np.random.default_rng(5))
    assert sliced_w2(x, x, 30, rng=5) == 0.0
    with pytest.raises(InvalidParameterError, match="rng"):
        sliced_w2(x, y, 30)
    with pytest.raises(InvalidParameterError, match="n_projections"):
        sliced_w2(x, y, 0, rng=0)
    with pytest.raises(ShapeError, match="projections"):
        sliced_w2(x, y, projections=np.ones((3, 4)))
    with pytest.raises(InvalidParameterError, match="zero column"):
        sliced_w2(x, y, projections=np.zeros((2, 4)))
    with pytest.raises(ShapeError, match="dimension"):
        sliced_w2(x, np.zeros((20, 3)), 30, rng=0)


# ---------------------------------------------------------------------------------------------------
# junk input (found by tests/test_fuzz.py): sgmverify errors only, never a bare numpy/Python error
# ---------------------------------------------------------------------------------------------------


def test_w2_empirical_junk_options() -> None:
    from sgmverify.errors import InvalidTypeError

    x, y = np.zeros((5, 1)), np.ones((4, 1))
    with pytest.raises(InvalidParameterError, match="level"):
        w2_empirical(x, y, n_boot=0, rng=0, level="exec('1')")
    for n_boot in ("3", 2.5, None, -1):
        with pytest.raises(InvalidParameterError, match="n_boot"):
            w2_empirical(x, y, n_boot=n_boot, rng=0)
    with pytest.raises(InvalidTypeError, match="rng"):
        w2_empirical(x, y, n_boot=10, rng={})
    with pytest.raises(InvalidTypeError):
        w2_empirical("1; __import__('os')", y)
    with pytest.raises(InvalidParameterError, match="overflow"):
        w2_empirical([[1e308]], [[-1e308]], n_boot=0)


def test_sliced_and_quantile_junk() -> None:
    from sgmverify.errors import InvalidTypeError

    x, y = np.zeros((5, 2)), np.ones((4, 2))
    with pytest.raises(InvalidTypeError):
        sliced_w2(x, "{__import__('os'): 1}", n_projections=3, rng=0)
    with pytest.raises(InvalidParameterError, match="n_projections"):
        sliced_w2(x, y, n_projections="3", rng=0)
    with pytest.raises(InvalidParameterError, match="memory"):
        sliced_w2(x, y, n_projections=2**62, rng=0)
    with pytest.raises(InvalidTypeError):
        w2_1d_quantile("eval('1')", [1.0, 2.0])
    with pytest.raises(InvalidParameterError, match="overflow"):
        w2_1d_quantile([1e308], [-1e308])
