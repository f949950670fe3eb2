"""Collection: the discovered suites as pytest collectors, and each check as a :class:`CheckItem` with
node id ``sgmverify::<suite>::<check id>``.

Running an item runs :func:`sgmverify.run.run_check`, compares the result with the baseline (if any)
and turns the verdict into an outcome (see ``_verdicts``).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ._state import (
    _MARKER,
    _PROP_BASELINE,
    _PROP_CHECK,
    _PROP_EXPECT,
    _PROP_VERDICT,
    _State,
    _state,
    _versions,
)
from ._verdicts import SgmCheckFailure, _enforce, _fmt, format_result

if TYPE_CHECKING:  # the engine imports numpy and sympy: keep it out of every pytest start-up
    from sgmverify.theory import Check, Result, Suite


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
        from sgmverify.run import run_check

        result = run_check(self.check, _versions(self.config))
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
