"""Tests of the theory model (sgmverify.theory) and of the check pipeline (sgmverify.run.run_check): the
verdict rule, bounds, checks, results, theorems, scenarios."""

from __future__ import annotations

import functools
import json
import math
import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings, strategies as st

from sgmverify.errors import BoundEvaluationError, ExpressionError, InvalidParameterError
from sgmverify.estimates import Estimate
from sgmverify.laws import Gaussian
from sgmverify.run import run_check
from sgmverify.theory import (
    Assumption,
    AssumptionResult,
    Bound,
    Check,
    Direction,
    Provenance,
    Reference,
    Result,
    Scenario,
    Suite,
    Theorem,
    Verdict,
    decide,
    describe_object,
)

NAN = float("nan")
INF = float("inf")
H, V, I, AF, E = (
    Verdict.HOLDS,
    Verdict.VIOLATED,
    Verdict.INCONCLUSIVE,
    Verdict.ASSUMPTIONS_FAIL,
    Verdict.ERROR,
)


def up(x: float) -> float:
    return math.nextafter(x, INF)


def down(x: float) -> float:
    return math.nextafter(x, -INF)


def ci(lo: float, value: float, hi: float) -> Estimate:
    return Estimate(value, lo, hi, level=0.95, n=100, method="test")


def exact(value: float) -> Estimate:
    return Estimate.exact_value(value)


# ====================================================================================== decide: tables
# bound = 1.0 and tol = 0.25 throughout: every edge (0.75, 1.0, 1.25) is exactly representable.
B, TOL = 1.0, 0.25

UPPER_CI = [
    ((0.2, 0.5, 0.8), H),  # inside
    ((0.5, 0.8, 1.0), H),  # hi exactly at the bound
    ((0.5, 0.9, up(1.0)), I),  # hi one ulp above the bound
    ((0.5, 1.0, 1.5), I),  # straddling
    ((1.0, 1.2, 1.5), I),  # lo exactly at the bound: not VIOLATED
    ((up(1.0), 1.2, 1.5), V),  # lo one ulp above the bound
    ((1.2, 1.5, 2.0), V),  # outside
    ((1.1, 1.2, 1.3), V),  # the tolerance does not rescue a CI (it is for exact values only)
    ((-INF, 0.5, INF), I),
    ((-INF, 0.5, 0.8), H),
    ((1.5, 2.0, INF), V),
]
LOWER_CI = [
    ((1.2, 1.5, 2.0), H),
    ((1.0, 1.2, 1.5), H),  # lo exactly at the bound
    ((down(1.0), 1.2, 1.5), I),
    ((0.5, 1.0, 1.5), I),
    ((0.5, 0.8, 1.0), I),  # hi exactly at the bound: not VIOLATED
    ((0.5, 0.8, down(1.0)), V),
    ((0.2, 0.5, 0.8), V),
    ((0.7, 0.8, 0.9), V),  # no tolerance for a CI
    ((-INF, 1.5, INF), I),
    ((1.5, 2.0, INF), H),
]
EQUAL_CI = [  # tolerance band [0.75, 1.25]
    ((0.9, 1.0, 1.1), H),
    ((0.75, 1.0, 1.25), H),  # exactly the band
    ((down(0.75), 1.0, 1.1), I),  # pokes out one ulp below
    ((0.9, 1.0, up(1.25)), I),  # pokes out one ulp above
    ((0.7, 1.0, 1.1), I),
    ((0.9, 1.2, 1.3), I),
    ((0.5, 1.0, 1.5), I),  # contains the whole band
    ((1.25, 1.3, 1.4), I),  # touches the band's upper edge
    ((up(1.25), 1.3, 1.4), V),
    ((0.5, 0.6, 0.75), I),  # touches the band's lower edge
    ((0.5, 0.6, down(0.75)), V),
    ((2.0, 3.0, 4.0), V),
    ((-1.0, 0.0, 0.5), V),
    ((-INF, 1.0, INF), I),
]
UPPER_EXACT = [(0.5, H), (1.0, H), (1.1, H), (1.25, H), (up(1.25), V), (2.0, V), (-INF, H), (INF, V)]
LOWER_EXACT = [(2.0, H), (1.0, H), (0.9, H), (0.75, H), (down(0.75), V), (0.0, V), (INF, H), (-INF, V)]
EQUAL_EXACT = [
    (1.0, H),
    (1.25, H),
    (0.75, H),
    (up(1.25), V),
    (down(0.75), V),
    (3.0, V),
    (-1.0, V),
    (INF, V),
    (-INF, V),
]


@pytest.mark.parametrize(("pts", "want"), UPPER_CI)
def test_decide_upper_ci(pts, want):
    verdict, reason = decide(B, ci(*pts), Direction.UPPER, TOL)
    assert verdict is want
    assert isinstance(reason, str) and reason


@pytest.mark.parametrize(("pts", "want"), LOWER_CI)
def test_decide_lower_ci(pts, want):
    assert decide(B, ci(*pts), Direction.LOWER, TOL)[0] is want


@pytest.mark.parametrize("direction", [Direction.EQUAL, Direction.RATE])
@pytest.mark.parametrize(("pts", "want"), EQUAL_CI)
def test_decide_equal_and_rate_ci(pts, want, direction):
    assert decide(B, ci(*pts), direction, TOL)[0] is want


@pytest.mark.parametrize(("value", "want"), UPPER_EXACT)
def test_decide_upper_exact(value, want):
    assert decide(B, exact(value), Direction.UPPER, TOL)[0] is want


@pytest.mark.parametrize(("value", "want"), LOWER_EXACT)
def test_decide_lower_exact(value, want):
    assert decide(B, exact(value), Direction.LOWER, TOL)[0] is want


@pytest.mark.parametrize("direction", [Direction.EQUAL, Direction.RATE])
@pytest.mark.parametrize(("value", "want"), EQUAL_EXACT)
def test_decide_equal_and_rate_exact(value, want, direction):
    assert decide(B, exact(value), direction, TOL)[0] is want


@pytest.mark.parametrize("direction", list(Direction))
def test_decide_exact_with_zero_tolerance(direction):
    assert decide(1.0, exact(1.0), direction, 0.0)[0] is H
    over, under = (
        decide(1.0, exact(up(1.0)), direction, 0.0)[0],
        decide(1.0, exact(down(1.0)), direction, 0.0)[0],
    )
    expected = {
        Direction.UPPER: (V, H),
        Direction.LOWER: (H, V),
        Direction.EQUAL: (V, V),
        Direction.RATE: (V, V),
    }[direction]
    assert (over, under) == expected


@pytest.mark.parametrize("direction", list(Direction))
def test_decide_exact_uses_value_and_tolerance(direction):
    # exact=True means "use the value and the tolerance"; an exact estimate cannot carry an interval at all.
    with pytest.raises(InvalidParameterError, match="exact"):
        Estimate(1.1, 0.0, 5.0, exact=True)
    assert decide(1.0, Estimate.exact_value(1.1), direction, 0.25)[0] is H


def test_decide_uses_the_bound_tolerance_from_rtol():
    """The issue's 'stated relative tolerance': tol = max(atol, rtol·|bound|) from the Bound."""
    bound = Bound("b", "upper", "q", params=["b"], rtol=1e-3)
    b = bound.evaluate({"b": 1000.0})
    tol = bound.tolerance(b)
    assert tol == pytest.approx(1.0)
    assert decide(b, exact(1000.5), bound.direction, tol)[0] is H
    assert decide(b, exact(1001.5), bound.direction, tol)[0] is V
    # a Monte Carlo CI gets no tolerance
    assert decide(b, ci(1000.2, 1000.5, 1000.8), bound.direction, tol)[0] is V


@pytest.mark.parametrize("direction", list(Direction))
@pytest.mark.parametrize(
    "measured",
    [exact(NAN), Estimate(NAN, 0.0, 1.0), Estimate(NAN, NAN, NAN)],
    ids=["exact", "finite-ci", "nan-ci"],
)
def test_decide_nan_value_is_error(measured, direction):
    verdict, reason = decide(1.0, measured, direction, 0.1)
    assert verdict is E
    assert "NaN" in reason


@pytest.mark.parametrize("direction", list(Direction))
@pytest.mark.parametrize(
    "measured",
    [Estimate(1.0, NAN, NAN), Estimate(1.0, NAN, 2.0), Estimate(1.0, 0.0, NAN), Estimate(50.0, NAN, NAN)],
    ids=["both", "low", "high", "far-from-bound"],
)
def test_decide_nan_ci_is_inconclusive(measured, direction):
    verdict, reason = decide(1.0, measured, direction, 0.1)
    assert verdict is I
    assert "confidence interval" in reason


def test_decide_accepts_direction_strings():
    for d in Direction:
        assert decide(1.0, exact(0.5), d.value, 1.0) == decide(1.0, exact(0.5), d, 1.0)
    with pytest.raises(ValueError):
        decide(1.0, exact(0.5), "sideways", 0.0)


def test_decide_reason_mentions_the_numbers():
    verdict, reason = decide(2.0, ci(2.5, 3.0, 3.5), "upper", 0.0)
    assert verdict is V
    assert "3" in reason and "2" in reason and "CI" in reason
    assert "exact" in decide(2.0, exact(1.0), "upper", 0.0)[1]


# =================================================================================== decide: properties
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
tols = st.floats(min_value=0.0, max_value=1e3, allow_nan=False, allow_infinity=False)
unit = st.floats(min_value=0.0, max_value=1.0)
directions = st.sampled_from(list(Direction))
PROP = settings(max_examples=300, deadline=None)


def _interval(a: float, b: float, c: float) -> tuple[float, float, float]:
    lo, v, hi = sorted((a, b, c))
    return lo, v, hi


@PROP
@given(finite, finite, finite, finite, unit, unit, tols, directions)
def test_shrinking_a_ci_keeps_decisive_verdicts(bound, a, b, c, u1, u2, tol, direction):
    lo, v, hi = _interval(a, b, c)
    lo2 = min(max(lo + u1 * (v - lo), lo), v)
    hi2 = max(min(hi - u2 * (hi - v), hi), v)
    assert lo <= lo2 <= v <= hi2 <= hi
    big = decide(bound, ci(lo, v, hi), direction, tol)[0]
    small = decide(bound, ci(lo2, v, hi2), direction, tol)[0]
    point = decide(bound, ci(v, v, v), direction, tol)[0]
    if big in (H, V):
        assert small is big
        assert point is big
    if small in (H, V):
        assert point is small
    assert {big, small} != {H, V}


@PROP
@given(finite, finite, finite, finite, tols, st.sampled_from([Direction.UPPER, Direction.LOWER]))
def test_inconclusive_ci_contains_the_bound(bound, a, b, c, tol, direction):
    lo, v, hi = _interval(a, b, c)
    verdict = decide(bound, ci(lo, v, hi), direction, tol)[0]
    assert verdict in (H, V, I)
    if verdict is I:
        assert lo <= bound <= hi
    else:  # and conversely a decisive CI lies (weakly) on one side of the bound
        assert hi <= bound or lo >= bound


@PROP
@given(finite, finite, finite, finite, tols, st.sampled_from([Direction.EQUAL, Direction.RATE]))
def test_equal_verdict_matches_band_geometry(bound, a, b, c, tol, direction):
    lo, v, hi = _interval(a, b, c)
    band_lo, band_hi = bound - tol, bound + tol
    verdict = decide(bound, ci(lo, v, hi), direction, tol)[0]
    if verdict is H:
        assert band_lo <= lo and hi <= band_hi
    elif verdict is V:
        assert hi < band_lo or lo > band_hi
    else:
        assert verdict is I
        assert not (band_lo <= lo and hi <= band_hi)
        assert not (hi < band_lo or lo > band_hi)


@PROP
@given(finite, finite, finite, finite, tols)
def test_mirror_symmetry_ci(bound, a, b, c, tol):
    lo, v, hi = _interval(a, b, c)
    upper = decide(bound, ci(lo, v, hi), Direction.UPPER, tol)[0]
    lower = decide(-bound, ci(-hi, -v, -lo), Direction.LOWER, tol)[0]
    assert upper is lower
    lower2 = decide(bound, ci(lo, v, hi), Direction.LOWER, tol)[0]
    upper2 = decide(-bound, ci(-hi, -v, -lo), Direction.UPPER, tol)[0]
    assert lower2 is upper2
    for d in (Direction.EQUAL, Direction.RATE):
        assert decide(bound, ci(lo, v, hi), d, tol)[0] is decide(-bound, ci(-hi, -v, -lo), d, tol)[0]


@PROP
@given(finite, finite, tols, directions)
def test_mirror_symmetry_and_decisiveness_exact(bound, value, tol, direction):
    mirrored = {Direction.UPPER: Direction.LOWER, Direction.LOWER: Direction.UPPER}.get(direction, direction)
    verdict = decide(bound, exact(value), direction, tol)[0]
    assert verdict is decide(-bound, exact(-value), mirrored, tol)[0]
    assert verdict in (H, V)  # an exact finite value is always decisive


@PROP
@given(finite, finite, directions)
def test_exact_with_zero_tolerance_equals_degenerate_ci(bound, value, direction):
    assert (
        decide(bound, exact(value), direction, 0.0)[0]
        is decide(bound, ci(value, value, value), direction, 0.0)[0]
    )


@PROP
@given(finite, finite, tols, tols)
def test_larger_tolerance_never_hurts_an_exact_value(bound, value, t1, t2):
    small, big = sorted((t1, t2))
    for d in Direction:
        if decide(bound, exact(value), d, small)[0] is H:
            assert decide(bound, exact(value), d, big)[0] is H


# ============================================================================================== Bound
class TestBound:
    def test_parse_string_with_declared_params(self):
        b = Bound("C*sqrt(d)/K", "upper", "W2", params=["C", "d", "K"])
        assert b.symbols == ["C", "K", "d"]
        assert b.params == ["C", "d", "K"]
        assert b.direction is Direction.UPPER
        assert b.evaluate({"C": 2.0, "d": 9.0, "K": 3.0}) == pytest.approx(2.0)

    def test_sympy_input(self):
        x = sp.Symbol("x")
        b = Bound(x**2 + 1, Direction.LOWER, "q")
        assert b.expr == x**2 + 1
        assert b.params == ["x"]
        assert b.evaluate({"x": 2.0}) == 5.0

    @pytest.mark.parametrize("c", [0.5, 3, "7/2"])
    def test_constant_bounds(self, c):
        b = Bound(c, "equal", "q")
        assert b.symbols == []
        assert b.evaluate({}) == pytest.approx(float(sp.sympify(c)))

    def test_declared_but_unused_params_are_kept(self):
        b = Bound("2*x", "upper", "q", params=["x", "y"])
        assert b.params == ["x", "y"]
        assert b.symbols == ["x"]
        assert b.evaluate({"x": 1.5}) == 3.0

    def test_undeclared_symbol_is_an_expression_error(self):
        with pytest.raises(ExpressionError, match=r"\['z'\]"):
            Bound("x + z", "upper", "q", params=["x"])
        with pytest.raises(ExpressionError):
            Bound("x", "upper", "q", params=[])
        with pytest.raises(InvalidParameterError):  # ExpressionError is an InvalidParameterError
            Bound(sp.Symbol("w") * 2, "upper", "q", params=["x"])

    def test_unparseable_string_is_an_expression_error(self):
        with pytest.raises(ExpressionError, match="could not parse"):
            Bound("x +* )", "upper", "q", params=["x"])

    @pytest.mark.parametrize("direction", ["sideways", "UPPER", "", "<="])
    def test_unknown_direction(self, direction):
        with pytest.raises(InvalidParameterError, match="direction"):
            Bound("x", direction, "q", params=["x"])

    @pytest.mark.parametrize(("rtol", "atol"), [(-1e-3, 0.0), (0.0, -1.0), (NAN, 0.0), (0.0, NAN)])
    def test_negative_or_nan_tolerance(self, rtol, atol):
        with pytest.raises(InvalidParameterError):
            Bound("x", "upper", "q", params=["x"], rtol=rtol, atol=atol)

    def test_missing_values_are_named(self):
        b = Bound("x + y*z", "upper", "q", params=["x", "y", "z"])
        with pytest.raises(BoundEvaluationError, match=r"needs values for \['y', 'z'\]"):
            b.evaluate({"x": 1.0})

    def test_extra_values_are_ignored_and_types_coerced(self):
        b = Bound("x*y", "upper", "q", params=["x", "y"])
        assert b.evaluate({"x": np.float32(2.0), "y": 3, "unused": "abc"}) == 6.0

    def test_repeated_evaluation_uses_the_current_values(self):
        b = Bound("x - y", "upper", "q", params=["x", "y"])
        assert b.evaluate({"x": 5.0, "y": 2.0}) == 3.0
        assert b.evaluate({"y": 2.0, "x": 7.0}) == 5.0

    @pytest.mark.parametrize(
        ("expr", "values"),
        [
            ("sqrt(x - 5)", {"x": 1.0}),
            ("x/(x + 1)", {"x": INF}),
            ("x + 1", {"x": NAN}),
            ("log(x - 2)", {"x": 1.0}),
        ],
    )
    def test_nan_result_is_an_error(self, expr, values):
        b = Bound(expr, "upper", "q", params=["x"])
        with pytest.raises(BoundEvaluationError, match="NaN"):
            b.evaluate(values)

    @pytest.mark.parametrize(("expr", "values"), [("1/x", {"x": 0.0}), ("x", {"x": "abc"})])
    def test_evaluation_failure_is_a_bound_evaluation_error(self, expr, values):
        with pytest.raises(BoundEvaluationError, match="could not evaluate"):
            Bound(expr, "upper", "q", params=["x"]).evaluate(values)

    def test_infinite_value_is_allowed(self):
        assert Bound("exp(x)", "upper", "q", params=["x"]).evaluate({"x": 1000.0}) == INF
        assert Bound("oo", "upper", "q").evaluate({}) == INF

    def test_tolerance(self):
        assert Bound("1", "upper", "q").tolerance(1.0) == pytest.approx(1e-9)  # default rtol
        b = Bound("1", "equal", "q", rtol=1e-3, atol=0.5)
        assert b.tolerance(100.0) == 0.5  # atol dominates
        assert b.tolerance(2000.0) == pytest.approx(2.0)  # rtol dominates
        assert b.tolerance(-2000.0) == pytest.approx(2.0)  # |bound|
        assert Bound("1", "rate", "q", rtol=0.0, atol=0.0).tolerance(5.0) == 0.0
        assert Bound("1", "rate", "q", rtol=0.0, atol=0.1).tolerance(0.0) == 0.1

    @pytest.mark.parametrize(
        ("direction", "op"), [("upper", "≤"), ("lower", "≥"), ("equal", "="), ("rate", "has order")]
    )
    def test_statement(self, direction, op):
        b = Bound("C*sqrt(d)", direction, "W2(output, data)", params=["C", "d"])
        assert b.statement() == f"W2(output, data) {op} C*sqrt(d)"

    def test_latex_and_pretty(self):
        b = Bound("sqrt(d)/K", "upper", "q", params=["d", "K"])
        assert b.latex() == r"\frac{\sqrt{d}}{K}"
        assert isinstance(b.pretty(), str) and "d" in b.pretty()

    def test_to_dict(self):
        b = Bound("C*sqrt(d)", "lower", "W2", params=["C", "d"], rtol=1e-6, atol=1e-12)
        d = b.to_dict()
        assert d == {
            "expr": sp.srepr(b.expr),
            "text": "C*sqrt(d)",
            "latex": b.latex(),
            "direction": "lower",
            "quantity": "W2",
            "rtol": 1e-6,
            "atol": 1e-12,
        }
        assert sp.sympify(d["expr"]) == b.expr  # srepr rebuilds the same expression (assumptions included)
        json.dumps(d, allow_nan=False)

    @pytest.mark.parametrize(("expr", "mu", "want"), [("Abs(mu)", -2.0, 2.0), ("sqrt(mu**2)", -2.0, 2.0)])
    def test_declared_params_do_not_silently_change_the_expression(self, expr, mu, want):
        # declared params must not be assumed positive (which would rewrite Abs(mu) as mu)
        b = Bound(expr, "upper", "q", params=["mu"])
        assert b.evaluate({"mu": mu}) == want


# ======================================================================================== Assumptions
class TestAssumption:
    @pytest.mark.parametrize(
        ("out", "status"), [(True, "holds"), (False, "fails"), (None, "unknown"), (np.bool_(False), "fails")]
    )
    def test_evaluate_converts_checker_output(self, out, status):
        a = Assumption("A1", "m-strongly log-concave", lambda sc: out)
        r = a.evaluate(Scenario("s"))
        assert (r.name, r.status) == ("A1", status)

    def test_evaluate_passes_assumption_results_through(self):
        res = AssumptionResult("A1", "holds", "m = 2", evidence="symbolic")
        assert Assumption("A1", "d", lambda sc: res).evaluate(Scenario("s")) is res

    def test_checker_receives_the_scenario(self):
        a = Assumption("small", "x < 1", lambda sc: sc.params["x"] < 1)
        assert a.evaluate(Scenario("s", params={"x": 0.5})).status == "holds"
        assert a.evaluate(Scenario("s", params={"x": 2.0})).status == "fails"

    def test_invalid_status(self):
        with pytest.raises(InvalidParameterError, match="holds"):
            AssumptionResult("A1", "true")


# ==================================================================================== run_check & co.
REF = Reference("A. Author and B. Author", "A paper", "2301.00001", "Thm 3", Provenance.DERIVED)


def measure_half(scenario, rng):
    return 0.5 * scenario.params.get("x", 1.0)


def measure_ci(scenario, rng):
    return Estimate(scenario.params["m"], scenario.params["m"] - 0.1, scenario.params["m"] + 0.1)


def measure_raises(scenario, rng):
    raise ZeroDivisionError("boom in measure\nsecond line")


def measure_random(scenario, rng):
    return float(rng.random())


def measure_slow(scenario, rng):
    time.sleep(0.02)
    return Estimate.exact_value(0.1)


def theorem(bound="x", measure=measure_half, assumptions=(), scenarios=None, **kw) -> Theorem:
    if isinstance(bound, str):
        bound = Bound(bound, kw.pop("direction", "upper"), "q", params=kw.pop("params", None))
    return Theorem(
        id=kw.pop("id", "t.thm1"),
        title="A test theorem",
        reference=kw.pop("reference", REF),
        bound=bound,
        measure=measure,
        assumptions=list(assumptions),
        scenarios=scenarios if scenarios is not None else [Scenario("s1", params={"x": 1.0}, seed=3)],
        **kw,
    )


def run_one(th: Theorem, **kw) -> Result:
    return run_check(th.checks("full")[0], **kw)


HOLDS_A = Assumption("A-holds", "always", lambda sc: True)
FAILS_A = Assumption("A-fails", "never satisfied", lambda sc: False)
UNKNOWN_A = Assumption("A-unknown", "undecidable", lambda sc: None)


class TestCheckRun:
    def test_holds_end_to_end(self):
        r = run_one(theorem("x"))
        assert r.verdict is H
        assert r.bound_value == 1.0
        assert r.measured.exact and r.measured.value == 0.5
        assert r.ratio == 0.5
        assert r.check_id == "t.thm1[s1]"
        assert (r.theorem_id, r.scenario, r.expect, r.seed) == ("t.thm1", "s1", "holds", 3)
        assert r.statement == "q ≤ x"
        assert r.provenance == "derived"
        assert r.reference == REF.cite()
        assert r.params == {"x": 1.0}
        assert r.bound == Bound("x", "upper", "q").to_dict()
        assert r.traceback == ""

    def test_failing_assumption_skips_the_measurement(self):
        r = run_one(theorem("x", measure=measure_raises, assumptions=[HOLDS_A, FAILS_A, UNKNOWN_A]))
        assert r.verdict is AF  # not ERROR: the raising measure never ran
        assert r.measured is None and r.bound_value is None and r.ratio is None
        assert "A-fails" in r.reason and "never satisfied" in r.reason
        assert [a.status for a in r.assumptions] == ["holds", "fails", "unknown"]
        assert r.bound_params == {"x": 1.0}
        assert "measure_s" not in r.timings and "total_s" in r.timings

    def test_unknown_assumption_turns_a_violation_into_inconclusive(self):
        r = run_one(theorem("x/4", assumptions=[UNKNOWN_A, HOLDS_A]))  # 0.5 > 0.25
        assert r.verdict is I
        assert "A-unknown" in r.reason and "could not be verified" in r.reason
        assert r.measured.value == 0.5 and r.bound_value == 0.25  # still measured and recorded

    def test_unknown_assumption_does_not_change_holds(self):
        assert run_one(theorem("x", assumptions=[UNKNOWN_A])).verdict is H

    def test_violation_with_verified_assumptions(self):
        r = run_one(theorem("x/4", assumptions=[HOLDS_A]))
        assert r.verdict is V
        assert r.ratio == 2.0

    def test_measure_raising_is_an_error_not_an_exception(self):
        r = run_one(theorem("x", measure=measure_raises))
        assert r.verdict is E
        assert r.reason == "ZeroDivisionError: boom in measure"  # first line only
        assert "Traceback" in r.traceback and "measure_raises" in r.traceback
        assert "ZeroDivisionError" in r.traceback
        assert r.bound_value == 1.0  # evaluated before measuring
        assert r.measured is None
        assert "total_s" in r.timings

    def test_long_error_message_is_truncated(self):
        def measure_long(scenario, rng):
            raise RuntimeError("x" * 1000)

        r = run_one(theorem("x", measure=measure_long))
        assert r.verdict is E and len(r.reason) <= 300

    def test_checker_raising_is_an_error(self):
        def bad(sc):
            raise KeyError("missing data")

        r = run_one(theorem("x", assumptions=[Assumption("A", "d", bad)]))
        assert r.verdict is E and "KeyError" in r.reason and r.traceback

    def test_bound_evaluation_failure_is_an_error(self):
        r = run_one(theorem("x*y"))  # the scenario has no y
        assert r.verdict is E
        assert r.reason.startswith("BoundEvaluationError") and "'y'" in r.reason

    def test_bound_params_raising_is_an_error(self):
        def bp(sc):
            raise ValueError("cannot compute L")

        r = run_one(theorem("x", bound_params=bp))
        assert r.verdict is E and "cannot compute L" in r.reason

    @pytest.mark.parametrize("m", [0.25, 1, np.float64(0.25), np.int64(0)])
    def test_number_measure_is_taken_as_exact(self, m):
        r = run_one(theorem("x", measure=lambda sc, rng: m))
        assert r.measured.exact and r.measured.value == float(m)
        assert r.measured.method == "exact"
        assert r.verdict is H

    def test_exact_float_uses_the_bound_tolerance(self):
        bound = Bound("x", "upper", "q", rtol=1e-3)
        assert run_one(theorem(bound, measure=lambda sc, rng: 1.0005)).verdict is H
        assert run_one(theorem(bound, measure=lambda sc, rng: 1.002)).verdict is V

    def test_estimate_measure_is_passed_through(self):
        sc = Scenario("s", params={"x": 1.0, "m": 0.95})
        r = run_one(theorem("x", measure=measure_ci, scenarios=[sc]))
        assert r.measured == Estimate(0.95, 0.85, 1.05)
        assert r.verdict is I  # CI [0.85, 1.05] straddles the bound 1
        assert r.ratio == pytest.approx(0.95)

    def test_nan_measure_is_an_error_verdict(self):
        r = run_one(theorem("x", measure=lambda sc, rng: NAN))
        assert r.verdict is E and "NaN" in r.reason

    def test_non_numeric_measure_is_an_error(self):
        r = run_one(theorem("x", measure=lambda sc, rng: None))
        assert r.verdict is E and "TypeError" in r.reason

    @pytest.mark.parametrize(("bound", "ratio"), [("0", None), ("oo", None), ("-2", -0.25)])
    def test_ratio(self, bound, ratio):
        r = run_one(theorem(bound))
        assert r.ratio == ratio

    def test_bound_params_override_scenario_params(self):
        sc = Scenario("s", params={"x": 2.0, "label": "a"})
        th = theorem(
            "C*x", params=["C", "x"], scenarios=[sc], bound_params=lambda s: {"x": s.params["x"], "C": 3}
        )
        r = run_one(th)
        assert r.bound_value == 6.0
        assert r.bound_params == {"x": 2.0, "C": 3}
        assert r.params == {"x": 2.0, "label": "a"}
        assert r.ratio == pytest.approx(1.0 / 6.0)

    def test_default_bound_params_are_the_scenario_params(self):
        r = run_one(theorem("x", scenarios=[Scenario("s", params={"x": np.float64(4.0), "arr": np.ones(2)})]))
        assert r.bound_params == {"x": 4.0, "arr": [1.0, 1.0]}

    def test_measure_gets_a_generator_seeded_from_the_scenario(self):
        th = theorem("x", measure=measure_random, scenarios=[Scenario("s", params={"x": 1.0}, seed=42)])
        a, b = run_one(th), run_one(th)
        assert a.measured.value == b.measured.value == np.random.default_rng(42).random()
        assert a.seed == 42

    def test_timings_and_versions(self):
        r = run_one(theorem("x", measure=measure_slow), versions={"numpy": "9.9"})
        assert set(r.timings) == {"bound_s", "measure_s", "total_s"}
        assert all(v >= 0 for v in r.timings.values())
        assert r.timings["measure_s"] >= 0.015
        assert r.timings["total_s"] >= r.timings["measure_s"] + r.timings["bound_s"]
        assert r.versions == {"numpy": "9.9"}
        assert run_one(theorem("x")).versions == {}

    def test_negative_control_is_caught(self):
        th = theorem("x/4", expect="violated")  # deliberately false: 0.5 <= 0.25
        r = run_one(th)
        assert th.is_negative_control
        assert r.verdict is V and r.expect == "violated" and r.as_expected


# ========================================================================================== Result
def bare_result(verdict: Verdict, expect: str = "holds") -> Result:
    return Result("t[s]", "t", "s", "title", "q ≤ x", "verified", "ref", expect, verdict=verdict)


@pytest.mark.parametrize(
    ("expect", "verdict", "ok"),
    [
        ("holds", H, True),
        ("holds", I, True),
        ("holds", AF, True),
        ("holds", V, False),
        ("holds", E, False),
        ("violated", V, True),
        ("violated", H, False),
        ("violated", I, False),
        ("violated", AF, False),
        ("violated", E, False),
    ],
)
def test_as_expected(expect, verdict, ok):
    assert bare_result(verdict, expect).as_expected is ok


def json_round_trip(r: Result) -> Result:
    return Result.from_dict(json.loads(json.dumps(r.to_dict())))


def canonical(r: Result) -> str:
    return json.dumps(r.to_dict(), sort_keys=True)


def measure_nan_ci(scenario, rng):
    return Estimate(0.3, NAN, NAN, level=0.9, n=7, method="bootstrap-percentile", extra={"k": 1})


class TestResultDict:
    def test_round_trip_with_nan_ci_and_inf_bound(self):
        th = theorem("exp(x)", params=["x"], measure=measure_nan_ci, assumptions=[HOLDS_A, UNKNOWN_A])
        th.scenarios[0].params["x"] = 1000.0
        r = run_one(th, versions={"numpy": "2"})
        assert r.bound_value == INF and r.verdict is I and r.ratio is None
        d = r.to_dict()
        assert d["bound_value"] == "inf" and d["verdict"] == "INCONCLUSIVE"
        back = json_round_trip(r)
        assert back.bound_value == INF
        assert back.verdict is I
        assert math.isnan(back.measured.ci_low) and math.isnan(back.measured.ci_high)
        assert back.measured.value == 0.3 and back.measured.extra == {"k": 1}
        assert back.assumptions == r.assumptions
        assert all(isinstance(a, AssumptionResult) for a in back.assumptions)
        assert canonical(back) == canonical(r)

    @pytest.mark.parametrize("measure", [measure_half, measure_raises, measure_random])
    def test_round_trip_of_run_results(self, measure):
        r = run_one(theorem("x", measure=measure, assumptions=[HOLDS_A]))
        back = json_round_trip(r)
        assert canonical(back) == canonical(r)
        assert back.verdict is r.verdict and back.traceback == r.traceback

    def test_round_trip_of_non_finite_ratio_and_bound(self):
        r = bare_result(V)
        r.bound_value, r.ratio = -INF, NAN
        r.measured = Estimate(INF, 1.0, INF)
        d = r.to_dict()
        assert (d["bound_value"], d["ratio"]) == ("-inf", "nan")
        back = json_round_trip(r)
        assert back.bound_value == -INF and math.isnan(back.ratio) and back.measured.value == INF

    def test_round_trip_of_assumptions_fail(self):
        r = run_one(theorem("x", assumptions=[FAILS_A]))
        back = json_round_trip(r)
        assert back.verdict is AF and back.measured is None and back.bound_value is None
        assert back.assumptions[0] == AssumptionResult("A-fails", "fails", "never satisfied")

    def test_from_dict_ignores_unknown_keys(self):
        d = bare_result(H).to_dict()
        d["added_in_a_later_minor_version"] = 1
        assert Result.from_dict(d).verdict is H

    def test_to_dict_has_every_field(self):
        d = bare_result(H).to_dict()
        assert set(d) == set(Result.__dataclass_fields__)

    def test_to_dict_is_strict_json_with_nan_ci_and_inf_bound(self):
        th = theorem("exp(x)", params=["x"], measure=measure_nan_ci)
        th.scenarios[0].params["x"] = 1000.0
        text = json.dumps(run_one(th).to_dict(), allow_nan=False)
        back = Result.from_dict(json.loads(text))
        assert back.bound_value == INF and math.isnan(back.measured.ci_low)


# ========================================================================================= Theorem
class TestTheorem:
    def test_duplicate_scenario_names(self):
        scs = [Scenario("a"), Scenario("b"), Scenario("a"), Scenario("b"), Scenario("c")]
        with pytest.raises(InvalidParameterError, match=r"duplicate scenario names \['a', 'b'\]"):
            theorem(scenarios=scs)

    @pytest.mark.parametrize("expect", ["hold", "violates", "", "HOLDS", None])
    def test_bad_expect(self, expect):
        with pytest.raises(InvalidParameterError, match="expect"):
            theorem(expect=expect)

    def test_checks_quick_vs_full(self):
        scs = [
            Scenario("q1"),
            Scenario("f1", quick=False),
            Scenario("q2", quick=True),
            Scenario("f2", quick=False),
        ]
        th = theorem(scenarios=scs)
        assert [c.scenario.name for c in th.checks("quick")] == ["q1", "q2"]
        assert [c.scenario.name for c in th.checks()] == ["q1", "q2"]  # quick by default
        assert [c.scenario.name for c in th.checks("full")] == ["q1", "f1", "q2", "f2"]
        assert all(isinstance(c, Check) and c.theorem is th for c in th.checks("full"))
        assert [c.id for c in th.checks("full")] == ["t.thm1[q1]", "t.thm1[f1]", "t.thm1[q2]", "t.thm1[f2]"]

    def test_no_scenarios(self):
        assert theorem(scenarios=[]).checks("full") == []

    def test_is_negative_control(self):
        assert not theorem().is_negative_control
        assert theorem(expect="violated").is_negative_control

    def test_suite_checks(self):
        t1 = theorem(id="a", scenarios=[Scenario("s"), Scenario("slow", quick=False)])
        t2 = theorem(id="b", scenarios=[Scenario("s")])
        suite = Suite("demo", "Demo", [t1, t2])
        assert [c.id for c in suite.checks("quick")] == ["a[s]", "b[s]"]
        assert [c.id for c in suite.checks("full")] == ["a[s]", "a[slow]", "b[s]"]


# ======================================================================================== Scenario
class Data:
    """A plain data object with numpy arrays (and private / callable attributes that are skipped)."""

    def __init__(self, mean, cov):
        self.mean = np.asarray(mean, dtype=float)
        self.cov = np.asarray(cov, dtype=float)
        self._cache = object()
        self.fn = np.exp


def scenario(**kw) -> Scenario:
    base = {
        "name": "s",
        "data": Gaussian(np.zeros(2), np.array([[1.0, 0.5], [0.5, 2.0]])),
        "process": Data([0.0], [[1.0]]),
        "sampler": "euler-maruyama",
        "params": {"T": 1.0, "K": 10, "arr": np.arange(3.0), "expr": sp.Symbol("t") ** 2},
        "seed": 0,
        "sweep": ("K",),
    }
    base.update(kw)
    return Scenario(**base)


class TestScenarioDescribe:
    def test_deterministic_and_strict_json(self):
        a, b = scenario(), scenario()  # equal content, distinct objects
        assert a.describe() == a.describe() == b.describe()
        text = json.dumps(a.describe(), sort_keys=True, allow_nan=False)
        assert "0x" not in text  # no object addresses
        assert json.loads(text) == a.describe()

    def test_content(self):
        d = scenario().describe()
        assert d["name"] == "s" and d["seed"] == 0 and d["sweep"] == ["K"]
        assert d["data"] == {
            "class": "Gaussian",
            "mean": [0.0, 0.0],
            "cov": [[1.0, 0.5], [0.5, 2.0]],
            "dim": 2,
        }
        assert d["process"] == {"class": "Data", "mean": [0.0], "cov": [[1.0]]}  # _cache and fn skipped
        assert d["params"]["arr"] == [0.0, 1.0, 2.0]
        assert d["params"]["expr"] == sp.srepr(sp.Symbol("t") ** 2)

    def test_one_covariance_entry_changes_the_description(self):
        cov = np.array([[1.0, 0.5], [0.5, 2.0]])
        cov2 = cov.copy()
        cov2[1, 1] = 2.0 + 1e-12
        a = scenario(data=Gaussian(np.zeros(2), cov)).describe()
        b = scenario(data=Gaussian(np.zeros(2), cov2)).describe()
        assert a != b
        c = scenario(process=Data([0.0], [[1.0 + 1e-15]])).describe()
        assert c != scenario().describe()

    @pytest.mark.parametrize(
        "change",
        [
            {"name": "s2"},
            {"seed": 1},
            {"sweep": ("T",)},
            {"sampler": "heun"},
            {"params": {"T": 1.0, "K": 11, "arr": np.arange(3.0), "expr": sp.Symbol("t") ** 2}},
            {"params": {"T": up(1.0), "K": 10, "arr": np.arange(3.0), "expr": sp.Symbol("t") ** 2}},
            {"params": {"T": 1.0, "K": 10, "arr": np.arange(4.0), "expr": sp.Symbol("t") ** 2}},
            {"params": {"T": 1.0, "K": 10, "arr": np.arange(3.0), "expr": sp.Symbol("t") ** 3}},
        ],
    )
    def test_sensitive_to_every_field(self, change):
        assert scenario(**change).describe() != scenario().describe()

    def test_quick_and_description_do_not_change_the_description(self):
        # the content hash does not depend on the run mode or on prose
        assert scenario(quick=False, description="prose").describe() == scenario().describe()

    def test_describe_object_numbers(self):
        assert describe_object(np.float64(0.1)) == 0.1
        assert describe_object(np.int64(3)) == 3 and isinstance(describe_object(np.int64(3)), int)
        assert describe_object(NAN) == "nan" and describe_object(-INF) == "-inf"
        assert describe_object(np.array(2.5)) == 2.5
        assert describe_object(np.array([[1, 2], [3, 4]])) == [[1, 2], [3, 4]]
        assert describe_object(np.array([NAN, 1.0])) == ["nan", 1.0]
        assert describe_object({1: (True, None)}) == {"1": [True, None]}

    def test_different_functions_give_different_descriptions(self):
        def euler(x):
            return x

        def heun(x):
            return 2 * x

        assert scenario(sampler=euler).describe() != scenario(sampler=heun).describe()
        assert describe_object(euler) == describe_object(euler)
        assert describe_object(Gaussian) == "sgmverify.laws._gaussian.Gaussian"

    def test_partials_are_described_with_their_arguments(self):
        a, b = functools.partial(_step, 1), functools.partial(_step, 2)
        c = functools.partial(_step, 1, h=0.5)
        assert describe_object(a) == describe_object(functools.partial(_step, 1))
        assert len({json.dumps(describe_object(f), sort_keys=True) for f in (a, b, c)}) == 3

    @pytest.mark.parametrize("case", ["closure", "lambda", "bound-method", "ufunc"])
    def test_callables_with_equal_names_but_different_behaviour(self, case):
        pairs = {
            "closure": (_make_step(0.1), _make_step(0.2)),
            "lambda": (lambda x: x, lambda x: 2 * x),
            "bound-method": (_Stepper(0.1).step, _Stepper(0.2).step),
            "ufunc": (np.sin, np.cos),
        }
        f, g = pairs[case]
        assert scenario(sampler=f).describe() != scenario(sampler=g).describe()


def _step(x, h=1.0):
    return x * h


def _make_step(h):
    def step(x):
        return x * h

    return step


class _Stepper:
    def __init__(self, h):
        self.h = h

    def step(self, x):
        return x * self.h


# ======================================================================================= Reference
class TestReference:
    def test_full_citation(self):
        assert REF.cite() == "A. Author and B. Author, “A paper”, arXiv:2301.00001, Thm 3 [derived]"

    def test_provenance_is_required_and_checked(self):
        # no statement is "verified" by default: the tag must be stated
        with pytest.raises(InvalidParameterError, match="needs provenance"):
            Reference("Doe")
        with pytest.raises(InvalidParameterError, match="unknown provenance"):
            Reference("Doe", provenance="checked")
        assert Reference("Doe", provenance="derived").provenance is Provenance.DERIVED
        assert Reference("Doe", provenance=Provenance.VERIFIED).cite() == "Doe [verified]"

    @pytest.mark.parametrize("prov", list(Provenance))
    def test_every_provenance_tag_is_cited(self, prov):
        assert Reference("Doe", where="Eq. (4)", provenance=prov).cite() == f"Doe, Eq. (4) [{prov.value}]"


def test_assumption_checker_must_return_bool_none_or_result():
    """A truthy non-bool (a string, NaN) is never read as 'holds'."""
    from sgmverify.theory import Assumption, Scenario

    sc = Scenario("s")
    for bad in ("fails", float("nan"), 1):
        with pytest.raises(InvalidParameterError, match="returned"):
            Assumption("a", "d", lambda _s, b=bad: b).evaluate(sc)
    assert Assumption("a", "d", lambda _s: None).evaluate(sc).status == "unknown"
    assert Assumption("a", "d", lambda _s: np.bool_(True)).evaluate(sc).status == "holds"


def test_decide_unknown_direction_is_a_clear_error():
    from sgmverify.estimates import Estimate
    from sgmverify.theory import decide

    with pytest.raises(InvalidParameterError, match="direction"):
        decide(1.0, Estimate.exact_value(0.5), "sideways", 0.0)


def test_expect_assumptions_fail_is_a_control_caught_by_the_hypotheses():
    from sgmverify.report import summarize
    from sgmverify.theory import expected_verdict

    ref = Reference("textbook", "facts", provenance=Provenance.TEXTBOOK)
    positive = Assumption("positive x", "x > 0", lambda sc: sc.params["x"] > 0)
    th = Theorem("c.af", "control", ref, Bound("2", "upper", "q"), lambda sc, rng: 1.0,
                 assumptions=[positive], expect="assumptions_fail",
                 scenarios=[Scenario("neg", params={"x": -1.0}),
                            Scenario("pos", params={"x": 1.0})])  # fmt: skip
    assert th.is_negative_control and expected_verdict("assumptions_fail") is Verdict.ASSUMPTIONS_FAIL
    caught, missed = (run_check(Check(th, sc)) for sc in th.scenarios)
    assert caught.verdict is Verdict.ASSUMPTIONS_FAIL and caught.as_expected
    assert missed.verdict is Verdict.HOLDS and not missed.as_expected
    nc = summarize([caught, missed])["negative_controls"]
    assert [e["scenario"] for e in nc["detected"]] == ["neg"] and [e["scenario"] for e in nc["missed"]] == [
        "pos"
    ]
    with pytest.raises(InvalidParameterError, match="assumptions_fail"):
        Theorem("c.bad", "x", ref, Bound("2", "upper", "q"), lambda sc, rng: 1.0, expect="fails")
