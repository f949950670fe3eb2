"""Tests of sgmverify.sensitivity._samples: augmented PF-ODE (x, log p, y), reverse-SDE variant, torch models.

References: complex-step RK4 / EM on the perturbed law from the same x_T (exact derivative of the discrete
map, no cancellation), the rk4_ode sampler, closed-form log p_t of mixtures, a torch re-implementation of
the mixture score (autodiff against closed-form JVP / divergence).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from sgmverify.errors import InvalidParameterError, ShapeError, TimeDomainError
from sgmverify.laws import GaussianMixture
from sgmverify.samplers import coarsen_noise, draw_noise, sample, time_grid
from sgmverify.sde import VP
from sgmverify.sensitivity import (
    MixtureScoreModel,
    Perturbation,
    TorchScoreModel,
    likelihood_log_density,
    sample_sensitivity,
    sde_sample_sensitivity,
)

PROC = VP(0.1, 20.0)


def _rho(d: int = 3) -> GaussianMixture:
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, d, d)) * 0.3
    covs = np.stack([a @ a.T + 0.2 * np.eye(d) for a in A])
    return GaussianMixture([0.3, 0.5, 0.2], 1.5 * rng.standard_normal((3, d)), covs)


def _chi(d: int = 3) -> Perturbation:
    z = np.zeros(d)
    z[0] = 2.5
    return Perturbation([1.0], z[None], 0.3 * np.eye(d))


def _step(comb, x, t0, t1, noise=None):
    """One backward step of RK4 on the PF-ODE (noise None) or of EM on the reverse SDE; complex-safe."""
    a = lambda t: float(PROC.drift_coeff(t))  # noqa: E731
    g2 = lambda t: float(PROC.diffusion(t)) ** 2  # noqa: E731
    h = t0 - t1
    if noise is not None:
        s = comb.noised(PROC, t0).combination_score(x)
        return x + h * (-a(t0) * x + g2(t0) * s) + np.sqrt(g2(t0) * h) * noise

    def F(x, t):
        return -(a(t) * x - 0.5 * g2(t) * comb.noised(PROC, t).combination_score(x))

    k1 = F(x, t0)
    k2 = F(x + 0.5 * h * k1, t0 - 0.5 * h)
    k3 = F(x + 0.5 * h * k2, t0 - 0.5 * h)
    k4 = F(x + h * k3, t1)
    return x + h * (k1 / 6 + k2 / 3 + k3 / 3 + k4 / 6)


def _complex_step(rho, chi, x_T, grid, noise=None):
    h = 1e-30
    comb = Perturbation.from_distribution(rho) + (1j * h) * chi
    x = x_T.astype(complex)
    for k in range(grid.size - 1):
        x = _step(comb, x, grid[k], grid[k + 1], None if noise is None else noise[k])
    return x.imag / h


@pytest.fixture(scope="module")
def setup():
    rho, chi = _rho(), _chi()
    m = MixtureScoreModel(rho, PROC)
    x_T = rho.noised(PROC, 1.0).sample(5, np.random.default_rng(1))
    grid = time_grid("quadratic", 1.0, 300, 1e-3)
    return rho, chi, m, x_T, grid


def test_ode_sensitivity_is_derivative_of_discrete_map(setup):
    rho, chi, m, x_T, grid = setup
    yc = _complex_step(rho, chi, x_T, grid)
    exact_r = sample_sensitivity(PROC, m, chi, x_T, grid, m.log_density(x_T, 1.0), log_density=m.log_density)
    # with r from the exact density the joint RK4 stages give the discrete derivative: roundoff only
    np.testing.assert_allclose(exact_r.y, yc, rtol=1e-11, atol=1e-12 * np.abs(yc).max())
    res = sample_sensitivity(PROC, m, chi, x_T, grid, m.log_density(x_T, 1.0), keep_path=True)
    # with the integrated l: its RK4 error (~1e-9) enters r linearly
    np.testing.assert_allclose(res.y, yc, rtol=1e-7, atol=1e-8 * np.abs(yc).max())
    plain = sample(PROC, m.score, x_T, grid, "rk4_ode")
    np.testing.assert_allclose(res.x, plain.x, rtol=0, atol=1e-12)
    exact = np.stack([m.log_density(res.x_path[k], t) for k, t in enumerate(grid)])
    assert np.max(np.abs(res.log_p_path - exact)) < 1e-8  # 300 quadratic RK4 steps
    assert res.nfe == 4 * (grid.size - 1)
    np.testing.assert_array_equal(res.log_p_se, 0.0)


def test_central_difference_of_perturbed_samples_converges(setup):
    rho, chi, m, x_T, grid = setup
    res = sample_sensitivity(PROC, m, chi, x_T, grid, m.log_density(x_T, 1.0))
    base = Perturbation.from_distribution(rho)
    errs = []
    for eps in (1e-3, 5e-4):
        xp = x_T.copy()
        xm = x_T.copy()
        for k in range(grid.size - 1):
            xp = _step(base + eps * chi, xp, grid[k], grid[k + 1])
            xm = _step(base + (-eps) * chi, xm, grid[k], grid[k + 1])
        errs.append(np.max(np.abs((xp - xm) / (2 * eps) - res.y)))
    assert 3.0 < errs[0] / errs[1] < 5.0  # O(eps^2): halving eps divides the error by ~4


def test_prior_start_rescales_y(setup):
    _, chi, m, x_T, grid = setup
    prior = PROC.prior(1.0, 3)
    a = sample_sensitivity(PROC, m, chi, x_T, grid, m.log_density(x_T, 1.0))
    b = sample_sensitivity(PROC, m, chi, x_T, grid, prior.log_prob(x_T))
    f = np.exp(m.log_density(x_T, 1.0) - prior.log_prob(x_T))
    np.testing.assert_allclose(b.y, a.y * f[:, None], rtol=1e-12)


# ------------------------------------------------------------------------------ torch models
def _torch_fn(rho):
    def fn(x: torch.Tensor, t: float) -> torch.Tensor:
        a, v = float(PROC.mean_coeff(t)), float(PROC.var(t))
        C = torch.as_tensor(a * a * rho.covs + v * np.eye(rho.dim))
        P = torch.linalg.inv(C)
        diff = x[:, None, :] - torch.as_tensor(a * rho.means)[None]
        g = -torch.einsum("kab,nkb->nka", P, diff)
        L = torch.log(torch.as_tensor(rho.weights)) - 0.5 * (
            torch.einsum("nka,nka->nk", -g, diff) + torch.logdet(C)
        )
        return torch.einsum("nk,nka->na", torch.softmax(L, dim=1), g)

    return fn


def test_torch_model_matches_closed_form(setup):
    rho, chi, m, x_T, grid = setup
    tm = TorchScoreModel(_torch_fn(rho), 3, "exact")
    x = rho.noised(PROC, 0.2).sample(6, np.random.default_rng(2))
    v = np.random.default_rng(3).standard_normal(x.shape)
    a, b = m.evaluate(x, 0.2, v, True), tm.evaluate(x, 0.2, v, True)
    # closed form vs forward-mode autodiff of a re-implementation: agreement to roundoff of |J| ~ 10
    np.testing.assert_allclose(b.score, a.score, rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(b.jvp, a.jvp, rtol=1e-10, atol=1e-11)
    np.testing.assert_allclose(b.div, a.div, rtol=1e-10, atol=1e-11)
    g = grid[::10]
    ra = sample_sensitivity(PROC, m, chi, x_T, g, m.log_density(x_T, 1.0))
    rb = sample_sensitivity(PROC, tm, chi, x_T, g, m.log_density(x_T, 1.0))
    np.testing.assert_allclose(rb.y, ra.y, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(rb.log_p, ra.log_p, rtol=1e-11)


def test_hutchinson_unbiased_with_stated_variance(setup):
    rho = setup[0]
    x = rho.noised(PROC, 0.2).sample(1, np.random.default_rng(4))
    m = MixtureScoreModel(rho, PROC)
    A = rho.noised(PROC, 0.2).score_jacobian(x)[0]
    var_theory = 0.5 * sum((A[a, b] + A[b, a]) ** 2 for a in range(3) for b in range(3) if a != b)
    probes = 4000
    tm = TorchScoreModel(_torch_fn(rho), 3, "hutchinson", probes=probes)
    ev = tm.evaluate(x, 0.2, None, True, rng=np.random.default_rng(5))
    exact = m.evaluate(x, 0.2, None, True).div
    # reported variance of the mean vs theory (sample variance of 4000 draws: ~5% relative error)
    assert ev.div_var[0] * probes == pytest.approx(var_theory, rel=0.15)
    assert abs(ev.div[0] - exact[0]) < 4 * np.sqrt(ev.div_var[0])  # 4-sigma, fixed seed


def test_hutchinson_path_log_density_ci(setup):
    rho, chi, m, _, grid = setup
    x_T = rho.noised(PROC, 1.0).sample(40, np.random.default_rng(6))
    g = grid[::10]
    tm = TorchScoreModel(_torch_fn(rho), 3, "hutchinson", probes=4)
    res = sample_sensitivity(PROC, tm, chi, x_T, g, m.log_density(x_T, 1.0), rng=np.random.default_rng(7))
    ref = sample_sensitivity(PROC, m, chi, x_T, g, m.log_density(x_T, 1.0))
    lo, hi = res.log_p_ci()
    covered = np.mean((ref.log_p >= lo) & (ref.log_p <= hi))
    assert np.all(res.log_p_se > 0)
    assert covered >= 0.8  # nominal 95%; 40 paths, fixed seed


# ---------------------------------------------------------------------------- reverse SDE, likelihood ODE
def test_sde_sensitivity_is_derivative_of_em_map(setup):
    rho, chi, m, x_T, _ = setup
    grid = time_grid("quadratic", 1.0, 200, 1e-3)
    noise = draw_noise(np.random.default_rng(8), 200, x_T.shape[0], 3)
    res = sde_sample_sensitivity(
        PROC, m, chi, x_T, grid, m.log_density(x_T, 1.0), noise, log_density=m.log_density
    )
    yc = _complex_step(rho, chi, x_T, grid, noise)
    np.testing.assert_allclose(res.y, yc, rtol=1e-10, atol=1e-11 * np.abs(yc).max())
    em = sample(PROC, m.score, x_T, grid, "em", noise=noise)
    np.testing.assert_allclose(res.x, em.x, rtol=0, atol=1e-12)


def test_sde_log_density_converges_at_strong_order_half():
    rho = GaussianMixture([1.0], [[0.3, -0.2, 0.1]], 0.5 * np.eye(3))
    m = MixtureScoreModel(rho, PROC)
    chi = _chi()
    x_T = rho.noised(PROC, 1.0).sample(20, np.random.default_rng(9))
    fine = time_grid("uniform", 1.0, 3200, 1e-2)
    z = draw_noise(np.random.default_rng(10), 3200, 20, 3)
    errs = []
    for factor in (32, 8, 2):
        g = fine[::factor]
        res = sde_sample_sensitivity(
            PROC, m, chi, x_T, g, m.log_density(x_T, 1.0), coarsen_noise(z, fine, factor)
        )
        errs.append(np.sqrt(np.mean((res.log_p - m.log_density(res.x, g[-1])) ** 2)))
    slope = np.polyfit(np.log([100, 400, 1600]), np.log(errs), 1)[0]
    assert -0.8 < slope < -0.3  # strong order 1/2 (reference: RMS 0.47, 0.14, 0.046 per decade)


def test_likelihood_ode_log_density(setup):
    rho, _, m, _, _ = setup
    pT = rho.noised(PROC, 1.0)
    logp = likelihood_log_density(m, PROC, 1.0, pT.log_prob, steps=200)
    x = rho.noised(PROC, 0.2).sample(4, np.random.default_rng(11))
    np.testing.assert_allclose(logp(x, 0.2), m.log_density(x, 0.2), atol=1e-7)  # RK4 on 200 steps


# ------------------------------------------------------------------------------ bad input
def test_bad_input(setup):
    _, chi, m, x_T, grid = setup
    lp = m.log_density(x_T, 1.0)
    with pytest.raises(TimeDomainError):
        sample_sensitivity(PROC, m, chi, x_T, time_grid("uniform", 1.0, 10, 0.0), lp)
    with pytest.raises(ShapeError):
        sample_sensitivity(PROC, m, chi, x_T[:, :2], grid, lp)
    with pytest.raises(ShapeError):
        sample_sensitivity(PROC, m, chi, x_T, grid, lp[:2])
    nan_model = TorchScoreModel(lambda x, t: x * float("nan"), 3)
    with pytest.raises(InvalidParameterError, match="NaN"):
        sample_sensitivity(PROC, nan_model, chi, x_T, grid[:3], lp)
    bad_shape = TorchScoreModel(lambda x, t: x[:, :2], 3)
    with pytest.raises(ShapeError):
        sample_sensitivity(PROC, bad_shape, chi, x_T, grid[:3], lp)
    with pytest.raises(InvalidParameterError):
        TorchScoreModel(lambda x, t: x, 3, "hutchinson", probes=1)
    with pytest.raises(InvalidParameterError, match="rng"):
        TorchScoreModel(lambda x, t: x, 3, "hutchinson").evaluate(x_T, 0.5, None, True)


def _mlp_fn(d: int = 3):
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(d + 1, 16),
        torch.nn.SiLU(),
        torch.nn.Linear(16, 16),
        torch.nn.Tanh(),
        torch.nn.Linear(16, d),
    ).double()

    def fn(x: torch.Tensor, t: float) -> torch.Tensor:
        return net(torch.cat([x, torch.full((x.shape[0], 1), t, dtype=x.dtype)], dim=1)) - x

    return fn


def _central_jvp(score, x, t, v, h=1e-5):
    """(s(x + h v) - s(x - h v)) / 2h: truncation O(h^2 |s'''|) ~ 1e-10, roundoff ~ 1e-16/h ~ 1e-11."""
    return (score(x + h * v, t) - score(x - h * v, t)) / (2 * h)


def test_forward_mode_products_match_reverse_mode_and_finite_differences():
    d = 3
    fn = _mlp_fn(d)
    x = np.random.default_rng(6).standard_normal((7, d))
    v = np.random.default_rng(7).standard_normal((7, d))
    for mode in ("exact", "hutchinson"):
        fwd, rev = TorchScoreModel(fn, d, mode), TorchScoreModel(fn, d, mode)
        rev.forward_mode = False
        a = fwd.evaluate(x, 0.3, v, True, rng=np.random.default_rng(8))
        b = rev.evaluate(x, 0.3, v, True, rng=np.random.default_rng(8))
        assert fwd.forward_mode, "a plain torch MLP runs under torch.func.jvp/vmap"
        # the same derivatives by two AD modes: equal to roundoff
        for p, q in [(a.score, b.score), (a.jvp, b.jvp), (a.div, b.div), (a.div_var, b.div_var)]:
            np.testing.assert_allclose(p, q, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(a.jvp, _central_jvp(fwd.score, x, 0.3, v), rtol=1e-7, atol=1e-8)
    # exact divergence = trace of the finite-difference Jacobian
    exact = TorchScoreModel(fn, d, "exact").evaluate(x, 0.3, None, True)
    fd_trace = sum(_central_jvp(fwd.score, x, 0.3, np.eye(d)[i] + 0 * x)[:, i] for i in range(d))
    np.testing.assert_allclose(exact.div, fd_trace, rtol=1e-7, atol=1e-8)


def test_a_score_that_reads_tensor_data_falls_back_to_reverse_mode():
    d = 3
    fn = _mlp_fn(d)

    def reads_data(x: torch.Tensor, t: float) -> torch.Tensor:
        if not np.all(np.isfinite(x.detach().numpy())):  # a tensor under torch.func.jvp has no data to read
            raise ValueError("x must be finite")
        return fn(x, t)

    x = np.random.default_rng(9).standard_normal((4, d))
    v = np.random.default_rng(10).standard_normal((4, d))
    tm = TorchScoreModel(reads_data, d, "exact")
    got = tm.evaluate(x, 0.3, v, True)
    assert not tm.forward_mode
    want = TorchScoreModel(fn, d, "exact").evaluate(x, 0.3, v, True)
    np.testing.assert_allclose(got.jvp, want.jvp, rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(got.div, want.div, rtol=1e-12, atol=1e-13)


def test_trained_network_score_runs_in_forward_mode():
    from sgmverify.nets import NetworkConfig
    from sgmverify.nets._networks import _build

    d = 2
    net = _build(None, PROC, NetworkConfig(width=16, depth=2, n_freq=2, dtype="float64"), d, 1.0)
    x = np.random.default_rng(11).standard_normal((5, d))
    v = np.random.default_rng(12).standard_normal((5, d))
    tm = TorchScoreModel(net.torch_score, d, "exact")
    ev = tm.evaluate(x, 0.25, v, True)
    assert tm.forward_mode, "coefficients() must not read tensor data under torch.func transforms"
    np.testing.assert_allclose(ev.score, net.score(x, 0.25), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(ev.jvp, _central_jvp(net.score, x, 0.25, v), rtol=1e-6, atol=1e-7)
    fd_trace = sum(_central_jvp(net.score, x, 0.25, np.eye(d)[i] + 0 * x)[:, i] for i in range(d))
    np.testing.assert_allclose(ev.div, fd_trace, rtol=1e-6, atol=1e-7)
