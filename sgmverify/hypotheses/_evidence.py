"""The outcome of a hypothesis check: :class:`CheckResult` and its evidence (shared by the checkers).

:mod:`sgmverify.hypotheses._assumptions` (dispatcher, Gaussian / mixture / product checkers) and
:mod:`sgmverify.hypotheses._density_checks` (sympy-density checkers) both build their results here, so
``density_checks`` never imports ``assumptions`` and the import graph stays acyclic.
:class:`CheckResult` is re-exported by :mod:`sgmverify.hypotheses._assumptions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sgmverify.theory import AssumptionResult

__all__ = ["CheckResult"]

#: Order of statuses, weakest first: a conjunction of checks takes the minimum.
_RANK = {"fails": 0, "unknown": 1, "holds": 2}


@dataclass(frozen=True)
class CheckResult:
    """Outcome of :func:`~sgmverify.hypotheses.check_assumption`.

    Attributes
    ----------
    kind : str
        The assumption checked (one of :data:`~sgmverify.hypotheses.KINDS`).
    status : str
        ``"holds"``, ``"fails"`` or ``"unknown"``.
    evidence : str
        ``"proved"`` (closed form, exact sympy decision or interval certificate; for "fails" also a symbolic
        limit), ``"counterexample"`` (a point where the inequality is violated, confirmed there),
        ``"numeric-only"`` (grids, quadrature, a random search, or a tail limit that is not a proof) or
        ``"unknown"``.
    detail : str
        What was shown and how, including its scope ("whole support", "box only", "tails by limit").
    point : tuple of float, optional
        The counterexample.
    value : float, optional
        A constant found on the way (e.g. the best m or L of a Gaussian).
    """

    kind: str
    status: str
    evidence: str
    detail: str
    point: tuple[float, ...] | None = None
    value: float | None = None

    def to_assumption_result(self, name: str | None = None) -> AssumptionResult:
        """The :class:`~sgmverify.theory.AssumptionResult` (``evidence`` passed on unchanged)."""
        return AssumptionResult(name or self.kind, self.status, self.detail, evidence=self.evidence)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "status": self.status,
            "evidence": self.evidence,
            "detail": self.detail,
            "point": None if self.point is None else [float(p) for p in self.point],
            "value": self.value,
        }


def _res(status: str, evidence: str, detail: str, point=None, value=None) -> CheckResult:
    pt = None if point is None else tuple(float(p) for p in np.atleast_1d(point))
    return CheckResult("", status, evidence, detail, pt, None if value is None else float(value))
