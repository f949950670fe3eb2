r"""``report.tex``: the verdicts per suite as booktabs LaTeX tables, for a paper's appendix.

One ``table`` per suite (``\toprule`` / ``\midrule`` / ``\bottomrule``, from the ``booktabs`` package):
one row per theorem with its provenance, the number of scenarios, the verdict counts and whether every
check came out as expected; negative controls are marked.  The document is a fragment to ``\input``
(preamble needs ``\usepackage{booktabs}``); every piece of text is escaped for LaTeX (``_ & % $ # { } ~ ^
\``) and non-ASCII characters are kept (compile with a UTF-8 engine or ``inputenc``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sgmverify.report.summary import VERDICT_ORDER
from sgmverify.report.view import TheoremSection, banner_text, status_text, suite_titles

__all__ = ["latex_escape", "render_latex_tables"]

_ESCAPES = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}

_SHORT = {"HOLDS": "holds", "VIOLATED": "viol.", "INCONCLUSIVE": "incon.", "ASSUMPTIONS_FAIL": "assum.",
          "ERROR": "error"}  # fmt: skip


def latex_escape(text: Any) -> str:
    """``text`` with LaTeX's special characters escaped (newlines become spaces)."""
    return "".join(_ESCAPES.get(c, c) for c in " ".join(str(text).split()))


def render_latex_tables(
    sections: Sequence[TheoremSection], summary: Mapping[str, Any], meta: Mapping[str, Any]
) -> str:
    """The LaTeX fragment: a comment with the run's status and provenance banner, then one table per suite.

    Columns: theorem, provenance, scenarios, one count per verdict, as expected (``yes``/``no``).
    """
    titles = suite_titles(meta)
    lines = [
        "% sgmverify verdict tables; needs \\usepackage{booktabs}",
        f"% {latex_escape(status_text(summary))}",
        f"% {latex_escape(banner_text(summary))}",
        "",
    ]
    by_suite: dict[str, list[TheoremSection]] = {}
    for sec in sections:
        by_suite.setdefault(sec.suite, []).append(sec)
    head = " & ".join(["Theorem", "Provenance", "$n$", *(_SHORT[v] for v in VERDICT_ORDER), "As expected"])
    for suite, secs in by_suite.items():
        caption = f": {latex_escape(titles[suite])}" if titles.get(suite) else ""
        lines += [
            r"\begin{table}[htbp]",
            r"\centering\small",
            r"\begin{tabular}{ll" + "r" * (1 + len(VERDICT_ORDER)) + "l}",
            r"\toprule",
            head + r" \\",
            r"\midrule",
        ]
        for sec in secs:
            ok = all(r.as_expected for r in sec.rows)
            name = latex_escape(sec.theorem_id) + (r" (neg.\ control)" if sec.is_negative_control else "")
            cells = [name, latex_escape(sec.provenance), str(len(sec.rows))]
            cells += [str(sec.counts.get(v, 0)) for v in VERDICT_ORDER]
            cells.append("yes" if ok else r"\textbf{no}")
            lines.append(" & ".join(cells) + r" \\")
        block = summary["suites"].get(suite)
        if block:
            nc = block["negative_controls"]
            lines += [
                r"\midrule",
                rf"\multicolumn{{{3 + len(VERDICT_ORDER) + 1}}}{{l}}{{{block['claims']} claims; negative "
                rf"controls caught {nc['detected']}/{nc['total']}}} \\",
            ]
        lines += [
            r"\bottomrule",
            r"\end{tabular}",
            rf"\caption{{Verdicts of suite \texttt{{{latex_escape(suite)}}}{caption}. Counts "
            r"per verdict over the theorem's scenarios; provenance says whose statement was checked.}",
            rf"\label{{tab:sgmverify-{latex_escape(suite).replace(chr(92), '')}}}",
            r"\end{table}",
            "",
        ]
    if not sections:
        lines.append("% no results")
    return "\n".join(lines).rstrip() + "\n"
