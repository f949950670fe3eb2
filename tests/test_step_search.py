"""Tests of sgmverify.samplers._step_search against independent references.

* gaussian_exact.sampler_w2: the step-by-step loop on a dense (rotated) covariance — a different code path
  (eigendecomposition, per-step loop, process.transition with 48 nodes, process.var).
* Closed forms of the reference (gao_nguyen_zhu.md C1) for the marginal variance.
* A brute-force linear scan for the minimal step count.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from proofs_checks.gao_nguyen_zhu_2023._schedules import (
    gnz_ou,
    gnz_ve_poly,
    gnz_ve_sqrt,
    gnz_vp_exp,
    gnz_vp_linear,
)
from sgmverify.errors import InvalidParameterError, ShapeError, UnknownNameError
from sgmverify.laws import Gaussian
from sgmverify.samplers import _step_search as ss, sampler_w2, uniform_grid

PROCS = {
    "ve_poly": gnz_ve_poly(a=1.0, b=0.1, c=1.0),
    "ou": gnz_ou(alpha=0.5, sigma=2.0),
    "vp_exp": gnz_vp_exp(a=0.1, b=1.0),
}
LAM = np.array([0.2, 0.5, 1.3])
NU = np.array([0.5, -1.0, 0.25])
BIAS = np.array([0.1, 0.0, -0.2])


def _rotated(lam: np.ndarray, nu: np.ndarray) -> tuple[Gaussian, np.ndarray]:
    q, _ = np.linalg.qr(np.random.default_rng(1).standard_normal((lam.size, lam.size)))
    return Gaussian(q @ nu, (q * lam) @ q.T), q


@pytest.mark.parametrize("name", sorted(PROCS))
@pytest.mark.parametrize("scheme", ["ei", "em"])
@pytest.mark.parametrize("init", ["prior", "exact"])
def test_spectral_w2_matches_step_loop(name, scheme, init):
    proc = PROCS[name]
    data, q = _rotated(LAM, NU)
    for target in ("data", "marginal"):
        ref = sampler_w2(
            proc, data, 2.0, 150, scheme, t_min=0.02, init=init, score_bias=q @ BIAS, target=target
        )
        got = ss.spectral_w2(
            proc, LAM, 2.0, 150, scheme, mean=NU, score_bias=BIAS, t_min=0.02, init=init, target=target
        )
        # two float64 evaluations of the same recursion (observed agreement 1e-14 relative)
        assert got == pytest.approx(ref, rel=1e-10)


def test_multiplicity_is_isotropic_dimension():
    proc = PROCS["ou"]
    d, s2 = 7, 0.4
    ref = sampler_w2(proc, Gaussian(np.zeros(d), s2 * np.eye(d)), 3.0, 80, "ei", init="prior")
    got = ss.spectral_w2(proc, [s2], 3.0, 80, "ei", multiplicity=[d], init="prior")
    assert got == pytest.approx(ref, rel=1e-10)
    # and W2 scales exactly as sqrt(d) for isotropic data (independent identical coordinates)
    one = ss.spectral_w2(proc, [s2], 3.0, 80, "ei", init="prior")
    assert got == pytest.approx(math.sqrt(d) * one, rel=1e-12)


def test_chunked_run_equals_single_block(monkeypatch):
    proc = PROCS["vp_exp"]
    full = ss.spectral_law(proc, LAM, 2.0, 97, "em", mean=NU, init="prior")
    monkeypatch.setattr(ss, "_STEP_CHUNK", 10)
    chunked = ss.spectral_law(proc, LAM, 2.0, 97, "em", mean=NU, init="prior")
    np.testing.assert_allclose(chunked.mean, full.mean, rtol=1e-12)
    np.testing.assert_allclose(chunked.var, full.var, rtol=1e-12)


@pytest.mark.parametrize("name", sorted(PROCS))
def test_grid_moments_match_transition_and_var(name):
    proc = PROCS[name]
    g = uniform_grid(3.0, 60, 0.01)
    mom = ss.grid_moments(proc, g)
    ratio, kappa, nvar = proc.transition(g[:-1], g[1:])  # 48-node quadrature
    np.testing.assert_allclose(mom["ratio"], ratio, rtol=1e-12)
    np.testing.assert_allclose(mom["kappa"], kappa, rtol=1e-11)
    np.testing.assert_allclose(mom["nvar"], nvar, rtol=1e-11)
    np.testing.assert_allclose(mom["var"], proc.var(g), rtol=1e-11)


def test_marginal_var_closed_forms():
    t = np.array([1e-3, 0.01, 0.5, 2.0, 0.5])
    # reference C1: VE g = sqrt(2at): a t^2; VP beta = a e^{bt}: 1 - exp(-a(e^{bt} - 1)/b);
    # VP linear: B = bt + at^2/2
    np.testing.assert_allclose(ss.marginal_var(gnz_ve_sqrt(a=2.0), t), 2.0 * t**2, rtol=1e-13)
    B = 0.1 * np.expm1(t) / 1.0
    np.testing.assert_allclose(ss.marginal_var(gnz_vp_exp(a=0.1, b=1.0), t), -np.expm1(-B), rtol=1e-12)
    B = 0.1 * t + t**2 / 2
    np.testing.assert_allclose(ss.marginal_var(gnz_vp_linear(a=1.0, b=0.1), t), -np.expm1(-B), rtol=1e-12)
    assert ss.marginal_var(PROCS["ou"], np.array([[0.0]])).shape == (1, 1)


def test_minimal_steps_matches_linear_scan():
    proc = PROCS["ou"]

    def w2(k: int) -> float:
        return ss.spectral_w2(proc, [0.5], 3.0, k, "ei", init="exact")

    eps = 0.02
    brute = next(k for k in range(1, 2000) if w2(k) <= eps)
    for start in (1, 7, brute, 5 * brute):
        res = ss.minimal_steps(w2, eps, k_max=10_000, k_start=start)
        assert res.steps == brute and res.reached
        assert res.w2 <= eps < res.w2_below
    coarse = ss.minimal_steps(w2, eps, k_max=10_000, rtol=0.05)
    assert brute <= coarse.steps <= math.ceil(brute * 1.06)


def test_minimal_steps_edges():
    assert ss.minimal_steps(lambda k: 1.0 / k, 2.0, k_max=10).steps == 1
    out = ss.minimal_steps(lambda k: 1.0 / k, 1e-3, k_max=100)
    assert not out.reached and out.steps is None
    assert ss.minimal_steps(lambda k: 1.0 / k, 0.1, k_max=100, k_start=64).steps == 10
    with pytest.raises(InvalidParameterError):
        ss.minimal_steps(lambda k: 1.0, 0.0, k_max=10)
    with pytest.raises(InvalidParameterError):
        ss.minimal_steps(lambda k: 1.0, 0.1, k_max=0)
    with pytest.raises(InvalidParameterError):
        ss.minimal_steps(lambda k: 1.0 / k, 0.1, k_max=100, rtol=-1.0)


def test_bad_input():
    proc = PROCS["ou"]
    with pytest.raises(UnknownNameError):
        ss.spectral_w2(proc, LAM, 1.0, 10, "heun_ode")
    with pytest.raises(UnknownNameError):
        ss.spectral_w2(proc, LAM, 1.0, 10, "ei", init="zero")
    with pytest.raises(ShapeError):
        ss.spectral_w2(proc, LAM, 1.0, 10, "ei", mean=np.zeros(2))
    with pytest.raises(InvalidParameterError):
        ss.spectral_w2(proc, [-1.0], 1.0, 10, "ei")
    with pytest.raises(InvalidParameterError):
        ss.spectral_w2(proc, LAM, 1.0, 10, "ei", multiplicity=[1, -1, 1])
    with pytest.raises(InvalidParameterError):
        ss.spectral_law(proc, LAM, 1.0, 10, "ei", moments=ss.grid_moments(proc, uniform_grid(1.0, 5)))


def test_diverging_em_gives_inf_not_warning():
    # EM with 2 steps over a stiff VP schedule: |A| > 1 each step; W2 stays finite or inf, never NaN
    w = ss.spectral_w2(gnz_vp_exp(a=1.0, b=3.0), [0.01], 3.0, 2, "em", init="prior")
    assert not math.isnan(w)


def test_minimal_steps_junk_raises_sgmverify_errors() -> None:
    """Found by tests/test_fuzz.py: a string eps, a symbol, a NaN from the W2 callable."""
    import sympy as sp

    from sgmverify.errors import InvalidTypeError

    with pytest.raises(InvalidTypeError, match="eps"):
        ss.minimal_steps(lambda k: 1.0 / k, "0.1", k_max=100)
    with pytest.raises(InvalidTypeError, match="eps"):
        ss.minimal_steps(lambda k: 1.0 / k, sp.Symbol("x"), k_max=100)
    with pytest.raises(InvalidParameterError, match="k_max"):
        ss.minimal_steps(lambda k: 1.0 / k, 0.1, k_max="100")
    with pytest.raises(InvalidParameterError, match="NaN"):
        ss.minimal_steps(lambda k: float("nan"), 0.1, k_max=100)
    with pytest.raises(InvalidTypeError, match="w2_of_steps"):
        ss.minimal_steps(lambda k: "small", 0.1, k_max=100)
    with pytest.raises(InvalidParameterError, match="callable"):
        ss.minimal_steps("lambda k: 1", 0.1, k_max=100)
