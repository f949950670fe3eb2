"""Tests of sgmverify.nets._score_error against closed forms (a score with a known, exact error)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

from sgmverify.errors import InvalidParameterError, ShapeError, TimeDomainError, UnknownNameError
from sgmverify.laws import Gaussian, GaussianMixture
from sgmverify.nets import integrated_score_error, score_error, sup_score_error
from sgmverify.sde import OU, VP

DATA = Gaussian([0.3, -0.2], [[1.0, 0.2], [0.2, 0.5]])
PROC = VP(0.1, 20.0)


def biased(data, process, b):
    """Exact score + a constant vector b: the error is exactly |b|^2 at every point and time."""
    return lambda x, t: data.noised(process, t).score(x) + b


def scaled(data, process, c):
    """(1 + c) times the exact score: error c^2 E|s|^2 = c^2 tr(A_t) for Gaussian data (A_t = Cov_t^{-1})."""
    return lambda x, t: (1 + c) * data.noised(process, t).score(x)


def exact_scaled_error(c: float, t: float) -> float:
    cov = DATA.noised(PROC, t).cov
    return c**2 * float(np.trace(np.linalg.inv(cov)))


def test_constant_bias_gives_its_square_exactly():
    b = np.array([0.1, -0.2])
    est = score_error(biased(DATA, PROC, b), DATA, PROC, 0.3, n=200, rng=0)
    assert est.value == pytest.approx(0.05, rel=1e-12)  # no Monte Carlo noise in a constant error
    assert est.ci_low == pytest.approx(0.05, rel=1e-9) and est.ci_high == pytest.approx(0.05, rel=1e-9)


def test_scaled_score_error_matches_closed_form_within_ci():
    # E|c s|^2 = c^2 tr(Cov_t^{-1}); the 95% CI must cover it (fixed seed; MC half-width ~3% at n = 8000)
    est = score_error(scaled(DATA, PROC, 0.1), DATA, PROC, 0.05, n=8000, rng=1)
    truth = exact_scaled_error(0.1, 0.05)
    assert est.ci_low <= truth <= est.ci_high
    assert est.half_width < 0.1 * truth


def test_relative_error_is_c_squared():
    est = score_error(scaled(DATA, PROC, 0.2), DATA, PROC, 0.5, n=500, rng=2, relative=True)
    assert est.value == pytest.approx(0.04, rel=1e-12)  # pointwise ratio c^2: exact


def test_integrated_error_matches_quadrature_of_closed_form():
    # reference: scipy quad of lambda(t) c^2 tr(Cov_t^{-1}) on [0.01, 1] (rel. error < 1e-8)
    c = 0.1
    for weighting, lam in (("none", lambda t: 1.0), ("sigma2", lambda t: float(PROC.var(t)))):
        truth, _ = integrate.quad(lambda t, lam=lam: lam(t) * exact_scaled_error(c, t), 0.01, 1.0, limit=200)
        est = integrated_score_error(
            scaled(DATA, PROC, c), DATA, PROC, 0.01, 1.0, weighting, n_t=10, n=2000, rng=3
        )
        assert est.ci_low <= truth <= est.ci_high, (weighting, truth, est)
        assert est.half_width < 0.15 * truth


def test_integrated_error_of_constant_bias_is_the_weight_integral():
    # |b|^2 * int g^2 dt = |b|^2 * int_{0.01}^1 beta(t) dt for VP, beta = 0.1 + 19.9 t
    b = np.array([0.1, -0.2])
    beta_int = 0.1 * 0.99 + 19.9 * (1.0 - 0.01**2) / 2
    est = integrated_score_error(
        biased(DATA, PROC, b), DATA, PROC, 0.01, 1.0, "likelihood", n_t=8, n=50, rng=0
    )
    # 8-node Gauss-Legendre in u = log t on the smooth (0.1 + 19.9 e^u) e^u: observed rel. error 5e-9
    assert est.value == pytest.approx(0.05 * beta_int, rel=1e-7)
    assert est.ci_low <= 0.05 * beta_int <= est.ci_high


def test_sup_error_over_a_cloud():
    b = np.array([0.3, 0.4])
    est = sup_score_error(biased(DATA, PROC, b), DATA, PROC, [0.1, 0.5], n=100, rng=0)
    assert est.exact and est.value == pytest.approx(0.5, rel=1e-12)
    pts = np.array([[0.0, 0.0], [3.0, -1.0]])
    est = sup_score_error(scaled(DATA, PROC, 0.5), DATA, PROC, [0.2], points=pts)
    s = DATA.noised(PROC, 0.2).score(pts)
    assert est.value == pytest.approx(0.5 * np.max(np.linalg.norm(s, axis=1)), rel=1e-12)
    assert est.extra["argmax_x"] == [3.0, -1.0]


def test_mixture_and_ou_small_t_finite():
    mix = GaussianMixture([0.5, 0.5], [[-1.0], [1.0]], [[[0.1]], [[0.1]]])
    est = score_error(scaled(mix, OU(), 0.1), mix, OU(), 1e-4, n=500, rng=0)
    assert math.isfinite(est.value) and est.value > 0


def test_bad_inputs():
    good = biased(DATA, PROC, np.zeros(2))
    with pytest.raises(TimeDomainError):
        score_error(good, DATA, PROC, 0.0)
    with pytest.raises(ShapeError):
        score_error(lambda x, t: x[:, :1], DATA, PROC, 0.5, n=10, rng=0)
    with pytest.raises(InvalidParameterError, match="NaN"):
        score_error(lambda x, t: np.full_like(x, np.nan), DATA, PROC, 0.5, n=10, rng=0)
    with pytest.raises(InvalidParameterError):
        score_error(good, DATA, PROC, 0.5, n=1)
    with pytest.raises(UnknownNameError):
        integrated_score_error(good, DATA, PROC, 0.01, 1.0, "sigma", n=10, rng=0)
    with pytest.raises(TimeDomainError):
        integrated_score_error(good, DATA, PROC, 1.0, 0.5, n=10, rng=0)
