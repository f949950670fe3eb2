"""What a check produced: :class:`Result`, with a JSON round trip (:meth:`Result.to_dict` /
:meth:`Result.from_dict`) used by the results store, the worker processes and the reports.

Two readings of a result beyond its verdict:

* **unverified assumptions** -- :attr:`Result.unverified_assumptions` names the assumptions whose check
  came back ``"unknown"``; :attr:`Result.holds_unverified` is True when the verdict is HOLDS all the same
  (the bound held on this scenario, but the theorem's hypotheses were not all confirmed).
* **outside the hypotheses** -- a theorem built with ``Theorem(..., beyond_hypotheses=True)`` is still
  measured when an assumption fails; the verdict stays ASSUMPTIONS_FAIL (never counted as HOLDS or
  VIOLATED) and the outcome of the comparison is kept in :attr:`Result.outside`
  (``{"verdict", "reason", "bound_value", "measured"}``), read in words by :attr:`Result.outside_label`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sgmverify.estimates import Estimate

from ._hashing import describe_object
from ._model import AssumptionResult
from ._verdict import Verdict, expected_verdict

if TYPE_CHECKING:
    from ._model import Check

__all__ = ["Result"]


@dataclass
class Result:
    """What a check produced (JSON round-trip via :meth:`to_dict` / :meth:`from_dict`)."""

    check_id: str
    theorem_id: str
    scenario: str
    title: str
    statement: str
    provenance: str
    reference: str
    expect: str
    verdict: Verdict = Verdict.ERROR
    reason: str = ""
    bound_value: float | None = None
    measured: Estimate | None = None
    ratio: float | None = None
    bound: dict = field(default_factory=dict)
    bound_params: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    sweep: list = field(default_factory=list)
    seed: int = 0
    assumptions: list[AssumptionResult] = field(default_factory=list)
    timings: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    suite: str = ""
    section: str = ""
    notes: str = ""
    content_hash: str = ""
    traceback: str = ""
    outside: dict = field(default_factory=dict)

    @classmethod
    def empty(cls, check: Check) -> Result:
        """The result of ``check`` before it runs: what describes it filled in, verdict ERROR."""
        th, sc = check.theorem, check.scenario
        return cls(
            check_id=check.id,
            theorem_id=th.id,
            scenario=sc.name,
            title=th.title,
            statement=th.bound.statement(),
            provenance=th.reference.provenance.value,
            reference=th.reference.cite(),
            expect=th.expect,
            bound=th.bound.to_dict(),
            params={k: describe_object(v) for k, v in sc.params.items()},
            sweep=list(sc.sweep),
            seed=sc.seed,
            section=th.section,
            notes=th.notes,
        )

    @property
    def as_expected(self) -> bool:
        """True when a claim was not violated/errored, or a negative control was detected (VIOLATED)."""
        if self.expect != "holds":
            return self.verdict is expected_verdict(self.expect)
        return self.verdict not in (Verdict.VIOLATED, Verdict.ERROR)

    @property
    def unverified_assumptions(self) -> list[str]:
        """Names of the assumptions whose check returned ``"unknown"`` (in the theorem's order)."""
        return [a.name for a in self.assumptions if a.status == "unknown"]

    @property
    def holds_unverified(self) -> bool:
        """True when the verdict is HOLDS while some assumption could not be verified."""
        return self.verdict is Verdict.HOLDS and bool(self.unverified_assumptions)

    @property
    def outside_label(self) -> str:
        """The outcome beyond the hypotheses, in words (``""`` when the check was not run beyond them).

        ``"holds beyond its hypotheses"`` (the bound held although an assumption fails), ``"fails without
        them"`` (VIOLATED), ``"undecided beyond its hypotheses"`` (INCONCLUSIVE or ERROR).
        """
        verdict = self.outside.get("verdict") if self.outside else None
        if not verdict:
            return ""
        return {
            "HOLDS": "holds beyond its hypotheses",
            "VIOLATED": "fails without them",
        }.get(str(verdict), "undecided beyond its hypotheses")

    def _repr_html_(self) -> str:
        from ._display import result_html

        return result_html(self)

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["outside"] = dict(self.outside)
        bv = d["outside"].get("bound_value")
        if isinstance(bv, float) and not math.isfinite(bv):
            d["outside"]["bound_value"] = str(bv)
        d["verdict"] = self.verdict.value
        d["measured"] = self.measured.to_dict() if self.measured else None
        d["assumptions"] = [vars(a).copy() for a in self.assumptions]
        for k in ("bound_value", "ratio"):
            v = d[k]
            if isinstance(v, float) and not math.isfinite(v):
                d[k] = str(v)
        return d

    @classmethod
    def from_dict(cls, d: Mapping) -> Result:
        d = dict(d)
        d["verdict"] = Verdict(d["verdict"])
        d["measured"] = Estimate.from_dict(d["measured"]) if d.get("measured") else None
        d["assumptions"] = [AssumptionResult(**a) for a in d.get("assumptions", [])]
        d["outside"] = dict(d.get("outside") or {})  # results written before it existed have none
        if isinstance(d["outside"].get("bound_value"), str):
            d["outside"]["bound_value"] = float(d["outside"]["bound_value"])
        for k in ("bound_value", "ratio"):
            if isinstance(d.get(k), str):
                d[k] = float(d[k])
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in d.items() if k in known})
