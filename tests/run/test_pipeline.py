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
