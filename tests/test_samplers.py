"""Tests of the samplers (`sgmverify.samplers`: `_grids`, `_schemes`, `_integrate`, `_eta`): grids, schemes,
statuses, coupling, bad input, and measured orders.

Reference problem (independent of the samplers): 1-D data N(MU, LAM) pushed through OU, whose exact score is
s_t(x) = -(x - m_t MU) / (m_t^2 LAM + sigma_t^2), and whose probability-flow ODE maps x_T to
x_0 = MU + sqrt(LAM / (m_T^2 LAM + sigma_T^2)) (x_T - m_T MU)   (the monotone map between the Gaussians).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sgmverify.errors import InvalidParameterError, ShapeError, TimeDomainError, UnknownNameError
from sgmverify.samplers import (
    SCHEMES,
    SamplerResult,
    Status,
    broadcast_coefficient,
    check_grid,
    coarsen_noise,
    draw_noise,
    eta_reverse_drift,
    get_scheme,
    karras_grid,
    quadratic_grid,
    sample,
    sample_eta,
    time_grid,
    uniform_grid,
)
from sgmverify.sde import OU, VE, VP, LinearSDE

MU, LAM, T = 0.5, 0.3, 1.0
FIXED = [name for name in SCHEMES if name != "adaptive_ode"]


@pytest.fixture(scope="module")
def ou():
    return OU()


def capped():
    """OU on the finite time domain [0, 1) (the shape of the cosine schedule, cheap to build)."""
    return LinearSDE(-1, "sqrt(2)", t_max=1.0, name="OU[t<1]")


def exact_score(process):
    def score(x, t):
        m, v = process.mean_coeff(t), process.var(t)
        return -(x - m * MU) / (m * m * LAM + v)

    return score


def flow_map(process, x_T):
    m, v = process.mean_coeff(T), process.var(T)
    return MU + math.sqrt(LAM / (m * m * LAM + v)) * (x_T - m * MU)


def slope(ks, errors):
    """Order p from error ~ C K^{-p}: minus the least-squares slope of log error against log K."""
    return -np.polyfit(np.log(ks), np.log(errors), 1)[0]


# ------------------------------------------------------------------------------------------ registry
def test_registry_declares_kind_and_order():
    for name, s in SCHEMES.items():
        assert s.name == name and s.kind in ("sde", "ode") and s.reference
        if s.kind == "sde":
            assert s.strong_order is not None and s.order is not None
    assert [SCHEMES[n].order for n in ("em", "ei", "euler_ode", "heun_ode", "rk4_ode")] == [1, 1, 1, 2, 4]
    assert SCHEMES["adaptive_ode"].order is None


def test_unknown_scheme_lists_known_names():
    with pytest.raises(UnknownNameError, match="heun_ode"):
        get_scheme("heun")


# ------------------------------------------------------------------------------------------ grids
@pytest.mark.parametrize("maker", [uniform_grid, quadratic_grid])
def test_simple_grids_monotone_with_exact_endpoints(maker):
    g = maker(2.0, 17, 0.01)
    assert g.shape == (18,) and g[0] == 2.0 and g[-1] == 0.01 and np.all(np.diff(g) < 0)


def test_uniform_and_quadratic_spacing():
    assert np.allclose(np.diff(uniform_grid(1.0, 4)), -0.25)
    steps = -np.diff(quadratic_grid(1.0, 8))
    assert np.all(np.diff(steps) < 0)  # steps shrink towards t_min
    assert np.allclose(quadratic_grid(1.0, 2), [1.0, 0.25, 0.0])


def test_karras_grid_matches_closed_form_for_ve():
    # VE ("exact"): m = 1, sigma^2 = smin^2 (r^{2t} - 1), so t(s) = log(1 + s^2/smin^2) / (2 log r).
    smin, smax, rho, K = 0.01, 50.0, 7.0, 12
    g = karras_grid(VE(smin, smax), 1.0, K, 1e-3, rho)
    sig = lambda t: smin * math.sqrt((smax / smin) ** (2 * t) - 1)  # noqa: E731
    s_hi, s_lo = sig(1.0), sig(1e-3)
    target = (s_hi ** (1 / rho) + np.arange(K + 1) / K * (s_lo ** (1 / rho) - s_hi ** (1 / rho))) ** rho
    expected = np.log1p(target**2 / smin**2) / (2 * math.log(smax / smin))
    assert np.allclose(g, expected, rtol=1e-12, atol=1e-13)  # bisection to float spacing


@pytest.mark.parametrize("process", [VP(0.1, 20.0), OU()])
def test_karras_grid_is_rho_spaced_in_edm_sigma(process):
    rho, K = 3.0, 20
    g = karras_grid(process, 1.0, K, 0.0, rho)
    assert g[0] == 1.0 and g[-1] == 0.0 and np.all(np.diff(g) < 0)
    s = (process.std(g) / process.mean_coeff(g)) ** (1 / rho)
    assert np.allclose(np.diff(s), np.diff(s)[0], rtol=1e-8, atol=1e-12)
    assert np.array_equal(time_grid("karras", 1.0, K, 0.0, process=process, rho=rho), g)


def test_time_grid_by_name():
    assert np.array_equal(time_grid("uniform", 1.0, 5), uniform_grid(1.0, 5))
    assert np.array_equal(time_grid("quadratic", 1.0, 5, 0.1), quadratic_grid(1.0, 5, 0.1))


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda: uniform_grid(1.0, 0), InvalidParameterError, "positive integer"),
        (lambda: uniform_grid(1.0, 2.5), InvalidParameterError, "positive integer"),
        (lambda: uniform_grid(1.0, True), InvalidParameterError, "positive integer"),
        (lambda: uniform_grid(0.5, 4, 0.5), InvalidParameterError, "T > t_min"),
        (lambda: quadratic_grid(1.0, 4, -0.1), TimeDomainError, "t_min must be >= 0"),
        (lambda: uniform_grid(math.nan, 4), InvalidParameterError, "finite"),
        (lambda: karras_grid(OU(), 1.0, 4, 0.0, rho=0.0), InvalidParameterError, "rho"),
        (lambda: karras_grid(capped(), 1.0, 4), TimeDomainError, "time domain"),
        (lambda: time_grid("karras", 1.0, 4), InvalidParameterError, "process="),
        (lambda: time_grid("log", 1.0, 4), UnknownNameError, "uniform"),
        (lambda: check_grid([0.0, 0.5, 1.0]), InvalidParameterError, "strictly decreasing"),
        (lambda: check_grid([1.0, 0.5, 0.5]), InvalidParameterError, "strictly decreasing"),
        (lambda: check_grid([1.0, math.nan]), InvalidParameterError, "NaN"),
        (lambda: check_grid([1.0]), ShapeError, "at least 2"),
        (lambda: check_grid([[1.0, 0.0]]), ShapeError, "1-D"),
        (lambda: check_grid([1.0, -0.1]), TimeDomainError, "t_min"),
        (lambda: check_grid([1.0, 0.0], capped()), TimeDomainError, "outside the process"),
    ],
)
def test_grid_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ---------------------------------------------------------------------------------- results and coupling
@pytest.mark.parametrize("scheme", FIXED)
def test_fixed_step_result_fields(ou, scheme):
    K = 8
    res = sample(ou, exact_score(ou), np.zeros((5, 2)), uniform_grid(T, K), scheme, rng=0)
    assert isinstance(res, SamplerResult) and res.ok and res.status is Status.OK and res.message == ""
    assert res.x.shape == (5, 2) and res.n_steps == K and res.t_final == 0.0
    assert res.nfe == K * SCHEMES[scheme].nfe_per_step


def test_shared_increments_make_runs_identical(ou):
    g = uniform_grid(T, 20)
    x0 = np.random.default_rng(1).standard_normal((50, 3))
    z = draw_noise(np.random.default_rng(7), 20, 50, 3)
    a = sample(ou, exact_score(ou), x0, g, "em", noise=z)
    b = sample(ou, exact_score(ou), x0, g, "em", noise=z.copy())
    c = sample(ou, exact_score(ou), x0, g, "em", noise=draw_noise(8, 20, 50, 3))
    assert np.array_equal(a.x, b.x) and not np.allclose(a.x, c.x)
    # the same seed as rng draws the same increments as draw_noise with that seed
    d = sample(ou, exact_score(ou), x0, g, "em", rng=np.random.default_rng(7))
    assert np.array_equal(a.x, d.x)


def test_ode_schemes_ignore_randomness(ou):
    g, x0 = uniform_grid(T, 10), np.ones((3, 1))
    a = sample(ou, exact_score(ou), x0, g, "heun_ode")
    b = sample(ou, exact_score(ou), x0, g, "heun_ode", rng=3, noise=np.zeros((1, 1, 1)))
    assert np.array_equal(a.x, b.x)


def test_coarsen_noise_is_the_block_brownian_increment():
    g = quadratic_grid(1.0, 8)
    z = draw_noise(0, 8, 4, 2)
    assert np.allclose(coarsen_noise(z, g, 1), z, rtol=1e-14, atol=0)
    zc = coarsen_noise(z, g, 4)
    h = -np.diff(g)
    w = (np.sqrt(h)[:, None, None] * z).reshape(2, 4, 4, 2).sum(axis=1)
    assert np.allclose(zc * np.sqrt(h.reshape(2, 4).sum(axis=1))[:, None, None], w)
    big = coarsen_noise(draw_noise(1, 8, 20000, 1), g, 2)  # still standard normal: var 1 +- 5 * sqrt(2/n)
    assert abs(big.var() - 1) < 5 * math.sqrt(2 / big.size)


def test_draw_noise_and_coarsen_errors():
    with pytest.raises(InvalidParameterError, match="n must be"):
        draw_noise(0, 4, 0, 1)
    with pytest.raises(InvalidParameterError, match="Generator"):
        draw_noise("seed", 4, 1, 1)
    with pytest.raises(ShapeError, match="noise must have shape"):
        coarsen_noise(np.zeros((3, 1, 1)), uniform_grid(1.0, 4), 2)
    with pytest.raises(InvalidParameterError, match="divisor"):
        coarsen_noise(np.zeros((4, 1, 1)), uniform_grid(1.0, 4), 3)


# ------------------------------------------------------------------------------------------ failure statuses
@pytest.mark.parametrize("scheme", [*FIXED, "adaptive_ode"])
def test_nan_score_gives_nan_status(ou, scheme):
    def score(x, t):  # breaks down below t = 0.5
        return np.full_like(x, np.nan) if t < 0.5 else -x

    res = sample(ou, score, np.ones((4, 2)), uniform_grid(T, 10), scheme, rng=0)
    assert res.status is Status.NAN and not res.ok and "NaN" in res.message
    if scheme == "adaptive_ode":  # the last accepted (finite) state; every accepted stage had t >= 0.5
        assert np.all(np.isfinite(res.x)) and res.t_final >= 0.5
    else:  # fixed steps stop after the first step whose result is non-finite: from 0.4 (0.5 for Heun/RK4)
        assert 0.3 - 1e-12 <= res.t_final < 0.5 and np.any(np.isnan(res.x))


@pytest.mark.parametrize("scheme", FIXED)
def test_overflow_is_a_status_not_a_warning(ou, scheme):
    # a huge score overflows to inf; numpy warnings are errors in this test suite (pyproject filterwarnings)
    res = sample(ou, lambda x, t: 1e300 * np.exp(x), np.ones((2, 1)), uniform_grid(T, 30), scheme, rng=0)
    assert res.status is Status.NAN and res.n_steps < 30


def test_adaptive_step_underflow_at_blow_up(ou):
    # score x^2 on OU: backward ODE dx/dtau = x + x^2, x(0) = 1, i.e. x = e^tau / (2 - e^tau), which blows
    # up at tau = log 2: the solver must stop there (t = 1 - log 2) and say so.
    res = sample(ou, lambda x, t: x**2, np.ones((3, 2)), uniform_grid(T, 1), "adaptive_ode")
    assert res.status is Status.STEP_UNDERFLOW and "step size" in res.message
    assert abs(res.t_final - (1 - math.log(2))) < 1e-3


def test_adaptive_budget(ou):
    res = sample(ou, exact_score(ou), np.ones((2, 1)), uniform_grid(T, 1), "adaptive_ode", max_nfe=5)
    assert res.status is Status.MAX_NFE and res.nfe == 5


def test_adaptive_matches_flow_map(ou):
    x_T = np.linspace(-2, 2, 7)[:, None]
    res = sample(ou, exact_score(ou), x_T, uniform_grid(T, 1), "adaptive_ode", rtol=1e-10, atol=1e-12)
    assert res.ok and res.n_steps > 1
    assert np.max(np.abs(res.x - flow_map(ou, x_T))) < 1e-8  # tolerance-controlled: ~1e2 * rtol


# ------------------------------------------------------------------------------------------ bad input
def _bad_calls(ou):
    g, x0, sc = uniform_grid(T, 4), np.zeros((3, 2)), exact_score(ou)
    return [
        (lambda: sample(ou, sc, x0, g, "milstein", rng=0), UnknownNameError, "choose one of"),
        (lambda: sample(ou, sc, x0, g[::-1], "em", rng=0), InvalidParameterError, "strictly decreasing"),
        (lambda: sample(ou, sc, x0, [1.0, 0.5, -0.5], "em", rng=0), TimeDomainError, "t_min"),
        (lambda: sample(capped(), sc, x0, [1.0, 0.0], "em", rng=0), TimeDomainError, "t_max|domain"),
        (lambda: sample(ou, sc, np.zeros(2), g, "em", rng=0), ShapeError, r"x\[None, :\]"),
        (lambda: sample(ou, sc, np.full((3, 2), np.nan), g, "em", rng=0), InvalidParameterError, "NaN"),
        (lambda: sample(ou, lambda x, t: x[:, :1], x0, g, "euler_ode"), ShapeError, "shape"),
        (lambda: sample(ou, "score", x0, g, "euler_ode"), InvalidParameterError, "callable"),
        (lambda: sample(ou, sc, x0, g, "em"), InvalidParameterError, "exactly one of"),
        (
            lambda: sample(ou, sc, x0, g, "ei", rng=0, noise=draw_noise(0, 4, 3, 2)),
            InvalidParameterError,
            "one",
        ),
        (lambda: sample(ou, sc, x0, g, "em", noise=np.zeros((4, 3, 1))), ShapeError, "noise must have shape"),
        (lambda: sample(ou, sc, x0, g, "em", noise=np.full((4, 3, 2), np.inf)), InvalidParameterError, "NaN"),
        (lambda: sample(ou, sc, x0, g, "em", rng=1.5), InvalidParameterError, "Generator"),
        (lambda: sample(ou, sc, x0, g, "adaptive_ode", method="Euler"), UnknownNameError, "DOP853"),
        (lambda: draw_noise(0, 0, 1, 1), InvalidParameterError, "steps must be a positive integer"),
    ]


@pytest.mark.parametrize("k", range(15))
def test_bad_input_raises_with_a_fix(ou, k):
    call, exc, match = _bad_calls(ou)[k]
    with pytest.raises(exc, match=match):
        call()


# ------------------------------------------------------------------------------------------ measured orders
ODE_KS = {
    "euler_ode": [20, 40, 80, 160, 320],
    "ei_ode": [20, 40, 80, 160, 320],
    "heun_ode": [20, 40, 80, 160, 320],
    "rk4_ode": [5, 10, 20, 40, 80],  # errors 1e-6 .. 1e-10: above round-off, in the asymptotic range
}


@pytest.mark.parametrize("scheme", list(ODE_KS))
def test_ode_global_order(ou, scheme):
    # Final-time error of the flow map on a grid of starting points, against the exact affine map.  A
    # smooth problem (LAM > 0 keeps the score smooth down to t = 0) so the slope is the declared order;
    # +-0.15 allows for the pre-asymptotic curvature measured at these K (all slopes within 0.05).
    x_T = np.linspace(-3, 3, 9)[:, None]
    ks = ODE_KS[scheme]
    errs = [
        np.max(np.abs(sample(ou, exact_score(ou), x_T, uniform_grid(T, K), scheme).x - flow_map(ou, x_T)))
        for K in ks
    ]
    assert abs(slope(ks, errs) - SCHEMES[scheme].order) < 0.15, errs


@pytest.mark.parametrize("scheme", ["em", "ei"])
def test_sde_strong_order(ou, scheme):
    # RMS pathwise error against a fine run (K_f = 2048) of the same scheme on the same Brownian path
    # (coarsen_noise).  The noise is additive, so both schemes have strong order 1.  n = 1000 paths from the
    # exact p_T; the same paths at every K make the slope's Monte Carlo error small (measured +-0.03);
    # the fine run's own error is <= 128/2048 = 6% of the coarsest error, biasing the slope by < 0.05.
    rng = np.random.default_rng(11)
    m, v = ou.mean_coeff(T), ou.var(T)
    x_T = m * MU + math.sqrt(m * m * LAM + v) * rng.standard_normal((1000, 1))
    fine_k, ks = 2048, [16, 32, 64, 128]
    fine_g = uniform_grid(T, fine_k)
    z = draw_noise(rng, fine_k, 1000, 1)
    ref = sample(ou, exact_score(ou), x_T, fine_g, scheme, noise=z).x
    errs = []
    for K in ks:
        zc = coarsen_noise(z, fine_g, fine_k // K)
        x = sample(ou, exact_score(ou), x_T, uniform_grid(T, K), scheme, noise=zc).x
        errs.append(math.sqrt(np.mean((x - ref) ** 2)))
    assert abs(slope(ks, errs) - SCHEMES[scheme].strong_order) < 0.15, errs


# ------------------------------------------------------------------------------------------ η-family
ETAS = (0.0, 0.5, 1.0, 1.5)


def _gaussian_marginal(process, t):
    m, v = process.mean_coeff(t), process.var(t)
    return m * MU, m * m * LAM + v


def eta_exact_law(process, eta, steps, method, t_min=0.05):
    """Exact law of the η-sampler's output on Gaussian data, pushed through the sampler code itself.

    With an affine score the step map is affine in (x, z_0, ..., z_{K-1}), so one batch gives everything:
    row 0 (x = mean, z = 0) is the output mean, row 1 (x = mean + 1) the sensitivity to x_T, row 2 + j
    (z_j = 1) the sensitivity to z_j; the output variance is the sum of squared sensitivities times the
    input variances.
    """
    grid = uniform_grid(T, steps, t_min)
    mean_T, var_T = _gaussian_marginal(process, T)
    x = np.full((steps + 2, 1), mean_T)
    x[1] += 1.0
    noise = np.zeros((steps, steps + 2, 1))
    noise[np.arange(steps), np.arange(steps) + 2, 0] = 1.0
    out = sample_eta(process, exact_score(process), x, grid, eta, method=method, noise=noise if eta else None)
    assert out.ok and out.scheme == f"eta_{method}(eta={eta:g})"
    y = out.x[:, 0]
    sens = y[1:] - y[0]
    return y[0], sens[0] ** 2 * var_T + np.sum(sens[1:] ** 2)


def test_eta_drift_interpolates_ode_and_sde():
    """η = 0 is the probability-flow drift, η = 1 the reverse-SDE drift (Song et al. eqs. (6), (13))."""
    vp = VP(0.1, 20.0)
    x = np.linspace(-2, 2, 7)[:, None]
    s = np.sin(x)
    for t in (0.01, 0.5):
        assert np.allclose(
            eta_reverse_drift(vp, x, t, s, 0.0), vp.reverse_drift(x, t, s, ode=True), rtol=1e-14
        )
        assert np.allclose(
            eta_reverse_drift(vp, x, t, s, 1.0), vp.reverse_drift(x, t, s, ode=False), rtol=1e-14
        )
        # linear in (1 + η²): the η = 2 drift is a x - (5/2) g² s
        g2 = float(vp.diffusion(t)) ** 2
        assert np.allclose(eta_reverse_drift(vp, x, t, s, 2.0), vp.drift(x, t) - 2.5 * g2 * s, rtol=1e-13)


def test_eta_sampler_reduces_to_existing_schemes(ou):
    """Same noise, same steps: η = 1 EM is `sample(..., "em")`, η = 0 is Euler / Heun on the ODE
    (bitwise up to the order of floating-point operations)."""
    grid = uniform_grid(T, 40, 0.01)
    x0 = np.random.default_rng(1).standard_normal((64, 2))
    noise = draw_noise(2, 40, 64, 2)
    sc = exact_score(ou)
    a = sample_eta(ou, sc, x0, grid, 1.0, noise=noise).x
    b = sample(ou, sc, x0, grid, "em", noise=noise).x
    assert np.allclose(a, b, rtol=1e-12, atol=1e-12)
    for method, scheme in (("em", "euler_ode"), ("heun", "heun_ode")):
        a = sample_eta(ou, sc, x0, grid, 0.0, method=method).x
        b = sample(ou, sc, x0, grid, scheme).x
        assert np.allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("eta", ETAS)
@pytest.mark.parametrize(("method", "order"), [("em", 1.0), ("heun", 2.0)])
def test_eta_family_has_the_exact_marginals(ou, eta, method, order):
    """Every η reproduces p_{t_min} = N(m MU, m² LAM + σ²) as h -> 0, at the scheme's order.

    Independent reference: the closed-form Gaussian marginal.  The exact law of the discrete sampler is
    computed without Monte Carlo (eta_exact_law); the fitted order of the (mean, variance) error over
    K = 50..400 must be within 0.25 of the scheme's weak order (1 for EM, 2 for Heun with additive noise),
    and the error at K = 400 below 1e-2 (EM) / 1e-4 (Heun) — the h·C / h²·C levels with C = O(1) for this
    smooth problem.
    """
    mean_ex, var_ex = _gaussian_marginal(ou, 0.05)
    ks, errs = (50, 100, 200, 400), []
    for k in ks:
        mean, var = eta_exact_law(ou, eta, k, method)
        errs.append(abs(mean - mean_ex) + abs(var - var_ex))
    assert errs[-1] < (1e-2 if method == "em" else 1e-4)
    assert abs(slope(ks, errs) - order) < 0.25


def test_eta_exact_law_matches_monte_carlo(ou):
    """The exact-law construction agrees with plain Monte Carlo of the sampler (mean and variance, 5 s.e.)."""
    n, steps, eta = 40_000, 50, 1.5
    mean_K, var_K = eta_exact_law(ou, eta, steps, "heun")
    rng = np.random.default_rng(7)
    mean_T, var_T = _gaussian_marginal(ou, T)
    x0 = mean_T + math.sqrt(var_T) * rng.standard_normal((n, 1))
    out = sample_eta(ou, exact_score(ou), x0, uniform_grid(T, steps, 0.05), eta, method="heun", rng=rng)
    y = out.x[:, 0]
    assert abs(y.mean() - mean_K) < 5 * math.sqrt(var_K / n)
    assert abs(y.var() - var_K) < 5 * var_K * math.sqrt(2 / n)


def test_eta_sampler_bad_input(ou):
    grid = uniform_grid(T, 10, 0.01)
    x0 = np.zeros((3, 1))
    sc = exact_score(ou)
    for bad in (-0.1, float("nan"), True, "1"):
        with pytest.raises(InvalidParameterError, match="eta"):
            sample_eta(ou, sc, x0, grid, bad, rng=0)
    with pytest.raises(InvalidParameterError, match="exactly one"):
        sample_eta(ou, sc, x0, grid, 0.5)
    with pytest.raises(UnknownNameError, match="heun"):
        sample_eta(ou, sc, x0, grid, 0.5, method="rk4", rng=0)
    with pytest.raises(ShapeError):
        sample_eta(ou, sc, np.zeros(3), grid, 0.0)
    with pytest.raises(ShapeError, match="noise"):
        sample_eta(ou, sc, x0, grid, 0.5, noise=np.zeros((9, 3, 1)))


def test_eta_sampler_reports_breakdown(ou):
    def exploding(x, t):
        return np.where(t < 0.5, np.inf, 0.0) + 0 * x

    out = sample_eta(ou, exploding, np.zeros((2, 1)), uniform_grid(T, 10, 0.01), 1.0, rng=0)
    assert out.status is Status.NAN and not out.ok and out.t_final < 0.5 + 1e-12


def test_broadcast_coefficient_gives_the_shape_of_the_times():
    # a lambdified constant is a scalar, a time-dependent coefficient an array: both get the times' shape
    const = broadcast_coefficient(2.0, (3, 4))
    assert const.shape == (3, 4) and const.dtype == float and np.all(const == 2.0)
    t = np.linspace(0.1, 1.0, 5)
    vp = VP(0.1, 20.0)
    assert np.array_equal(broadcast_coefficient(vp.diffusion(t), t.shape), vp.diffusion(t))
    with pytest.raises(ValueError):  # numpy's broadcast error: a coefficient of another shape is a bug
        broadcast_coefficient(np.ones(3), (5,))


def test_junk_input_raises_sgmverify_errors() -> None:
    """Found by tests/test_fuzz.py: strings, dicts and classes where numbers or a process are expected."""
    from sgmverify.errors import InvalidTypeError
    from sgmverify.laws import Gaussian
    from sgmverify.samplers import sampler_w2

    vp = VP(0.1, 20.0)
    with pytest.raises(InvalidTypeError, match="t_min"):
        uniform_grid(1.0, 10, "__import__('os').getpid()")
    with pytest.raises(InvalidTypeError, match="T"):
        quadratic_grid({}, 10)
    with pytest.raises(InvalidParameterError, match="steps"):
        uniform_grid(1.0, 2**40)
    with pytest.raises(InvalidTypeError, match="process"):
        check_grid(uniform_grid(1.0, 5), "x*0 + 1")
    with pytest.raises(InvalidTypeError, match="process"):
        karras_grid(VP, 1.0, 5)
    with pytest.raises(TimeDomainError):  # sigma(T)/m(T) overflows (the process or the grid says so)
        karras_grid(VE(0.01, 10.0), 1252169.0, 12)
    with pytest.raises(UnknownNameError):
        time_grid(np.array(["uniform"]), 1.0, 5)
    with pytest.raises(InvalidParameterError, match="rho"):
        karras_grid(vp, 1.0, 15, 0.0, 1.7e-104)
    with pytest.raises(InvalidTypeError, match="process"):
        sampler_w2([], Gaussian([0.0], [[1.0]]), 1.0, 5, "em")
    x0 = np.zeros((2, 1))
    g = uniform_grid(1.0, 4, 0.01)
    score = lambda x, t: -x  # noqa: E731
    with pytest.raises(InvalidTypeError, match="process"):
        sample("vp", score, x0, g, "euler_ode")
    with pytest.raises(InvalidTypeError, match="score"):
        sample(vp, lambda x, t: "not a number", x0, g, "euler_ode")
    with pytest.raises(InvalidTypeError, match="x_init"):
        sample(vp, score, [["a"], ["b"]], g, "euler_ode")
    with pytest.raises(UnknownNameError):
        sample(vp, score, x0, g, "adaptive_ode", method=["RK45"])
    with pytest.raises(InvalidTypeError, match="rtol"):
        sample(vp, score, x0, g, "adaptive_ode", rtol="1e-3")
    with pytest.raises(InvalidParameterError, match="max_nfe"):
        sample(vp, score, x0, g, "adaptive_ode", max_nfe=1.5)
    with pytest.raises(InvalidParameterError, match="GiB"):
        draw_noise(0, 2**20, 2**20, 2**10)


def test_eta_heun_blown_up_predictor_is_a_status_not_an_error():
    from sgmverify.samplers import Status, sample_eta, uniform_grid

    huge = lambda x, t: np.full_like(x, 1e308)  # noqa: E731
    grid = uniform_grid(1.0, 10, 1e-3)
    res = sample_eta(VP(0.1, 20), huge, np.zeros((3, 1)), grid, 0.5, method="heun", rng=0)
    assert res.status is Status.NAN and "NaN/inf at step" in res.message
