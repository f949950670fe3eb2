"""Tests of the pytest plugin (``sgmverify.pytest_plugin``), run in inner pytest sessions via ``pytester``.

Inner sessions run with plugin autoloading off and load only this plugin, by its ``pytest11`` entry-point
name (``-p sgmverify``), so other installed plugins neither slow them down nor change their output; one
test checks that autoloading alone registers the plugin.  Every inner run of checks uses
``--sgm-no-discover`` and a suite file written here, so the results do not depend on the content of the
``proofs_checks`` package.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# imported once here, so that the inner sessions (which restore sys.modules) do not re-import the engine
# (numpy's C extension cannot be loaded twice in one process)
from sgmverify.report import load_results  # noqa: F401
from sgmverify.run import compare_results, discover_suites, versions  # noqa: F401
from sgmverify.theory import Check  # noqa: F401

pytest_plugins = ["pytester"]

SUITE_SOURCE = """
from sgmverify.theory import Assumption, Bound, Provenance, Reference, Scenario, Suite, Theorem
from sgmverify.estimates import Estimate

REF = Reference("Plugin tests", title="toy claims", provenance=Provenance.TEXTBOOK)


def half(scenario, rng):
    return 0.5


def two(scenario, rng):
    return 2.0


def noisy_one(scenario, rng):
    return Estimate(1.0, 0.9, 1.1, n=100, method="student-t")


def boom(scenario, rng):
    raise ZeroDivisionError("boom in measure")


def never(scenario):
    return False


def claim(theorem_id, measure, expect="holds", assumptions=(), full_too=False):
    scenarios = [Scenario("s1", params={"c": 1.0})]
    if full_too:
        scenarios.append(Scenario("big", params={"c": 1.0}, quick=False))
    return Theorem(
        theorem_id,
        f"toy claim {theorem_id}",
        REF,
        Bound("c", "upper", "a constant", params=["c"]),
        measure,
        assumptions=list(assumptions),
        scenarios=scenarios,
        expect=expect,
    )


TRUE_CLAIM = claim("demo.true_claim", half, full_too=True)
FALSE_CLAIM = claim("demo.false_claim", two)
NEG_CONTROL = claim("demo.neg_control", two, expect="violated")
MISSED_CONTROL = claim("demo.missed_control", half, expect="violated")
NOISY_CLAIM = claim("demo.noisy_claim", noisy_one)
ERROR_CLAIM = claim("demo.error_claim", boom)
OUT_OF_SCOPE = claim("demo.out_of_scope", half, assumptions=[Assumption("convex", "data is convex", never)])

SUITE = Suite(
    "demo",
    "Toy suite for the plugin tests",
    [TRUE_CLAIM, FALSE_CLAIM, NEG_CONTROL, MISSED_CONTROL, NOISY_CLAIM, ERROR_CLAIM, OUT_OF_SCOPE],
)
"""

QUICK_IDS = [
    "demo.true_claim[s1]",
    "demo.false_claim[s1]",
    "demo.neg_control[s1]",
    "demo.missed_control[s1]",
    "demo.noisy_claim[s1]",
    "demo.error_claim[s1]",
    "demo.out_of_scope[s1]",
]


@pytest.fixture(autouse=True)
def _isolated_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inner sessions autoload no plugin; they name this one with ``-p sgmverify`` (its entry point)."""
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")


@pytest.fixture
def suite_file(pytester: pytest.Pytester) -> Path:
    """The toy suite, written as ``suite_demo.py`` (not a test module: pytest does not collect it)."""
    return pytester.makepyfile(suite_demo=SUITE_SOURCE)


def run_checks(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """An inner session that collects only the toy suite."""
    return pytester.runpytest(
        "-p", "sgmverify", "--sgmverify", "--sgm-no-discover", "--sgm-suite", "suite_demo.py", *args
    )


def write_baseline(pytester: pytest.Pytester, edits: dict[str, dict | None], kind: str) -> Path:
    """Run the toy suite's quick checks here, apply ``edits`` and store them as a baseline of ``kind``.

    ``edits`` maps a check id to fields to overwrite in its record, or to ``None`` to leave it out.
    ``kind`` is ``"jsonl"`` (a :class:`sgmverify.run.ResultsStore`) or ``"json"`` (a ``report.json``
    written by :func:`sgmverify.report.write_reports`).
    """
    import importlib.util

    from sgmverify.report import write_reports
    from sgmverify.run import ResultsStore, run_check
    from sgmverify.theory import Result

    spec = importlib.util.spec_from_file_location("_baseline_suite", pytester.path / "suite_demo.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results = []
    for check in module.SUITE.checks("quick"):
        record = run_check(check).to_dict()
        if check.id in edits:
            if edits[check.id] is None:
                continue
            record.update(edits[check.id])
        results.append(Result.from_dict(record))
    if kind == "json":
        return write_reports(results, pytester.path / "baseline", formats=("json",))["json"]
    store = ResultsStore(pytester.path / "baseline.jsonl")
    for result in results:
        store.append(result)
    return store.path


def test_import_is_cheap() -> None:
    """The entry point loads the plugin in every pytest session: it must not import the engine."""
    heavy = "('numpy', 'scipy', 'sympy', 'torch', 'matplotlib', 'ot')"
    code = f"import sys, sgmverify.pytest_plugin; print(sorted(m for m in {heavy} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_without_flag_nothing_is_collected(
    pytester: pytest.Pytester, suite_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD")  # as in a user's session: the entry point loads it
    result = pytester.runpytest("--sgm-suite", "suite_demo.py")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(["*--sgm-suite/--sgm-baseline given without --sgmverify: ignored*"])
    help_text = pytester.runpytest("--help").stdout.str()  # the entry point registered the options
    for option in ("--sgmverify", "--sgm-suite", "--sgm-mode", "--sgm-baseline", "--sgm-ratio-rtol"):
        assert option in help_text


def test_collects_one_item_per_check(pytester: pytest.Pytester, suite_file: Path) -> None:
    result = run_checks(pytester, "--collect-only", "-q")
    ids = [line for line in result.stdout.lines if line.startswith("sgmverify::")]
    assert ids == [f"sgmverify::demo::{check_id}" for check_id in QUICK_IDS]
    full = run_checks(pytester, "--collect-only", "-q", "--sgm-mode", "full")
    assert "sgmverify::demo::demo.true_claim[big]" in full.stdout.lines
    full.stdout.fnmatch_lines(["8 tests collected*"])


def test_outcomes_follow_verdicts(pytester: pytest.Pytester, suite_file: Path) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    pass\n")
    result = run_checks(pytester, "-rA")
    # passed: test_plain, true claim, detected negative control; failed: false claim, missed control,
    # error; xfailed: inconclusive; skipped: assumptions fail.
    result.assert_outcomes(passed=3, failed=3, xfailed=1, skipped=1)
    out = result.stdout.str()
    assert "PASSED sgmverify::demo::demo.true_claim[s1]" in out
    assert "PASSED sgmverify::demo::demo.neg_control[s1]" in out
    # VIOLATED: concise report with bound, measured, ratio, reason
    assert "demo.false_claim[s1]: VIOLATED (claim expected to hold)" in out
    result.stdout.fnmatch_lines(
        [
            "*statement : a constant ≤ c",
            "*bound     : 1",
            "*measured  : 2 (exact)",
            "*ratio     : 2 (measured / bound)",
            "*reason    : measured 2 (exact) > bound 1",
        ]
    )
    # negative control that the checker did not catch
    assert "negative control not detected: demo.missed_control[s1] is HOLDS, expected VIOLATED" in out
    # ERROR: the traceback stored by run_check, not the plugin's own
    assert "demo.error_claim[s1]: ERROR (claim expected to hold)" in out
    assert "traceback stored by run_check:" in out
    assert "ZeroDivisionError: boom in measure" in out
    assert 'raise ZeroDivisionError("boom in measure")' in out
    assert "sgmverify/pytest_plugin" not in out  # no plugin frames anywhere (skip location included)
    # INCONCLUSIVE -> xfail with its reason (the CI straddles the bound)
    assert "XFAIL sgmverify::demo::demo.noisy_claim[s1] - demo.noisy_claim[s1]: INCONCLUSIVE: bound 1" in out
    # ASSUMPTIONS_FAIL -> skip, located at the theorem in the suite file
    result.stdout.fnmatch_lines(
        ["SKIPPED [[]1[]] suite_demo.py:*: demo.out_of_scope*ASSUMPTIONS_FAIL: convex*"]
    )
    # terminal summary
    result.stdout.fnmatch_lines(
        [
            "*sgmverify*",
            "7 checks run (mode quick): 1 ASSUMPTIONS_FAIL, 1 ERROR, 2 HOLDS, 1 INCONCLUSIVE, 2 VIOLATED"
            " (1 of the VIOLATED are negative controls, as expected)",
        ]
    )


def test_k_selects_by_check_id(pytester: pytest.Pytester, suite_file: Path) -> None:
    result = run_checks(pytester, "-k", "true_claim or neg_control")
    result.assert_outcomes(passed=2, deselected=5)
    result = run_checks(pytester, "-k", "demo.false_claim[s1]")
    result.assert_outcomes(failed=1, deselected=6)
    result = run_checks(pytester, "-m", "not sgmverify")  # every check item carries the marker
    result.assert_outcomes(deselected=7)


def test_bad_suite_is_a_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(suite_broken="SUITE = 42\n")
    result = pytester.runpytest(
        "-p", "sgmverify", "--sgmverify", "--sgm-no-discover", "--sgm-suite", "suite_broken.py"
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["sgmverify could not load a suite: SUITE in *suite_broken.py is a int*"])


USER_TESTS = """
import pytest

from suite_demo import (
    ERROR_CLAIM, FALSE_CLAIM, MISSED_CONTROL, NEG_CONTROL, NOISY_CLAIM, OUT_OF_SCOPE, TRUE_CLAIM,
)


def test_holds(sgm_check):
    result = sgm_check(TRUE_CLAIM, TRUE_CLAIM.scenarios[0])
    assert result.verdict.value == "HOLDS"
    assert result.ratio == 0.5


def test_scenario_by_name_and_all_scenarios(sgm_check):
    assert sgm_check(TRUE_CLAIM, "s1").check_id == "demo.true_claim[s1]"
    assert [r.scenario for r in sgm_check(TRUE_CLAIM)] == ["s1"]
    assert [r.scenario for r in sgm_check(TRUE_CLAIM, mode="full")] == ["s1", "big"]


def test_negative_control_detected(sgm_check):
    assert sgm_check(NEG_CONTROL)[0].verdict.value == "VIOLATED"


def test_inconclusive_allowed(sgm_check):
    assert sgm_check(NOISY_CLAIM, "s1", allow_inconclusive=True).verdict.value == "INCONCLUSIVE"


def test_unknown_scenario(sgm_check):
    with pytest.raises(LookupError, match="has no scenario 'nope'"):
        sgm_check(TRUE_CLAIM, "nope")


def test_violated(sgm_check):
    sgm_check(FALSE_CLAIM, "s1")


def test_missed_control(sgm_check):
    sgm_check(MISSED_CONTROL)


def test_error(sgm_check):
    sgm_check(ERROR_CLAIM)


def test_inconclusive(sgm_check):
    sgm_check(NOISY_CLAIM)


def test_out_of_scope(sgm_check):
    sgm_check(OUT_OF_SCOPE)
"""


def test_sgm_check_fixture(pytester: pytest.Pytester, suite_file: Path) -> None:
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest("-p", "sgmverify", "-rA")  # the fixture needs no --sgmverify
    result.assert_outcomes(passed=5, failed=3, xfailed=1, skipped=1)
    out = result.stdout.str()
    assert "AssertionError: demo.false_claim[s1]: VIOLATED (claim expected to hold)" in out
    assert "measured  : 2 (exact)" in out
    assert "negative control not detected: demo.missed_control[s1] is HOLDS, expected VIOLATED" in out
    assert "ZeroDivisionError: boom in measure" in out
    # the failure points at the user's line, not into the plugin
    assert '>       sgm_check(FALSE_CLAIM, "s1")' in out
    assert "XFAIL test_user.py::test_inconclusive - demo.noisy_claim[s1]: INCONCLUSIVE" in out
    result.stdout.fnmatch_lines(
        ["SKIPPED *test_user.py*demo.out_of_scope[[]s1[]]: ASSUMPTIONS_FAIL: convex*"]
    )


@pytest.mark.parametrize("kind", ["jsonl", "json"])
def test_baseline_regressions(pytester: pytest.Pytester, suite_file: Path, kind: str) -> None:
    # planted: false_claim was HOLDS in the baseline (flip), true_claim's ratio was 0.4 (now 0.5: drift),
    # out_of_scope is not in the baseline; neg_control is unchanged.
    baseline = write_baseline(
        pytester,
        {
            "demo.false_claim[s1]": {"verdict": "HOLDS", "ratio": 0.5},
            "demo.true_claim[s1]": {"ratio": 0.4},
            "demo.out_of_scope[s1]": None,
        },
        kind,
    )
    name = str(baseline.relative_to(pytester.path))
    selection = ["-k", "true_claim or false_claim or neg_control or out_of_scope"]
    result = run_checks(pytester, "--sgm-baseline", name, *selection)
    result.assert_outcomes(passed=1, failed=2, skipped=1, deselected=3)
    out = result.stdout.str()
    assert "regression: baseline HOLDS, now VIOLATED" in out
    assert "regression: tightness ratio drifted from 0.4 to 0.5, +25.0% (relative tolerance 0.05)" in out
    result.stdout.fnmatch_lines(
        [
            f"2 regressions against *{baseline.name}:",
            "  demo.true_claim[[]s1[]]",
            "  demo.false_claim[[]s1[]]",
            "1 checks not in the baseline (not failed):",
            "  demo.out_of_scope[[]s1[]]",
        ]
    )
    # a looser tolerance accepts the drift; the verdict flip still fails
    result = run_checks(pytester, "--sgm-baseline", name, "--sgm-ratio-rtol", "0.5", *selection)
    result.assert_outcomes(passed=2, failed=1, skipped=1, deselected=3)


def test_bad_baseline_options_are_usage_errors(pytester: pytest.Pytester, suite_file: Path) -> None:
    result = run_checks(pytester, "--sgm-baseline", "nowhere.jsonl")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--sgm-baseline*nowhere.jsonl: no such file*"])
    result = run_checks(pytester, "--sgm-ratio-rtol", "-1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--sgm-ratio-rtol must be a finite number >= 0, got -1*"])
