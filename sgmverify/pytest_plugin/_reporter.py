"""The terminal summary of ``pytest --sgmverify``: verdict counts, regressions, checks missing from the
baseline.  Works under pytest-xdist too: the facts travel in the reports' ``user_properties``.
"""

from __future__ import annotations

from typing import Any

import pytest

from ._state import _PROP_BASELINE, _PROP_CHECK, _PROP_EXPECT, _PROP_VERDICT, _State


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
