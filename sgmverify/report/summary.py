"""The report's summary: verdict counts per suite and overall, negative controls apart.

Claims (``expect == "holds"``) and negative controls (``expect == "violated"`` or ``"assumptions_fail"``:
deliberately false statements the checker must catch) are counted separately, so a caught control never
shows up as a "VIOLATED" claim and a missed control is never hidden among passing claims.
"""

from __future__ import annotations

from collections.abc import Sequence

from sgmverify.theory import Result, Verdict, expected_verdict

__all__ = ["NO_SUITE", "VERDICT_ORDER", "suite_label", "summarize"]

#: Display order of verdicts (columns of the summary table).
VERDICT_ORDER: tuple[str, ...] = tuple(v.value for v in Verdict)

#: Label used for results whose ``suite`` is empty.
NO_SUITE = "(no suite)"


def suite_label(result: Result) -> str:
    """The suite name shown in reports (``"(no suite)"`` when empty)."""
    return result.suite or NO_SUITE


def _verdict(result: Result) -> str:
    v = result.verdict
    return v.value if isinstance(v, Verdict) else str(v)


def _caught(r: Result) -> bool:
    return r.verdict is expected_verdict(r.expect)


def _block(results: Sequence[Result]) -> dict:
    claims = [r for r in results if r.expect == "holds"]
    controls = [r for r in results if r.expect != "holds"]
    counts = dict.fromkeys(VERDICT_ORDER, 0)
    for r in claims:
        counts[_verdict(r)] = counts.get(_verdict(r), 0) + 1
    detected = [r for r in controls if _caught(r)]
    missed = [r for r in controls if not _caught(r)]
    return {
        "total": len(results),
        "claims": len(claims),
        "counts": counts,
        "as_expected": sum(r.as_expected for r in results),
        "unexpected": sum(not r.as_expected for r in results),
        "negative_controls": {
            "total": len(controls),
            "detected": len(detected),
            "missed": len(missed),
        },
    }


def summarize(results: Sequence[Result]) -> dict:
    """Count verdicts per suite and overall.

    Parameters
    ----------
    results : sequence of Result
        The results to summarise (any order).

    Returns
    -------
    dict
        JSON-able::

            {"overall": BLOCK, "suites": {suite: BLOCK, ...},
             "ok": bool,                      # every result as expected
             "negative_controls": {"detected": [ENTRY...], "missed": [ENTRY...]},
             "unexpected": [ENTRY...]}       # claims VIOLATED / ERROR, missed controls

        where ``BLOCK = {"total", "claims", "counts": {verdict: n}, "as_expected", "unexpected",
        "negative_controls": {"total", "detected", "missed"}}`` (``counts`` covers claims only) and
        ``ENTRY = {"check_id", "theorem_id", "scenario", "suite", "verdict", "reason"}``.
    """
    by_suite: dict[str, list[Result]] = {}
    for r in results:
        by_suite.setdefault(suite_label(r), []).append(r)

    def entry(r: Result) -> dict:
        return {
            "check_id": r.check_id,
            "theorem_id": r.theorem_id,
            "scenario": r.scenario,
            "suite": suite_label(r),
            "verdict": _verdict(r),
            "reason": r.reason,
        }

    controls = [r for r in results if r.expect != "holds"]
    return {
        "overall": _block(results),
        "suites": {name: _block(rs) for name, rs in by_suite.items()},
        "ok": all(r.as_expected for r in results),
        "negative_controls": {
            "detected": [entry(r) for r in controls if _caught(r)],
            "missed": [entry(r) for r in controls if not _caught(r)],
        },
        "unexpected": [entry(r) for r in results if not r.as_expected],
    }
