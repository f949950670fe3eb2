"""How bounds, theorems and results show themselves: reprs that read as mathematics, and small HTML tables.

:func:`math_text` writes a sympy expression the way a paper would in plain text: ``·`` for products, ``^``
for powers, Greek names as Greek letters (``epsilon`` → ``ε``, ``sigma_0`` → ``σ_0``), subscripts kept as
``_0``.  :func:`theorem_html` and :func:`result_html` are the notebook views (``_repr_html_``): a
self-contained table (inline styles only, every value HTML-escaped).  They take the objects duck-typed
(no import of the model or result modules, so the import graph stays acyclic).
"""

from __future__ import annotations

import html
import math
from typing import Any

import sympy as sp

__all__ = ["latex_symbol_names", "latex_text", "math_text", "relation", "result_html", "theorem_html"]

_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "zeta": "ζ", "eta": "η",
    "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "lamda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "rho": "ρ", "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ",
    "Psi": "Ψ", "Omega": "Ω",
}  # fmt: skip
_OPS = {"upper": "≤", "lower": "≥", "equal": "=", "rate": "has order"}
_TEX_OPS = {"upper": r"\le", "lower": r"\ge", "equal": "=", "rate": r"\asymp"}


def _display_name(name: str) -> str:
    """``epsilon`` → ``ε``, ``sigma_0`` → ``σ_0``; other names unchanged."""
    head, sep, tail = name.partition("_")
    return _GREEK.get(head, head) + sep + tail


def latex_symbol_names(expr: sp.Expr) -> dict[sp.Symbol, str]:
    r"""LaTeX names for the symbols sympy would misread: a name whose head (before the first ``_``) is a
    word, not a letter or a Greek name, is one upright name (``second_moment`` → ``\mathrm{second\_moment}``,
    not :math:`second_{moment}`); ``t_min``, ``sigma_0``, ``L_0`` keep their subscripts."""
    out = {}
    for s in expr.free_symbols:
        if not isinstance(s, sp.Symbol) or "_" not in s.name:
            continue
        head = s.name.partition("_")[0]
        if len(head) > 1 and head not in _GREEK:
            out[s] = r"\mathrm{" + s.name.replace("_", r"\_") + "}"
    return out


def math_text(expr: sp.Expr) -> str:
    """``expr`` in plain mathematical text: ``sqrt(d·h)·L + ε·sqrt(T)``."""
    subs = {s: sp.Symbol(_display_name(s.name)) for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    text = sp.sstr(expr.xreplace(subs) if subs else expr)
    return text.replace("**", "^").replace("*", "·")


def relation(direction: str) -> str:
    """The relation sign of a bound direction (``"upper"`` → ``≤``)."""
    return _OPS.get(direction, direction)


def latex_text(bound: Any) -> str:
    r"""``$\text{quantity} \le <latex>$`` for a notebook."""
    q = bound.quantity
    for a, b in (("\\", r"\backslash "), ("{", r"\{"), ("}", r"\}"), ("_", r"\_"), ("^", r"\^{}")):
        q = q.replace(a, b)
    for ch in "%&#$":
        q = q.replace(ch, "\\" + ch)
    op = _TEX_OPS.get(bound.direction.value, "=")
    return f"$\\text{{{q}}} {op} {bound.latex()}$"


def _fmt(x: Any) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.4g}" if math.isfinite(x) else str(x)
    return str(x)


def _table(title: str, rows: list[tuple[str, Any]]) -> str:
    cells = "".join(
        f'<tr><th style="text-align:left;padding:2px 8px">{html.escape(k)}</th>'
        f'<td style="text-align:left;padding:2px 8px">{html.escape(_fmt(v))}</td></tr>'
        for k, v in rows
        if v not in ("", None) or k in ("measured", "bound")
    )
    return (
        f'<table style="border-collapse:collapse"><caption style="text-align:left;font-weight:bold">'
        f"{html.escape(title)}</caption>{cells}</table>"
    )


def theorem_html(th: Any) -> str:
    """A theorem as a small table: id, title, statement, provenance, hypotheses, scenarios."""
    return _table(
        f"Theorem {th.id}",
        [
            ("title", th.title),
            ("statement", repr(th.bound)[6:-1]),
            ("provenance", th.reference.provenance.value),
            ("reference", th.reference.cite()),
            ("assumptions", ", ".join(a.name for a in th.assumptions)),
            ("scenarios", ", ".join(s.name for s in th.scenarios)),
            ("expect", th.expect if th.expect != "holds" else ""),
            ("beyond hypotheses", "measured" if th.beyond_hypotheses else ""),
        ],
    )


def result_html(res: Any) -> str:
    """A result as a small table: verdict, measured vs bound, ratio, reason, provenance."""
    m = res.measured
    measured = None
    if m is not None:
        measured = _fmt(m.value) if m.exact else f"{_fmt(m.value)}  [{_fmt(m.ci_low)}, {_fmt(m.ci_high)}]"
        measured += " (exact)" if m.exact else (f" ({m.level:.0%} CI)" if m.level else "")
    unverified = ", ".join(res.unverified_assumptions)
    return _table(
        f"{res.check_id}: {res.verdict.value}",
        [
            ("verdict", res.verdict.value),
            ("statement", res.statement),
            ("measured", measured),
            ("bound", res.bound_value),
            ("ratio", res.ratio),
            ("reason", res.reason),
            ("unverified assumptions", unverified),
            ("beyond the hypotheses", res.outside_label),
            ("provenance", res.provenance),
            ("reference", res.reference),
        ],
    )
