"""Published schedules (`proofs_checks.gao_nguyen_zhu_2023._schedules`): the Gao–Nguyen–Zhu table rows
and their CIFAR-10 schedules.

References are typed in here (and in `test_processes.py`, whose independent quadrature helpers are reused),
never taken from the code under test.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from numpy.testing import assert_allclose
from test_processes import SMALL_T, T_GRID, Spec, mp_closed, quad_log_m, quad_var, rel_err

# ====================================================================================================
# Gao–Nguyen–Zhu (arXiv 2311.11003) forward processes and their CIFAR-10 schedules.
#
# References typed in HERE, independently of sgmverify: the table rows (f, g) [V] and the closed forms
# of docs/papers/gao_nguyen_zhu_2023.md §7 C1 [D], in this project's convention a = -f; the CIFAR-10 code
# parameters of §6.1 [V] and the constants of §6.3 [D].  The code derives m and sigma^2 with sympy; nothing
# is shared.
# ====================================================================================================
from proofs_checks.gao_nguyen_zhu_2023._schedules import (
    CIFAR10_SCHEDULES,
    GNZ_PROCESSES,
    SchedulePreset,
    get_schedule,
    gnz_ou,
    gnz_ve_const,
    gnz_ve_exp,
    gnz_ve_poly,
    gnz_ve_sqrt,
    gnz_vp_exp,
    gnz_vp_linear,
    gnz_vp_poly,
)
from sgmverify.errors import InvalidParameterError, SgmverifyError, UnknownNameError
from sgmverify.sde import VE, LinearSDE, get_process


def _B_lin(t, p):  # VP beta = b + a t
    return p["b"] * t + p["a"] * t**2 / 2


def _B_poly(t, p):  # VP beta = (b + a t)^rho
    r = p["rho"]
    return ((p["b"] + p["a"] * t) ** (r + 1) - p["b"] ** (r + 1)) / (p["a"] * (r + 1))


def _B_exp(t, p, M):  # VP beta = a e^{bt}
    return p["a"] * M.expm1(p["b"] * t) / p["b"]


def _vp_spec(build, params, beta, big_b) -> Spec:
    """VP: a = -beta/2, g^2 = beta; C1: m = e^{-B/2}, sigma^2 = 1 - e^{-B}."""
    return Spec(
        build=build,
        params=params,
        a=lambda t, p, M: -beta(t, p, M) / 2,
        g2=beta,
        log_m=lambda t, p, M: -big_b(t, p, M) / 2,
        var=lambda t, p, M: -M.expm1(-big_b(t, p, M)),
    )


GNZ_SPECS: dict[str, Spec] = {
    # VE g = a e^{bt}: sigma^2 = a^2 (e^{2bt} - 1) / (2b)
    "gnz_ve_exp": Spec(
        build=lambda: gnz_ve_exp(a=0.7, b=1.3),
        params={"a": 0.7, "b": 1.3},
        a=lambda t, p, M: 0,
        g2=lambda t, p, M: p["a"] ** 2 * M.exp(2 * p["b"] * t),
        log_m=lambda t, p, M: 0 * t,
        var=lambda t, p, M: p["a"] ** 2 * M.expm1(2 * p["b"] * t) / (2 * p["b"]),
    ),
    # VE g = a: sigma^2 = a^2 t
    "gnz_ve_const": Spec(
        build=lambda: gnz_ve_const(a=2.0),
        params={"a": 2.0},
        a=lambda t, p, M: 0,
        g2=lambda t, p, M: p["a"] ** 2,
        log_m=lambda t, p, M: 0 * t,
        var=lambda t, p, M: p["a"] ** 2 * t,
    ),
    # VE g = sqrt(2 a t): sigma^2 = a t^2
    "gnz_ve_sqrt": Spec(
        build=lambda: gnz_ve_sqrt(a=3.0),
        params={"a": 3.0},
        a=lambda t, p, M: 0,
        g2=lambda t, p, M: 2 * p["a"] * t,
        log_m=lambda t, p, M: 0 * t,
        var=lambda t, p, M: p["a"] * t**2,
    ),
    # VE g = (b + a t)^c: sigma^2 = ((b + a t)^{2c+1} - b^{2c+1}) / (a (2c + 1))
    "gnz_ve_poly": Spec(
        build=lambda: gnz_ve_poly(a=2.0, b=0.5, c=1.5),
        params={"a": 2.0, "b": 0.5, "c": 1.5},
        a=lambda t, p, M: 0,
        g2=lambda t, p, M: (p["b"] + p["a"] * t) ** (2 * p["c"]),
        log_m=lambda t, p, M: 0 * t,
        var=lambda t, p, M: (
            ((p["b"] + p["a"] * t) ** (2 * p["c"] + 1) - p["b"] ** (2 * p["c"] + 1))
            / (p["a"] * (2 * p["c"] + 1))
        ),
    ),
    # OU f = alpha, g = sigma: m = e^{-alpha t}, sigma^2 = sigma^2 (1 - e^{-2 alpha t}) / (2 alpha)
    "gnz_ou": Spec(
        build=lambda: gnz_ou(alpha=0.7, sigma=1.3),
        params={"alpha": 0.7, "sigma": 1.3},
        a=lambda t, p, M: -p["alpha"],
        g2=lambda t, p, M: p["sigma"] ** 2,
        log_m=lambda t, p, M: -p["alpha"] * t,
        var=lambda t, p, M: -(p["sigma"] ** 2) * M.expm1(-2 * p["alpha"] * t) / (2 * p["alpha"]),
    ),
    "gnz_vp_linear": _vp_spec(
        lambda: gnz_vp_linear(a=19.9, b=0.1),
        {"a": 19.9, "b": 0.1},
        lambda t, p, M: p["b"] + p["a"] * t,
        lambda t, p, M: _B_lin(t, p),
    ),
    "gnz_vp_poly": _vp_spec(
        lambda: gnz_vp_poly(a=3.0, b=0.2, rho=2.5),
        {"a": 3.0, "b": 0.2, "rho": 2.5},
        lambda t, p, M: (p["b"] + p["a"] * t) ** p["rho"],
        lambda t, p, M: _B_poly(t, p),
    ),
    "gnz_vp_exp": _vp_spec(
        lambda: gnz_vp_exp(a=0.5, b=2.0),
        {"a": 0.5, "b": 2.0},
        lambda t, p, M: p["a"] * M.exp(p["b"] * t),
        _B_exp,
    ),
    # edge cases b = 0 (allowed for the polynomial rows): g = (2t)^{1/2} is the sqrt(2at) row with a = 1
    "gnz_ve_poly[b=0]": Spec(
        build=lambda: gnz_ve_poly(a=2.0, b=0.0, c=0.5),
        params={"a": 2.0, "b": 0.0, "c": 0.5},
        a=lambda t, p, M: 0,
        g2=lambda t, p, M: p["a"] * t,
        log_m=lambda t, p, M: 0 * t,
        var=lambda t, p, M: p["a"] * t**2 / 2,
    ),
    "gnz_vp_poly[b=0]": _vp_spec(
        lambda: gnz_vp_poly(a=3.0, b=0.0, rho=0.5),
        {"a": 3.0, "b": 0.0, "rho": 0.5},
        lambda t, p, M: (p["a"] * t) ** p["rho"],
        lambda t, p, M: _B_poly(t, p),
    ),
}
GNZ_NAMES = list(GNZ_SPECS)
GNZ_T = (*T_GRID, 2.0)


@pytest.fixture(scope="module")
def gnz() -> dict[str, LinearSDE]:
    return {name: spec.build() for name, spec in GNZ_SPECS.items()}


@pytest.fixture(scope="module")
def cifar() -> dict[str, LinearSDE]:
    return {name: make() for name, make in CIFAR10_SCHEDULES.items()}


def test_gnz_references_are_self_consistent():
    """The typed-in C1 closed forms agree with the (f, g) definitions (checks the test, not the code)."""
    with mpmath.workdps(40):
        for name, spec in GNZ_SPECS.items():
            p = spec.p(mpmath)
            for t in (mpmath.mpf("0.3"), mpmath.mpf("1.7")):
                lm_t = spec.log_m(t, p, mpmath)
                var_q = mpmath.quad(
                    lambda s, lm_t=lm_t, p=p, spec=spec: (
                        spec.g2(s, p, mpmath) * mpmath.exp(2 * (lm_t - spec.log_m(s, p, mpmath)))
                    ),
                    [0, t],
                )
                assert abs(var_q / spec.var(t, p, mpmath) - 1) < mpmath.mpf("1e-25"), name
                lm_q = mpmath.quad(lambda s, p=p, spec=spec: spec.a(s, p, mpmath), [0, t])
                assert abs(lm_q - lm_t) < mpmath.mpf("1e-25"), name


@pytest.mark.parametrize("t", GNZ_T)
@pytest.mark.parametrize("name", GNZ_NAMES)
def test_gnz_mean_and_var_match_c1_and_quadrature(gnz, name, t):
    # rtol 1e-10 against both references: the C1 closed form at 50 digits, and nested scipy quad of the
    # definitions (accurate to ~1e-13; see test_mean_and_var_match_quadrature).  The code's float64 sigma^2
    # is either a measured-stable closed form or its own quadrature (epsrel 1e-13).
    spec, proc = GNZ_SPECS[name], gnz[name]
    assert_allclose(proc.var(t), float(mp_closed(spec, "var", t)), rtol=1e-10)
    assert_allclose(proc.mean_coeff(t), float(mpmath.exp(mp_closed(spec, "log_m", t))), rtol=1e-10)
    assert_allclose(proc.var(t), quad_var(spec, t), rtol=1e-10)
    assert_allclose(proc.mean_coeff(t), math.exp(quad_log_m(spec, t)), rtol=1e-10)


@pytest.mark.parametrize("name", GNZ_NAMES)
def test_gnz_small_t_against_c1(gnz, name):
    """No cancellation at small t: the float64 path is stable (or falls back to quadrature)."""
    spec, proc = GNZ_SPECS[name], gnz[name]
    for t in SMALL_T:
        assert rel_err(proc.var(t), mp_closed(spec, "var", t)) < 1e-10, t
        assert rel_err(proc.mean_coeff(t), mpmath.exp(mp_closed(spec, "log_m", t))) < 1e-10, t


@pytest.mark.parametrize("name", GNZ_NAMES)
def test_gnz_coefficients_are_the_table_rows(gnz, name):
    """a(t) = -f(t) and g(t)^2 are the table's, evaluated at the preset's parameters."""
    spec, proc = GNZ_SPECS[name], gnz[name]
    p = spec.p(math)
    for t in (0.1, 0.8):
        assert_allclose(proc.drift_coeff(t), spec.a(t, p, math), rtol=1e-14, atol=1e-300)
        assert_allclose(proc.diffusion(t) ** 2, spec.g2(t, p, math), rtol=1e-14)
    assert isinstance(proc, SchedulePreset) and proc.tag == "[V]" and "2311.11003" in proc.source


@pytest.mark.parametrize("name", ["gnz_vp_linear", "gnz_vp_poly", "gnz_vp_exp"])
def test_gnz_vp_rows_have_g2_equal_2f(gnz, name):
    """The VP rows are VP SDEs: g^2 = 2f = beta (symbolically, parameters symbolic)."""
    proc = gnz[name]
    assert sp.simplify(proc.g_expr**2 + 2 * proc.a_expr) == 0


@pytest.mark.parametrize(
    ("name", "exponent", "other"),
    [
        ("gnz_ve_poly", "c", {"a": 1.7, "b": 0.4, "c": 0.75}),
        ("gnz_vp_poly", "rho", {"a": 2.2, "b": 0.3, "rho": 3.5}),
    ],
)
def test_gnz_symbolic_exponent_derivation(gnz, name, exponent, other, record_property):
    """sympy derives m and sigma^2 in closed form with the exponent c / rho kept symbolic.

    Substituting *other* parameter values (exponent included) into the derived expressions gives the C1
    closed form: one derivation serves every exponent.  The float64 path may still use quadrature, because
    the closed form ((b+at)^p - b^p) cancels at small t; the repr says which.
    """
    proc = gnz[name]
    assert proc.var_expr is not None and not proc.var_expr.has(sp.Integral)
    assert exponent in {s.name for s in proc.var_expr.free_symbols}
    if name == "gnz_vp_poly":  # VE: m = 1
        assert exponent in {s.name for s in proc.m_expr.free_symbols}
    spec = GNZ_SPECS[name]
    sub = {s: other[s.name] for s in proc.var_expr.free_symbols | proc.m_expr.free_symbols if s != proc.t}
    p = {k: mpmath.mpf(v) for k, v in other.items()}
    with mpmath.workdps(30):
        for t in (0.05, 0.6, 1.5):
            sub_t = {**sub, proc.t: t}
            assert_allclose(
                float(proc.var_expr.subs(sub_t)), float(spec.var(mpmath.mpf(t), p, mpmath)), rtol=1e-12
            )
            m_ref = mpmath.exp(spec.log_m(mpmath.mpf(t), p, mpmath))
            assert_allclose(float(proc.m_expr.subs(sub_t)), float(m_ref), rtol=1e-12)
    proc.var(0.5)  # builds the float64 path
    how = "quadrature" if proc.var_by_quadrature else "closed form"
    record_property("float64 sigma^2", how)
    if proc.var_by_quadrature:  # derived in closed form, but float64 evaluation by quadrature: repr says both
        assert "closed form (sympy); float64 sigma^2 by quadrature" in repr(proc)
    else:
        assert "closed form" in repr(proc)


def test_symbolic_exponent_quadrature_fallback():
    """Where sympy finds no antiderivative with a symbolic exponent, sigma^2 falls back to quadrature.

    a = -alpha, g = (b + a t)^c: int (b + a s)^{2c} e^{2 alpha s} ds is an incomplete gamma function.
    """
    proc = LinearSDE("-alpha", "(b + a*t)**c", {"alpha": 0.5, "a": 2.0, "b": 0.3, "c": 1.5})
    assert proc.var_expr is None and proc.var_by_quadrature and "quadrature" in repr(proc)
    spec = Spec(
        build=None,
        params={},
        a=lambda s, p, M: -0.5,
        g2=lambda s, p, M: (0.3 + 2.0 * s) ** 3.0,
        log_m=None,
        var=None,
    )
    for t in (1e-3, 0.4, 1.5):
        assert_allclose(proc.var(t), quad_var(spec, t), rtol=1e-10)


def test_gnz_registry_and_get_schedule():
    assert set(GNZ_PROCESSES) == {
        "gnz_ve_exp",
        "gnz_ve_const",
        "gnz_ve_sqrt",
        "gnz_ve_poly",
        "gnz_ou",
        "gnz_vp_linear",
        "gnz_vp_poly",
        "gnz_vp_exp",
    }
    proc = get_schedule("gnz-vp-poly", a=3.0, b=0.2, rho=2.5)
    assert isinstance(proc, SchedulePreset) and proc.key == "gnz_vp_poly"
    assert proc.params == {"a": 3.0, "b": 0.2, "rho": 2.5}
    assert get_schedule("GNZ_OU", alpha=1.0, sigma=2.0).params == {"alpha": 1.0, "sigma": 2.0}
    assert get_schedule("ddpmpp_v2").key == "ddpmpp_v2"
    assert get_schedule("ncsnpp-v1", convention="score_sde").convention == "score_sde"
    with pytest.raises(InvalidParameterError, match="rho"):
        get_schedule("gnz_vp_poly", a=3.0, b=0.2)  # no silent default exponent
    with pytest.raises(UnknownNameError) as info:
        get_schedule("gnz_vp_cubic")
    assert "gnz_vp_poly" in str(info.value) and "ddpmpp_v3" in str(info.value)


def test_engine_presets_know_no_paper():
    with pytest.raises(UnknownNameError):
        get_process("gnz_vp_poly", a=3.0, b=0.2, rho=2.5)


@pytest.mark.parametrize(
    ("make", "fragments"),
    [
        (lambda: gnz_ve_exp(a=0.0, b=1.0), ["a", "> 0", "0.0"]),
        (lambda: gnz_ve_exp(a=1.0, b=-1.0), ["b", "-1.0"]),
        (lambda: gnz_ve_const(a=math.nan), ["a", "nan"]),
        (lambda: gnz_ve_sqrt(a=-2.0), ["a", "-2.0"]),
        (lambda: gnz_ve_poly(a=1.0, b=-0.1, c=1.0), ["b", ">= 0", "-0.1"]),
        (lambda: gnz_ve_poly(a=1.0, b=0.1, c=0.0), ["c", "> 0"]),
        (lambda: gnz_ou(alpha=1.0, sigma=math.inf), ["sigma", "inf"]),
        (lambda: gnz_vp_linear(a=0.0, b=0.1), ["a", "0.0"]),
        (lambda: gnz_vp_poly(a=1.0, b=0.1, rho=-1.0), ["rho", "-1.0"]),
        (lambda: gnz_vp_exp(a=1.0, b="2"), ["b", "'2'"]),
        (lambda: CIFAR10_SCHEDULES["ncsnpp_v2"](convention="song"), ["'song'", "score_sde"]),
    ],
)
def test_gnz_bad_params(make, fragments):
    with pytest.raises(SgmverifyError) as info:
        make()
    assert all(f in str(info.value) for f in fragments), str(info.value)


# ------------------------------------------------------------------------------------- CIFAR-10 schedules
CIFAR_ROWS = {
    "ddpmpp_original": "gnz_vp_linear",
    "ddpmpp_v1": "gnz_ou",
    "ddpmpp_v2": "gnz_vp_poly",
    "ddpmpp_v2_deep": "gnz_vp_poly",
    "ddpmpp_v3": "gnz_vp_exp",
    "ncsnpp_original": "gnz_ve_exp",
    "ncsnpp_v1": "gnz_ve_const",
    "ncsnpp_v2": "gnz_ve_sqrt",
    "ncsnpp_v3": "gnz_ve_poly",
    "ncsnpp_v3_deep": "gnz_ve_poly",
}

# reference §6.3 [D] (mpmath, 30 digits; quoted there to 8-10 significant digits): B(1), mu_1, sigma_1^2
CIFAR_VP_CONSTANTS = {
    "ddpmpp_original": (10.05, 0.0065715865, 0.9999568143),
    "ddpmpp_v1": (5.05, 0.080058313, 0.9935906666),
    "ddpmpp_v2": (7.171404521, 0.027717196, 0.999231757),
    "ddpmpp_v2_deep": (5.092465081, 0.07837639, 0.9938571414),
    "ddpmpp_v3": (5.242135396, 0.072725173, 0.9947110492),
}


def test_cifar10_registry(cifar):
    assert set(CIFAR10_SCHEDULES) == set(CIFAR_ROWS)
    for name, proc in cifar.items():
        assert isinstance(proc, SchedulePreset) and proc.key == name
        assert proc.tag == "[V]" and "sde_lib.py" in proc.source and proc.code_params
        # every schedule is an instance of a GNZ table row: the same a(t), g(t) expressions
        assert proc.a_expr == _row_exprs(CIFAR_ROWS[name])[0], name
        assert proc.g_expr == _row_exprs(CIFAR_ROWS[name])[1], name


def _row_exprs(row: str):
    spec_params = {
        "gnz_ve_exp": {"a": 1.0, "b": 1.0},
        "gnz_ve_const": {"a": 1.0},
        "gnz_ve_sqrt": {"a": 1.0},
        "gnz_ve_poly": {"a": 1.0, "b": 1.0, "c": 1.0},
        "gnz_ou": {"alpha": 1.0, "sigma": 1.0},
        "gnz_vp_linear": {"a": 1.0, "b": 1.0},
        "gnz_vp_poly": {"a": 1.0, "b": 1.0, "rho": 1.0},
        "gnz_vp_exp": {"a": 1.0, "b": 1.0},
    }[row]
    proc = GNZ_PROCESSES[row](**spec_params)
    return proc.a_expr, proc.g_expr


@pytest.mark.parametrize("name", list(CIFAR_VP_CONSTANTS))
def test_cifar10_vp_reference_constants(cifar, name):
    """B(1), mu_1 = e^{-B/2}, sigma_1^2 = 1 - e^{-B} of reference §6.3 (to the digits quoted there)."""
    big_b, mu1, var1 = CIFAR_VP_CONSTANTS[name]
    proc = cifar[name]
    assert_allclose(-2 * proc.log_mean_coeff(1.0), big_b, rtol=1e-9)
    assert_allclose(proc.mean_coeff(1.0), mu1, rtol=1e-7)
    assert_allclose(proc.var(1.0), var1, rtol=1e-9)


def test_cifar10_vp_code_parameters(cifar):
    """beta(0) = beta_min and beta(1) = beta_max for the code's schedules [V] (beta = g^2 for VP)."""
    for name, (b0, b1) in {
        "ddpmpp_original": (0.1, 20.0),
        "ddpmpp_v1": (5.05, 5.05),
        "ddpmpp_v2": (0.1, 20.0),
        "ddpmpp_v2_deep": (0.1, 20.0),
        "ddpmpp_v3": (0.1, 30.0),
    }.items():
        proc = cifar[name]
        assert_allclose(proc.diffusion(np.array([0.0, 1.0])) ** 2, [b0, b1], rtol=1e-13, err_msg=name)
        assert_allclose(-2 * proc.drift_coeff(np.array([0.0, 1.0])), [b0, b1], rtol=1e-13, err_msg=name)
    assert cifar["ddpmpp_v2"].params["rho"] == 2.0 and cifar["ddpmpp_v2_deep"].params["rho"] == 5.0


def test_cifar10_ve_code_parameters(cifar):
    """Reference §6.1: v1 g = 49.999999, v2 c = 2499.9999, v3 (b, a, c) for rho = 2 and 7 [V]."""
    assert_allclose(cifar["ncsnpp_v1"].diffusion(0.3), 49.999999, rtol=1e-8)
    assert_allclose(cifar["ncsnpp_v2"].params["a"], 2499.9999, rtol=1e-12)
    assert_allclose(cifar["ncsnpp_original"].diffusion(0.0) / 0.01, 4.1272734805, rtol=1e-10)
    for name, (b, a, c) in {
        "ncsnpp_v3": (0.1, 6.971067812, 5.28055596),
        "ncsnpp_v3_deep": (0.5179474679, 1.230731154, 4.150931962),
    }.items():
        code = cifar[name].code_params
        assert_allclose([code["b"], code["a"], code["c"]], [b, a, c], rtol=1e-9, err_msg=name)
        rho = code["rho"]
        # g = c (b + a t)^{rho - 1/2}, the true g of sigma(t) = (b + a t)^rho
        for t in (0.0, 0.4, 1.0):
            assert_allclose(cifar[name].diffusion(t), c * (b + a * t) ** (rho - 0.5), rtol=1e-8)


@pytest.mark.parametrize("name", ["ncsnpp_original", "ncsnpp_v1", "ncsnpp_v2", "ncsnpp_v3", "ncsnpp_v3_deep"])
def test_cifar10_ve_conventions(cifar, name):
    """score_sde: the code's sigma(t), from sigma_min = 0.01 to sigma_max = 50; exact = code - sigma_min^2."""
    declared = CIFAR10_SCHEDULES[name](convention="score_sde")
    assert declared.declared_var and "declared" in repr(declared)
    assert_allclose(declared.std(np.array([0.0, 1.0])), [0.01, 50.0], rtol=1e-12)
    t = np.array([1e-3, 0.25, 0.5, 0.9])
    code_var = {
        "ncsnpp_original": 0.01**2 * 5000.0 ** (2 * t),
        "ncsnpp_v1": 0.01**2 + (50.0**2 - 0.01**2) * t,
        "ncsnpp_v2": 0.01**2 + (50.0**2 - 0.01**2) * t**2,
        "ncsnpp_v3": (0.1 + (50**0.5 - 0.1) * t) ** 4,
        "ncsnpp_v3_deep": (0.01 ** (1 / 7) + (50 ** (1 / 7) - 0.01 ** (1 / 7)) * t) ** 14,
    }[name]
    assert_allclose(declared.var(t), code_var, rtol=1e-12)
    # the exact variance from X_0 is smaller by sigma_min^2 at every t (d/dt of both is g^2)
    assert_allclose(cifar[name].var(t), code_var - 0.01**2, rtol=1e-10)


def test_cifar10_ncsnpp_original_is_score_sde_ve(cifar):
    t = np.array([1e-5, 0.3, 0.9])
    assert_allclose(cifar["ncsnpp_original"].var(t), VE(0.01, 50.0).var(t), rtol=1e-13)
    declared = CIFAR10_SCHEDULES["ncsnpp_original"](convention="score_sde")
    assert_allclose(declared.var(t), VE(0.01, 50.0, convention="score_sde").var(t), rtol=1e-13)
