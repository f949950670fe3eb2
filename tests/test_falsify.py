"""Tests of the counterexample search (:mod:`sgmverify.run._falsify`), ``SearchSpace`` and the ``falsify``
command (:mod:`sgmverify.cli._falsify`)."""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
import pytest

from sgmverify.cli._falsify import METHODS as CLI_METHODS, cmd_falsify, register_cli
from sgmverify.errors import InvalidParameterError
from sgmverify.estimates import Estimate
from sgmverify.run import run_check
from sgmverify.run._falsify import METHODS, _Space, badness, falsify, falsify_suite
from sgmverify.theory import (
    Assumption,
    Bound,
    Check,
    Provenance,
    Reference,
    Scenario,
    SearchSpace,
    Suite,
    Theorem,
    Verdict,
)

REF = Reference("test", "planted claims", provenance=Provenance.TEXTBOOK)


def _bump(sc: Scenario, height: float) -> float:
    """0.5 + height·exp(-r²/(2·0.15²)), peaked in the corner x = 10^-0.05, y = 0.95 (log10 x in [-3, 0])."""
    u, y = math.log10(sc.params["x"]), sc.params["y"]
    r2 = ((u + 0.05) / 3.0) ** 2 + (y - 0.95) ** 2
    return 0.5 + height * math.exp(-r2 / (2 * 0.15**2))


def corner_false(sc: Scenario, rng: np.random.Generator) -> float:
    """Exceeds 1 only where r < ~0.065 and n == 5: about 0.3% of the box."""
    return _bump(sc, 0.55) * (1.0 if sc.params["n"] == 5 else 0.9)


def corner_true(sc: Scenario, rng: np.random.Generator) -> float:
    return _bump(sc, 0.45)


SPACE = SearchSpace(
    base=Scenario("base", params={"x": 0.1, "y": 0.5, "n": 1, "other": "kept"}),
    ranges={"x": (1e-3, 1.0), "y": (0.0, 1.0), "n": (1, 5)},
    log=("x",),
    integer=("n",),
)


def _theorem(measure, expect: str = "holds", tid: str = "planted", **kw) -> Theorem:
    return Theorem(tid, "planted", REF, Bound("1", "upper", "q"), measure, expect=expect, search=SPACE, **kw)


@pytest.mark.parametrize("method", ["de", "random"])
def test_planted_corner_counterexample_is_found(method: str) -> None:
    out = falsify(_theorem(corner_false), budget=250, seed=1, method=method)
    assert out.violated and not out.as_expected
    assert out.worst.verdict is Verdict.VIOLATED
    assert out.worst_score > 1.0
    p = out.worst_params
    assert p["n"] == 5 and abs(math.log10(p["x"]) + 0.05) < 0.5 and abs(p["y"] - 0.95) < 0.1
    assert p["other"] == "kept"  # base params are carried over
    assert out.evaluations <= 250 and len(out.history) == out.evaluations
    assert "VIOLATED" in out.message


@pytest.mark.parametrize("method", ["de", "random"])
def test_true_claim_not_reported_violated(method: str) -> None:
    out = falsify(_theorem(corner_true), budget=120, method=method)
    assert not out.violated and out.as_expected
    assert out.worst.verdict is Verdict.HOLDS
    assert 0.9 < out.worst_score < 1.0  # the search does climb towards the peak (0.95)
    assert all(v == "HOLDS" for _, _, v in out.history)


def test_negative_control_not_found_is_not_as_expected() -> None:
    out = falsify(_theorem(corner_true, expect="violated"), budget=30, method="random")
    assert not out.violated and not out.as_expected


def test_errors_and_failed_assumptions_are_never_counterexamples() -> None:
    def huge_or_boom(sc: Scenario, rng: np.random.Generator) -> float:
        if sc.params["y"] < 0.2:
            raise RuntimeError("boom")
        return 100.0  # far above the bound, but only where the assumption fails

    th = _theorem(
        huge_or_boom,
        assumptions=[Assumption("y small", "y < 0.2", lambda sc: sc.params["y"] < 0.2)],
    )
    out = falsify(th, budget=40, method="random")
    assert not out.violated
    assert out.worst_score == -math.inf
    assert {v for _, _, v in out.history} <= {"ERROR", "ASSUMPTIONS_FAIL"}
    assert "no usable candidate" in out.message


def test_no_search_space_is_a_clear_error() -> None:
    th = Theorem("nosearch", "t", REF, Bound("1", "upper", "q"), corner_true)
    assert th.search is None
    with pytest.raises(InvalidParameterError, match="search=SearchSpace"):
        falsify(th)
    with pytest.raises(InvalidParameterError, match="method"):
        falsify(_theorem(corner_true), method="grid")
    with pytest.raises(InvalidParameterError, match="budget"):
        falsify(_theorem(corner_true), budget=0)


def test_search_space_validation() -> None:
    base = Scenario("b")
    with pytest.raises(InvalidParameterError, match="positive"):
        SearchSpace(base, {"t": (0.0, 1.0)}, log=("t",))
    with pytest.raises(InvalidParameterError, match="no range"):
        SearchSpace(base, {"t": (0.1, 1.0)}, integer=("d",))
    with pytest.raises(InvalidParameterError, match="low <= high"):
        SearchSpace(base, {"t": (1.0, 0.1)})
    with pytest.raises(InvalidParameterError, match="at least one"):
        SearchSpace(base, {})


def test_integer_and_log_handling() -> None:
    space = _Space(SPACE)
    # log10 box for x, integer n widened so each of 1..5 gets an equal share
    assert space.low[0] == pytest.approx(-3) and space.high[0] == pytest.approx(0)
    assert space.decode(space.low) == {"x": pytest.approx(1e-3), "y": 0.0, "n": 1}
    assert space.decode(space.high) == {"x": pytest.approx(1.0), "y": 1.0, "n": 5}
    ns = [space.decode(u)["n"] for u in space.uniform(np.random.default_rng(0), 5000)]
    counts = np.bincount(ns, minlength=6)[1:]
    assert set(ns) == {1, 2, 3, 4, 5} and counts.min() > 800  # ~1000 each
    sc = SPACE.scenario({"x": 0.5, "y": 0.2, "n": 3.4})
    assert sc.params == {"x": 0.5, "y": 0.2, "n": 3, "other": "kept"} and isinstance(sc.params["n"], int)
    assert sc.name == "search[x=0.5,y=0.2,n=3]"

    out = falsify(_theorem(corner_true), budget=60, method="random")
    xs = np.array([p["x"] for p, _, _ in out.history[:36]])  # the random phase: 60% of the budget
    assert all(isinstance(p["n"], int) and 1 <= p["n"] <= 5 for p, _, _ in out.history)
    assert xs.min() >= 1e-3 and xs.max() <= 1.0
    assert np.mean(xs < 0.1) > 0.45  # log-uniform: ~2/3 below 0.1 (uniform would give 10%)


def test_build_hook_and_badness_directions() -> None:
    space = SearchSpace(
        Scenario("b", data="old", params={"d": 1}),
        {"d": (1, 4)},
        integer=("d",),
        build=lambda base, p: Scenario(base.name, data=f"dim{p['d']}", params=p),
    )
    sc = space.scenario({"d": 3.0})
    assert sc.data == "dim3" and sc.params == {"d": 3}

    def res(direction: str, bound: str, value: float):
        th = Theorem("b", "b", REF, Bound(bound, direction, "q", atol=0.1), lambda sc, rng: value)
        return badness(run_check(Check(th, Scenario("s"))), direction)

    assert res("upper", "2", 3.0) == pytest.approx(1.5)
    assert res("lower", "2", 4.0) == pytest.approx(0.5)
    assert res("lower", "2", 1.0) == pytest.approx(2.0)  # smallest measured/bound ratio is the worst
    assert res("equal", "2", 2.3) == pytest.approx(3.0)
    assert res("rate", "2", 2.0) == 0.0
    assert badness(run_check(Check(_theorem(corner_true), Scenario("s"))), "upper") == -math.inf  # ERROR


@pytest.mark.parametrize("method", ["de", "random"])
def test_gaussian_negative_control_found_violated(method: str) -> None:
    from proofs_checks.gaussian_basics import COUPLING_W2, COUPLING_W2_DROPPED, SUITE

    out = falsify(COUPLING_W2_DROPPED, budget=30, method=method)
    assert out.violated and out.as_expected
    assert out.worst.verdict is Verdict.VIOLATED
    assert 1e-4 <= out.worst_params["t"] <= 2 and 1 <= out.worst_params["d"] <= 16
    res = {t.id: t for t in SUITE.theorems}
    assert res["basics.coupling_w2"].search is res["basics.coupling_w2_noise_dropped"].search
    assert COUPLING_W2.search.base is COUPLING_W2.scenarios[0]  # fixed scenarios are unchanged


def test_falsify_suite_only_searchable_theorems() -> None:
    nosearch = Theorem("nosearch", "t", REF, Bound("1", "upper", "q"), corner_true)
    suite = Suite("s", "s", [_theorem(corner_true, tid="a"), nosearch, _theorem(corner_false, tid="b")])
    outs = falsify_suite(suite, budget=20, method="random")
    assert set(outs) == {"a", "b"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sgmverify")
    register_cli(p.add_subparsers(dest="command", required=True))
    return p


SUITE_FILE = """
import math
from sgmverify.theory import Bound, Provenance, Reference, Scenario, SearchSpace, Suite, Theorem

REF = Reference("t", provenance=Provenance.TEXTBOOK)
SP = SearchSpace(Scenario("b"), {"x": (0.0, 1.0)})

def m(sc, rng):
    return 0.5 + 0.6 * math.exp(-((sc.params["x"] - 0.9) / 0.1) ** 2)

SUITE = Suite("falsifytoy", "toy", [
    Theorem("ft.false", "false claim", REF, Bound("1", "upper", "q"), m, search=SP),
    Theorem("ft.true", "true claim", REF, Bound("2", "upper", "q"), m, search=SP),
    Theorem("ft.negctl", "missed negative control", REF, Bound("2", "upper", "q"), m, search=SP,
            expect="violated"),
    Theorem("ft.nosearch", "no search", REF, Bound("2", "upper", "q"), m),
])
"""


def test_cmd_falsify_exit_codes(tmp_path, capsys) -> None:
    path = tmp_path / "falsifytoy.py"
    path.write_text(SUITE_FILE)
    parser = _parser()

    def run(*argv: str) -> int:
        args = parser.parse_args(["falsify", "--suite", str(path), *argv])
        return args.func(args)

    assert run("ft.false", "--budget", "40", "--method", "random", "--json") == 1
    d = json.loads(capsys.readouterr().out)
    assert d["violated"] and not d["as_expected"] and d["worst"]["verdict"] == "VIOLATED"
    assert d["evaluations"] <= 40 and len(d["history"]) == d["evaluations"]
    assert run("ft.true", "--budget", "20") == 0
    text = capsys.readouterr().out
    assert "no counterexample found (as expected)" in text and "HOLDS" in text
    assert run("ft.negctl", "--budget", "20", "--seed", "3") == 1
    assert "NOT found violated" in capsys.readouterr().out
    with pytest.raises(InvalidParameterError, match="search space"):
        run("ft.nosearch")
    with pytest.raises(SystemExit):
        parser.parse_args(["falsify", "x", "--budget", "0"])
    with pytest.raises(SystemExit):
        parser.parse_args(["falsify", "x", "--method", "grid"])


BUDGET = ("--budget", "20")


def test_cmd_falsify_gaussian_negative_control(capsys) -> None:
    args = _parser().parse_args(
        ["falsify", "--suite", "proofs_checks.gaussian_basics", "basics.coupling_w2_noise_dropped", *BUDGET]
    )
    assert cmd_falsify(args) == 0
    assert "found violated (as expected)" in capsys.readouterr().out


def test_estimate_measurements_use_the_point_value() -> None:
    def mc(sc: Scenario, rng: np.random.Generator) -> Estimate:
        v = sc.params["x"]
        return Estimate(v, v - 0.01, v + 0.01, level=0.95, exact=False)

    space = SearchSpace(Scenario("b"), {"x": (0.5, 1.5)})
    th = Theorem("mc", "mc", REF, Bound("1", "upper", "q"), mc, search=space)
    out = falsify(th, budget=40, method="de")
    assert out.violated and out.worst_params["x"] > 1.3


# =====================================================================================================
# falsify --all
# =====================================================================================================
def test_cmd_falsify_all_gaussian_basics(capsys) -> None:
    args = _parser().parse_args(["falsify", "--all", "--suite", "proofs_checks.gaussian_basics", *BUDGET])
    assert cmd_falsify(args) == 0
    out = capsys.readouterr().out
    assert (
        "basics.coupling_w2 (claim)" in out and "basics.coupling_w2_noise_dropped (negative control)" in out
    )
    assert "2 searched, 0 not as expected" in out


def test_cmd_falsify_all_exit_one_and_usage(tmp_path, capsys) -> None:
    path = tmp_path / "falsifytoy.py"
    path.write_text(SUITE_FILE)
    args = _parser().parse_args(
        ["falsify", "--all", "--suite", str(path), "--budget", "30", "--method", "random"]
    )
    assert cmd_falsify(args) == 1
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith(("OK", "BAD")) for line in lines) == 3  # ft.nosearch is skipped
    assert any(line.startswith("BAD ft.false") for line in lines)
    from sgmverify import cli

    assert cli.main(["falsify", "--suite", str(path)]) == 2
    assert cli.main(["falsify", "--all", "ft.true", "--suite", str(path)]) == 2


def test_cli_offers_exactly_the_search_methods() -> None:
    """``falsify --method`` lists its choices without importing the search (numpy): they must agree."""
    assert CLI_METHODS == METHODS
