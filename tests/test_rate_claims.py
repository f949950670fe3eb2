"""The paper-claim template (`sgmverify.regularity._rate_claims`): a bound C s^-a becomes checks whose
verdicts are right.

References: a two-point-like mixture +-1 (component variance 1e-12) has sup lambda_max = m^2/V^2 - 1/V
exactly (V = v + m^2 1e-12; math reference R2) and, the Hessian lying in [-1/V, m^2/V^2 - 1/V],
Lip = m^2/V^2 - 1/V too;
so a constant slightly below the truth must be VIOLATED and the diameter bound max(1, D^2/4) s^-4 must HOLD.
The necessary conditions are checked on a compactly supported law (uniform density on [-1, 1]) where only the
claimed value matters (1/v vs C s^-a) and on a declared smoothness beta (a >= k - beta).
"""

from __future__ import annotations

import math

import pytest

from sgmverify.errors import ExpressionError, InvalidParameterError
from sgmverify.laws import Density1D, GaussianMixture
from sgmverify.regularity import RateClaim, ScanConfig, is_compact_support
from sgmverify.run import run_check
from sgmverify.sde import OU
from sgmverify.theory import Provenance, Reference, Scenario, Verdict

REF = Reference("test", "template", provenance=Provenance.RECONSTRUCTED)
TWO_POINT = GaussianMixture([0.5, 0.5], [[-1.0], [1.0]], [[[1e-12]], [[1e-12]]])
UNIFORM = Density1D("0", support=(-1, 1))


def _verdicts(claim: RateClaim, theorem_id: str) -> list[Verdict]:
    """Verdicts of one generated theorem (only that one is run: a scan of the uniform law is slow)."""
    (th,) = [th for th in claim.theorems() if th.id == theorem_id]
    return [run_check(c).verdict for c in th.checks("full")]


def _sc(law, t, name=None):
    return Scenario(name or f"t{t:g}", data=law, process=OU(), params={"t": t})


def test_true_bound_holds_and_wrong_constant_is_violated():
    scen = [_sc(TWO_POINT, t) for t in (0.1, 1e-3)]
    good = RateClaim(
        "c.good",
        "true",
        REF,
        "Max(1, D**2/4)",
        4,
        law_params=lambda law: {"D": 2.0},
        scenarios=scen,
        config=ScanConfig.coarse(),
    )
    assert _verdicts(good, "c.good") == [Verdict.HOLDS, Verdict.HOLDS]
    # the exact value at t = 1e-3 is m^2/V^2 - 1/V; a bound 1 % below it must be caught
    t = 1e-3
    m, v = math.exp(-t), -math.expm1(-2 * t)
    exact = m * m / v**2 - 1 / v
    bad = RateClaim(
        "c.bad",
        "false",
        REF,
        0.99 * exact * v**2,
        4,
        scenarios=[_sc(TWO_POINT, t)],
        config=ScanConfig.coarse(),
    )
    assert _verdicts(bad, "c.bad") == [Verdict.VIOLATED]


def test_floor_condition_for_compact_support():
    scen = [_sc(UNIFORM, 1e-4)]
    ok = RateClaim("c.ok", "", REF, 1, 2, scenarios=scen)
    low = RateClaim("c.low", "", REF, 1, 1, scenarios=scen)  # C s^-1 < 1/v = s^-2 at small s
    assert _verdicts(ok, "c.ok.floor") == [Verdict.HOLDS]  # exactly 1/v: equality is allowed
    assert _verdicts(low, "c.low.floor") == [Verdict.VIOLATED]
    # a mixture has full support: no floor check is generated for it
    mix = RateClaim("c.mix", "", REF, 1, 1, scenarios=[_sc(TWO_POINT, 1e-4), _sc(UNIFORM, 1e-4, "u")])
    (floor,) = [th for th in mix.theorems() if th.id == "c.mix.floor"]
    assert [sc.name for sc in floor.scenarios] == ["u"]


def test_exponent_condition():
    scen = [_sc(TWO_POINT, 0.1)]
    params = lambda law: {"beta": 0.5}  # noqa: E731  (a declared smoothness)
    weak = RateClaim("c.weak", "", REF, 1, "1", law_params=params, scenarios=scen)
    fine = RateClaim("c.fine", "", REF, 1, "2 - beta", law_params=params, scenarios=scen)
    assert _verdicts(weak, "c.weak.exponent") == [Verdict.VIOLATED]  # 1 < 2 - 0.5
    assert _verdicts(fine, "c.fine.exponent") == [Verdict.HOLDS]
    assert [th.id for th in RateClaim("c.one", "", REF, 1, 2, side="one_sided").theorems()] == ["c.one"]


def test_compact_support_predicate():
    assert is_compact_support(UNIFORM) is True
    assert is_compact_support(TWO_POINT) is False
    assert is_compact_support(object()) is None


def test_bad_input():
    with pytest.raises(InvalidParameterError, match="side"):
        RateClaim("x", "", REF, 1, 2, side="both")
    with pytest.raises(InvalidParameterError, match="k = 2"):
        RateClaim("x", "", REF, 1, 2, k=3, side="one_sided")
    with pytest.raises(InvalidParameterError, match="k must"):
        RateClaim("x", "", REF, 1, 2, k=7)
    with pytest.raises(ExpressionError, match="noise level"):
        RateClaim("x", "", REF, "s", 2)


def test_module_docstring_examples_run():
    """The template's documented example (and suprema's) run and give what they print."""
    import doctest

    import sgmverify.regularity._rate_claims
    import sgmverify.regularity._scan

    for mod in (sgmverify.regularity._rate_claims, sgmverify.regularity._scan):
        res = doctest.testmod(mod)
        assert res.attempted > 0 and res.failed == 0, mod.__name__


def test_generated_conditions_keep_a_false_claims_reference():
    # a negative control's generated checks must not be labelled "exact mathematics derived here"
    scen = [_sc(UNIFORM, 1e-4, "u")]
    params = lambda law: {"beta": 0.5}  # noqa: E731
    bad = RateClaim("c.neg", "", REF, 1, 1, law_params=params, scenarios=scen, expect="violated")
    good = RateClaim("c.pos", "", REF, 1, 2, law_params=params, scenarios=scen)
    prov = {th.id: th.reference.provenance for th in bad.theorems() + good.theorems()}
    assert (
        prov["c.neg.floor"] is Provenance.RECONSTRUCTED and prov["c.neg.exponent"] is Provenance.RECONSTRUCTED
    )
    assert prov["c.pos.floor"] is Provenance.DERIVED and prov["c.pos.exponent"] is Provenance.DERIVED


def test_rate_check_is_a_theory_rate():
    """`<id>.rate` (opt-in, rate_times) is a `theory.Rate` over t against s_t: the two-point law's
    sup lambda_max = m^2/V^2 - 1/V ~ s^-4, so a claimed exponent 3 (sup <= C s^-3) is VIOLATED (the fitted
    slope ~ -4.007 with a regression interval of half-width ~0.01 lies below -3), while the true exponent 4 is
    not violated (curvature from the -1/V term keeps it INCONCLUSIVE or HOLDS)."""
    from sgmverify.theory import Direction

    times = [1e-4, 3e-4, 1e-3, 3e-3]
    scen = [_sc(TWO_POINT, 0.1), _sc(TWO_POINT, 1e-3)]  # same law twice: one rate check
    true = RateClaim("c.t", "", REF, 1, 4, side="one_sided", scenarios=scen, rate_times=times)
    false = RateClaim("c.f", "", REF, 1, 3, side="one_sided", scenarios=scen, rate_times=times)
    (rate,) = [th for th in false.theorems() if th.id == "c.f.rate"]
    assert rate.bound.direction is Direction.LOWER and [sc.name for sc in rate.scenarios] == ["t0.1-sweep"]
    assert _verdicts(false, "c.f.rate") == [Verdict.VIOLATED]
    assert _verdicts(true, "c.t.rate")[0] in (Verdict.HOLDS, Verdict.INCONCLUSIVE)
    assert "c.x.rate" not in [th.id for th in RateClaim("c.x", "", REF, 1, 4, scenarios=scen).theorems()]
