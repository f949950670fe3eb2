"""What the Markdown and HTML renderers show: results grouped per theorem, numbers formatted once.

The renderers differ only in markup; everything they display (section order, cell text, provenance
notes, which assumption checks to list) is decided here, so the two formats cannot drift apart.
Strings produced here are *plain text*: each renderer escapes them for its own markup.

Both renderers take the same three inputs: ``sections`` (from :func:`theorem_sections`), ``summary``
(from :func:`sgmverify.report.summary.summarize`) and ``meta``, the run metadata (``created``, ``mode``,
``filter``, ``elapsed_s``, ``versions``, ``suites``, ``suite_errors``, ``schema_version``, optional
``title``).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sgmverify.estimates import Estimate
from sgmverify.report.summary import VERDICT_ORDER, classify, holds_unverified, is_loose, suite_label
from sgmverify.theory import Result, Verdict

__all__ = [
    "NEGATIVE_CONTROL_NOTE",
    "PROVENANCE_NOTES",
    "VERDICT_MEANINGS",
    "AssumptionRow",
    "ScenarioRow",
    "TheoremSection",
    "anchor",
    "banner_text",
    "display_latex",
    "first_line",
    "fmt_ci",
    "fmt_num",
    "fmt_params",
    "is_parameter_bound",
    "pretty_tex",
    "report_title",
    "run_facts",
    "safe_name",
    "status_text",
    "suite_errors",
    "suite_groups",
    "suite_titles",
    "theorem_sections",
    "unexpected_claims",
]

#: What each provenance tag means, as shown next to every statement.
PROVENANCE_NOTES: dict[str, str] = {
    "verified": "the paper's statement, checked against the paper's text",
    "secondary": "taken from a secondary source (survey, talk, later paper), not checked against the paper",
    "derived": "exact mathematics derived here and checked; NOT the paper's theorem",
    "reconstructed": "a plausible reconstruction; the constants are ours, NOT the paper's",
    "not found": "the paper's statement could not be found in the available text; this is NOT the paper's",
    "textbook": "a standard, exactly true fact (engine smoke test or negative control)",
}

#: What a negative control is, as shown on its section.
NEGATIVE_CONTROL_NOTE = "a deliberately false statement; the checker must report VIOLATED."

#: What each verdict means, as shown in the legend of every report.
VERDICT_MEANINGS: dict[str, str] = {
    "HOLDS": "the measured value (its whole confidence interval) satisfies the bound",
    "VIOLATED": "the measured value breaks the bound beyond its confidence interval "
    "(expected for a negative control; needs attention for a claim)",
    "INCONCLUSIVE": "the confidence interval straddles the bound: neither shown nor refuted "
    "(needs attention)",
    "ASSUMPTIONS_FAIL": "a hypothesis fails for this scenario, so the theorem claims nothing here "
    "(by design for out-of-class laws and cells not derivable from the paper's text)",
    "ERROR": "the check itself failed to run (needs attention)",
}

_PROV_WORDS = {
    "verified": "are the paper's own verified statement",
    "secondary": "come from a secondary source",
    "derived": "are derived here from the paper's setting (not the paper's theorem)",
    "reconstructed": "are reconstructions with our own constants",
    "textbook": "are textbook facts (smoke tests and controls)",
    "not found": "are not found in the paper's available text",
}

_SUP = dict(zip("0123456789+-−=()niaxkdtT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵃˣᵏᵈᵗᵀ"))
_SUB = dict(zip("0123456789+-−=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ"))


def _script(body: str, table: Mapping[str, str], mark: str) -> str:
    if body and all(c in table for c in body):
        return "".join(table[c] for c in body)
    return f"{mark}({body})" if len(body) > 1 else f"{mark}{body}"


def pretty_tex(text: str) -> str:
    """Plain text with TeX scripts made readable: ``e^{−T}`` → ``e⁻ᵀ``, ``p_{t_min}`` → ``p_(t_min)``.

    A braced super/subscript becomes Unicode super/subscript characters when all of its characters have
    one, else ``^(...)`` / ``_(...)``; other text is unchanged (titles are plain text with TeX habits).
    """
    out = re.sub(r"\^\{([^{}]*)\}", lambda m: _script(m.group(1).replace(" ", ""), _SUP, "^"), text or "")
    return re.sub(r"_\{([^{}]*)\}", lambda m: _script(m.group(1).replace(" ", ""), _SUB, "_"), out)


def display_latex(latex: str) -> str:
    r"""The LaTeX to render: a product of symbols gets explicit ``\cdot`` (``diam l_{2} \sqrt{vol}`` would
    render as "diaml₂√vol"), multi-letter names upright (``\mathrm{diam}``)."""
    text = latex or ""
    text = re.sub(
        r"(?<![\\A-Za-z{_])([A-Za-z]{2,})(?![A-Za-z{(])", lambda m: rf"\mathrm{{{m.group(1)}}}", text
    )
    return re.sub(r"(?<=[A-Za-z0-9}])\s+(?=[A-Za-z0-9]|\\(?!right|cdot|,|;|quad)[A-Za-z])", r" \\cdot ", text)


def is_parameter_bound(latex: str) -> bool:
    """True when a bound is just a name (``expected``, ``cap``): a per-scenario value, not a formula."""
    return bool(re.fullmatch(r"[A-Za-z]{2,}(_\{[A-Za-z0-9]*\})?", (latex or "").strip()))


def banner_text(summary: Mapping[str, Any]) -> str:
    """What was checked, in words, by provenance: e.g. "None of these 405 checks is a paper's own
    verified statement: 292 are derived here from the paper's setting (not the paper's theorem), 91 are
    textbook facts ..."."""
    prov = summary["overall"].get("provenance", {})
    total = summary["overall"]["total"]
    if not total:
        return "No checks."
    n = {p: sum(v for v in row.values()) for p, row in prov.items()}
    verified = n.get("verified", 0)
    ordered = sorted(((p, k) for p, k in n.items() if p != "verified" and k), key=lambda pk: -pk[1])
    rest = []
    for p, k in ordered:
        words = _PROV_WORDS.get(p, f"are tagged {p!r}")
        if k == 1:  # singular verb
            words = re.sub(r"^are ", "is ", words).replace("come from", "comes from")
        rest.append(f"{k} {words}")
    if verified == total:
        return f"All {total} checks are a paper's own verified statement."
    head = (
        f"None of these {total} checks is a paper's own verified statement"
        if not verified
        else f"{verified} of {total} checks are a paper's own verified statement"
    )
    return f"{head}: " + ", ".join(rest) + "."


_OPS = {"upper": "≤", "lower": "≥", "equal": "=", "rate": "has order"}


def fmt_num(x: Any, digits: int = 4) -> str:
    """A number in ``.{digits}g`` format; ``—`` for None, the text of non-finite values."""
    if x is None:
        return "—"
    if isinstance(x, str):
        try:
            x = float(x)
        except ValueError:
            return x
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "∞" if x > 0 else "−∞"
        return f"{x:.{digits}g}"
    return str(x)


def fmt_ci(est: Estimate | None) -> str:
    """``exact``, ``[lo, hi] (95%)``, or ``—`` when there is no interval."""
    if est is None:
        return "—"
    if est.exact:
        return "exact"
    if math.isnan(est.ci_low) or math.isnan(est.ci_high):
        return "—"
    level = "" if est.level is None or math.isnan(est.level) else f" ({est.level:.0%})"
    return f"[{fmt_num(est.ci_low)}, {fmt_num(est.ci_high)}]{level}"


def fmt_params(params: Mapping[str, Any], limit: int = 120) -> str:
    """``a=1, b=0.5`` (numbers short, containers abbreviated), cut at ``limit`` characters."""
    parts = []
    for k, v in params.items():
        if isinstance(v, int | float | str) and not isinstance(v, bool):
            parts.append(f"{k}={fmt_num(v)}")
        elif isinstance(v, list):
            parts.append(f"{k}=[…{len(v)}]")
        elif isinstance(v, dict):
            parts.append(f"{k}={{…}}")
        else:
            parts.append(f"{k}={v}")
    text = ", ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def first_line(text: str) -> str:
    """The first non-empty line of ``text``."""
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def suite_titles(meta: Mapping[str, Any]) -> dict[str, str]:
    """Suite name -> title, from ``meta["suites"]`` (a list of ``{"name", "title", ...}``) when present."""
    out = {}
    for s in meta.get("suites") or []:
        if isinstance(s, Mapping) and s.get("name") and s.get("title"):
            out[str(s["name"])] = str(s["title"])
    return out


def suite_errors(meta: Mapping[str, Any]) -> list[str]:
    """Messages of suites that failed to load (``meta["suite_errors"]``), shown as a warning."""
    errs = meta.get("suite_errors") or []
    return [str(x) for x in errs] if isinstance(errs, list | tuple) else [str(errs)]


def report_title(meta: Mapping[str, Any]) -> str:
    """The report's title: ``meta["title"]``, by default ``sgmverify report``."""
    return str(meta.get("title", "sgmverify report"))


def run_facts(meta: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The facts about the run under the report's title, in order, as ``(label, text)`` pairs.

    Labels: ``created`` (always, ``—`` when unknown), then where ``meta`` has them ``mode``, ``filter``,
    ``elapsed`` (``"1.23 s"``) and ``versions`` (``"numpy 2.1, python 3.12"``).
    """
    facts = [("created", str(meta.get("created", "—")))]
    if meta.get("mode"):
        facts.append(("mode", str(meta["mode"])))
    if meta.get("filter"):
        facts.append(("filter", str(meta["filter"])))
    times = []
    for key, what in (
        ("elapsed_s", "checks (wall)"),
        ("checks_time_s", "checks (sum of each check's time)"),
        ("figures_s", "figures"),
        ("total_s", "whole run before writing reports"),
    ):
        if isinstance(meta.get(key), int | float) and not isinstance(meta.get(key), bool):
            times.append(f"{what} {_fmt_seconds(float(meta[key]))}")
    if times:
        facts.append(("elapsed", "; ".join(times)))
    versions = meta.get("versions") or {}
    if versions:
        facts.append(("versions", ", ".join(f"{k} {v}" for k, v in versions.items())))
    return facts


def _fmt_seconds(s: float) -> str:
    """A duration as a reader wants it: ``"95 s"``, ``"2.3 s"``, ``"0.09 s"``, ``"< 0.01 s"``."""
    if s >= 10:
        return f"{s:.0f} s"
    if s >= 1:
        return f"{s:.1f} s"
    return f"{s:.2f} s" if s >= 0.01 else "< 0.01 s"


def status_text(summary: Mapping[str, Any]) -> str:
    """The verdict on the run: all checks as expected or how many were not, then what that consists of
    (claims that hold, with an unknown assumption, outside their hypotheses; controls caught)."""
    overall = summary["overall"]
    if summary["ok"]:
        head = f"All {overall['total']} checks came out as expected"
    else:
        head = f"{overall['unexpected']} of {overall['total']} checks did not come out as expected"
    counts, nc = overall["counts"], overall["negative_controls"]
    parts = [f"{counts.get('HOLDS', 0)} of {overall['claims']} claims HOLD"]
    if overall.get("holds_unverified"):
        parts[0] += f" ({overall['holds_unverified']} with an unverified assumption)"
    if counts.get("ASSUMPTIONS_FAIL"):
        parts.append(f"{counts['ASSUMPTIONS_FAIL']} are outside their hypotheses")
    for v in ("INCONCLUSIVE", "VIOLATED", "ERROR"):
        if counts.get(v):
            parts.append(f"{counts[v]} {v}")
    if nc["total"]:
        parts.append(f"{nc['detected']} of {nc['total']} negative controls caught")
    return f"{head}: " + "; ".join(parts) + "."


def unexpected_claims(summary: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The unexpected outcomes of claims: ``summary["unexpected"]`` less the missed negative controls."""
    missed = summary["negative_controls"]["missed"]
    return [entry for entry in summary["unexpected"] if entry not in missed]


def safe_name(text: str) -> str:
    """A file-name / HTML-id safe version of ``text`` (letters, digits, ``._-``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "theorem"


def anchor(suite: str, theorem_id: str) -> str:
    """The HTML id / Markdown anchor of a theorem section."""
    return "th-" + safe_name(f"{suite}--{theorem_id}").lower().replace(".", "-")


@dataclass
class ScenarioRow:
    """One line of a theorem's scenario table (plain text cells)."""

    result: Result
    scenario: str
    params: str
    bound: str
    measured: str
    ci: str
    ratio: str
    verdict: str
    reason: str
    traceback: str
    as_expected: bool
    category: str = ""  # see sgmverify.report.summary.classify
    meaning: str = ""
    loose: bool = False
    unverified: list[str] = field(default_factory=list)  # names of assumptions of unknown status
    outside: str = ""  # Result.outside_label


@dataclass
class AssumptionRow:
    """One assumption outcome, with the scenarios that share it (``"all"`` when every one does)."""

    name: str
    status: str
    evidence: str
    detail: str
    scenarios: str


@dataclass
class TheoremSection:
    """Everything shown for one theorem."""

    suite: str
    theorem_id: str
    title: str
    statement: str
    quantity: str
    op: str
    latex: str
    text: str
    reference: str
    provenance: str
    provenance_note: str
    expect: str
    anchor: str
    rows: list[ScenarioRow] = field(default_factory=list)
    assumptions: list[AssumptionRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    section: str = ""  # report heading within the suite ("" = none)
    notes: str = ""  # the theorem's notes (how the claim is encoded, what it does not cover)
    methods: list[str] = field(default_factory=list)  # distinct measurement methods of its scenarios
    latex_source: str = ""  # the LaTeX the bound was parsed from (Bound.from_latex), when any

    @property
    def results(self) -> list[Result]:
        return [row.result for row in self.rows]

    @property
    def is_negative_control(self) -> bool:
        return self.expect != "holds"


def _row(r: Result) -> ScenarioRow:
    verdict = r.verdict.value if isinstance(r.verdict, Verdict) else str(r.verdict)
    category, meaning = classify(r)
    return ScenarioRow(
        result=r,
        scenario=r.scenario,
        params=fmt_params(r.params),
        bound=fmt_num(r.bound_value),
        measured=fmt_num(r.measured.value if r.measured else None),
        ci=fmt_ci(r.measured),
        ratio=fmt_num(r.ratio),
        verdict=verdict,
        reason=first_line(r.reason),
        traceback=r.traceback or "",
        as_expected=r.as_expected,
        category=category,
        meaning=meaning,
        loose=r.expect == "holds" and is_loose(r),
        unverified=[a.name for a in r.assumptions if a.status == "unknown"] if holds_unverified(r) else [],
        outside=str(getattr(r, "outside_label", "") or ""),
    )


def _assumption_rows(results: Sequence[Result]) -> list[AssumptionRow]:
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for r in results:
        for a in r.assumptions:
            groups.setdefault((a.name, a.status, a.evidence, a.detail), []).append(r.scenario)
    n = len(results)
    rows = []
    for (name, status, evidence, detail), scen in groups.items():
        where = "all" if len(scen) == n and n > 1 else ", ".join(scen)
        rows.append(AssumptionRow(name, status, evidence, detail, where))
    return rows


def theorem_sections(results: Sequence[Result]) -> list[TheoremSection]:
    """Group ``results`` into one section per (suite, theorem), in order of first appearance."""
    groups: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        groups.setdefault((suite_label(r), r.theorem_id), []).append(r)
    sections = []
    for (suite, tid), rs in groups.items():
        head = rs[0]
        bound = head.bound or {}
        direction = str(bound.get("direction", ""))
        counts = dict.fromkeys(VERDICT_ORDER, 0)
        for r in rs:
            key = r.verdict.value if isinstance(r.verdict, Verdict) else str(r.verdict)
            counts[key] = counts.get(key, 0) + 1
        sections.append(
            TheoremSection(
                suite=suite,
                theorem_id=tid,
                title=pretty_tex(head.title),
                statement=head.statement,
                quantity=str(bound.get("quantity", "")),
                op=_OPS.get(direction, direction),
                latex=str(bound.get("latex", "")),
                text=str(bound.get("text", "")),
                reference=head.reference,
                provenance=head.provenance,
                provenance_note=PROVENANCE_NOTES.get(head.provenance, "unknown provenance tag"),
                expect=head.expect,
                anchor=anchor(suite, tid),
                rows=[_row(r) for r in rs],
                assumptions=_assumption_rows(rs),
                counts=counts,
                section=head.section,
                notes=head.notes,
                methods=list(
                    dict.fromkeys(r.measured.method for r in rs if r.measured and r.measured.method)
                ),
                latex_source=str(bound.get("latex_source", "") or ""),
            )
        )
    return sections


def section_groups(sections: Sequence[TheoremSection]) -> list[tuple[str, list[TheoremSection]]]:
    """One suite's ``sections`` cut into runs of one report section heading: ``(heading, sections)``."""
    return [(name, list(run)) for name, run in itertools.groupby(sections, key=lambda sec: sec.section)]


def suite_figures(figures: Sequence[Any], suite: str) -> list[tuple[str, list[Any]]]:
    """The figure records of ``suite`` grouped by section heading (in first-appearance order)."""
    groups: dict[str, list[Any]] = {}
    for f in figures:
        if f.suite == suite:
            groups.setdefault(f.section, []).append(f)
    return list(groups.items())


def suite_groups(
    sections: Sequence[TheoremSection], meta: Mapping[str, Any]
) -> list[tuple[str, str, list[TheoremSection]]]:
    """``sections`` cut into runs of one suite: ``(suite, title, sections)``, title ``""`` when unknown.

    A suite whose sections are not consecutive gets one run (and one heading) per stretch.
    """
    titles = suite_titles(meta)
    return [
        (suite, titles.get(suite, ""), list(run))
        for suite, run in itertools.groupby(sections, key=lambda sec: sec.suite)
    ]
