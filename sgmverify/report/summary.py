"""The report's summary: verdict counts per suite and overall, negative controls apart.

Claims (``expect == "holds"``) and negative controls (``expect == "violated"`` or ``"assumptions_fail"``:
deliberately false statements the checker must catch) are counted separately, so a caught control never
shows up as a "VIOLATED" claim and a missed control is never hidden among passing claims.
"""

from __future__ import annotations

from collections.abc import Sequence

from sgmverify.theory import Result, Verdict, expected_verdict

__all__ = [
    "LOOSE_RATIO",
    "NO_SUITE",
    "PROVENANCE_ORDER",
    "VERDICT_ORDER",
    "classify",
    "holds_unverified",
    "is_loose",
    "suite_label",
    "summarize",
]

#: Display order of verdicts (columns of the summary table).
VERDICT_ORDER: tuple[str, ...] = tuple(v.value for v in Verdict)

#: Label used for results whose ``suite`` is empty.
NO_SUITE = "(no suite)"


#: Display order of provenance tags (the summary's provenance split).
PROVENANCE_ORDER: tuple[str, ...] = (
    "verified",
    "secondary",
    "derived",
    "reconstructed",
    "textbook",
    "not found",
)

#: A claim whose tightness ratio measured/bound is below this (above its inverse for a lower bound) is
#: flagged "loose": such a check cannot detect an error in the bound smaller than a factor 1/LOOSE_RATIO.
LOOSE_RATIO = 0.01


def holds_unverified(r: Result) -> bool:
    """HOLDS while some assumption's status is "unknown" (``Result.holds_unverified``; computed here for
    results of a version that lacks it)."""
    flag = getattr(r, "holds_unverified", None)
    if isinstance(flag, bool):
        return flag
    return r.verdict is Verdict.HOLDS and any(a.status == "unknown" for a in r.assumptions)


def is_loose(r: Result) -> bool:
    """A HOLDS claim of an upper bound with ratio < :data:`LOOSE_RATIO` (lower bound: > 1/LOOSE_RATIO)."""
    direction = str((r.bound or {}).get("direction", ""))
    ratio = r.ratio
    if r.verdict is not Verdict.HOLDS or not isinstance(ratio, float | int) or not ratio > 0:
        return False
    if direction == "upper":
        return ratio < LOOSE_RATIO
    if direction == "lower":
        return ratio > 1 / LOOSE_RATIO and ratio != float("inf")
    return False


def classify(r: Result) -> tuple[str, str]:
    """``(category, meaning)`` of a result's verdict, in words.

    Categories: ``"holds"``, ``"holds_unverified"`` (HOLDS with an assumption of unknown status),
    ``"by_design"`` (an outcome the suite's design expects: a caught negative control, a claim whose
    scenario lies outside its hypotheses, a table cell not derivable from the paper's text) and
    ``"attention"`` (a claim VIOLATED, in ERROR or INCONCLUSIVE, or a missed negative control).
    """
    v = r.verdict
    if r.expect != "holds":
        if _caught(r):
            return (
                "by_design",
                "negative control caught: a deliberately false statement, detected as designed",
            )
        return "attention", "negative control MISSED: a deliberately false statement was not detected"
    if v is Verdict.HOLDS:
        if holds_unverified(r):
            return "holds_unverified", "holds numerically, but an assumption could not be verified (unknown)"
        return "holds", "the measured value satisfies the bound"
    if v is Verdict.ASSUMPTIONS_FAIL:
        if "not derivable" in (r.reason or ""):
            return "by_design", "not derivable: the claim cannot be stated from the paper's available text"
        return "by_design", (
            "outside the hypotheses: this scenario's data violates an assumption, so the theorem claims "
            "nothing here (an out-of-class law chosen to probe the hypotheses)"
        )
    if v is Verdict.INCONCLUSIVE:
        return (
            "attention",
            "inconclusive: the confidence interval straddles the bound; neither shown nor refuted",
        )
    if v is Verdict.VIOLATED:
        return "attention", "VIOLATED: the measured value breaks the stated bound"
    return "attention", "ERROR: the check itself failed (see its traceback)"


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
    prov: dict[str, dict[str, int]] = {}
    for r in results:
        row = prov.setdefault(r.provenance or "unknown", {**dict.fromkeys(VERDICT_ORDER, 0), "controls": 0})
        if r.expect == "holds":
            row[_verdict(r)] = row.get(_verdict(r), 0) + 1
        else:
            row["controls"] += 1
    order = [p for p in PROVENANCE_ORDER if p in prov] + sorted(p for p in prov if p not in PROVENANCE_ORDER)
    categories = [classify(r)[0] for r in results]
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
        "provenance": {p: prov[p] for p in order},
        "holds_unverified": categories.count("holds_unverified"),
        "by_design": categories.count("by_design"),
        "attention": categories.count("attention"),
        "loose": sum(is_loose(r) for r in claims),
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
        "negative_controls": {"total", "detected", "missed"},
        "provenance": {tag: {verdict: n, "controls": n}},
        "holds_unverified": n, "by_design": n, "attention": n, "loose": n}`` (``counts`` and the provenance
        verdict counts cover claims only) and ``ENTRY = {"check_id", "theorem_id", "scenario", "suite",
        "verdict", "reason", "provenance", "meaning"}``.  The top level also lists ``"attention"``
        (claims VIOLATED / ERROR / INCONCLUSIVE, missed controls), ``"by_design"`` (claims outside their
        hypotheses or not derivable), ``"holds_unverified"`` and ``"loose"`` (ENTRY + ``"ratio"``); see
        :func:`classify`.
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
            "provenance": r.provenance,
            "meaning": classify(r)[1],
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
        "attention": [entry(r) for r in results if classify(r)[0] == "attention"],
        "by_design": [entry(r) for r in results if classify(r)[0] == "by_design" and r.expect == "holds"],
        "holds_unverified": [entry(r) for r in results if classify(r)[0] == "holds_unverified"],
        "loose": [{**entry(r), "ratio": r.ratio} for r in results if r.expect == "holds" and is_loose(r)],
    }
