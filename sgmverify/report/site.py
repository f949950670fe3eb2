"""The HTML report as a small static site: ``report.html`` (index) plus one page per suite.

* ``report.html``: what was run and how long each part took, the verdict on the run, a banner saying in
  words what kind of statements were checked (provenance), the summary split by verdict and provenance,
  what each verdict means, the outcomes that need attention, those expected by design, HOLDS with an
  unverified assumption, loose checks, negative controls, and links to the suite pages.
* ``suites/<suite>.html``: the suite's theorems (scenario tables collapsed in ``<details>``, opened where
  something needs attention) and its figures.
* ``suites/<suite>--<theorem>.html``: the scenario table of a theorem with more than
  :data:`LONG_THEOREM` scenarios.

Every page is self-contained apart from images that are relative files written with it (``plots/``,
``figures/``): no script, no web font, no external URL, so the folder renders offline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sgmverify.report.html import CSS, badge, e, figures_html, scenario_table, section_html
from sgmverify.report.plots import Plot
from sgmverify.report.summary import VERDICT_ORDER
from sgmverify.report.view import (
    VERDICT_MEANINGS,
    TheoremSection,
    banner_text,
    report_title,
    run_facts,
    safe_name,
    section_groups,
    status_text,
    suite_errors,
    suite_groups,
)

__all__ = ["INDEX", "LONG_THEOREM", "render_html", "render_site", "suite_page_name"]

#: File name of the index page.
INDEX = "report.html"

#: A theorem with more scenarios than this gets its scenario table on a page of its own.
LONG_THEOREM = 30

_FACTS = {
    "created": "created {}",
    "mode": "mode <b>{}</b>",
    "filter": "filter <code>{}</code>",
    "elapsed": "time: {}",
    "versions": "{}",
}


def suite_page_name(suite: str) -> str:
    """Relative path of a suite's page: ``suites/<suite>.html``."""
    return f"suites/{safe_name(suite)}.html"


def _page(title: str, body: Sequence[str]) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{CSS}</style></head><body><main>\n"
        + "\n".join(b for b in body if b)
        + "\n</main></body></html>\n"
    )


def _header(meta: Mapping[str, Any], summary: Mapping[str, Any], home: str = "") -> str:
    info = " · ".join(_FACTS[label].format(e(text)) for label, text in run_facts(meta))
    back = f'<p><a href="{e(home)}">← index</a></p>' if home else ""
    status = f'<div class="status {"ok" if summary["ok"] else "bad"}">{e(status_text(summary))}</div>'
    status += f'<div class="banner">{e(banner_text(summary))}</div>'
    errors = suite_errors(meta)
    if errors:
        items = "".join(f"<li><code>{e(x)}</code></li>" for x in errors)
        status += (
            f'<div class="status bad">{len(errors)} suite(s) could not be loaded; their checks are '
            f"missing:<ul>{items}</ul></div>"
        )
    return f'<header>{back}<h1>{e(report_title(meta))}</h1><p class="meta">{info}</p>{status}</header>'


def _num(n: int) -> str:
    return f'<td class="num{" zero" if n == 0 else ""}">{n}</td>'


def _summary(summary: Mapping[str, Any], links: Mapping[str, str]) -> str:
    head = "".join(f"<th class='num'>{badge(v)}</th>" for v in VERDICT_ORDER)

    def row(name: str, block: Mapping[str, Any], cls: str = "") -> str:
        nc = block["negative_controls"]
        label = f'<a href="{e(links[name])}">{e(name)}</a>' if name in links else e(name)
        cells = [f'<td class="name">{label}</td>'] + [_num(block["counts"].get(v, 0)) for v in VERDICT_ORDER]
        cells += [_num(block.get("holds_unverified", 0)), _num(block.get("loose", 0))]
        cells.append(f'<td class="num">{block["claims"]}</td>')
        cells.append(f'<td class="num">{nc["detected"]}/{nc["total"]}</td>')
        cells.append(_num(nc["missed"]))
        prov = block.get("provenance", {})
        lines = "<br>".join(e(f"{p} {sum(r.values())}") for p, r in prov.items())
        cells.append(f'<td class="provsplit">{lines}</td>')
        bad = block["unexpected"] > 0
        klass = " ".join(c for c in (cls, "unexpected" if bad and not cls else "") if c)
        return f'<tr class="{klass}">' + "".join(cells) + "</tr>"

    rows = [row(name, block) for name, block in summary["suites"].items()]
    rows.append(row("all suites", summary["overall"], "total"))
    prov_rows = []
    for p, counts in summary["overall"].get("provenance", {}).items():
        cells = "".join(_num(counts.get(v, 0)) for v in VERDICT_ORDER)
        prov_rows.append(f"<tr><td>{e(p)}</td>{cells}{_num(counts.get('controls', 0))}</tr>")
    return (
        '<section id="summary"><h2>Summary</h2><div class="scroll"><table><thead><tr><th>suite</th>'
        f"{head}<th class='num'>HOLDS un&shy;verified</th><th class='num'>loose</th>"
        "<th class='num'>claims</th><th class='num'>controls caught</th>"
        "<th class='num'>controls missed</th>"
        f"<th>checks by provenance</th></tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        '<p class="note">Verdict counts are over claims. Negative controls — deliberately false statements '
        'the checker must catch (report VIOLATED) — are counted apart. "HOLDS unverified": HOLDS (counted in '
        'HOLDS) while an assumption could not be verified. "Loose": a HOLDS whose ratio '
        "measured/bound is below 0.01, which cannot detect an error in the bound smaller than ×100.</p>"
        '<h3>Verdicts by provenance</h3><div class="scroll"><table><thead><tr><th>provenance</th>'
        f"{head}<th class='num'>negative controls</th></tr></thead><tbody>{''.join(prov_rows)}</tbody>"
        "</table></div></section>"
    )


def _legend() -> str:
    items = "".join(f"<li>{badge(v)} {e(VERDICT_MEANINGS[v])}</li>" for v in VERDICT_ORDER)
    return f'<section id="verdicts"><h2>What the verdicts mean</h2><ul>{items}</ul></section>'


def _entry(item: Mapping[str, Any], links: Mapping[tuple[str, str], str], meaning: bool = True) -> str:
    target = links.get((item["suite"], item["theorem_id"]))
    name = e(item["check_id"])
    link = f'<a href="{e(target)}">{name}</a>' if target else name
    reason = f" — {e(item['reason'])}" if item.get("reason") else ""
    what = f"<div class='note'>{e(item['meaning'])}</div>" if meaning and item.get("meaning") else ""
    where = f"<span class='note'>({e(item['suite'])})</span>"
    return f"<li>{link} {where} {badge(item['verdict'])}{reason}{what}</li>"


def _listing(
    summary: Mapping[str, Any], key: str, title: str, note: str, links: Mapping, open_: bool = False
) -> str:
    items = summary.get(key) or []
    if not items:
        return f'<section id="{e(key)}"><p><b>{e(title)} (0)</b> — {e(note)}: none.</p></section>'
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for it in items:
        groups.setdefault(str(it.get("meaning", "")), []).append(it)
    body = "".join(
        f"<h3>{e(meaning or title)} ({len(g)})</h3><ul>{''.join(_entry(x, links, False) for x in g)}</ul>"
        for meaning, g in groups.items()
    )
    return (
        f'<section id="{e(key)}"><details{" open" if open_ else ""}><summary><b>{e(title)} '
        f"({len(items)})</b> — {e(note)}</summary>{body}</details></section>"
    )


def _suite_list(groups: Sequence[tuple[str, str, list[TheoremSection]]], summary: Mapping[str, Any]) -> str:
    items = []
    for suite, title, secs in groups:
        counts = summary["suites"].get(suite, {}).get("counts", {})
        badges = " ".join(f"{badge(v)}&nbsp;{n}" for v, n in counts.items() if n)
        toc = "".join(
            f'<li><a href="{e(suite_page_name(suite))}#{e(s.anchor)}">{e(s.theorem_id)}</a>: {e(s.title)} '
            f"<span class='note'>[{e(s.provenance)}]</span></li>"
            for s in secs
        )
        items.append(
            f'<li><a href="{e(suite_page_name(suite))}"><b>{e(suite)}</b></a>'
            f"{' — ' + e(title) if title else ''} {badges}"
            f"<details><summary>{len(secs)} theorems</summary><ul>{toc}</ul></details></li>"
        )
    return f'<nav id="toc"><h2>Suites</h2><ul>{"".join(items)}</ul></nav>'


def render_site(
    sections: Sequence[TheoremSection],
    summary: Mapping[str, Any],
    meta: Mapping[str, Any],
    plots: Mapping[str, Plot] | None = None,
    figures: Sequence[Any] = (),
    plot_files: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Every page of the HTML report: relative path -> HTML text.

    Parameters
    ----------
    sections, summary, meta
        What the report shows, as described in :mod:`sgmverify.report.view`.
    plots : mapping, optional
        Section anchor -> :class:`~sgmverify.report.plots.Plot`.
    figures : sequence of FigureRecord
        Suite figures (:mod:`sgmverify.run._figures`), shown after each suite's theorems; their PNGs are
        expected at ``f.file`` relative to the report directory.
    plot_files : mapping, optional
        Section anchor -> the plot's file relative to the report directory (``plots/x.png``); plots
        without one are embedded as data URIs.

    Returns
    -------
    dict of str to str
        ``"report.html"`` (the index), ``"suites/<suite>.html"`` and, for theorems with more than
        :data:`LONG_THEOREM` scenarios, ``"suites/<suite>--<theorem>.html"``.
    """
    plots, plot_files = plots or {}, plot_files or {}
    groups = suite_groups(sections, meta)
    by_suite: dict[str, list[TheoremSection]] = {}
    titles: dict[str, str] = {}
    for suite, title, secs in groups:
        by_suite.setdefault(suite, []).extend(secs)
        titles.setdefault(suite, title)
    for f in figures:
        by_suite.setdefault(f.suite, [])
    links = {(s.suite, s.theorem_id): f"{suite_page_name(s.suite)}#{s.anchor}" for s in sections}
    suite_links = {suite: suite_page_name(suite) for suite in by_suite}
    index = [
        _header(meta, summary),
        _summary(summary, suite_links),
        _legend(),
        _listing(summary, "attention", "Needs attention", "claims violated, in error or inconclusive; "
                 "negative controls missed", links, open_=True),
        _listing(summary, "holds_unverified", "HOLDS with an unverified assumption", "the bound was met, "
                 "but a hypothesis could not be checked (status unknown): counted apart", links, open_=True),
        _listing(summary, "loose", "Loose checks", "ratio measured/bound below 0.01: cannot detect an error "
                 "smaller than ×100", links),
        _listing(summary, "by_design", "Not HOLDS, by design", "claims whose scenario lies outside the "
                 "theorem's hypotheses, or that cannot be derived from the paper's text", links),
    ]  # fmt: skip
    nc = summary["negative_controls"]
    det = "".join(_entry(x, links, False) for x in nc["detected"]) or "<li>None.</li>"
    mis = "".join(_entry(x, links, False) for x in nc["missed"]) or "<li>None: every control was caught.</li>"
    if nc["detected"] or nc["missed"]:
        index.append(
            '<section id="controls"><h2>Negative controls</h2><div class="cols">'
            f'<div class="box"><details><summary><b>Detected ({len(nc["detected"])})</b></summary><ul>{det}'
            f'</ul></details></div><div class="box"><h3>Missed ({len(nc["missed"])})</h3><ul>{mis}</ul></div>'
            "</div></section>"
        )
    else:
        none = "<p>No negative controls in this run.</p>"
        index.append(f'<section id="controls"><h2>Negative controls</h2>{none}</section>')
    index.append(_suite_list(groups, summary))
    if not sections:
        index.append("<p>No results.</p>")
    footer = f"<footer>Generated by sgmverify · report schema {e(meta.get('schema_version', ''))}</footer>"
    pages = {INDEX: _page(report_title(meta), [*index, footer])}
    for suite, secs in by_suite.items():
        title = titles.get(suite, "")
        body = [_header(meta, summary, home=f"../{INDEX}")]
        body.append(f"<h2>Suite {e(suite)}{' — ' + e(title) if title else ''}</h2>")
        for heading, run in section_groups(secs):
            if heading:
                body.append(f"<h3>{e(heading)}</h3>")
            for sec in run:
                link = None
                if len(sec.rows) > LONG_THEOREM:
                    name = f"suites/{safe_name(suite)}--{safe_name(sec.theorem_id)}.html"
                    link = name.split("/", 1)[1]
                    pages[name] = _page(
                        f"{sec.theorem_id} — {report_title(meta)}",
                        [
                            f'<p><a href="../{INDEX}">← index</a> · <a href="{e(suite_page_name(suite)[7:])}'
                            f'#{e(sec.anchor)}">← suite {e(suite)}</a></p>',
                            f"<h2>{e(sec.theorem_id)}: {e(sec.title)}</h2>",
                            f"<p>{e(sec.statement)}</p>",
                            scenario_table(sec),
                            footer,
                        ],
                    )
                src = f"../{plot_files[sec.anchor]}" if sec.anchor in plot_files else None
                body.append(section_html(sec, plots.get(sec.anchor), 4 if heading else 3, src, link))
        body.append(figures_html([f for f in figures if f.suite == suite], prefix="../"))
        body.append(footer)
        pages[suite_page_name(suite)] = _page(f"{suite} — {report_title(meta)}", body)
    return pages


def render_html(
    sections: Sequence[TheoremSection],
    summary: Mapping[str, Any],
    meta: Mapping[str, Any],
    plots: Mapping[str, Plot] | None = None,
    figures: Sequence[Any] = (),
) -> str:
    """The index page alone (``report.html``) of :func:`render_site`."""
    return render_site(sections, summary, meta, plots, figures)[INDEX]
