"""From a check's verdict to a pytest outcome, and the concise failure report.

A claim (``expect="holds"``) passes on HOLDS, xfails on INCONCLUSIVE, is skipped on ASSUMPTIONS_FAIL and
fails on VIOLATED or ERROR; a negative control (``expect="violated"``) passes only on VIOLATED (the table
is in the docstring of :mod:`sgmverify.pytest_plugin`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sgmverify.theory import Result


class SgmCheckFailure(Exception):
    """Raised by :meth:`CheckItem.runtest` when a check is not as expected; carries the report text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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

    ERROR results end with the traceback stored by :func:`~sgmverify.run.run_check`.
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
        lines.append("  traceback stored by run_check:")
        lines += ["    " + line for line in result.traceback.rstrip().splitlines()]
    return "\n".join(lines)
