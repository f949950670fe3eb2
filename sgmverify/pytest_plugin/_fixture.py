"""The ``sgm_check`` fixture's callable: check a theorem inside an ordinary test."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import pytest

from ._verdicts import failure_message

if TYPE_CHECKING:  # the engine imports numpy and sympy: keep it out of every pytest start-up
    from sgmverify.theory import Result, Scenario, Theorem


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
        from sgmverify.run import run_check
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
        results = [run_check(c, self._versions) for c in checks]
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
