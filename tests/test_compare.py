"""Tests of sgmverify.run._compare: verdict flips, ratio drift, missing and new checks."""

from __future__ import annotations

import math

import pytest

from sgmverify.errors import InvalidParameterError
from sgmverify.run import compare_results
from sgmverify.theory import Result, Verdict


def res(check_id: str, verdict: Verdict = Verdict.HOLDS, ratio: float | None = 0.5, expect="holds") -> Result:
    return Result(
        check_id=check_id,
        theorem_id=check_id.split("[")[0],
        scenario="s",
        title="t",
        statement="q <= b",
        provenance="textbook",
        reference="ref",
        expect=expect,
        verdict=verdict,
        ratio=ratio,
        reason=f"reason of {check_id}",
    )


BASE = [
    res("a[1]"),
    res("b[1]", ratio=0.8),
    res("neg[1]", Verdict.VIOLATED, ratio=2.0, expect="violated"),
    res("c[1]", Verdict.INCONCLUSIVE, ratio=None),
]


def test_identical_runs_are_ok():
    cmp = compare_results(BASE, list(BASE))
    assert cmp.ok and cmp.n_compared == 4
    assert not (cmp.verdict_flips or cmp.drifts or cmp.missing or cmp.new)
    assert "compared 4 checks" in cmp.to_text() and "OK" in cmp.to_text()


def test_planted_regression_verdict_flip_and_ratio_drift():
    new = [
        res("a[1]", Verdict.VIOLATED, ratio=1.2),  # flip
        res("b[1]", ratio=0.8 * 1.06),  # drift beyond 5 %
        res("neg[1]", Verdict.HOLDS, ratio=0.9, expect="violated"),  # negative control no longer caught
        res("c[1]", Verdict.INCONCLUSIVE, ratio=None),
    ]
    cmp = compare_results(BASE, new, ratio_rtol=0.05)
    assert not cmp.ok
    flips = {f.check_id: f for f in cmp.verdict_flips}
    assert set(flips) == {"a[1]", "neg[1]"}
    assert flips["a[1]"].old is Verdict.HOLDS and flips["a[1]"].new is Verdict.VIOLATED
    assert flips["a[1]"].regression and flips["neg[1]"].regression
    (drift,) = cmp.drifts
    assert drift.check_id == "b[1]" and drift.rel_change == pytest.approx(0.06)
    text = cmp.to_text()
    assert "DIFFERENCES FOUND" in text and "REGRESSION a[1]: HOLDS -> VIOLATED" in text
    assert "b[1]: 0.8 -> 0.848 (+6.0%)" in text
    assert compare_results(BASE, new, ratio_rtol=0.1).drifts == []


def test_drift_tolerance_is_relative_and_handles_missing_ratios():
    base = [res("x[1]", ratio=100.0), res("y[1]", ratio=None), res("z[1]", ratio=0.0), res("w[1]", ratio=1.0)]
    new = [
        res("x[1]", ratio=104.0),
        res("y[1]", ratio=0.3),
        res("z[1]", ratio=0.0),
        res("w[1]", ratio=math.nan),
    ]
    cmp = compare_results(base, new, ratio_rtol=0.05)
    assert {d.check_id for d in cmp.drifts} == {"y[1]", "w[1]"}  # a ratio appeared / disappeared
    assert all(math.isinf(d.rel_change) for d in cmp.drifts)
    assert compare_results([res("q[1]", ratio=1e-15)], [res("q[1]", ratio=2e-15)]).ok  # absolute floor


def test_improvement_is_a_flip_but_not_a_regression():
    cmp = compare_results([res("a[1]", Verdict.INCONCLUSIVE)], [res("a[1]", Verdict.HOLDS)])
    (flip,) = cmp.verdict_flips
    assert not flip.regression and not cmp.ok
    assert "changed    a[1]: INCONCLUSIVE -> HOLDS" in cmp.to_text()


def test_missing_fails_new_does_not():
    cmp = compare_results(BASE, [*BASE[:3], res("d[1]")])
    assert cmp.missing == ["c[1]"] and cmp.new == ["d[1]"] and not cmp.ok
    assert "missing from the new run (1)" in cmp.to_text() and "new checks" in cmp.to_text()
    assert compare_results(BASE, [*BASE[:3], res("d[1]")], missing_ok=True).ok
    assert compare_results(BASE, [*BASE, res("d[1]")]).ok
    d = compare_results(BASE, BASE[:3]).to_dict()
    assert d["ok"] is False and d["missing"] == ["c[1]"]


def test_later_record_of_a_check_wins_and_bad_tolerance():
    new = [res("a[1]", Verdict.VIOLATED), res("a[1]")]
    assert compare_results([res("a[1]")], new).ok
    with pytest.raises(InvalidParameterError):
        compare_results(BASE, BASE, ratio_rtol=-1)


def test_changes_between_loose_ratios_are_listed_but_not_gated():
    base = [res("loose[1]", ratio=0.002), res("edge[1]", ratio=0.04), res("tight[1]", ratio=0.5)]
    new = [res("loose[1]", ratio=0.004), res("edge[1]", ratio=0.06), res("tight[1]", ratio=0.6)]
    cmp = compare_results(base, new)
    assert {d.check_id for d in cmp.loose_changes} == {"loose[1]"}  # both below the 0.05 floor
    assert {d.check_id for d in cmp.drifts} == {"edge[1]", "tight[1]"}  # one side at or above the floor
    assert "not gated: 1 ratio change" in cmp.to_text()
    strict = compare_results(base, new, ratio_floor=0.0)  # gate every change
    assert {d.check_id for d in strict.drifts} == {"loose[1]", "edge[1]", "tight[1]"}
    with pytest.raises(InvalidParameterError):
        compare_results(base, new, ratio_floor=1.0)
