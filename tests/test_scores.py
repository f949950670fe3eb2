"""Scores of p_t and their derivatives against independent references.

References used here never call the code under test:

* torch autograd (float64) of a log-density written with ``torch.distributions`` and ``torch.logsumexp``;
* central finite differences;
* closed forms evaluated in mpmath at 50 digits (a Gaussian noised in closed form, the Laplace density
  noised in closed form with ``erfc``, a two-component mixture), differentiated with ``mpmath.diff``.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
import torch

from sgmverify.laws import Density1D, Gaussian, GaussianMixture, mixture_derivatives, working_dps


class OUStandIn:
    """Duck-typed OU process: m(t) = e^{-t}, sigma^2(t) = 1 - e^{-2t} (the contract's two methods)."""

    t_max = math.inf

    def mean_coeff(self, t):
        return math.exp(-t)

    def var(self, t):
        return -math.expm1(-2.0 * t)


OU = OUStandIn()
X = sp.Symbol("x")
# torch.distributions uses torch.jit internally; its deprecation notice is not ours
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


# ---------------------------------------------------------------------------------------------------
# independent references
# ---------------------------------------------------------------------------------------------------


def torch_mixture_logpdf(weights, means, covs):
    """log p(x) for one point x (d,) in torch float64, via MultivariateNormal and logsumexp."""
    w = torch.tensor(weights, dtype=torch.float64)
    comps = [
        torch.distributions.MultivariateNormal(
            torch.tensor(m, dtype=torch.float64), covariance_matrix=torch.tensor(c, dtype=torch.float64)
        )
        for m, c in zip(means, covs)
    ]

    def logp(x):
        return torch.logsumexp(torch.stack([c.log_prob(x) for c in comps]) + torch.log(w), dim=0)

    return logp


def torch_derivatives(logp, pts):
    """Score, Jacobian and third derivatives of ``logp`` by autograd at the rows of ``pts``."""
    grad = torch.func.grad(logp)
    jac = torch.func.jacrev(grad)
    hess = torch.func.jacfwd(jac)
    xs = torch.tensor(pts, dtype=torch.float64)
    return tuple(np.stack([f(x).numpy() for x in xs]) for f in (grad, jac, hess))


def random_mixture(rng, k=3, d=3, spread=3.0):
    weights = rng.dirichlet(np.ones(k))
    means = spread * rng.standard_normal((k, d))
    covs = []
    for _ in range(k):
        a = rng.standard_normal((d, d))
        covs.append(a @ a.T / d + 0.3 * np.eye(d))
    return weights, means, np.array(covs)


def central_diff(f, pts, h):
    """d f / d x_c by central differences; result has the derivative axis last."""
    cols = []
    for c in range(pts.shape[1]):
        e = np.zeros(pts.shape[1])
        e[c] = h
        cols.append((f(pts + e) - f(pts - e)) / (2 * h))
    return np.stack(cols, axis=-1)


# ---------------------------------------------------------------------------------------------------
# Gaussian mixtures: autograd, finite differences, far tails
# ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mixture_case():
    rng = np.random.default_rng(1)
    weights, means, covs = random_mixture(rng)
    pts = rng.standard_normal((6, 3)) * 3.0
    return weights, means, covs, pts


@pytest.mark.parametrize("t", [None, 0.5, 1e-3])
def test_mixture_derivatives_match_torch_autograd(mixture_case, t):
    weights, means, covs, pts = mixture_case
    mix = GaussianMixture(weights, means, covs)
    if t is not None:
        m, v = OU.mean_coeff(t), OU.var(t)
        mix = mix.noised(OU, t)
        means, covs = m * means, m * m * covs + v * np.eye(3)  # the analytic noised law, for torch
    ref_s, ref_j, ref_h = torch_derivatives(torch_mixture_logpdf(weights, means, covs), pts)
    ref_lp = np.array([torch_mixture_logpdf(weights, means, covs)(torch.tensor(p)).item() for p in pts])
    # Both sides are float64 but factorise the covariances differently (eigh vs Cholesky): agreement to
    # ~1e-13 times the condition number (< 100 here) of the covariances; 1e-9 relative leaves margin.
    np.testing.assert_allclose(mix.log_prob(pts), ref_lp, rtol=1e-10, atol=1e-10)
    for got, ref in (
        (mix.score(pts), ref_s),
        (mix.score_jacobian(pts), ref_j),
        (mix.score_hessian(pts), ref_h),
    ):
        np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max())


def test_mixture_derivatives_match_finite_differences(mixture_case):
    weights, means, covs, pts = mixture_case
    mix = GaussianMixture(weights, means, covs)
    h = 1e-5
    # central differences: truncation h^2/6 |f'''| ~ 1e-10 * O(10), round-off eps |f| / h ~ 1e-11 * O(10);
    # 1e-6 relative to the largest entry is safe.
    for lower, higher in ((mix.log_prob, mix.score), (mix.score, mix.score_jacobian)):
        ref = central_diff(lower, pts, h)
        np.testing.assert_allclose(higher(pts), ref, rtol=1e-6, atol=1e-6 * np.abs(ref).max())
    ref = central_diff(mix.score_jacobian, pts, h)
    got = mix.score_hessian(pts)
    np.testing.assert_allclose(got, ref, rtol=1e-6, atol=1e-6 * np.abs(ref).max())
    # third derivatives are symmetric in all three indices
    np.testing.assert_allclose(got, got.transpose(0, 2, 1, 3), atol=1e-12 * np.abs(got).max())
    np.testing.assert_allclose(got, got.transpose(0, 3, 2, 1), atol=1e-12 * np.abs(got).max())


def mp_mixture_score(weights, means, covs, x):
    """Score of a Gaussian mixture at one point, in mpmath at 50 digits (no log-sum-exp needed there)."""
    with mpmath.workdps(50):
        num = mpmath.matrix(len(x), 1)
        den = mpmath.mpf(0)
        for w, m, c in zip(weights, means, covs):
            cm = mpmath.matrix(c.tolist())
            diff = mpmath.matrix((np.asarray(x) - m).tolist())
            sol = mpmath.lu_solve(cm, diff)
            dens = w * mpmath.exp(-(diff.T * sol)[0] / 2) / mpmath.sqrt(mpmath.det(cm))
            num += dens * (-sol)
            den += dens
        return np.array([float(num[i] / den) for i in range(len(x))])


def test_mixture_far_out_points_are_finite_and_correct():
    # Two separated components; points 50 standard deviations out, where every e^{l_k} underflows in
    # float64 (e^{-1250} = 0), so a naive ratio of densities gives 0/0 = NaN.
    weights = np.array([0.3, 0.7])
    means = np.array([[0.0, 0.0], [4.0, 1.0]])
    covs = np.array([[[1.0, 0.3], [0.3, 0.5]], [[0.6, -0.2], [-0.2, 1.2]]])
    mix = GaussianMixture(weights, means, covs)
    pts = np.array([[50.0, 0.0], [-50.0, 10.0], [4.0, -60.0], [40.0, 40.0]])
    with np.errstate(under="ignore"):
        naive = np.array(
            [
                [
                    w * np.exp(-0.5 * (p - m) @ np.linalg.solve(c, p - m))
                    for w, m, c in zip(weights, means, covs)
                ]
                for p in pts
            ]
        )
    assert np.all(naive == 0.0)  # the regime we claim to handle
    d = mixture_derivatives(
        pts, np.log(weights), means, *map(np.stack, zip(*[np.linalg.eigh(c) for c in covs])), 3
    )
    for arr in d:
        assert np.all(np.isfinite(arr))
    ref = np.stack([mp_mixture_score(weights, means, covs, p) for p in pts])
    # the score is O(100) here and computed from O(100) terms: float64 round-off, 1e-12 relative
    np.testing.assert_allclose(mix.score(pts), ref, rtol=1e-12)
    _, ref_j, ref_h = torch_derivatives(torch_mixture_logpdf(weights, means, covs), pts)
    np.testing.assert_allclose(mix.score_jacobian(pts), ref_j, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(mix.score_hessian(pts), ref_h, rtol=1e-9, atol=1e-9)


def test_gaussian_jacobian_is_minus_precision_and_hessian_zero():
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    g = Gaussian([1.0, -1.0], cov)
    pts = np.array([[0.0, 0.0], [3.0, 2.0]])
    np.testing.assert_allclose(
        g.score_jacobian(pts), np.broadcast_to(-np.linalg.inv(cov), (2, 2, 2)), rtol=1e-13
    )
    assert np.all(g.score_hessian(pts) == 0.0)
    ref = -np.linalg.solve(cov, (pts - [1.0, -1.0]).T).T
    np.testing.assert_allclose(g.score(pts), ref, rtol=1e-13)


# ---------------------------------------------------------------------------------------------------
# noised 1-D densities (posterior-cumulant path) against closed forms at 50 digits
# ---------------------------------------------------------------------------------------------------


def mp_derivs(logp, x, n=3, dps=50):
    """[log p, d/dx, d^2/dx^2, d^3/dx^3] of an mpmath function at x, with ``dps`` (default 50) digits."""
    with mpmath.workdps(dps):
        return [float(mpmath.diff(logp, mpmath.mpf(x), k)) for k in range(n + 1)]


@pytest.fixture(scope="module")
def gauss1d():
    mu0, s0 = 0.7, 1.3
    return mu0, s0, Density1D(-((X - mu0) ** 2) / (2 * s0**2), (-math.inf, math.inf))


@pytest.mark.parametrize("t", [1.0, 0.1, 1e-3, 1e-5])
def test_noised_gaussian_density1d_matches_closed_form(gauss1d, t):
    mu0, s0, dens = gauss1d
    m, v = OU.mean_coeff(t), OU.var(t)
    noised = dens.noised(OU, t)
    # the exact law is N(m mu0, m^2 s0^2 + v): log-density by mpmath at 50 digits, derivatives by mpmath.diff
    with mpmath.workdps(50):
        var_t = mpmath.mpf(m) ** 2 * mpmath.mpf(s0) ** 2 + mpmath.mpf(v)
        mean_t = mpmath.mpf(m) * mpmath.mpf(mu0)

        def logp(z):
            return -((z - mean_t) ** 2) / (2 * var_t) - mpmath.log(2 * mpmath.pi * var_t) / 2

        pts = [float(mean_t + k * mpmath.sqrt(var_t)) for k in (-3.0, 0.3, 2.0)]
        ref = np.array([mp_derivs(logp, p) for p in pts])
    d = noised.derivatives(np.array(pts)[:, None], 3)
    got = np.column_stack([d.log_prob, d.score[:, 0], d.jacobian[:, 0, 0], d.hessian[:, 0, 0, 0]])
    jscale = 1.0 / (m * m * s0**2 + v)  # |d^2 log p| = 1/var_t, and the score is O(3/sqrt(var_t))
    # t >= 0.1 runs the float64 quadrature (relative accuracy ~1e-12 of the posterior moments; the
    # Jacobian -1/v + m^2 Var / v^2 loses log10(1/v) < 1 digit there); t <= 1e-3 runs mpmath at
    # 30 + 2 log10(1/v) digits, so only the final rounding to float64 remains.
    tol = 1e-9 if t >= 0.1 else 1e-12
    np.testing.assert_allclose(got[:, 0], ref[:, 0], rtol=tol, atol=tol)
    np.testing.assert_allclose(got[:, 1], ref[:, 1], rtol=tol, atol=tol * math.sqrt(jscale))
    np.testing.assert_allclose(got[:, 2], ref[:, 2], rtol=tol)
    # the exact third derivative is 0; its scale is (m/v)^3 Var^{3/2} ~ jscale^{3/2} ... times round-off
    np.testing.assert_allclose(got[:, 3], 0.0, atol=tol * jscale**1.5)


def laplace_noised_logpdf(m, v):
    """log p_t for X_0 ~ Laplace(0, 1): the exponentially modified Gaussian in closed form (mpmath)."""
    b, s = mpmath.mpf(m), mpmath.sqrt(mpmath.mpf(v))

    # density of m X_0 is e^{-|u|/b} / (2b); convolved with N(0, s^2), with r = s sqrt(2):
    # p(x) = e^{s^2/(2b^2)} / (4b) [e^{-x/b} erfc((s^2/b - x)/r) + e^{x/b} erfc((s^2/b + x)/r)]
    def logp(x):
        c = mpmath.exp(s**2 / (2 * b**2)) / (4 * b)
        r = s * mpmath.sqrt(2)
        left = mpmath.exp(-x / b) * mpmath.erfc((s**2 / b - x) / r)
        right = mpmath.exp(x / b) * mpmath.erfc((s**2 / b + x) / r)
        return mpmath.log(c * (left + right))

    return logp


@pytest.mark.parametrize("t", [0.5, 1e-3])
def test_noised_laplace_matches_erfc_closed_form(t):
    dens = Density1D(-sp.Abs(X), (-math.inf, math.inf))
    m, v = OU.mean_coeff(t), OU.var(t)
    noised = dens.noised(OU, t)
    sd = math.sqrt(v)
    pts = [0.0, 0.5 * sd, -2.0, 6.0]  # on the kink, within one noise std of it, and in the bulk/tail
    with mpmath.workdps(50):
        ref = np.array([mp_derivs(laplace_noised_logpdf(m, v), p) for p in pts])
    d = noised.derivatives(np.array(pts)[:, None], 3)
    got = np.column_stack([d.log_prob, d.score[:, 0], d.jacobian[:, 0, 0], d.hessian[:, 0, 0, 0]])
    # near the kink the derivatives reach |d^k log p| ~ v^{-(k-1)/2} (the smoothed |x|); the quadrature
    # splits at the kink, so float64 (t = 0.5) gives ~1e-10 relative and mpmath (t = 1e-3) ~1e-13.
    tol = 1e-8 if t >= 0.1 else 1e-11
    for k in range(4):
        scale = max(1.0, np.abs(ref[:, k]).max())
        np.testing.assert_allclose(got[:, k], ref[:, k], rtol=tol, atol=tol * scale)


@pytest.mark.parametrize("t", [0.3, 1e-3])
def test_noised_exponential_matches_closed_form(t):
    # X_0 ~ Exp(1) on [0, inf): p_t(x) = e^{-x/m + v/(2m^2)} Phi((x - v/m)/sqrt(v)) / m.  Points left of the
    # support put the posterior against the boundary x_0 = 0.
    dens = Density1D(-X, (0.0, math.inf))
    m, v = OU.mean_coeff(t), OU.var(t)
    pts = [-5.0, -1.0, 0.0, 0.05, 3.0, 30.0]
    with mpmath.workdps(60):
        M, V = mpmath.mpf(m), mpmath.mpf(v)

        def logp(z):
            return (
                -mpmath.log(M)
                - z / M
                + V / (2 * M * M)
                + mpmath.log(mpmath.erfc(-(z - V / M) / mpmath.sqrt(2 * V)) / 2)
            )

        ref = np.array([mp_derivs(logp, p) for p in pts])
    d = dens.noised(OU, t).derivatives(np.array(pts)[:, None], 3)
    got = np.column_stack([d.log_prob, d.score[:, 0], d.jacobian[:, 0, 0], d.hessian[:, 0, 0, 0]])
    # float path (t = 0.3, v = 0.45): ~1e-14 observed; mpmath: correctly rounded; relative to max(1, |ref|)
    scale = np.maximum(1.0, np.abs(ref))
    assert np.all(np.abs(got - ref) <= 1e-11 * scale)


def test_noised_arcsine_endpoint_singularity():
    # Beta(1/2, 1/2): q ~ x^{-1/2} at both ends.  scipy's Gauss-Kronrod rules converge slowly there while
    # reporting success (~1e-8 errors), so "auto" must route this density to mpmath's tanh-sinh rule.
    dens = Density1D(-sp.log(X) / 2 - sp.log(1 - X) / 2, (0.0, 1.0))
    assert not dens._prior.smooth_ends
    t = 0.5
    m, v = OU.mean_coeff(t), OU.var(t)
    pts = [-0.3, 0.5, 1.4]
    with mpmath.workdps(30):  # the rounding of nodes onto x^{-1/2} ends costs ~sqrt(10^-dps): 30 gives 1e-15
        M, V = mpmath.mpf(m), mpmath.mpf(v)

        def logp(z):
            def kern(y):
                return mpmath.exp(-((z - M * y) ** 2) / (2 * V)) / (mpmath.pi * mpmath.sqrt(y * (1 - y)))

            return mpmath.log(mpmath.quad(kern, [0, 0.5, 1])) - mpmath.log(2 * mpmath.pi * V) / 2

        ref = np.array([mp_derivs(logp, p, n=1, dps=30) for p in pts])
    d = dens.noised(OU, t).derivatives(np.array(pts)[:, None], 1)
    # tanh-sinh at >= 30 digits on both sides: float64 rounding only
    np.testing.assert_allclose(d.log_prob, ref[:, 0], rtol=1e-13)
    np.testing.assert_allclose(d.score[:, 0], ref[:, 1], rtol=1e-12, atol=1e-13)


def test_noised_mixture_density1d_matches_gaussian_mixture_closed_form():
    # a bimodal 1-D density given as a sympy log-density; its noised law is a 1-D mixture in closed form
    w, mus, sds = [0.35, 0.65], [-1.5, 2.0], [0.5, 0.8]
    expr = sp.log(sum(wk * sp.exp(-((X - mk) ** 2) / (2 * sk**2)) / sk for wk, mk, sk in zip(w, mus, sds)))
    dens = Density1D(expr, (-math.inf, math.inf))
    t = 1e-5
    m, v = OU.mean_coeff(t), OU.var(t)
    with mpmath.workdps(50):

        def logp(z):
            tot = 0
            for wk, mk, sk in zip(w, mus, sds):
                vk = mpmath.mpf(m) ** 2 * mpmath.mpf(sk) ** 2 + mpmath.mpf(v)
                tot += (
                    wk
                    * mpmath.exp(-((z - m * mpmath.mpf(mk)) ** 2) / (2 * vk))
                    / mpmath.sqrt(2 * mpmath.pi * vk)
                )
            return mpmath.log(tot)

        pts = [-1.5, 0.1, 0.9, 3.0]
        ref = np.array([mp_derivs(logp, p) for p in pts])
    d = dens.noised(OU, t).derivatives(np.array(pts)[:, None], 3)
    got = np.column_stack([d.log_prob, d.score[:, 0], d.jacobian[:, 0, 0], d.hessian[:, 0, 0, 0]])
    # mpmath path (v = 2e-5): the outputs are correctly rounded up to quadrature error ~1e-30
    for k in range(4):
        np.testing.assert_allclose(
            got[:, k], ref[:, k], rtol=1e-11, atol=1e-11 * max(1, np.abs(ref[:, k]).max())
        )


def test_mpmath_is_needed_at_small_t(gauss1d):
    # Where double precision cancels: at t = 1e-5 (v = 2e-5) the float64 path's Jacobian
    # -1/v + m^2 Var/v^2 loses ~log10(1/v) ~ 5 digits and the third cumulant ~ 7; mpmath keeps all.
    mu0, s0, dens = gauss1d
    t = 1e-5
    m, v = OU.mean_coeff(t), OU.var(t)
    x = np.array([[m * mu0 + 1.0]])
    exact_jac = -1.0 / (m * m * s0**2 + v)
    err = {}
    for method in ("float", "mpmath"):
        d = dens.noised(OU, t, method=method).derivatives(x, 3)
        err[method] = (abs(d.jacobian[0, 0, 0] - exact_jac), abs(d.hessian[0, 0, 0, 0]))
    assert err["mpmath"][0] < 1e-14 and err["mpmath"][1] < 1e-12
    assert err["float"][0] > 1e-12 or err["float"][1] > 1e-10  # the cancellation is real in float64


def test_noised_density1d_far_out_point(gauss1d):
    # 50 standard deviations of p_t away: the posterior sits far from the prior's bulk
    mu0, s0, dens = gauss1d
    t = 0.3
    m, v = OU.mean_coeff(t), OU.var(t)
    var_t = m * m * s0**2 + v
    x = m * mu0 + 50.0 * math.sqrt(var_t)
    d = dens.noised(OU, t).derivatives([[x], [-x]], 2)
    assert np.all(np.isfinite(d.score)) and np.all(np.isfinite(d.jacobian))
    ref = -(np.array([x, -x]) - m * mu0) / var_t
    np.testing.assert_allclose(d.score[:, 0], ref, rtol=1e-9)
    np.testing.assert_allclose(d.jacobian[:, 0, 0], -1.0 / var_t, rtol=1e-8)


def test_float_and_mpmath_paths_agree_on_a_bounded_density():
    # Beta(2, 5) on [0, 1] at moderate t: both quadratures, endpoints of the support inside the window
    dens = Density1D(sp.log(X) + 4 * sp.log(1 - X), (0.0, 1.0))
    t = 0.05
    pts = np.array([[-0.2], [0.0], [0.3], [1.1]])
    a = dens.noised(OU, t, method="float").derivatives(pts, 3)
    b = dens.noised(OU, t, method="mpmath").derivatives(pts, 3)
    for k in range(4):  # float path: moment accuracy ~1e-12, amplified by (m w / v)^k, w / v <~ 10 here
        np.testing.assert_allclose(a[k], b[k], rtol=1e-8, atol=1e-8 * max(1.0, np.abs(b[k]).max()))


def test_working_dps_grows_with_small_variance():
    assert working_dps(2.0) == 30
    assert working_dps(1e-5) == 40
    assert working_dps(1e-3) < working_dps(1e-6)


# ---------------------------------------------------------------------------------------------------
# order 4 (log_density_derivative): mixtures vs autograd, 1-D densities vs closed forms
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("t", [None, 0.5, 1e-3])
def test_mixture_fourth_derivative_matches_torch_autograd(mixture_case, t):
    weights, means, covs, pts = mixture_case
    mix = GaussianMixture(weights, means, covs)
    if t is not None:
        m, v = OU.mean_coeff(t), OU.var(t)
        mix = mix.noised(OU, t)
        means, covs = m * means, m * m * covs + v * np.eye(3)
    logp = torch_mixture_logpdf(weights, means, covs)
    d4 = torch.func.jacfwd(torch.func.jacfwd(torch.func.jacrev(torch.func.grad(logp))))
    pts = pts[:3]  # nested forward-mode autograd costs ~1 s per point
    ref = np.stack([d4(torch.tensor(p, dtype=torch.float64)).numpy() for p in pts])
    got = mix.log_density_derivative(pts, 4)
    # both float64; torch differentiates through a Cholesky factorisation, we use eigh: ~1e-13 times the
    # covariance condition number (< 100) and the size of the cancelling cumulant terms (< 100 here)
    np.testing.assert_allclose(got, ref, rtol=1e-8, atol=1e-9 * np.abs(ref).max())
    np.testing.assert_allclose(got, got.transpose(0, 2, 1, 3, 4), atol=1e-12 * np.abs(got).max())
    np.testing.assert_allclose(got, got.transpose(0, 4, 2, 3, 1), atol=1e-12 * np.abs(got).max())


@pytest.mark.parametrize("t", [0.5, 1e-3])
def test_noised_laplace_fourth_derivative_matches_erfc_closed_form(t):
    dens = Density1D(-sp.Abs(X), (-math.inf, math.inf))
    m, v = OU.mean_coeff(t), OU.var(t)
    pts = [0.0, 0.5 * math.sqrt(v), -2.0, 6.0]
    with mpmath.workdps(50):
        ref = np.array([mp_derivs(laplace_noised_logpdf(m, v), p, n=4)[4] for p in pts])
    got = dens.noised(OU, t).log_density_derivative(np.array(pts)[:, None], 4).ravel()
    # as for orders 0-3 above (kink at 0, |d^4| ~ v^{-3/2}): float64 quadrature ~1e-9, mpmath ~1e-13
    tol = 1e-7 if t >= 0.1 else 1e-10
    np.testing.assert_allclose(got, ref, rtol=tol, atol=tol * np.abs(ref).max())


def test_noised_1d_fourth_derivative_at_small_t_mixture(gauss1d):
    # a 1-D Gaussian noised at t = 1e-6 (v = 2e-6): exact 4th derivative is 0; its terms are of size
    # (m w / v)^4 w^4 ~ v^-2 = 2.5e11, so any float64 route would leave ~1e-5; mpmath leaves < 1e-10
    mu0, s0, dens = gauss1d
    t = 1e-6
    m, v = OU.mean_coeff(t), OU.var(t)
    var_t = m * m * s0**2 + v
    x = np.array([[m * mu0 + 0.5], [m * mu0 - 2.0]])
    law = dens.noised(OU, t)
    assert np.all(np.abs(law.log_density_derivative(x, 4)) < 1e-10)
    np.testing.assert_allclose(law.log_density_derivative(x, 2).ravel(), -1 / var_t, rtol=1e-13)


def test_free_function_alias():
    from sgmverify.laws import log_density_derivative

    g = GaussianMixture([0.5, 0.5], [[0.0], [2.0]], [[[1.0]], [[0.5]]]).noised(OU, 0.1)
    x = np.array([[0.3], [1.0]])
    for k in range(5):
        np.testing.assert_array_equal(log_density_derivative(g, x, k), g.log_density_derivative(x, k))
