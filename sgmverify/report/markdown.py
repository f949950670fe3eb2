"""``report.md``: the report as GitHub-flavoured Markdown.

Layout: header (created, mode, versions), summary table per suite and overall, negative controls apart
(detected vs missed), unexpected outcomes, then one section per theorem (title, provenance, reference,
statement in plain text and LaTeX, assumption checks, scenario table, tracebacks of errors, figure).
Every piece of text from results is escaped: Markdown specials are backslash-escaped and ``<``, ``>``,
``&`` become entities, so a reason such as ``<script>`` is shown, never interpreted.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sgmverify.report.summary import VERDICT_ORDER
from sgmverify.report.view import (
    NEGATIVE_CONTROL_NOTE,
    VERDICT_MEANINGS,
    TheoremSection,
    banner_text,
    fmt_num,
    is_parameter_bound,
    pretty_tex,
    report_title,
    run_facts,
    section_groups,
    status_text,
    suite_errors,
    suite_groups,
    unexpected_claims,
)

__all__ = ["md_escape", "render_markdown"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")

#: Markup of each fact of :func:`~sgmverify.report.view.run_facts` (its text goes in escaped).
_FACTS = {
    "created": "created {}",
    "mode": "mode **{}**",
    "filter": "filter {}",
    "elapsed": "elapsed {}",
    "versions": "{}",
}


def md_escape(text: Any) -> str:
    """Escape ``text`` for inline Markdown (one line: newlines become spaces)."""
    s = " ".join(str(text).split("\n")).replace("\r", " ")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return html.escape(s, quote=False)


def _fence(text: str, lang: str = "") -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text.rstrip()}\n{fence}"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(md_escape(h) for h in header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out


def _header(meta: Mapping[str, Any], summary: Mapping[str, Any]) -> list[str]:
    info = " · ".join(_FACTS[label].format(md_escape(text)) for label, text in run_facts(meta))
    status = f"**{md_escape(status_text(summary))}**"
    banner = f"> **{md_escape(banner_text(summary))}**"
    lines = [f"# {md_escape(report_title(meta))}", "", info, "", status, "", banner, ""]
    errors = suite_errors(meta)
    if errors:
        lines += [f"**{len(errors)} suite(s) could not be loaded; their checks are missing:**", ""]
        lines += [f"- {md_escape(x)}" for x in errors] + [""]
    return lines


def _summary(summary: Mapping[str, Any]) -> list[str]:
    header = ["suite", *VERDICT_ORDER, "HOLDS unverified", "loose", "claims", "controls detected",
              "controls missed"]  # fmt: skip

    def row(name: str, block: Mapping[str, Any], bold: bool = False) -> list[str]:
        nc = block["negative_controls"]
        cells = [md_escape(name)] + [str(block["counts"].get(v, 0)) for v in VERDICT_ORDER]
        cells += [str(block.get("holds_unverified", 0)), str(block.get("loose", 0))]
        cells += [str(block["claims"]), f"{nc['detected']}/{nc['total']}", str(nc["missed"])]
        return [f"**{c}**" for c in cells] if bold else cells

    rows = [row(name, block) for name, block in summary["suites"].items()]
    rows.append(row("all suites", summary["overall"], bold=True))
    lines = ["## Summary", "", *_table(header, rows), ""]
    lines.append(
        "Verdict counts are over claims; negative controls (deliberately false statements the checker "
        "must catch, i.e. report VIOLATED) are counted apart. Loose: a HOLDS with ratio measured/bound "
        "below 0.01 (cannot detect an error smaller than ×100)."
    )
    prov = summary["overall"].get("provenance", {})
    if prov:
        rows = [[md_escape(p), *(str(c.get(v, 0)) for v in VERDICT_ORDER), str(c.get("controls", 0))]
                for p, c in prov.items()]  # fmt: skip
        lines += [
            "",
            "### Verdicts by provenance",
            "",
            *_table(["provenance", *VERDICT_ORDER, "controls"], rows),
        ]
    lines += ["", "### What the verdicts mean", ""]
    lines += [f"- **{v}**: {md_escape(VERDICT_MEANINGS[v])}" for v in VERDICT_ORDER]
    lines.append("")
    for key, title in (
        ("attention", "Needs attention"),
        ("holds_unverified", "HOLDS with an unverified assumption"),
        ("loose", "Loose checks (ratio < 0.01)"),
        ("by_design", "Not HOLDS, by design (outside the hypotheses / not derivable)"),
    ):
        items = summary.get(key) or []
        if items:
            lines += [f"### {title} ({len(items)})", ""]
            lines += [
                _entry(x) + (f" — *{md_escape(x['meaning'])}*" if x.get("meaning") else "") for x in items
            ]
            lines.append("")
    return lines


def _entry(e: Mapping[str, Any]) -> str:
    reason = f" — {md_escape(e['reason'])}" if e.get("reason") else ""
    return f"- {md_escape(e['check_id'])} ({md_escape(e['suite'])}): **{md_escape(e['verdict'])}**{reason}"


def _controls(summary: Mapping[str, Any]) -> list[str]:
    nc = summary["negative_controls"]
    lines = ["## Negative controls", ""]
    if not nc["detected"] and not nc["missed"]:
        return [*lines, "No negative controls in this run.", ""]
    lines += [f"### Detected ({len(nc['detected'])})", ""]
    lines += [_entry(e) for e in nc["detected"]] or ["None."]
    lines += ["", f"### Missed ({len(nc['missed'])})", ""]
    lines += [_entry(e) for e in nc["missed"]] or ["None: every negative control was caught."]
    return [*lines, ""]


def _unexpected(summary: Mapping[str, Any]) -> list[str]:
    claims = unexpected_claims(summary)
    if not claims:
        return []
    return ["## Claims violated or in error", "", *[_entry(e) for e in claims], ""]


def _figure_table(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    cols = list(dict.fromkeys(k for r in rows for k in r))
    return _table(
        [md_escape(c) for c in cols], [[md_escape(fmt_num(r.get(c, ""))) for c in cols] for r in rows]
    )


def _figures(records: Sequence[Any]) -> list[str]:
    """The suite's figures: picture (``figures/<id>.png``), caption, notes, table; failures said plainly."""
    if not records:
        return []
    lines = ["### Figures", ""]
    for f in records:
        where = f" ({md_escape(f.section)})" if f.section else ""
        lines += [f"#### {md_escape(f.id)}: {md_escape(pretty_tex(f.title))}{where}", ""]
        if f.error:
            lines += [f"**Figure failed**: {md_escape(f.error)}", ""]
            if f.traceback:
                lines += [
                    "<details>",
                    "<summary>traceback</summary>",
                    "",
                    _fence(f.traceback),
                    "",
                    "</details>",
                    "",
                ]
        if f.png:
            lines += [f"![{md_escape(f.title)}]({f.file})", ""]
        if f.caption:
            lines += [f"*{md_escape(f.caption)}*", ""]
        if f.notes:
            lines += [md_escape(f.notes), ""]
        if f.table:
            lines += [*_figure_table(f.table), ""]
    return lines


def _section(sec: TheoremSection, plot_path: str | None, level: int = 3) -> list[str]:
    lines = [
        f'<a id="{sec.anchor}"></a>',
        "",
        f"{'#' * level} {md_escape(sec.theorem_id)}: {md_escape(pretty_tex(sec.title))}",
        "",
        f"> **Provenance: {md_escape(sec.provenance.upper())}** — {md_escape(sec.provenance_note)}",
        ">",
        f"> Reference: {md_escape(sec.reference)}",
        "",
    ]
    if sec.is_negative_control:
        lines += [f"**Negative control**: {md_escape(NEGATIVE_CONTROL_NOTE)}", ""]
    lines += [f"**Statement** (plain text): {md_escape(sec.statement)}", ""]
    if sec.notes:
        lines += [f"**Notes**: {md_escape(sec.notes)}", ""]
    if sec.latex and is_parameter_bound(sec.latex):
        lines += [f"**Bound**: the per-scenario value `{sec.text or sec.latex}` (see the bound column)", ""]
    elif sec.latex:
        lines += ["**Bound** (LaTeX, right-hand side):", "", "$$", sec.latex.replace("$", r"\$"), "$$", ""]
    if sec.latex_source:
        lines += [f"**Bound as written** (LaTeX source): `{sec.latex_source.replace('`', '')}`", ""]
    if sec.assumptions:
        rows = [
            [
                md_escape(a.name),
                f"**{md_escape(a.status)}**",
                md_escape(a.evidence),
                md_escape(a.detail),
                md_escape(a.scenarios),
            ]
            for a in sec.assumptions
        ]
        lines += [
            "**Assumptions**",
            "",
            *_table(["assumption", "status", "evidence", "detail", "scenarios"], rows),
            "",
        ]
    header = ["scenario", "params", "bound", "measured", "CI", "ratio", "verdict", "reason"]
    rows = []
    for r in sec.rows:
        mark = "" if r.as_expected else " ❗"
        if r.unverified:
            mark += f" (unverified: {md_escape(', '.join(r.unverified))})"
        if r.loose:
            mark += " (loose: cannot detect an error smaller than ×100)"
        if r.outside:
            mark += f" ({md_escape(r.outside)})"
        rows.append(
            [
                md_escape(r.scenario),
                md_escape(r.params),
                md_escape(r.bound),
                md_escape(r.measured),
                md_escape(r.ci),
                md_escape(r.ratio),
                f"**{md_escape(r.verdict)}**{mark}",
                md_escape(r.reason),
            ]
        )
    lines += ["**Scenarios**", "", *_table(header, rows), ""]
    if sec.methods:
        lines += ["**Measured by**: " + "; ".join(md_escape(m) for m in sec.methods[:6]), ""]
    for r in sec.rows:
        if r.traceback:
            lines += [
                "<details>",
                f"<summary>traceback of {md_escape(r.scenario)}</summary>",
                "",
                _fence(r.traceback),
                "",
                "</details>",
                "",
            ]
    if plot_path:
        lines += [f"![figure of {md_escape(sec.theorem_id)}]({plot_path})", ""]
    return lines


def render_markdown(
    sections: Sequence[TheoremSection],
    summary: Mapping[str, Any],
    meta: Mapping[str, Any],
    plot_paths: Mapping[str, str] | None = None,
    figures: Sequence[Any] = (),
) -> str:
    """The Markdown report.

    Parameters
    ----------
    sections, summary, meta
        What the report shows, as described in :mod:`sgmverify.report.view`.
    plot_paths : mapping, optional
        Section anchor -> figure path relative to the report (e.g. ``"plots/x.png"``).
    figures : sequence of FigureRecord
        Suite figures (:mod:`sgmverify.run._figures`), shown after each suite's theorems.

    Returns
    -------
    str
    """
    plot_paths = plot_paths or {}
    lines = [*_header(meta, summary), *_summary(summary), *_controls(summary), *_unexpected(summary)]
    if sections:
        lines += ["## Theorems", ""]
        lines += [
            f"- [{md_escape(s.theorem_id)}: {md_escape(pretty_tex(s.title))}](#{s.anchor}) — "
            f"{md_escape(s.suite)} · {md_escape(s.provenance)}"
            for s in sections
        ]
        lines.append("")
    shown: set[str] = set()
    for suite, title, group in suite_groups(sections, meta):
        suffix = f" — {md_escape(title)}" if title else ""
        lines += [f"## Suite {md_escape(suite)}{suffix}", ""]
        for heading, secs in section_groups(group):
            if heading:
                lines += [f"### {md_escape(heading)}", ""]
            for sec in secs:
                lines += _section(sec, plot_paths.get(sec.anchor), 4 if heading else 3)
        if suite not in shown:
            lines += _figures([f for f in figures if f.suite == suite])
            shown.add(suite)
    for suite in dict.fromkeys(f.suite for f in figures if f.suite not in shown):
        lines += [f"## Suite {md_escape(suite)}", "", *_figures([f for f in figures if f.suite == suite])]
    if not sections:
        lines += ["No results.", ""]
    return "\n".join(lines).rstrip() + "\n"
