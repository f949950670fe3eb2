r"""pytest plugin: sgmverify checks as test items, the ``sgm_check`` fixture, baseline regressions.

The plugin is registered through the ``pytest11`` entry point, so pytest loads it in *every* session of an
environment where sgmverify is installed.  It therefore imports nothing heavy at module level (no numpy,
sympy, torch: the engine is imported inside functions) and changes nothing unless asked:

``pytest --sgmverify``
    Collect every check of the discovered suites (the ``proofs_checks`` package, the ``sgmverify.run._suites``
    entry points and each ``--sgm-suite PATH_OR_MODULE``) as one test item per check, with node ids
    ``sgmverify::<suite>::<check id>`` (so ``-k`` selects by check id).  Running an item runs
    :func:`sgmverify.run.run_check`:

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

The hooks and the fixture are defined here (pytest reads them from the module the entry point names);
the session state is in ``_state``, collection and items in ``_collect``, verdict -> outcome in
``_verdicts``, the fixture's callable in ``_fixture`` and the terminal summary in ``_reporter``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from ._collect import BrokenSuite, CheckItem, SgmverifyCollector, SuiteCollector
from ._fixture import SgmChecker
from ._reporter import _Reporter
from ._state import (
    _MARKER,
    _REPORTER_NAME,
    _ROOT_NODEID,
    _STATE,
    _load_baseline,
    _resolve_suite_arg,
    _State,
    _state,
    _versions,
)
from ._verdicts import SgmCheckFailure, failure_message, format_result

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


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    """Append the checks' items (before ``-k``/``-m``/``--deselect`` filter the list)."""
    state = _state(config)
    if state is None or not state.enabled:
        return
    root = SgmverifyCollector.from_parent(session, name=_ROOT_NODEID, nodeid=_ROOT_NODEID)
    items.extend(session.genitems(root))


@pytest.fixture
def sgm_check(request: pytest.FixtureRequest) -> SgmChecker:
    """Check a theorem on one scenario (or on all its quick ones) inside a test; see :class:`SgmChecker`."""
    return SgmChecker(_versions(request.config))
