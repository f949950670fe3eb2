"""generalized_chi2_cdf against scipy.stats.ncx2 (one weight), Monte Carlo (several), and its own bounds."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from sgmverify.errors import InvalidParameterError, InvalidTypeError, ShapeError
from sgmverify.metrics import generalized_chi2_cdf

# scipy's ncx2 (Boost) is accurate to ~1e-14 absolute in these ranges; our closed form to round-off.
NCX2_TOL = 1e-12


@pytest.mark.parametrize(
    ("w", "lam", "x"),
    [(1.0, 0.0, 0.5), (2.0, 3.0, 5.0), (0.5, 10.0, 4.0), (3.0, 0.2, 0.01), (1.0, 1.0, 40.0)],
)
def test_one_term_matches_ncx2(w, lam, x):
    est = generalized_chi2_cdf(x, [w], [lam])
    assert est.exact
    assert est.value == pytest.approx(stats.ncx2.cdf(x / w, 1, lam), abs=NCX2_TOL)


@pytest.mark.parametrize(("w", "lam", "x"), [(-1.5, 2.0, -3.0), (-0.5, 0.0, -0.1)])
def test_negative_weight_matches_ncx2(w, lam, x):
    # P(w chi2 <= x) = P(chi2 >= x / w) for w < 0
    assert generalized_chi2_cdf(x, [w], [lam]).value == pytest.approx(
        stats.ncx2.sf(x / w, 1, lam), abs=NCX2_TOL
    )


@pytest.mark.parametrize("k", [2, 4, 6, 10])
def test_equal_weights_is_ncx2_with_k_dofs(k):
    # w * chi2_k(lam): the trapezoid (k >= 3) or the 1-D quadrature (k = 2) must land within its own bound
    ref = stats.ncx2.cdf(2.0 / 1.3, k, 1.5)
    est = generalized_chi2_cdf(2.0, [1.3], [1.5], [k], atol=1e-10)
    assert est.extra["reached"]
    assert abs(est.value - ref) <= est.extra["error"] + NCX2_TOL
    assert est.ci_low - NCX2_TOL <= ref <= est.ci_high + NCX2_TOL
    # the same law written as k unit terms
    split = generalized_chi2_cdf(2.0, [1.3] * k, [1.5] + [0.0] * (k - 1), atol=1e-10)
    assert abs(split.value - ref) <= split.extra["error"] + NCX2_TOL


def test_pure_normal_and_constant():
    assert generalized_chi2_cdf(0.7, [], sigma=2.0, offset=0.1).value == pytest.approx(
        stats.norm.cdf(0.3), abs=1e-15
    )
    assert generalized_chi2_cdf(0.7, [0.0], sigma=0.0, offset=0.1).value == 1.0
    assert generalized_chi2_cdf(0.0, [0.0], sigma=0.0, offset=0.1).value == 0.0


def _mc_cdf(x, w, lam, sigma, offset, n, seed):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, len(w)))
    q = ((z + np.sqrt(lam)) ** 2) @ np.asarray(w) + sigma * rng.standard_normal(n) + offset
    return float(np.mean(q <= x))


@pytest.mark.parametrize(
    ("x", "w", "lam", "sigma", "offset"),
    [
        (1.0, [1.0, -0.5, 0.3], [0.5, 1.0, 2.0], 0.3, 0.0),
        (0.0, [2.0, 1.0, -1.0, -0.2, 0.05], [0.0, 1.0, 0.3, 4.0, 0.0], 0.0, -0.5),
        (3.0, [0.1] * 8 + [-0.4], [0.2] * 9, 0.5, 1.0),
    ],
)
def test_several_terms_against_monte_carlo(x, w, lam, sigma, offset):
    est = generalized_chi2_cdf(x, w, lam, sigma=sigma, offset=offset)
    assert est.extra["reached"] and est.extra["error"] <= 1e-10
    n = 1_000_000
    mc = _mc_cdf(x, np.array(w), np.array(lam), sigma, offset, n, seed=7)
    se = math.sqrt(max(est.value * (1 - est.value), 1e-4) / n)
    assert abs(mc - est.value) <= 5 * se  # 5 standard errors: false alarm ~6e-7


def test_complement_symmetry():
    # P(Q <= x) + P(-Q <= -x) = 1 for a continuous Q
    w, lam = [1.0, -0.7, 0.4, 2.0], [0.3, 0.0, 1.2, 0.1]
    a = generalized_chi2_cdf(0.8, w, lam, sigma=0.1)
    b = generalized_chi2_cdf(-0.8, [-v for v in w], lam, sigma=0.1)
    assert a.value + b.value == pytest.approx(1.0, abs=a.extra["error"] + b.extra["error"])


def test_unreachable_accuracy_widens_the_interval_and_says_so(monkeypatch):
    import sgmverify.metrics._generalized_chi2 as mod

    # chi2_3: |phi(u)| ~ u^{-3/2} needs ~1e5 nodes for 1e-10; allow 50
    monkeypatch.setattr(mod, "_MAX_NODES", 50)
    est = generalized_chi2_cdf(2.0, [1.0], [1.5], [3], atol=1e-10)
    assert not est.extra["reached"]
    assert "NOT reached" in est.method
    assert est.half_width > 1e-10
    ref = stats.ncx2.cdf(2.0, 3, 1.5)
    assert est.ci_low - NCX2_TOL <= ref <= est.ci_high + NCX2_TOL


def test_far_tails_are_bounded():
    est = generalized_chi2_cdf(1e3, [1.0, 0.5, 0.2], [0.0, 0.0, 0.0])
    assert est.value == pytest.approx(1.0, abs=1e-10)
    assert est.ci_high == 1.0
    est = generalized_chi2_cdf(-1.0, [1.0, 0.5, 0.2], [0.0, 0.0, 0.0])
    assert est.value <= 1e-10


def test_bad_input():
    with pytest.raises(ShapeError):
        generalized_chi2_cdf(1.0, [1.0, 2.0], [0.0])
    with pytest.raises(InvalidParameterError):
        generalized_chi2_cdf(1.0, [1.0], [-1.0])
    with pytest.raises(InvalidParameterError):
        generalized_chi2_cdf(1.0, [1.0], [0.0], [1.5])
    with pytest.raises(InvalidParameterError):
        generalized_chi2_cdf(1.0, [float("nan")])
    with pytest.raises(InvalidParameterError):
        generalized_chi2_cdf(1.0, [1.0], atol=0.0)
    with pytest.raises(InvalidParameterError):
        generalized_chi2_cdf(float("inf"), [1.0])
    with pytest.raises(InvalidTypeError):
        generalized_chi2_cdf("1", [1.0])
