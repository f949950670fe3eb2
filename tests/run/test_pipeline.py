"""The check pipeline :func:`sgmverify.run.run_check` and the per-check context it opens."""

from __future__ import annotations

import itertools

import pytest

from sgmverify.run import run_check, run_one
from sgmverify.theory import Bound, Check, Provenance, Reference, Scenario, Theorem, Verdict

REF = Reference("pipeline tests", provenance=Provenance.TEXTBOOK)
CALLS: list[str] = []


def _constant(tag):
    def compute():
        CALLS.append(tag)
        return 0.25

    return compute


def params_shared(sc):
    return {"c": sc.shared("c", _constant("c"))}


def measure_shared(sc, rng):
    return sc.shared("c", _constant("c")) + sc.shared("c", _constant("c"))


def measure_fails_once(sc, rng):
    def compute():
        CALLS.append("m")
        if CALLS.count("m") == 1:
            raise ArithmeticError("first compute fails")
        return 0.25

    try:
        sc.shared("m", compute)
    except ArithmeticError:
        pass
    return sc.shared("m", compute)


def _theorem(measure, bound_params=params_shared, bound="2*c", direction="equal"):
    return Theorem(
        id="p.thm",
        title="shared values",
        reference=REF,
        bound=Bound(bound, direction, "q", rtol=1e-12),
        measure=measure,
        bound_params=bound_params,
        scenarios=[Scenario("s")],
    )


@pytest.fixture(autouse=True)
def _clear():
    CALLS.clear()


def test_bound_params_and_measure_share_a_value_within_one_check():
    res = run_check(Check(_theorem(measure_shared), Scenario("s")))
    assert res.verdict is Verdict.HOLDS, res.reason
    assert res.bound_value == 0.5 and res.measured.value == 0.5
    assert CALLS == ["c"]  # computed once for the whole check


def test_each_check_gets_a_fresh_context():
    th = _theorem(measure_shared)
    for check in itertools.repeat(Check(th, Scenario("s")), 3):
        assert run_check(check).verdict is Verdict.HOLDS
    assert CALLS == ["c"] * 3
    assert run_one(Check(th, Scenario("s")), timeout=30).verdict is Verdict.HOLDS  # under a time limit too
    assert CALLS == ["c"] * 4


def test_a_failed_compute_is_not_cached():
    res = run_check(Check(_theorem(measure_fails_once, bound_params=None, bound="0.25"), Scenario("s")))
    assert res.verdict is Verdict.HOLDS, res.reason
    assert CALLS == ["m", "m"]


def test_outside_a_check_measure_computes_every_time():
    assert measure_shared(Scenario("s"), None) == 0.5
    assert CALLS == ["c", "c"]


def test_errors_and_timings_are_kept():
    def broken(sc, rng):
        sc.shared("x", lambda: 1 / 0)

    res = run_check(Check(_theorem(broken), Scenario("s")), versions={"numpy": "1"})
    assert res.verdict is Verdict.ERROR and res.reason == "ZeroDivisionError: division by zero"
    assert "broken" in res.traceback and "1 / 0" in res.traceback
    assert res.versions == {"numpy": "1"} and res.bound_value == 0.5
    assert {"bound_s", "total_s"} <= set(res.timings) and "measure_s" not in res.timings  # measure raised


# ------------------------------------------------------------------------------ assumptions and outside
def _assumption(name, status):
    from sgmverify.theory import Assumption, AssumptionResult

    return Assumption(name, name, lambda sc: AssumptionResult(name, status, f"{name} is {status}"))


def measure_half(sc, rng):
    return 0.5


def measure_boom(sc, rng):
    raise ZeroDivisionError("boom beyond")


def _claim(bound, assumptions, measure=measure_half, beyond=False):
    return Theorem(
        id="p.out",
        title="outside",
        reference=REF,
        bound=Bound(bound, "upper", "q"),
        measure=measure,
        assumptions=assumptions,
        scenarios=[Scenario("s")],
        beyond_hypotheses=beyond,
    )


def test_holds_under_an_unverified_assumption_says_so():
    res = run_check(_claim("1", [_assumption("A", "holds"), _assumption("B", "unknown")]).checks()[0])
    assert res.verdict is Verdict.HOLDS and res.holds_unverified
    assert res.unverified_assumptions == ["B"]
    assert res.reason.endswith("(assumption B could not be verified)")
    two = run_check(_claim("1", [_assumption("B", "unknown"), _assumption("C", "unknown")]).checks()[0])
    assert two.reason.endswith("(assumptions B, C could not be verified)")
    plain = run_check(_claim("1", [_assumption("A", "holds")]).checks()[0])
    assert not plain.holds_unverified and plain.unverified_assumptions == [] and plain.outside == {}


@pytest.mark.parametrize(
    ("bound", "measure", "verdict", "label"),
    [
        ("1", measure_half, "HOLDS", "holds beyond its hypotheses"),
        ("0.25", measure_half, "VIOLATED", "fails without them"),
        ("1", measure_boom, "ERROR", "undecided beyond its hypotheses"),
    ],
)
def test_beyond_hypotheses_measures_but_keeps_assumptions_fail(bound, measure, verdict, label):
    from sgmverify.theory import Result

    th = _claim(bound, [_assumption("A", "fails")], measure, beyond=True)
    res = run_check(th.checks()[0])
    assert res.verdict is Verdict.ASSUMPTIONS_FAIL and res.reason == "A: A is fails"
    assert res.outside["verdict"] == verdict and res.outside_label == label
    if verdict != "ERROR":
        assert res.outside["bound_value"] == float(bound) and res.outside["measured"]["value"] == 0.5
    else:
        assert "boom beyond" in res.outside["reason"] and res.outside["measured"] is None
    back = Result.from_dict(res.to_dict())
    assert back.outside == res.outside and back.outside_label == label
    # without the flag nothing is measured
    off = run_check(_claim(bound, [_assumption("A", "fails")], measure).checks()[0])
    assert off.outside == {} and off.outside_label == "" and "measure_s" not in off.timings


def test_old_results_without_outside_still_load():
    from sgmverify.theory import Result

    d = run_check(_claim("1", []).checks()[0]).to_dict()
    del d["outside"]
    back = Result.from_dict(d)
    assert back.outside == {} and back.verdict is Verdict.HOLDS


def test_the_content_hash_changes_with_the_flag():
    from sgmverify.run._store import check_hash

    a = _claim("1", []).checks()[0]
    b = _claim("1", [], beyond=True).checks()[0]
    assert check_hash(a, "v") != check_hash(b, "v")
    assert check_hash(a, "v") == check_hash(_claim("1", []).checks()[0], "v")
    with pytest.raises(TypeError, match="beyond_hypotheses"):
        _claim("1", [], beyond="yes")
