"""Compare two runs: verdict flips, tightness drift, missing and new checks.

Results are matched by check id (``theorem id[scenario]``), not by content hash, so a run made after the
code changed is still compared check by check.  A later record with the same check id replaces an
earlier one (stores are append-only, so later means newer).

:attr:`Comparison.ok` is False when

* a verdict changed (any change: baseline updates are deliberate, see ``sgmverify run --update-baseline``);
* a ratio measured/bound moved by more than ``ratio_rtol`` relative to the baseline's ratio (or appeared /
  disappeared) -- unless both ratios lie below ``ratio_floor`` (default 0.05): a measurement under 5 % of its
  bound is a bound loose by more than ×20 either way, and such measurements are often at the round-off level
  of the machine (errors of 1e-12 against a tolerance), where they differ between CPUs and BLAS builds.  Those
  changes are listed as ``loose_changes`` and never fail the comparison;
* a baseline check is missing from the new run (a check that silently stops running is a regression),
  unless ``missing_ok=True`` (e.g. when the new run was filtered with ``-k``).

New checks (in the new run only) are listed but never fail the comparison.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from sgmverify.errors import InvalidParameterError
from sgmverify.theory import Result, Verdict

__all__ = ["Comparison", "RatioDrift", "VerdictFlip", "compare_results"]


@dataclass(frozen=True)
class VerdictFlip:
    """A check whose verdict changed; ``regression`` when it went from as-expected to not."""

    check_id: str
    old: Verdict
    new: Verdict
    regression: bool
    reason: str = ""


@dataclass(frozen=True)
class RatioDrift:
    """A check whose ratio measured/bound moved beyond the tolerance (``None``: no ratio)."""

    check_id: str
    old: float | None
    new: float | None

    @property
    def rel_change(self) -> float:
        """``(new - old) / |old|`` (``inf`` when a ratio appeared, disappeared, or ``old`` is 0)."""
        if self.old is None or self.new is None or self.old == 0:
            return math.inf
        return (self.new - self.old) / abs(self.old)


@dataclass
class Comparison:
    """The differences between a baseline run and a new run."""

    verdict_flips: list[VerdictFlip] = field(default_factory=list)
    drifts: list[RatioDrift] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    new: list[str] = field(default_factory=list)
    n_compared: int = 0
    ratio_rtol: float = 0.05
    missing_ok: bool = False
    loose_changes: list[RatioDrift] = field(default_factory=list)
    ratio_floor: float = 0.05

    @property
    def ok(self) -> bool:
        """False on a verdict flip, a ratio drift, or (unless ``missing_ok``) a missing check."""
        return not (self.verdict_flips or self.drifts or (self.missing and not self.missing_ok))

    def to_dict(self) -> dict:
        """A JSON-able summary."""
        return {
            "ok": self.ok,
            "n_compared": self.n_compared,
            "ratio_rtol": self.ratio_rtol,
            "ratio_floor": self.ratio_floor,
            "missing_ok": self.missing_ok,
            "verdict_flips": [
                {"check_id": f.check_id, "old": f.old.value, "new": f.new.value, "regression": f.regression}
                for f in self.verdict_flips
            ],
            "drifts": [{"check_id": d.check_id, "old": d.old, "new": d.new} for d in self.drifts],
            "loose_changes": [
                {"check_id": d.check_id, "old": d.old, "new": d.new} for d in self.loose_changes
            ],
            "missing": list(self.missing),
            "new": list(self.new),
        }

    def to_text(self) -> str:
        """A human-readable summary, one line per difference."""
        lines = [
            f"compared {self.n_compared} checks (ratio tolerance {self.ratio_rtol:g} relative): "
            + ("OK" if self.ok else "DIFFERENCES FOUND")
        ]
        if self.verdict_flips:
            lines.append(f"verdict changes ({len(self.verdict_flips)}):")
            for f in self.verdict_flips:
                tag = "REGRESSION" if f.regression else "changed"
                extra = f" — {f.reason}" if f.reason else ""
                lines.append(f"  {tag:10s} {f.check_id}: {f.old.value} -> {f.new.value}{extra}")
        if self.drifts:
            lines.append(f"ratio drifts beyond {self.ratio_rtol:g} ({len(self.drifts)}):")
            for d in self.drifts:
                change = "n/a" if math.isinf(d.rel_change) else f"{d.rel_change:+.1%}"
                lines.append(f"  {d.check_id}: {_fmt(d.old)} -> {_fmt(d.new)} ({change})")
        if self.loose_changes:
            lines.append(
                f"not gated: {len(self.loose_changes)} ratio change(s) with both ratios below "
                f"{self.ratio_floor:g} (bounds loose by more than x{1 / self.ratio_floor:g})"
            )
        if self.missing:
            note = " (allowed)" if self.missing_ok else ""
            lines.append(f"missing from the new run ({len(self.missing)}){note}:")
            lines += [f"  {c}" for c in self.missing]
        if self.new:
            lines.append(f"new checks, not in the baseline ({len(self.new)}):")
            lines += [f"  {c}" for c in self.new]
        return "\n".join(lines)


def _drift_dict(d: RatioDrift) -> dict:
    return {"check_id": d.check_id, "old": d.old, "new": d.new}


def _fmt(x: float | None) -> str:
    return "none" if x is None else f"{x:.6g}"


def _ratio(r: Result) -> float | None:
    if r.ratio is None:
        return None
    x = float(r.ratio)
    return None if math.isnan(x) else x


def _drifted(old: float | None, new: float | None, rtol: float, atol: float) -> bool:
    if old is None or new is None:
        return (old is None) != (new is None)
    if math.isinf(old) or math.isinf(new):
        return old != new
    return abs(new - old) > max(atol, rtol * abs(old))


def _by_id(results: Iterable[Result]) -> dict[str, Result]:
    return {r.check_id: r for r in results}


def compare_results(
    baseline: Iterable[Result],
    new: Iterable[Result],
    ratio_rtol: float = 0.05,
    *,
    ratio_atol: float = 1e-12,
    ratio_floor: float = 0.05,
    missing_ok: bool = False,
) -> Comparison:
    """Compare a new run against a baseline run.

    Parameters
    ----------
    baseline, new : iterable of Result
        The two runs (e.g. from :func:`sgmverify.report.load_results`).
    ratio_rtol : float
        Allowed relative change of the ratio measured/bound: drift when
        ``|new - old| > max(ratio_atol, ratio_rtol·|old|)``.
    ratio_atol : float
        Absolute floor of the allowed change (for ratios at or near 0).
    ratio_floor : float
        Changes between two ratios that both lie in ``[0, ratio_floor)`` are listed in ``loose_changes``
        but are not drifts (0 gates every change).
    missing_ok : bool
        Do not fail on baseline checks absent from the new run.

    Returns
    -------
    Comparison
    """
    if not (ratio_rtol >= 0 and ratio_atol >= 0 and 0 <= ratio_floor < 1):
        raise InvalidParameterError(
            f"ratio_rtol and ratio_atol must be >= 0 and ratio_floor in [0, 1), got {ratio_rtol}, "
            f"{ratio_atol}, {ratio_floor}."
        )
    old_by, new_by = _by_id(baseline), _by_id(new)
    cmp = Comparison(ratio_rtol=float(ratio_rtol), missing_ok=missing_ok, ratio_floor=float(ratio_floor))
    cmp.missing = sorted(set(old_by) - set(new_by))
    cmp.new = sorted(set(new_by) - set(old_by))
    for cid in sorted(set(old_by) & set(new_by)):
        a, b = old_by[cid], new_by[cid]
        cmp.n_compared += 1
        if a.verdict is not b.verdict:
            cmp.verdict_flips.append(
                VerdictFlip(cid, a.verdict, b.verdict, a.as_expected and not b.as_expected, b.reason)
            )
        elif _drifted(_ratio(a), _ratio(b), ratio_rtol, ratio_atol):
            drift = RatioDrift(cid, _ratio(a), _ratio(b))
            loose = all(r is not None and 0 <= r < ratio_floor for r in (drift.old, drift.new))
            (cmp.loose_changes if loose else cmp.drifts).append(drift)
    return cmp
