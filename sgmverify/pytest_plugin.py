r"""pytest plugin: sgmverify checks as test items, the ``sgm_check`` fixture, baseline regressions.

The plugin is registered through the ``pytest11`` entry point, so pytest loads it in *every* session of an
environment where sgmverify is installed.  It therefore imports nothing heavy at module level (no numpy,
sympy, torch: the engine is imported inside functions) and changes nothing unless asked:

``pytest --sgmverify``
    Collect every check of the discovered suites (the ``proofs_checks`` package, the ``sgmverify.run._suites``
    entry points and each ``--sgm-suite PATH_OR_MODULE``) as one test item per check, with node ids
    ``sgmverify::<suite>::<check id>`` (so ``-k`` selects by check id).  Running an item runs
    :meth:`sgmverify.theory.Check.run`:

    ================  ==============================  ==========================================
    verdict           claim (``expect="holds"``)       negative control (``expect="violated"``)
    ================  ==============================  ==========================================
    HOLDS             passed                          failed: "negative control not detected"
    VIOLATED          failed                          passed
    INCONCLUSIVE      xfailed (with the reason)       failed: "negative control not detected"
    ASSUMPTIONS_FAIL  skipped (with the reason)       failed: "negative control not detected"
    ERROR             failed (stored traceback)       failed (stored traceback)
    ================  ==============================  ==========================================

``--sgm-mode quick|full``
    Which scenarios run (default ``quick``: the scenarios marked ``quick``).
``--sgm-baseline FILE`` and ``--sgm-ratio-rtol R``
    Compare each item's result with the record of the same check id in a stored baseline (a
    ``report.json`` or a results ``.jsonl``), using :func:`sgmverify.run.compare_results`: a verdict
    flip or a tightness-ratio drift beyond ``R`` (relative, default 0.05) fails the item with
    ``regression: ...``; checks absent from the baseline are listed in the terminal summary, not failed.
``--sgm-no-discover``
    Collect only the ``--sgm-suite`` suites (skip the package and the entry points).

The fixture ``sgm_check`` is always available::

    def test_my_claim(sgm_check):
        result = sgm_check(MY_THEOREM, MY_THEOREM.scenarios[0])   # one scenario (or its name)
        results = sgm_check(MY_THEOREM)                            # all its quick scenarios

Disable the plugin with ``-p no:sgmverify``.
"""

from __future__ import annotations

import math
import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the engine imports numpy and sympy: keep it out of every pytest start-up
    from sgmverify.theory import Check, Result, Scenario, Suite, Theorem

__all__ = [
    "BrokenSuite",
    "CheckItem",
    "SgmCheckFailure",
    "SgmChecker",
    "SgmverifyCollector",
    "SuiteCollector",
    "failure_message",
    "format_result",
    "sgm_check",
]

_ROOT_NODEID = "sgmverify"
_MARKER = "sgmverify"
_PROP_VERDICT = "sgmverify_verdict"
_PROP_CHECK = "sgmverify_check"
_PROP_BASELINE = "sgmverify_baseline"
_PROP_EXPECT = "sgmverify_expect"
_REPORTER_NAME = "sgmverify-reporter"


# --------------------------------------------------------------------------------------------------------
# options and session state
# --------------------------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``--sgm*`` command-line options."""
    group = parser.getgroup("sgmverify", "sgmverify: theorems of score-based diffusion models as tests")
    group.addoption(
        "--sgmverify",
        action="store_true",
        default=False,
        help="collect every check of the discovered sgmverify suites as a test item.",
    )
    group.addoption(
        "--sgm-suite",
        action="append",
        default=[],
        metavar="PATH_OR_MODULE",
        help="also collect this suite (a file, a directory or a module name exposing SUITE); repeatable.",
    )
    group.addoption(
        "--sgm-mode",
        choices=("quick", "full"),
        default="quick",
        help="which scenarios to check: 'quick' (default) or 'full' (all).",
    )
    group.addoption(
        "--sgm-no-discover",
        action="store_true",
        default=False,
        help="collect only the --sgm-suite suites (not the proofs_checks package nor the entry points).",
    )
    group.addoption(
        "--sgm-baseline",
        default=None,
        metavar="FILE",
        help="fail checks whose verdict or tightness ratio regressed against this report.json / .jsonl.",
    )
    group.addoption(
        "--sgm-ratio-rtol",
        type=float,
        default=0.05,
        metavar="R",
        help="relative drift of the tightness ratio (measured/bound) that counts as a regression "
        "(default 0.05).",
    )


@dataclass
class _State:
    """Per-session state of the plugin (kept in ``config.stash``)."""

    enabled: bool
    mode: str
    suite_args: list[str]
    discover: bool
    baseline_path: Path | None
    ratio_rtol: float
    baseline: dict[str, Result] | None = None
    versions: dict[str, str] | None = None
    verdicts: Counter = field(default_factory=Counter)
    controls_detected: int = 0
    missing: list[str] = field(default_factory=list)
    regressions: list[str] = field(default_factory=list)


_STATE = pytest.StashKey[_State]()


def _state(config: pytest.Config) -> _State | None:
    return config.stash.get(_STATE, None)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker; when ``--sgmverify`` is given, validate the options and load the baseline."""
    config.addinivalue_line("markers", f"{_MARKER}: a check collected by the sgmverify plugin.")
    invocation_dir = Path(config.invocation_params.dir)
    baseline = config.getoption("sgm_baseline")
    state = _State(
        enabled=bool(config.getoption("sgmverify")),
        mode=config.getoption("sgm_mode"),
        suite_args=[_resolve_suite_arg(s, invocation_dir) for s in config.getoption("sgm_suite")],
        discover=not config.getoption("sgm_no_discover"),
        baseline_path=(invocation_dir / baseline) if baseline else None,
        ratio_rtol=config.getoption("sgm_ratio_rtol"),
    )
    config.stash[_STATE] = state
    if not state.enabled:
        return
    config.pluginmanager.register(_Reporter(state), _REPORTER_NAME)
    if not (math.isfinite(state.ratio_rtol) and state.ratio_rtol >= 0):
        raise pytest.UsageError(f"--sgm-ratio-rtol must be a finite number >= 0, got {state.ratio_rtol}.")
    if state.baseline_path is not None:
        state.baseline = _load_baseline(state.baseline_path)


def _resolve_suite_arg(arg: str, invocation_dir: Path) -> str:
    """An existing path (relative to where pytest was started) becomes absolute; a module name stays."""
    path = invocation_dir / arg
    return str(path.resolve()) if path.exists() else arg


def _load_baseline(path: Path) -> dict[str, Result]:
    """The baseline's results by check id (the last record wins); bad files are usage errors."""
    from sgmverify.errors import SgmverifyError
    from sgmverify.report import load_results

    if not path.exists():
        raise pytest.UsageError(
            f"--sgm-baseline {path}: no such file; pass a report.json or a results .jsonl written by "
            "`sgmverify run` (or a directory holding one)."
        )
    try:
        results = load_results(path)
    except (SgmverifyError, OSError, ValueError, KeyError, TypeError) as exc:
        raise pytest.UsageError(f"--sgm-baseline {path}: could not read it ({exc}).") from exc
    return {r.check_id: r for r in results}


def _versions(config: pytest.Config) -> dict[str, str]:
    """Package versions recorded in each Result (computed once per session)."""
    state = _state(config)
    if state is not None and state.versions is not None:
        return state.versions
    from sgmverify.run import versions

    found = dict(versions())
    if state is not None:
        state.versions = found
    return found


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    """One header line saying what the plugin will do (or that its options are ignored)."""
    state = _state(config)
    if state is None:
        return None
    if not state.enabled:
        if state.suite_args or state.baseline_path:
            return ["sgmverify: --sgm-suite/--sgm-baseline given without --sgmverify: ignored"]
        return None
    sources = (["proofs_checks", "entry points"] if state.discover else []) + state.suite_args
    line = f"sgmverify: mode={state.mode}, suites from: {', '.join(sources) or 'nothing'}"
    if state.baseline_path is not None:
        line += f"; baseline {state.baseline_path} (ratio rtol {state.ratio_rtol:g})"
    return [line]


# --------------------------------------------------------------------------------------------------------
# collection
# --------------------------------------------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """Append the checks' items (before ``-k``/``-m``/``--deselect`` filter the list)."""
    state = _state(config)
    if state is None or not state.enabled:
        return
    root = SgmverifyCollector.from_parent(session, name=_ROOT_NODEID, nodeid=_ROOT_NODEID)
    items.extend(session.genitems(root))


class SgmverifyCollector(pytest.Collector):
    """Session-level collector: discovers the suites and yields one :class:`SuiteCollector` each.

    A suite that fails to import becomes a :class:`BrokenSuite` (one collection error each); the others
    are still collected.
    """

    def collect(self) -> Iterator[pytest.Collector]:
        from sgmverify.errors import SgmverifyError, SuiteError
        from sgmverify.run import discover_suites

        state = _state(self.config)
        assert state is not None
        failures: list[SuiteError] = []
        try:
            suites = discover_suites(
                paths=tuple(state.suite_args),
                entry_points=state.discover,
                package="proofs_checks" if state.discover else None,
                errors=failures,
            )
        except (SgmverifyError, ImportError) as exc:
            raise self.CollectError(f"sgmverify could not discover the suites: {exc}") from exc
        for i, exc in enumerate(failures, 1):
            yield BrokenSuite.from_parent(self, name=f"broken-suite-{i}", error=exc)
        paths: dict[str, Path | None] = {}
        for suite in suites:
            path = _suite_path(suite)
            if suite.name in paths:
                if paths[suite.name] == path:  # the same file reached twice (package and --sgm-suite)
                    continue
                yield BrokenSuite.from_parent(
                    self,
                    name=f"{suite.name}-duplicate",
                    error=SuiteError(
                        f"two suites are named {suite.name!r} ({paths[suite.name]} and {path}); rename one."
                    ),
                )
                continue
            paths[suite.name] = path
            yield SuiteCollector.from_parent(self, name=suite.name, path=path, suite=suite)


class BrokenSuite(pytest.Collector):
    """A suite that could not be loaded: collecting it reports the loader's message."""

    def __init__(self, *, error: Exception, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error = error

    def collect(self) -> Iterator[pytest.Item]:
        raise self.CollectError(f"sgmverify could not load a suite: {self.error}")


def _suite_path(suite: Suite) -> Path | None:
    """The file a suite comes from (its ``source`` path, or its module's file), if known."""
    import sys

    source = getattr(suite, "source", "") or ""
    if not source:
        return None
    path = Path(source)
    if path.is_file():
        return path.resolve()
    module = sys.modules.get(source.partition(":")[0])
    file = getattr(module, "__file__", None)
    return Path(file).resolve() if file else None


class SuiteCollector(pytest.Collector):
    """The checks of one :class:`~sgmverify.theory.Suite` (in the session's ``--sgm-mode``)."""

    def __init__(self, *, suite: Suite, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.suite = suite

    def collect(self) -> Iterator[CheckItem]:
        state = _state(self.config)
        mode = state.mode if state is not None else "quick"
        lines = _source_lines(self.path)
        ids: set[str] = set()
        for check in self.suite.checks(mode):
            if check.id in ids:
                raise self.CollectError(
                    f"suite {self.suite.name}: check id {check.id} appears twice; make theorem ids unique."
                )
            ids.add(check.id)
            item = CheckItem.from_parent(self, name=check.id, check=check)
            item.source_line = _find_line(lines, check.theorem.id)
            yield item


def _source_lines(path: Path | None) -> list[str]:
    if path is None or not path.is_file():
        return []
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def _find_line(lines: Sequence[str], theorem_id: str) -> int:
    """0-based line where the theorem id appears quoted in its suite's source (0 if not found)."""
    for quoted in (f'"{theorem_id}"', f"'{theorem_id}'"):
        for i, line in enumerate(lines):
            if quoted in line:
                return i
    return 0


# --------------------------------------------------------------------------------------------------------
# running one check
# --------------------------------------------------------------------------------------------------------


class SgmCheckFailure(Exception):
    """Raised by :meth:`CheckItem.runtest` when a check is not as expected; carries the report text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CheckItem(pytest.Item):
    """One :class:`~sgmverify.theory.Check` as a pytest item."""

    def __init__(self, *, check: Check, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.result: Result | None = None
        self.source_line = 0
        self.add_marker(_MARKER)

    def runtest(self) -> None:
        """Run the check, compare with the baseline if any, and turn the verdict into an outcome."""
        result = self.check.run(_versions(self.config))
        if isinstance(self.parent, SuiteCollector):
            result.suite = self.parent.suite.name  # as the runner records it
        self.result = result
        self.user_properties.append((_PROP_CHECK, result.check_id))
        self.user_properties.append((_PROP_VERDICT, result.verdict.value))
        self.user_properties.append((_PROP_EXPECT, result.expect))
        state = _state(self.config)
        if state is not None and state.baseline is not None:
            self._compare_with_baseline(result, state)
        _enforce(result)

    def _compare_with_baseline(self, result: Result, state: _State) -> None:
        assert state.baseline is not None
        base = state.baseline.get(result.check_id)
        if base is None:
            self.user_properties.append((_PROP_BASELINE, "missing"))
            return
        from sgmverify.run import compare_results

        comparison = compare_results([base], [result], ratio_rtol=state.ratio_rtol, missing_ok=True)
        if comparison.ok:
            self.user_properties.append((_PROP_BASELINE, "ok"))
            return
        self.user_properties.append((_PROP_BASELINE, "regression"))
        if comparison.verdict_flips:
            flip = comparison.verdict_flips[0]
            headline = f"regression: baseline {flip.old.value}, now {flip.new.value}"
        else:
            drift = comparison.drifts[0]
            change = "" if math.isinf(drift.rel_change) else f", {drift.rel_change:+.1%}"
            headline = (
                f"regression: tightness ratio drifted from {_fmt(drift.old)} to {_fmt(drift.new)}"
                f"{change} (relative tolerance {state.ratio_rtol:g})"
            )
        raise SgmCheckFailure(f"{headline}\n{format_result(result)}\n{comparison.to_text().strip()}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        """A concise report (bound, measured, CI, ratio, verdict, reason) instead of a plugin traceback."""
        if isinstance(excinfo.value, SgmCheckFailure):
            return excinfo.value.message
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        """Location: the line of the suite's source that names the theorem."""
        return self.path, self.source_line, f"sgmverify check {self.name}"


def _enforce(result: Result) -> None:
    """Turn an item's verdict into a pytest outcome: return (pass), raise SgmCheckFailure, xfail or skip."""
    message = failure_message(result)
    if message is not None:
        raise SgmCheckFailure(message)
    if result.expect != "holds":
        return  # a negative control that was caught
    verdict = result.verdict.value
    if verdict == "INCONCLUSIVE":
        pytest.xfail(f"{result.check_id}: INCONCLUSIVE: {result.reason}")
    if verdict == "ASSUMPTIONS_FAIL":
        # report the suite's line (reportinfo), not this file's, in the skip summary
        raise pytest.skip.Exception(
            f"{result.check_id}: ASSUMPTIONS_FAIL: {result.reason}", _use_item_location=True
        )


def failure_message(result: Result) -> str | None:
    """Why ``result`` is not as expected (``None`` when it is, or when it is only an xfail/skip)."""
    from sgmverify.theory import expected_verdict

    verdict = result.verdict.value
    if result.expect != "holds":
        if result.as_expected:
            return None
        if verdict == "ERROR":
            return format_result(result, f"{result.check_id}: ERROR (negative control)")
        want = expected_verdict(result.expect).value
        return format_result(
            result, f"negative control not detected: {result.check_id} is {verdict}, expected {want}"
        )
    if verdict in ("VIOLATED", "ERROR"):
        return format_result(result, f"{result.check_id}: {verdict} (claim expected to hold)")
    return None


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.6g}"


def _fmt_measured(result: Result) -> str:
    m = result.measured
    if m is None:
        return "n/a"
    if m.exact:
        return f"{m.value:.6g} (exact)"
    level = m.level if m.level is not None and math.isfinite(m.level) else None
    lvl = f"{level:.0%} " if level is not None else ""
    n = f", n={m.n}" if m.n else ""
    return f"{m.value:.6g} ({lvl}CI [{m.ci_low:.6g}, {m.ci_high:.6g}]{n})"


def format_result(result: Result, headline: str | None = None) -> str:
    """A short multi-line description of a result: statement, bound, measured (CI), ratio, reason.

    ERROR results end with the traceback stored by :meth:`~sgmverify.theory.Check.run`.
    """
    from sgmverify.theory import expected_verdict

    lines = [headline or result.check_id]
    expected = expected_verdict(result.expect).value
    rows = [
        ("verdict", f"{result.verdict.value} (expected {expected})"),
        ("statement", result.statement),
        ("bound", _fmt(result.bound_value)),
        ("measured", _fmt_measured(result)),
        ("ratio", f"{_fmt(result.ratio)} (measured / bound)" if result.ratio is not None else "n/a"),
        ("reason", result.reason or "-"),
    ]
    if result.bound_params:
        rows.append(("params", ", ".join(f"{k}={v}" for k, v in result.bound_params.items())))
    if result.reference:
        rows.append(("reference", result.reference))
    lines += [f"  {k:<9} : {v}" for k, v in rows]
    if result.verdict.value == "ERROR" and result.traceback:
        lines.append("  traceback stored by Check.run:")
        lines += ["    " + line for line in result.traceback.rstrip().splitlines()]
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------
# the sgm_check fixture
# --------------------------------------------------------------------------------------------------------


class SgmChecker:
    """What the ``sgm_check`` fixture returns: call it to check a theorem inside a test.

    ``sgm_check(theorem, scenario)`` runs one check (``scenario`` is a :class:`~sgmverify.theory.Scenario`
    or the name of one of the theorem's scenarios) and returns its :class:`~sgmverify.theory.Result`;
    ``sgm_check(theorem)`` runs all the theorem's scenarios of ``mode`` (default ``"quick"``) and returns
    the list of results.

    An unexpected result (a claim VIOLATED or in ERROR, a negative control not detected) raises
    ``AssertionError`` with the bound, measurement and reason of every such check.  Otherwise, an
    INCONCLUSIVE result makes the test xfail unless ``allow_inconclusive=True``, and the test is skipped
    when every scenario fails the theorem's assumptions.
    """

    def __init__(self, versions: Mapping[str, str] | None = None) -> None:
        self._versions = dict(versions or {})

    def __call__(
        self,
        theorem: Theorem,
        scenario: Scenario | str | None = None,
        *,
        allow_inconclusive: bool = False,
        mode: str = "quick",
    ) -> Result | list[Result]:
        __tracebackhide__ = True
        from sgmverify.theory import Check

        checks = [Check(theorem, self._scenario(theorem, scenario))] if scenario is not None else None
        if checks is None:
            if mode not in ("quick", "full"):
                from sgmverify.errors import InvalidParameterError

                raise InvalidParameterError(f"mode must be 'quick' or 'full', got {mode!r}.")
            checks = theorem.checks(mode)
            if not checks:
                from sgmverify.errors import SuiteError

                raise SuiteError(
                    f"theorem {theorem.id} has no {mode} scenarios; pass a scenario or use mode='full'."
                )
        results = [c.run(self._versions) for c in checks]
        failures = [m for m in (failure_message(r) for r in results) if m is not None]
        if failures:
            raise AssertionError("\n\n".join(failures))
        verdicts = [r.verdict.value for r in results]
        inconclusive = [r for r in results if r.verdict.value == "INCONCLUSIVE"]
        if inconclusive and not allow_inconclusive:
            pytest.xfail("; ".join(f"{r.check_id}: INCONCLUSIVE: {r.reason}" for r in inconclusive))
        if all(v == "ASSUMPTIONS_FAIL" for v in verdicts):
            pytest.skip("; ".join(f"{r.check_id}: ASSUMPTIONS_FAIL: {r.reason}" for r in results))
        return results[0] if scenario is not None else results

    @staticmethod
    def _scenario(theorem: Theorem, scenario: Scenario | str) -> Scenario:
        if not isinstance(scenario, str):
            return scenario
        for sc in theorem.scenarios:
            if sc.name == scenario:
                return sc
        from sgmverify.errors import UnknownNameError

        raise UnknownNameError(
            f"theorem {theorem.id} has no scenario {scenario!r}; "
            f"its scenarios are {[s.name for s in theorem.scenarios]}."
        )


@pytest.fixture
def sgm_check(request: pytest.FixtureRequest) -> SgmChecker:
    """Check a theorem on one scenario (or on all its quick ones) inside a test; see :class:`SgmChecker`."""
    return SgmChecker(_versions(request.config))


# --------------------------------------------------------------------------------------------------------
# reporting (works under pytest-xdist too: the facts travel in the reports' user_properties)
# --------------------------------------------------------------------------------------------------------


class _Reporter:
    """Tallies verdicts from the test reports and writes the sgmverify terminal summary."""

    def __init__(self, state: _State) -> None:
        self.state = state

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Count the verdict and the baseline status of each check item's call phase."""
        if report.when != "call":
            return
        props = dict(report.user_properties)
        if _PROP_VERDICT not in props:
            return
        check_id = str(props.get(_PROP_CHECK, report.nodeid))
        verdict = str(props[_PROP_VERDICT])
        self.state.verdicts[verdict] += 1
        if verdict == "VIOLATED" and props.get(_PROP_EXPECT) == "violated":
            self.state.controls_detected += 1
        status = props.get(_PROP_BASELINE)
        if status == "missing":
            self.state.missing.append(check_id)
        elif status == "regression":
            self.state.regressions.append(check_id)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Verdict counts, regressions, and the checks that the baseline does not know."""
        state = self.state
        if not state.verdicts:
            return
        tr = terminalreporter
        tr.write_sep("-", "sgmverify")
        counts = ", ".join(f"{n} {v}" for v, n in sorted(state.verdicts.items()))
        controls = (
            f" ({state.controls_detected} of the VIOLATED are negative controls, as expected)"
            if state.controls_detected
            else ""
        )
        tr.write_line(f"{sum(state.verdicts.values())} checks run (mode {state.mode}): {counts}{controls}")
        if state.baseline_path is None:
            return
        if state.regressions:
            tr.write_line(f"{len(state.regressions)} regressions against {state.baseline_path}:")
            for check_id in state.regressions:
                tr.write_line(f"  {check_id}")
        if state.missing:
            tr.write_line(f"{len(state.missing)} checks not in the baseline (not failed):")
            for check_id in state.missing:
                tr.write_line(f"  {check_id}")
