"""HTML building blocks of the report: theorem sections, scenario tables, figures, the shared CSS.

Pages (index, one per suite, one per long theorem) are assembled in :mod:`sgmverify.report.site`.  Every
piece of text from results goes through :func:`html.escape` (a reason containing ``<script>`` is shown as
text).  Formulas are small PNG data URIs; per-theorem plots and suite figures are relative image files
(``plots/``, ``figures/``) written next to the pages.  No JavaScript, no web font, no external URL.
Collapsible parts use ``<details>``, which needs no script.  No CSS rule changes the case of text
(``text-transform`` would turn maths such as η into Η).
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Mapping, Sequence
from typing import Any

from sgmverify.report.formula import png_size, render_latex
from sgmverify.report.plots import VERDICT_COLORS, Plot
from sgmverify.report.view import (
    NEGATIVE_CONTROL_NOTE,
    ScenarioRow,
    TheoremSection,
    display_latex,
    fmt_num,
    is_parameter_bound,
    pretty_tex,
    safe_name,
)

__all__ = [
    "CSS",
    "badge",
    "data_uri",
    "e",
    "figures_html",
    "scenario_table",
    "section_html",
    "verdict_cell",
]

_PROV_COLORS = {
    "verified": "#2e7d32",
    "textbook": "#455a64",
    "secondary": "#1565c0",
    "derived": "#ef6c00",
    "reconstructed": "#d84315",
    "not_found": "#b71c1c",
}

CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#ffffff; --soft:#f6f8fa; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg);
  font: 14px/1.5 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; }
main { max-width: 1360px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 17px; margin: 0 0 8px; }
h4 { font-size: 14px; margin: 16px 0 6px; color: var(--muted); }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
.meta { color: var(--muted); margin: 0 0 12px; }
.status { padding: 10px 14px; border-radius: 6px; font-weight: 600; margin: 8px 0 4px; }
.status.ok { background: #e8f5e9; border: 1px solid #a5d6a7; color: #1b5e20; }
.status.bad { background: #ffebee; border: 1px solid #ef9a9a; color: #b71c1c; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13px; }
.scroll { max-width: 100%; overflow-x: auto; }
td { overflow-wrap: break-word; }
td.name { white-space: nowrap; }
td.provsplit { white-space: nowrap; font-size: 12px; line-height: 1.35; }
#summary th.num { white-space: normal; }  /* long headers wrap so the summary fits at 1400 px */
.banner { background: #fff8e1; border: 1px solid #ffb300; padding: 10px 14px; border-radius: 6px;
  margin: 8px 0; font-weight: 600; }
.tag-unverified { background: #fff3cd; color: #7a5a00; border: 1px dashed #b08900; border-radius: 10px;
  padding: 0 6px; font-size: 11px; white-space: nowrap; }
.tag-loose { background: #e3f2fd; color: #0d47a1; border-radius: 10px; padding: 0 6px; font-size: 11px;
  white-space: nowrap; }
.tag-outside { background: #eceff1; color: #37474f; border-radius: 10px; padding: 0 6px; font-size: 11px; }
details.theorem-details > summary { font-size: 13px; color: var(--fg); }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 700; background: var(--soft); }
tr.unexpected td { background: #fff5f5; }
td.zero { color: #b0b8c1; }
.v { display: inline-block; padding: 1px 7px; border-radius: 10px; color: #fff; font-size: 11px;
  font-weight: 700; letter-spacing: .02em; white-space: nowrap; }
.flag { color: #b71c1c; font-weight: 700; margin-left: 4px; }
.note { color: var(--muted); font-size: 13px; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.box { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.box h3 { font-size: 15px; }
.box ul { margin: 0; padding-left: 18px; }
.theorem { border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; margin: 18px 0;
  box-shadow: 0 1px 2px rgba(0,0,0,.04); }
.prov { display: flex; align-items: center; gap: 10px; border-left: 6px solid; padding: 6px 10px;
  background: var(--soft); margin: 6px 0; }
.prov .tag { font-weight: 800; font-size: 13px; letter-spacing: .05em; white-space: nowrap; }
.ref { color: var(--muted); margin: 4px 0 8px; }
.control { background: #fff8e1; border: 1px solid #ffe082; padding: 6px 10px; border-radius: 6px;
  margin: 6px 0; }
.statement { background: var(--soft); border-radius: 6px; padding: 10px 12px; margin: 8px 0; }
.statement .formula { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; font-size: 15px; }
.statement img { max-width: 100%; height: auto; }
.statement .plain { margin-top: 6px; font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: 12.5px; }
code, pre { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
pre { background: #0d1117; color: #e6edf3; padding: 10px; border-radius: 6px; overflow-x: auto;
  white-space: pre-wrap; }
details summary { cursor: pointer; color: var(--muted); font-size: 12px; }
figure { margin: 12px 0 0; text-align: center; }
figure img { max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
figcaption { color: var(--muted); font-size: 12px; }
nav ul { columns: 2; padding-left: 18px; }
nav li { break-inside: avoid; }
footer { color: var(--muted); font-size: 12px; margin-top: 32px; }
@media (max-width: 800px) { .cols { grid-template-columns: 1fr; } nav ul { columns: 1; } }
"""


def e(text: Any) -> str:
    """HTML-escape any value (quotes included)."""
    return html.escape(str(text), quote=True)


def data_uri(png: bytes) -> str:
    """A ``data:image/png;base64,...`` URI."""
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def badge(verdict: str) -> str:
    color = VERDICT_COLORS.get(verdict, "#9e9e9e")
    return f'<span class="v" style="background:{color}">{e(verdict)}</span>'


def _cell(value: Any, num: bool = False) -> str:
    cls = ' class="num"' if num else ""
    return f"<td{cls}>{e(value)}</td>"


def _statement(sec: TheoremSection) -> str:
    plain_number = bool(re.fullmatch(r"-?\s*\d+(\.\d+)?", (sec.latex or "").strip()))
    if sec.latex and is_parameter_bound(sec.latex):
        rhs = (
            f"<code>{e(sec.text or sec.latex)}</code> <span class='note'>(a per-scenario value: see the "
            "bound column)</span>"
        )
        png = None
    else:  # a plain number is text: as a small image "0" read as "()"
        png = render_latex(display_latex(sec.latex)) if sec.latex and not plain_number else None
    if png is not None:
        w, h = png_size(png)  # rendered at 200 dpi: show at ~100 dpi so it is sharp on any screen
        size = f' width="{w // 2}" height="{h // 2}"' if w and h else ""
        rhs = f'<img alt="{e(sec.text or sec.latex)}"{size} src="{data_uri(png)}">'
    elif not (sec.latex and is_parameter_bound(sec.latex)):
        rhs = f"<code>{e(sec.text or sec.latex)}</code>"
    source = (
        f'<div class="plain">bound as written (LaTeX source): <code>{e(sec.latex_source)}</code></div>'
        if sec.latex_source
        else ""
    )
    latex = f"<details><summary>LaTeX</summary><code>{e(sec.latex)}</code></details>" if sec.latex else ""
    return (
        f'<div class="statement"><div class="formula"><span>{e(sec.quantity)}</span>'
        f"<span>{e(sec.op)}</span>{rhs}</div>{source}"
        f'<div class="plain">{e(sec.statement)}</div>{latex}</div>'
        + (f'<p class="ref"><b>Notes</b>: {e(sec.notes)}</p>' if sec.notes else "")
    )


def _assumptions(sec: TheoremSection) -> str:
    if not sec.assumptions:
        return ""
    colors = {"holds": "#2e7d32", "fails": "#c62828", "unknown": "#8a6d00"}
    rows = "".join(
        f"<tr><td>{e(a.name)}</td><td><b style='color:{colors.get(a.status, '#555')}'>{e(a.status)}</b></td>"
        f"<td>{e(a.evidence)}</td><td>{e(a.detail)}</td><td>{e(a.scenarios)}</td></tr>"
        for a in sec.assumptions
    )
    return (
        '<h4>Assumptions</h4><div class="scroll"><table><thead><tr><th>assumption</th><th>status</th>'
        f"<th>evidence</th><th>detail</th><th>scenarios</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _methods(sec: TheoremSection) -> str:
    if not sec.methods:
        return ""
    return f'<p class="ref"><b>Measured by</b>: {e("; ".join(sec.methods[:6]))}</p>'


def verdict_cell(r: ScenarioRow) -> str:
    """The verdict badge with its marks: unverified assumption, loose ratio, outside-hypotheses label."""
    mark = badge(r.verdict)
    if r.unverified:
        mark = (
            f'{badge("HOLDS")} <span class="tag-unverified" title="{e(r.meaning)}">unverified: '
            f"{e(', '.join(r.unverified))}</span>"
        )
    flag = "" if r.as_expected else '<span class="flag" title="not as expected">!</span>'
    extra = ""
    if r.loose:
        extra += ' <span class="tag-loose">loose: cannot detect an error smaller than ×100</span>'
    if r.outside:
        extra += f' <span class="tag-outside">{e(r.outside)}</span>'
    return f'<td title="{e(r.meaning)}">{mark}{flag}{extra}</td>'


def scenario_table(sec: TheoremSection) -> str:
    """The theorem's scenario table (one row per scenario)."""
    rows = []
    for r in sec.rows:
        reason = e(r.reason)
        if r.verdict != "HOLDS" or r.unverified:
            reason += f'<div class="note">{e(r.meaning)}</div>'
        if r.traceback:
            reason += f"<details><summary>traceback</summary><pre>{e(r.traceback)}</pre></details>"
        rows.append(
            f'<tr class="{"" if r.as_expected else "unexpected"}">'
            f"<td>{e(r.scenario)}</td><td><code>{e(r.params)}</code></td>"
            f"{_cell(r.bound, True)}{_cell(r.measured, True)}{_cell(r.ci, True)}{_cell(r.ratio, True)}"
            f"{verdict_cell(r)}<td>{reason}</td></tr>"
        )
    return (
        '<div class="scroll"><table><thead><tr><th>scenario</th><th>params</th><th class="num">bound</th>'
        '<th class="num">measured</th><th class="num">CI</th><th class="num">ratio</th><th>verdict</th>'
        f"<th>reason</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
    )


def _figure(sec: TheoremSection, plot: Plot | None, src: str | None) -> str:
    if plot is None or not (src or plot.png):
        return ""
    what = {
        "sweep": "measured vs bound and tightness ratio along",
        "equality": "measured − bound with the tolerance band along",
    }.get(plot.kind, "verdict map over")
    caption = f"{what} {', '.join(plot.params)}"
    return (
        f'<figure><img alt="figure of {e(sec.theorem_id)}" loading="lazy" '
        f'src="{e(src or data_uri(plot.png))}">'
        f"<figcaption>{e(caption)}</figcaption></figure>"
    )


def _figure_table(rows: Sequence[Mapping[str, Any]]) -> str:
    cols = list(dict.fromkeys(k for r in rows for k in r))
    head = "".join(f"<th>{e(c)}</th>" for c in cols)
    body = "".join(
        "<tr>" + "".join(_cell(fmt_num(r.get(c, "")), _is_num(r.get(c))) for c in cols) + "</tr>"
        for r in rows
    )
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _is_num(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def figures_html(records: Sequence[Any], prefix: str = "") -> str:
    """The suite's figures (PNG files ``prefix + f.file``, captions, notes, tables); failures said plainly."""
    if not records:
        return ""
    parts = ["<h3>Figures</h3>"]
    for f in records:
        where = f" ({e(f.section)})" if f.section else ""
        parts.append(f'<section class="theorem" id="figure-{e(safe_name(f.id))}">')
        parts.append(f"<h4>{e(f.id)}: {e(pretty_tex(f.title))}{where}</h4>")
        if f.error:
            parts.append(f'<p class="control"><b>Figure failed</b>: {e(f.error)}</p>')
        if f.png:
            src = prefix + f.file if getattr(f, "file", "") else data_uri(f.png)
            parts.append(
                f'<figure><img alt="{e(pretty_tex(f.title))}" loading="lazy" src="{e(src)}">'
                f"<figcaption>{e(pretty_tex(f.caption))}</figcaption></figure>"
            )
        if f.notes:
            parts.append(f"<details><summary>notes</summary><p>{e(f.notes)}</p></details>")
        if f.table:
            parts.append(_figure_table(f.table))
        parts.append("</section>")
    return "".join(parts)


def section_html(
    sec: TheoremSection,
    plot: Plot | None,
    level: int = 3,
    plot_src: str | None = None,
    table_link: str | None = None,
) -> str:
    """One theorem: provenance, reference, statement, then (collapsible) assumptions, scenarios, figure.

    ``table_link``: the scenario table lives on its own page at this relative URL (long theorems).
    """
    color = _PROV_COLORS.get(safe_name(sec.provenance), "#6d4c41")
    control = (
        f'<div class="control"><b>Negative control</b>: {e(NEGATIVE_CONTROL_NOTE)}</div>'
        if sec.is_negative_control
        else ""
    )
    counts = " ".join(f"{badge(v)}&nbsp;{n}" for v, n in sec.counts.items() if n)
    n_unverified = sum(bool(r.unverified) for r in sec.rows)
    if n_unverified:
        counts += f' <span class="tag-unverified">{n_unverified} with an unverified assumption</span>'
    n_loose = sum(r.loose for r in sec.rows)
    if n_loose:
        counts += f' <span class="tag-loose">{n_loose} loose (ratio &lt; 0.01)</span>'
    attention = any(r.category == "attention" for r in sec.rows)
    if table_link:
        table = (
            f'<p><a href="{e(table_link)}">Scenario table ({len(sec.rows)} scenarios) on its own page</a></p>'
        )
    else:
        table = scenario_table(sec)
    details = (
        f'<details class="theorem-details"{" open" if attention else ""}><summary>{len(sec.rows)} '
        f"scenario(s): {counts}</summary>{_assumptions(sec)}<h4>Scenarios</h4>{table}{_methods(sec)}"
        f"{_figure(sec, plot, plot_src)}</details>"
    )
    return (
        f'<section class="theorem" id="{e(sec.anchor)}">'
        f"<h{level}>{e(sec.theorem_id)}: {e(sec.title)}</h{level}>"
        f'<div class="prov" style="border-color:{color}"><span class="tag" style="color:{color}">'
        f"{e(sec.provenance.upper())}</span><span>{e(sec.provenance_note)}</span></div>"
        f'<p class="ref">Reference: {e(sec.reference)}</p>{control}{_statement(sec)}{details}</section>'
    )
