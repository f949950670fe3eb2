"""Tests of sgmverify.sensitivity._score: score derivative, finite-eps form, validity indicator, bad input.

References are independent of the formula under test: the complex step in eps of the score of the
(K+J)-component combination (cross-checked against GaussianMixture's own score), central differences,
and brute-force perturbed mixtures built as new GaussianMixture objects.
"""

from __future__ import annotations

import numpy as np
import pytest

from sgmverify.errors import InvalidParameterError, NotPSDError, ShapeError, TimeDomainError
from sgmverify.laws import Gaussian, GaussianMixture
from sgmverify.sde import VE, VP
from sgmverify.sensitivity import (
    Perturbation,
    first_order_validity,
    mixture_callables,
    perturbed_score,
    score_derivative,
)

PROC = VP(0.1, 20.0)


def _rho(d: int = 3, seed: int = 0) -> GaussianMixture:
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((3, d, d)) * 0.3
    covs = np.stack([a @ a.T + 0.2 * np.eye(d) for a in A])
    return GaussianMixture([0.3, 0.5, 0.2], 1.5 * rng.standard_normal((3, d)), covs)


def _pts(rho, t, n=20, seed=1):
    rng = np.random.default_rng(seed)
    return rho.noised(PROC, t).sample(n, rng)


def test_mixture_callables_match_distribution():
    rho = _rho()
    score, logp = mixture_callables(rho, PROC)
    x = _pts(rho, 0.3)
    nt = rho.noised(PROC, 0.3)
    # two implementations of the same log-sum-exp: agree to a few ulps
    np.testing.assert_allclose(score(x, 0.3), nt.score(x), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(logp(x, 0.3), nt.log_prob(x), rtol=1e-13)


@pytest.mark.parametrize("t", [0.05, 0.3, 0.8])
def test_score_derivative_matches_brute_force_mixture(t):
    """chi = N(m, 0.3 I), positive: s^{rho+eps chi} is the score of the renormalised mixture
    (rho + eps chi)/(1 + eps), built as a GaussianMixture; its forward difference is delta/(1 + eps r)."""
    rho = _rho()
    m = np.array([2.0, -1.0, 0.5])
    chi = Perturbation([1.0], m[None], 0.3 * np.eye(3))
    score, logp = mixture_callables(rho, PROC)
    x = _pts(rho, t)
    ds = score_derivative(score, logp, chi, PROC, t, x)
    r = first_order_validity(logp, chi, PROC, t, x)
    eps = 1e-3
    w = np.append(rho.weights, eps) / (1 + eps)
    mix = GaussianMixture(w, np.vstack([rho.means, m]), np.concatenate([rho.covs, 0.3 * np.eye(3)[None]]))
    fd = (mix.noised(PROC, t).score(x) - rho.noised(PROC, t).score(x)) / eps
    pred = ds / (1 + eps * r)[:, None]
    # roundoff of the difference: u |s| / eps ~ 1e-16 * 1e2 / 1e-3 = 1e-11 absolute
    np.testing.assert_allclose(fd, pred, rtol=1e-6, atol=1e-9)


def test_complex_step_equals_closed_form_d10_point_mass():
    rho = _rho(10, seed=3)
    chi = Perturbation.point_masses(np.full(10, 0.7))
    score, logp = mixture_callables(rho, PROC)
    x = _pts(rho, 0.4)
    ds = score_derivative(score, logp, chi, PROC, 0.4, x)
    h = 1e-30
    cs = (Perturbation.from_distribution(rho) + (1j * h) * chi).noised(PROC, 0.4)
    cs = cs.combination_score(x.astype(complex)).imag / h
    # no cancellation in either evaluation: agreement to a few ulps of |delta s|
    np.testing.assert_allclose(cs, ds, rtol=1e-12, atol=1e-14 * np.abs(ds).max())


def test_signed_chi_removing_a_point_matches_brute_force():
    """Removing one of N equally weighted training points: rho_N - (1/N) delta_{z_j} is a mixture of N-1."""
    rng = np.random.default_rng(5)
    z = rng.standard_normal((6, 2))
    t = 0.2
    rho = GaussianMixture(np.full(6, 1 / 6), z, np.zeros((2, 2)))  # the empirical measure of 6 points
    score, logp = mixture_callables(rho, PROC)
    chi = Perturbation.point_masses(z[0], [-1.0])
    x = _pts(GaussianMixture(np.full(6, 1 / 6), z, 0.5 * np.eye(2)), t)
    ps, er = perturbed_score(score, logp, chi, PROC, t, x, eps=1 / 6)
    target = GaussianMixture(np.full(5, 1 / 5), z[1:], np.zeros((2, 2))).noised(PROC, t).score(x)
    # exact identity; roundoff of O(1) cancellations in the Möbius form
    np.testing.assert_allclose(ps, target, rtol=1e-11, atol=1e-11)
    assert np.all(er < 0)


def test_linearity_and_invariance():
    rho = _rho()
    score, logp = mixture_callables(rho, PROC)
    t = 0.3
    x = _pts(rho, t)
    c1 = Perturbation([1.0], [[2.0, 0.0, 0.0]], 0.2)
    c2 = Perturbation.point_masses([[0.0, 1.0, -1.0]], [-0.5])
    d1 = score_derivative(score, logp, c1, PROC, t, x)
    d2 = score_derivative(score, logp, c2, PROC, t, x)
    d12 = score_derivative(score, logp, 2.0 * c1 - 3.0 * c2, PROC, t, x)
    np.testing.assert_allclose(d12, 2 * d1 - 3 * d2, rtol=1e-12, atol=1e-13)
    dinv = score_derivative(score, logp, c1 + Perturbation.from_distribution(rho, 0.8), PROC, t, x)
    # delta_rho s = sum resp (g_k - s) = 0 up to roundoff of |s| ~ 10
    np.testing.assert_allclose(dinv, d1, rtol=1e-12, atol=1e-13)


def test_first_order_relative_error_is_eps_r():
    rho = _rho()
    score, logp = mixture_callables(rho, PROC)
    chi = Perturbation([1.0], [[2.5, 2.5, 0.0]], 0.3)
    t, eps = 0.3, 0.05
    x = _pts(rho, t)
    ds = score_derivative(score, logp, chi, PROC, t, x)
    ps, er = perturbed_score(score, logp, chi, PROC, t, x, eps)
    exact = ps - score(x, t)
    rel = np.linalg.norm(eps * ds - exact, axis=1) / np.linalg.norm(exact, axis=1)
    keep = np.linalg.norm(exact, axis=1) > 1e-6
    np.testing.assert_allclose(rel[keep], np.abs(er[keep]), rtol=1e-6)


def test_gaussian_rho_and_ve_process():
    """A single Gaussian rho and a VE process (alpha = 1): the translation direction check of §2.5 via
    chi_eps = N(mu + eps v, Sigma) - N(mu, Sigma) / eps -> -v.grad rho; here finite eps, central."""
    proc = VE(0.01, 10.0)
    mu, cov = np.array([0.5, -0.2]), np.array([[0.4, 0.1], [0.1, 0.3]])
    rho = Gaussian(mu, cov)
    score, logp = mixture_callables(rho, proc)
    v, h, t = np.array([1.0, -2.0]), 1e-4, 0.5
    chi = (Perturbation([1.0], (mu + h * v)[None], cov) - Perturbation([1.0], (mu - h * v)[None], cov)) * (
        1 / (2 * h)
    )
    x = rho.noised(proc, t).sample(5, np.random.default_rng(0))
    ds = score_derivative(score, logp, chi, proc, t, x)
    C_t = cov + proc.var(t) * np.eye(2)
    expected = np.linalg.solve(C_t, v)  # alpha_t C_t^{-1} v with alpha = 1
    np.testing.assert_allclose(ds, np.broadcast_to(expected, ds.shape), rtol=1e-6)


def test_perturbation_algebra_and_mass():
    c = Perturbation.point_masses([[0.0, 0.0], [1.0, 1.0]], [1.0, -0.25])
    assert c.total_mass == pytest.approx(0.75)
    assert (2 * c).total_mass == pytest.approx(1.5)
    assert (c - c).total_mass == pytest.approx(0.0)
    assert (c + Perturbation.from_distribution(Gaussian([0.0, 0.0], 1.0))).weights.size == 3


# ------------------------------------------------------------------------------ bad input
def test_negative_total_density_raises():
    rho = _rho()
    score, logp = mixture_callables(rho, PROC)
    x = rho.means[:1] * float(PROC.mean_coeff(0.05))
    chi = Perturbation.from_distribution(rho, -1.0)  # rho - 2 rho = -rho < 0
    with pytest.raises(InvalidParameterError, match="p\\^rho \\+ eps p\\^chi <= 0"):
        perturbed_score(score, logp, chi, PROC, 0.05, x, eps=2.0)


@pytest.mark.parametrize("t", [0.0, -0.1, 1e9])
def test_time_outside_domain(t):
    rho = _rho()
    score, logp = mixture_callables(rho, PROC)
    chi = Perturbation.point_masses(np.zeros(3))
    with pytest.raises(TimeDomainError):
        score_derivative(score, logp, chi, PROC, t, np.zeros((1, 3)))


def test_bad_score_callables():
    rho = _rho()
    _, logp = mixture_callables(rho, PROC)
    chi = Perturbation.point_masses(np.zeros(3))
    x = np.zeros((4, 3))
    with pytest.raises(ShapeError, match="score_rho"):
        score_derivative(lambda x, t: np.zeros((4, 2)), logp, chi, PROC, 0.3, x)
    with pytest.raises(InvalidParameterError, match="NaN"):
        score_derivative(lambda x, t: np.full((4, 3), np.nan), logp, chi, PROC, 0.3, x)
    with pytest.raises(ShapeError, match="log_density_rho"):
        score_derivative(lambda x, t: np.zeros((4, 3)), lambda x, t: np.zeros(3), chi, PROC, 0.3, x)


def test_bad_perturbations():
    with pytest.raises(NotPSDError):
        Perturbation([1.0], [[0.0, 0.0]], -np.eye(2))
    with pytest.raises(ShapeError):
        Perturbation([1.0, 2.0], [[0.0, 0.0]])
    with pytest.raises(InvalidParameterError):
        Perturbation([np.nan], [[0.0, 0.0]])
    with pytest.raises(ShapeError):
        Perturbation.point_masses([[0.0, 0.0]]) + Perturbation.point_masses([[0.0, 0.0, 0.0]])


def test_junk_input_raises_sgmverify_errors() -> None:
    """Found by tests/test_fuzz.py: a None perturbation, non-callables, callables returning strings."""
    from sgmverify.errors import InvalidTypeError

    rho = GaussianMixture([0.5, 0.5], [[-1.0], [1.0]], [[[0.5]], [[0.5]]])
    score, logd = mixture_callables(rho, PROC)
    chi = Perturbation.point_masses([[0.0]])
    x = np.zeros((2, 1))
    with pytest.raises(InvalidTypeError, match="chi"):
        score_derivative(score, logd, None, PROC, 0.3, x)
    with pytest.raises(InvalidTypeError, match="score_rho"):
        score_derivative(None, logd, chi, PROC, 0.3, x)
    with pytest.raises(InvalidTypeError, match="log_density_rho"):
        perturbed_score(score, "-x**2/2", chi, PROC, 0.3, x, 0.1)
    with pytest.raises(InvalidTypeError, match="log_density_rho"):
        score_derivative(score, lambda x, t: "not a number", chi, PROC, 0.3, x)
    with pytest.raises(InvalidTypeError, match="eps"):
        perturbed_score(score, logd, chi, PROC, 0.3, x, "0.1")
    with pytest.raises(InvalidParameterError, match="eps"):
        perturbed_score(score, logd, chi, PROC, 0.3, x, float("nan"))
    with pytest.raises(InvalidTypeError, match="t must"):
        score_derivative(score, logd, chi, PROC, "0.3", x)
    with pytest.raises(TimeDomainError):
        score_derivative(score, logd, chi, PROC, 10**400, x)
    with pytest.raises(InvalidTypeError):
        score_derivative(score, logd, chi, PROC, 0.3, [["a"], ["b"]])
    with pytest.raises(InvalidParameterError):
        Perturbation([[1.0], [2.0, 3.0]], [[0.0], [1.0]])
    with pytest.raises(ShapeError, match="covs"):
        Perturbation([1.0, 2.0], [[0.0], [1.0]], np.zeros((2, 0)))
