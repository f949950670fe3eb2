"""``report.html``: one self-contained page.

The page needs nothing but itself: CSS is inline, figures and rendered formulas are PNG data URIs, there
is no JavaScript, no web font and no external URL (links are in-page ``#anchors`` only), so it renders
offline and can be mailed or archived as one file.  Every piece of text from results goes through
:func:`html.escape` (a reason containing ``<script>`` is shown as text).  Collapsible tracebacks use
``<details>``, which needs no script.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping, Sequence
from typing import Any

from sgmverify.report.formula import png_size, render_latex
from sgmverify.report.plots import VERDICT_COLORS, Plot
from sgmverify.report.summary import VERDICT_ORDER
from sgmverify.report.view import (
    NEGATIVE_CONTROL_NOTE,
    TheoremSection,
    report_title,
    run_facts,
    safe_name,
    section_groups,
    status_text,
    suite_errors,
    suite_groups,
    unexpected_claims,
)

__all__ = ["data_uri", "render_html"]

_PROV_COLORS = {
    "verified": "#2e7d32",
    "textbook": "#455a64",
    "secondary": "#1565c0",
    "derived": "#ef6c00",
    "reconstructed": "#d84315",
    "not_found": "#b71c1c",
}

#: Markup of each fact of :func:`~sgmverify.report.view.run_facts` (its text goes in escaped).
_FACTS = {
    "created": "created {}",
    "mode": "mode <b>{}</b>",
    "filter": "filter <code>{}</code>",
    "elapsed": "elapsed {}",
    "versions": "{}",
}

_CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#ffffff; --soft:#f6f8fa; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--fg);
  font: 14px/1.5 -apple-system, "Segoe UI", "DejaVu Sans", Helvetica, Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 17px; margin: 0 0 8px; }
h4 { font-size: 14px; margin: 16px 0 6px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .04em; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
.meta { color: var(--muted); margin: 0 0 12px; }
.status { padding: 10px 14px; border-radius: 6px; font-weight: 600; margin: 8px 0 4px; }
.status.ok { background: #e8f5e9; border: 1px solid #a5d6a7; color: #1b5e20; }
.status.bad { background: #ffebee; border: 1px solid #ef9a9a; color: #b71c1c; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13px; }
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


def _badge(verdict: str) -> str:
    color = VERDICT_COLORS.get(verdict, "#9e9e9e")
    return f'<span class="v" style="background:{color}">{e(verdict)}</span>'


def _cell(value: Any, num: bool = False) -> str:
    cls = ' class="num"' if num else ""
    return f"<td{cls}>{e(value)}</td>"


def _header(meta: Mapping[str, Any], summary: Mapping[str, Any]) -> str:
    info = " · ".join(_FACTS[label].format(e(text)) for label, text in run_facts(meta))
    status = f'<div class="status {"ok" if summary["ok"] else "bad"}">{e(status_text(summary))}</div>'
    errors = suite_errors(meta)
    if errors:
        items = "".join(f"<li><code>{e(x)}</code></li>" for x in errors)
        status += (
            f'<div class="status bad">{len(errors)} suite(s) could not be loaded; their checks are '
            f"missing:<ul>{items}</ul></div>"
        )
    return f'<header><h1>{e(report_title(meta))}</h1><p class="meta">{info}</p>{status}</header>'


def _summary(summary: Mapping[str, Any]) -> str:
    head = "".join(f"<th class='num'>{_badge(v)}</th>" for v in VERDICT_ORDER)
    rows = []

    def row(name: str, block: Mapping[str, Any], cls: str = "") -> str:
        nc = block["negative_controls"]
        cells = [f"<td>{e(name)}</td>"]
        for v in VERDICT_ORDER:
            n = block["counts"].get(v, 0)
            cells.append(f'<td class="num{" zero" if n == 0 else ""}">{n}</td>')
        cells.append(_cell(block["claims"], True))
        cells.append(_cell(f"{nc['detected']}/{nc['total']}", True))
        missed = nc["missed"]
        cells.append(f'<td class="num{" zero" if missed == 0 else ""}">{missed}</td>')
        bad = block["unexpected"] > 0
        klass = " ".join(c for c in (cls, "unexpected" if bad and not cls else "") if c)
        return f'<tr class="{klass}">' + "".join(cells) + "</tr>"

    for name, block in summary["suites"].items():
        rows.append(row(name, block))
    rows.append(row("all suites", summary["overall"], "total"))
    return (
        '<section id="summary"><h2>Summary</h2><table><thead><tr><th>suite</th>'
        f"{head}<th class='num'>claims</th><th class='num'>controls detected</th>"
        f"<th class='num'>controls missed</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        '<p class="note">Verdict counts are over claims. Negative controls — deliberately false statements '
        "the checker must catch (report VIOLATED) — are counted apart.</p></section>"
    )


def _entry(item: Mapping[str, Any], anchors: Mapping[tuple[str, str], str]) -> str:
    target = anchors.get((item["suite"], item["theorem_id"]))
    name = e(item["check_id"])
    link = f'<a href="#{e(target)}">{name}</a>' if target else name
    reason = f" — {e(item['reason'])}" if item.get("reason") else ""
    return f"<li>{link} <span class='note'>({e(item['suite'])})</span> {_badge(item['verdict'])}{reason}</li>"


def _controls(summary: Mapping[str, Any], anchors: Mapping[tuple[str, str], str]) -> str:
    nc = summary["negative_controls"]
    if not nc["detected"] and not nc["missed"]:
        return (
            '<section id="controls"><h2>Negative controls</h2>'
            "<p>No negative controls in this run.</p></section>"
        )
    det = "".join(_entry(x, anchors) for x in nc["detected"]) or "<li>None.</li>"
    mis = "".join(_entry(x, anchors) for x in nc["missed"]) or "<li>None: every control was caught.</li>"
    return (
        '<section id="controls"><h2>Negative controls</h2><div class="cols">'
        f'<div class="box"><h3>Detected ({len(nc["detected"])})</h3><ul>{det}</ul></div>'
        f'<div class="box"><h3>Missed ({len(nc["missed"])})</h3><ul>{mis}</ul></div></div></section>'
    )


def _unexpected(summary: Mapping[str, Any], anchors: Mapping[tuple[str, str], str]) -> str:
    claims = unexpected_claims(summary)
    if not claims:
        return ""
    items = "".join(_entry(x, anchors) for x in claims)
    return f'<section id="unexpected"><h2>Claims violated or in error</h2><ul>{items}</ul></section>'


def _toc(sections: Sequence[TheoremSection]) -> str:
    items = []
    for s in sections:
        badges = " ".join(f"{_badge(v)}&nbsp;{n}" for v, n in s.counts.items() if n)
        items.append(
            f'<li><a href="#{e(s.anchor)}">{e(s.theorem_id)}</a>: {e(s.title)} '
            f"<span class='note'>[{e(s.provenance)}]</span> {badges}</li>"
        )
    return f'<nav id="toc"><h2>Theorems</h2><ul>{"".join(items)}</ul></nav>'


def _statement(sec: TheoremSection) -> str:
    png = render_latex(sec.latex) if sec.latex else None
    if png is not None:
        w, h = png_size(png)  # rendered at 200 dpi: show at ~100 dpi so it is sharp on any screen
        size = f' width="{w // 2}" height="{h // 2}"' if w and h else ""
        rhs = f'<img alt="{e(sec.latex)}"{size} src="{data_uri(png)}">'
    else:
        rhs = f"<code>{e(sec.text or sec.latex)}</code>"
    latex = f"<details><summary>LaTeX</summary><code>{e(sec.latex)}</code></details>" if sec.latex else ""
    return (
        f'<div class="statement"><div class="formula"><span>{e(sec.quantity)}</span>'
        f"<span>{e(sec.op)}</span>{rhs}</div>"
        f'<div class="plain">{e(sec.statement)}</div>{latex}</div>'
        + (f'<p class="ref"><b>Notes</b>: {e(sec.notes)}</p>' if sec.notes else "")
    )


def _assumptions(sec: TheoremSection) -> str:
    if not sec.assumptions:
        return ""
    colors = {"holds": "#2e7d32", "fails": "#c62828", "unknown": "#f9a825"}
    rows = "".join(
        f"<tr><td>{e(a.name)}</td><td><b style='color:{colors.get(a.status, '#555')}'>{e(a.status)}</b></td>"
        f"<td>{e(a.evidence)}</td><td>{e(a.detail)}</td><td>{e(a.scenarios)}</td></tr>"
        for a in sec.assumptions
    )
    return (
        "<h4>Assumptions</h4><table><thead><tr><th>assumption</th><th>status</th><th>evidence</th>"
        f"<th>detail</th><th>scenarios</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _methods(sec: TheoremSection) -> str:
    if not sec.methods:
        return ""
    return f'<p class="ref"><b>Measured by</b>: {e("; ".join(sec.methods[:6]))}</p>'


def _scenarios(sec: TheoremSection) -> str:
    rows = []
    for r in sec.rows:
        reason = e(r.reason)
        if r.traceback:
            reason += f"<details><summary>traceback</summary><pre>{e(r.traceback)}</pre></details>"
        flag = "" if r.as_expected else '<span class="flag" title="not as expected">!</span>'
        rows.append(
            f'<tr class="{"" if r.as_expected else "unexpected"}">'
            f"<td>{e(r.scenario)}</td><td><code>{e(r.params)}</code></td>"
            f"{_cell(r.bound, True)}{_cell(r.measured, True)}{_cell(r.ci, True)}{_cell(r.ratio, True)}"
            f"<td>{_badge(r.verdict)}{flag}</td><td>{reason}</td></tr>"
        )
    return (
        "<h4>Scenarios</h4><table><thead><tr><th>scenario</th><th>params</th><th class='num'>bound</th>"
        "<th class='num'>measured</th><th class='num'>CI</th><th class='num'>ratio</th><th>verdict</th>"
        f"<th>reason</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


def _figure(sec: TheoremSection, plot: Plot | None) -> str:
    if plot is None:
        return ""
    what = "measured vs bound and tightness ratio along" if plot.kind == "sweep" else "verdict map over"
    caption = f"{what} {', '.join(plot.params)}"
    return (
        f'<figure><img alt="figure of {e(sec.theorem_id)}" src="{data_uri(plot.png)}">'
        f"<figcaption>{e(caption)}</figcaption></figure>"
    )


def _figure_table(rows: Sequence[Mapping[str, Any]]) -> str:
    cols = list(dict.fromkeys(k for r in rows for k in r))
    head = "".join(f"<th>{e(c)}</th>" for c in cols)
    body = "".join("<tr>" + "".join(f"<td>{e(r.get(c, ''))}</td>" for c in cols) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figures(records: Sequence[Any]) -> str:
    """The suite's figures (embedded PNGs, captions, notes, tables); failures said plainly."""
    if not records:
        return ""
    parts = ["<h3>Figures</h3>"]
    for f in records:
        where = f" ({e(f.section)})" if f.section else ""
        parts.append(f'<section class="theorem" id="figure-{e(safe_name(f.id))}">')
        parts.append(f"<h4>{e(f.id)}: {e(f.title)}{where}</h4>")
        if f.error:
            parts.append(f'<p class="control"><b>Figure failed</b>: {e(f.error)}</p>')
        if f.png:
            parts.append(
                f'<figure><img alt="{e(f.title)}" src="{data_uri(f.png)}">'
                f"<figcaption>{e(f.caption)}</figcaption></figure>"
            )
        if f.notes:
            parts.append(f"<p>{e(f.notes)}</p>")
        if f.table:
            parts.append(_figure_table(f.table))
        parts.append("</section>")
    return "".join(parts)


def _section(sec: TheoremSection, plot: Plot | None, level: int = 3) -> str:
    color = _PROV_COLORS.get(safe_name(sec.provenance), "#6d4c41")
    control = (
        f'<div class="control"><b>Negative control</b>: {e(NEGATIVE_CONTROL_NOTE)}</div>'
        if sec.is_negative_control
        else ""
    )
    return (
        f'<section class="theorem" id="{e(sec.anchor)}">'
        f"<h{level}>{e(sec.theorem_id)}: {e(sec.title)}</h{level}>"
        f'<div class="prov" style="border-color:{color}"><span class="tag" style="color:{color}">'
        f"{e(sec.provenance.upper())}</span><span>{e(sec.provenance_note)}</span></div>"
        f'<p class="ref">Reference: {e(sec.reference)}</p>{control}{_statement(sec)}'
        f"{_assumptions(sec)}{_scenarios(sec)}{_methods(sec)}{_figure(sec, plot)}</section>"
    )


def render_html(
    sections: Sequence[TheoremSection],
    summary: Mapping[str, Any],
    meta: Mapping[str, Any],
    plots: Mapping[str, Plot] | None = None,
    figures: Sequence[Any] = (),
) -> str:
    """The self-contained HTML report.

    Parameters
    ----------
    sections, summary, meta
        What the report shows, as described in :mod:`sgmverify.report.view`.
    plots : mapping, optional
        Section anchor -> :class:`~sgmverify.report.plots.Plot` (embedded as data URIs).
    figures : sequence of FigureRecord
        Suite figures (:mod:`sgmverify.run._figures`), shown after each suite's theorems.

    Returns
    -------
    str
    """
    plots = plots or {}
    anchors = {(s.suite, s.theorem_id): s.anchor for s in sections}
    body = [
        _header(meta, summary),
        _summary(summary),
        _controls(summary, anchors),
        _unexpected(summary, anchors),
    ]
    if sections:
        body.append(_toc(sections))
    shown: set[str] = set()
    for suite, title, group in suite_groups(sections, meta):
        suffix = f" — {e(title)}" if title else ""
        body.append(f"<h2>Suite {e(suite)}{suffix}</h2>")
        for heading, secs in section_groups(group):
            if heading:
                body.append(f"<h3>{e(heading)}</h3>")
            body.extend(_section(sec, plots.get(sec.anchor), 4 if heading else 3) for sec in secs)
        if suite not in shown:
            body.append(_figures([f for f in figures if f.suite == suite]))
            shown.add(suite)
    for suite in dict.fromkeys(f.suite for f in figures if f.suite not in shown):
        body.append(f"<h2>Suite {e(suite)}</h2>" + _figures([f for f in figures if f.suite == suite]))
    if not sections:
        body.append("<p>No results.</p>")
    body.append(
        f"<footer>Generated by sgmverify · report schema {e(meta.get('schema_version', ''))}</footer>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(report_title(meta))}</title><style>{_CSS}</style></head><body><main>\n"
        + "\n".join(b for b in body if b)
        + "\n</main></body></html>\n"
    )
