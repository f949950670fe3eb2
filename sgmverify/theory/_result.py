"""What a check produced: :class:`Result`, with a JSON round trip (:meth:`Result.to_dict` /
:meth:`Result.from_dict`) used by the results store, the worker processes and the reports.
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

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
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
        for k in ("bound_value", "ratio"):
            if isinstance(d.get(k), str):
                d[k] = float(d[k])
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in d.items() if k in known})
