"""Per-session state of the pytest plugin: the parsed ``--sgm*`` options, the loaded baseline, the
tallies of the terminal summary, and the names the plugin's reports carry.

Imports nothing heavy: the engine is imported inside the functions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # the engine imports numpy and sympy: keep it out of every pytest start-up
    from sgmverify.theory import Result

_ROOT_NODEID = "sgmverify"
_MARKER = "sgmverify"
_PROP_VERDICT = "sgmverify_verdict"
_PROP_CHECK = "sgmverify_check"
_PROP_BASELINE = "sgmverify_baseline"
_PROP_EXPECT = "sgmverify_expect"
_REPORTER_NAME = "sgmverify-reporter"


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
    """The session's state (``None`` before ``pytest_configure``)."""
    return config.stash.get(_STATE, None)


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
