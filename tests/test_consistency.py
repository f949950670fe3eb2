"""Process-consistency checker (`sgmverify.sde._consistency`): a declared marginal std must solve
d(sigma^2)/dt = 2 a sigma^2 + g^2, and its sigma^2(0) is reported against 0.

Applied to every preset (consistent), score-SDE's VE convention (consistent ODE, offset sigma_min^2), wrong
declarations (fail), and the VE diffusion bug of the GNZ authors' code
(docs/papers/gao_nguyen_zhu_2023.md C11), encoded here as the reference describes it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

# published schedules are content: the GNZ package's presets exercise the checker on real schedules
from proofs_checks.gao_nguyen_zhu_2023._schedules import CIFAR10_SCHEDULES, GNZ_PROCESSES
from sgmverify.errors import ExpressionError, InvalidParameterError
from sgmverify.sde import (
    OU,
    VE,
    VP,
    ConsistencyResult,
    Cosine,
    LinearSDE,
    SubVP,
    check_marginal_consistency,
    check_process_consistency,
    marginal_consistency_assumption,
)
from sgmverify.theory import Assumption, AssumptionResult, Scenario

GNZ_PARAMS = {
    "gnz_ve_exp": {"a": 0.7, "b": 1.3},
    "gnz_ve_const": {"a": 2.0},
    "gnz_ve_sqrt": {"a": 3.0},
    "gnz_ve_poly": {"a": 2.0, "b": 0.5, "c": 1.5},
    "gnz_ou": {"alpha": 0.7, "sigma": 1.3},
    "gnz_vp_linear": {"a": 19.9, "b": 0.1},
    "gnz_vp_poly": {"a": 3.0, "b": 0.2, "rho": 2.5},
    "gnz_vp_exp": {"a": 0.5, "b": 2.0},
}
VE_CIFAR = [k for k in CIFAR10_SCHEDULES if k.startswith("ncsnpp")]
T = sp.Symbol("t", positive=True)


@pytest.fixture(scope="module")
def presets() -> dict[str, LinearSDE]:
    out = {"OU": OU(), "VP": VP(0.1, 20.0), "SubVP": SubVP(0.1, 20.0), "VE": VE(0.01, 50.0)}
    out.update({k: GNZ_PROCESSES[k](**p) for k, p in GNZ_PARAMS.items()})
    out.update({k: make() for k, make in CIFAR10_SCHEDULES.items()})
    return out


# ------------------------------------------------------------------------------------------ presets
def test_every_preset_is_consistent(presets):
    """Derived sigma^2 solves the ODE (proved by sympy) and starts at 0, for every preset."""
    for name, proc in presets.items():
        res = check_process_consistency(proc, require_zero_start=True)
        assert isinstance(res, ConsistencyResult)
        assert (res.status, res.evidence, res.symbolic) == ("holds", "symbolic", "holds"), (name, res.message)
        assert res.numeric == "holds" and res.max_residual < 1e-12, (name, res.max_residual)
        assert res.initial_var == 0.0 and "offset 0" in res.message, name


def test_cosine_consistent_numerically():
    """Cosine: sympy's simplify does not finish in the time limit -> symbolic 'unknown', numeric holds."""
    res = check_process_consistency(Cosine(0.008), time_limit=0.5)
    # whether sympy found sigma^2 in closed form depends on its time limit (cached on disk): both happen
    assert res.symbolic in ("unknown", "holds", "not applicable")
    assert res.status == "holds" and res.max_residual < 1e-9
    if res.symbolic != "holds":
        assert res.evidence == "numeric"


def test_quadrature_variance_checked_numerically():
    """No closed form (sympy fails): the quadrature sigma^2 is checked by finite differences."""
    proc = LinearSDE("-alpha", "t**t", {"alpha": 0.5})
    assert proc.var_expr is None
    res = check_process_consistency(proc, require_zero_start=True)
    assert (res.status, res.evidence, res.symbolic) == ("holds", "numeric", "not applicable")
    assert res.max_residual < 1e-8 and res.initial_var == 0.0


def test_ve_score_sde_convention_offset():
    """score-SDE's VE: the ODE holds; sigma^2(0) = sigma_min^2 is reported and fails a required zero start."""
    proc = VE(0.01, 50.0, convention="score_sde")
    res = check_process_consistency(proc)
    assert (res.status, res.evidence) == ("holds", "symbolic")
    assert math.isclose(res.initial_var, 0.01**2, rel_tol=1e-12)
    assert "offset 0.0001" in res.message and "sigma(0) = 0.01" in res.message
    strict = check_process_consistency(proc, require_zero_start=True)
    assert (strict.status, strict.symbolic) == ("fails", "holds")


@pytest.mark.parametrize("name", VE_CIFAR)
def test_cifar10_ve_score_sde_convention(name):
    """The code's declared sigma(t) of every NCSN++ schedule solves the ODE with the true g; offset smin^2."""
    res = check_process_consistency(CIFAR10_SCHEDULES[name](convention="score_sde"))
    assert (res.status, res.evidence) == ("holds", "symbolic"), res.message
    assert math.isclose(res.initial_var, 0.01**2, rel_tol=1e-12)


# ------------------------------------------------------------------------------------------ failures
def test_wrong_declared_std_fails_symbolically():
    """VP with beta = 2: the true sigma^2 = 1 - e^{-2t}; declaring 1 - e^{-t} is caught with a witness."""
    good = check_marginal_consistency(
        f="beta/2", g="sqrt(beta)", std="sqrt(1 - exp(-beta*t))", params={"beta": 2.0}
    )
    assert (good.status, good.evidence) == ("holds", "symbolic")
    bad = check_marginal_consistency(
        f="beta/2", g="sqrt(beta)", std="sqrt(1 - exp(-beta*t/2))", params={"beta": 2.0}
    )
    assert (bad.status, bad.evidence, bad.numeric) == ("fails", "symbolic", "fails")
    assert bad.witness_t is not None and 0 < bad.witness_t <= 1 and "exact evaluation" in bad.message
    assert bad.max_residual > 0.1


def test_wrong_sign_convention_fails():
    """Passing the drift as a where f was meant (a = +f) is an inconsistency the checker sees."""
    res = check_marginal_consistency(
        a="beta/2", g="sqrt(beta)", std="sqrt(1 - exp(-beta*t))", params={"beta": 2.0}
    )
    assert res.status == "fails"
    same = check_marginal_consistency(
        a="-beta/2", g="sqrt(beta)", std="sqrt(1 - exp(-beta*t))", params={"beta": 2.0}
    )
    assert same.status == "holds"


def test_callables():
    ok = check_marginal_consistency(
        a=lambda t: -1.0, g=lambda t: math.sqrt(2.0), std=lambda t: math.sqrt(-math.expm1(-2 * t))
    )
    assert (ok.status, ok.evidence, ok.symbolic) == ("holds", "numeric", "not applicable")
    assert ok.max_residual < 1e-9
    bad = check_marginal_consistency(
        a=lambda t: -1.0, g=lambda t: math.sqrt(2.0), var=lambda t: -math.expm1(-t)
    )
    assert (bad.status, bad.evidence) == ("fails", "numeric")
    # mixed: sympy coefficients, callable declaration
    mixed = check_marginal_consistency(f="1", g="sqrt(2)", var=lambda t: -math.expm1(-2 * t))
    assert mixed.status == "holds"


def test_small_discrepancy_is_unknown_numerically_but_fails_exactly():
    """A 1e-6 relative error: between rtol and fail_rtol on the grid (unknown), but exactly non-zero."""
    num = check_marginal_consistency(
        a=lambda t: -1.0, g=lambda t: math.sqrt(2.0), var=lambda t: -(1 + 1e-6) * math.expm1(-2 * t)
    )
    assert (num.status, num.evidence, num.numeric) == ("unknown", "numeric", "unknown")
    exact = check_marginal_consistency(
        a=-1, g=sp.sqrt(2), var=(1 + sp.Rational(1, 10**6)) * (1 - sp.exp(-2 * T))
    )
    assert (exact.status, exact.evidence, exact.numeric) == ("fails", "symbolic", "unknown")


def test_undecided_symbolic_is_never_holds(monkeypatch):
    """If sympy cannot decide, the status comes from the numeric stage and says so (no symbolic 'holds')."""
    import sgmverify.sde._consistency as mod

    monkeypatch.setattr(mod, "_is_zero", lambda expr, limit: False)
    res = check_process_consistency(VP(0.1, 20.0))
    assert (res.symbolic, res.evidence, res.status) == ("unknown", "numeric", "holds")
    res = check_marginal_consistency(
        a=-1, g=sp.sqrt(2), var=(1 + sp.Rational(1, 10**6)) * (1 - sp.exp(-2 * T))
    )
    assert res.symbolic == "fails"  # the exact witness does not need simplify


# ------------------------------------------------------------------------------------------ C11
# Reference C11 [D] (about the authors' sde_lib.VESDE.sde()): the code's g is sigma(t) sqrt(2 ln(smax/smin))
# for every sde_type, correct only for 'original'.  sigma(t) is the code's marginal std (§6.1 [V]).
# Exact constants (sympy Rationals): the check is then a proof or an exact witness.
SMIN, SMAX = sp.Rational(1, 100), sp.Integer(50)
_RHO2 = (SMIN ** sp.Rational(1, 2), SMAX ** sp.Rational(1, 2) - SMIN ** sp.Rational(1, 2))
_RHO7 = (SMIN ** sp.Rational(1, 7), SMAX ** sp.Rational(1, 7) - SMIN ** sp.Rational(1, 7))
CODE_SIGMA = {
    "original": SMIN * (SMAX / SMIN) ** T,
    "v1": sp.sqrt(SMIN**2 + (SMAX**2 - SMIN**2) * T),
    "v2": sp.sqrt(SMIN**2 + (SMAX**2 - SMIN**2) * T**2),
    "v3": (_RHO2[0] + _RHO2[1] * T) ** 2,
    "v3_deep": (_RHO7[0] + _RHO7[1] * T) ** 7,
}


def _code_g(sigma: sp.Expr) -> sp.Expr:
    return sigma * sp.sqrt(2 * sp.log(SMAX / SMIN))


@pytest.mark.parametrize("kind", ["v1", "v2", "v3", "v3_deep"])
def test_c11_buggy_ve_diffusion_is_flagged(kind):
    sigma = CODE_SIGMA[kind]
    res = check_marginal_consistency(a=0, g=_code_g(sigma), std=sigma, t=T)
    assert (res.status, res.evidence, res.numeric) == ("fails", "symbolic", "fails"), res.message
    assert res.witness_t is not None and res.max_residual > 0.1
    # the true g = sqrt(d sigma^2/dt) is consistent: the bug is in g, not in sigma(t)
    true_g = sp.sqrt(sp.diff(sigma**2, T))
    assert check_marginal_consistency(a=0, g=true_g, std=sigma, t=T).status == "holds"


def test_c11_original_is_consistent():
    sigma = CODE_SIGMA["original"]
    res = check_marginal_consistency(a=0, g=_code_g(sigma), std=sigma, t=T)
    assert (res.status, res.evidence) == ("holds", "symbolic")
    assert math.isclose(res.initial_var, 1e-4, rel_tol=1e-12)


def test_float_constants_are_not_false_failures():
    """With float constants sympy rounds sqrt(2.0 * 2499.9999 * t) to 70.71...*sqrt(t): a consistent
    declaration then leaves an exact residual of a few ulp, which must not count as a witness."""
    sigma = sp.sqrt(0.01**2 + (50.0**2 - 0.01**2) * T**2)
    g = sp.sqrt(sp.diff(sigma**2, T))
    assert g.has(sp.Float)
    res = check_marginal_consistency(a=0, g=g, std=sigma, t=T)
    assert res.status == "holds" and res.symbolic in ("holds", "unknown") and res.max_residual < 1e-12
    bad = check_marginal_consistency(a=0, g=1.0001 * g, std=sigma, t=T)
    assert (bad.status, bad.evidence) == ("fails", "symbolic")


@pytest.mark.parametrize(
    ("kind", "t", "code_g", "true_g"), [("v1", 0.5, 145.92, 50.00), ("v2", 1.0, 206.36, 70.71)]
)
def test_c11_table_values(kind, t, code_g, true_g):
    """The reference's C11 table (2 decimals), and the presets' g equals the true g."""
    sigma = CODE_SIGMA[kind]
    assert round(float(_code_g(sigma).subs(T, t)), 2) == code_g
    assert round(float(sp.sqrt(sp.diff(sigma**2, T)).subs(T, t)), 2) == true_g
    preset = CIFAR10_SCHEDULES[f"ncsnpp_{kind}"]()
    assert round(float(preset.diffusion(t)), 2) == true_g


# ------------------------------------------------------------------------------------------ claims glue
def test_assumption_result_and_claims_assumption():
    res = check_process_consistency(VE(0.01, 50.0, convention="score_sde"))
    ar = res.to_assumption_result("marginals")
    assert isinstance(ar, AssumptionResult)
    assert (ar.name, ar.status, ar.evidence) == ("marginals", "holds", "symbolic") and "offset" in ar.detail

    loose = marginal_consistency_assumption("marginals")
    strict = marginal_consistency_assumption("marginals from X_0", require_zero_start=True)
    assert isinstance(loose, Assumption) and "sigma^2(0) = 0" in strict.description
    ve_sde = Scenario(name="ve", process=VE(0.01, 50.0, convention="score_sde"))
    assert loose.evaluate(ve_sde).status == "holds"
    assert strict.evaluate(ve_sde).status == "fails"
    assert strict.evaluate(Scenario(name="vp", process=VP(0.1, 20.0))).status == "holds"
    assert loose.evaluate(Scenario(name="none")).status == "unknown"


# ------------------------------------------------------------------------------------------ inputs
@pytest.mark.parametrize(
    ("kwargs", "exc", "fragment"),
    [
        ({"a": -1, "f": 1, "g": 1, "var": T}, InvalidParameterError, "exactly one of a"),
        ({"g": 1, "var": T}, InvalidParameterError, "exactly one of a"),
        ({"a": 0, "g": 1}, InvalidParameterError, "exactly one of std and var"),
        ({"a": 0, "g": 1, "var": T, "std": T}, InvalidParameterError, "exactly one of std and var"),
        ({"a": 0, "g": 1, "var": T, "times": [0.0, 0.5]}, InvalidParameterError, "inside (0"),
        (
            {"a": 0, "g": 1, "var": T, "times": [0.5, 2.0], "t_max": 1.0},
            InvalidParameterError,
            "inside (0, 1.0)",
        ),
        ({"a": 0, "g": 1, "var": T, "rtol": 1e-3, "fail_rtol": 1e-6}, InvalidParameterError, "rtol"),
        ({"a": 0, "g": "k", "var": T}, ExpressionError, "k"),
    ],
)
def test_bad_inputs(kwargs, exc, fragment):
    with pytest.raises(exc, match=None) as info:
        check_marginal_consistency(**kwargs)
    assert fragment in str(info.value)


def test_custom_grid_and_f_convention():
    res = check_marginal_consistency(
        f="alpha",
        g="sigma",
        var="sigma**2*(1 - exp(-2*alpha*t))/(2*alpha)",
        params={"alpha": 0.7, "sigma": 1.3},
        times=np.linspace(0.5, 5.0, 7),
    )
    assert res.status == "holds" and "7 times in [0.5, 5]" in res.message


def test_unevaluable_declaration_is_unknown():
    """A declaration undefined on part of the grid gives 'unknown', not a silently skipped point."""
    res = check_marginal_consistency(a=lambda t: 0.0, g=lambda t: 1.0, std=lambda t: math.sqrt(t - 0.5))
    assert (res.status, res.numeric) == ("unknown", "unknown") and math.isnan(res.max_residual)
    assert "could not be evaluated" in res.message
    strict = check_marginal_consistency(
        a=0, g=1, var=T + sp.Rational(1, 4), t=T, require_zero_start=True, initial_atol=0.0
    )
    assert strict.status == "fails" and "zero start is required" in strict.message
    assert strict.initial_var == 0.25
