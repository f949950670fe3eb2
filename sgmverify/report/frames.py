"""Results as tables: :class:`ResultSet` (a list with a notebook view) and :func:`results_to_dataframe`.

``results_to_dataframe`` needs pandas, an optional dependency: without it the call raises
:class:`~sgmverify.errors.SgmverifyError` naming the ``[pandas]`` extra.  One row per result::

    check_id, suite, theorem_id, scenario, provenance, expect, verdict, as_expected, holds_unverified,
    outside, bound, measured, ci_low, ci_high, exact, ratio, loose, reason, time_s
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from sgmverify.errors import SgmverifyError
from sgmverify.report.summary import VERDICT_ORDER, holds_unverified, is_loose, summarize
from sgmverify.report.view import banner_text, status_text
from sgmverify.theory import Result

__all__ = ["COLUMNS", "ResultSet", "result_rows", "results_to_dataframe"]

#: The columns of :func:`results_to_dataframe`, in order.
COLUMNS = (
    "check_id", "suite", "theorem_id", "scenario", "provenance", "expect", "verdict", "as_expected",
    "holds_unverified", "outside", "bound", "measured", "ci_low", "ci_high", "exact", "ratio", "loose",
    "reason", "time_s",
)  # fmt: skip


def _float(x: Any) -> float:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else float("nan")


def result_rows(results: Iterable[Result]) -> list[dict[str, Any]]:
    """One plain dict per result with the keys of :data:`COLUMNS` (no pandas needed)."""
    rows = []
    for r in results:
        m = r.measured
        rows.append(
            {
                "check_id": r.check_id,
                "suite": r.suite,
                "theorem_id": r.theorem_id,
                "scenario": r.scenario,
                "provenance": r.provenance,
                "expect": r.expect,
                "verdict": getattr(r.verdict, "value", str(r.verdict)),
                "as_expected": r.as_expected,
                "holds_unverified": holds_unverified(r),
                "outside": str(getattr(r, "outside_label", "") or ""),
                "bound": _float(r.bound_value),
                "measured": _float(m.value) if m else float("nan"),
                "ci_low": _float(m.ci_low) if m else float("nan"),
                "ci_high": _float(m.ci_high) if m else float("nan"),
                "exact": bool(m.exact) if m else False,
                "ratio": _float(r.ratio),
                "loose": r.expect == "holds" and is_loose(r),
                "reason": r.reason,
                "time_s": _float(r.timings.get("total_s")),
            }
        )
    return rows


def results_to_dataframe(results: Iterable[Result]) -> Any:
    """A pandas ``DataFrame`` of ``results``, one row per result, columns :data:`COLUMNS`.

    Raises
    ------
    SgmverifyError
        When pandas is not installed (``pip install 'sgmverify[pandas]'``).
    """
    try:
        import pandas as pd
    except ImportError as exc:
        raise SgmverifyError(
            "results_to_dataframe needs pandas; install it with `pip install 'sgmverify[pandas]'`."
        ) from exc
    return pd.DataFrame(result_rows(results), columns=list(COLUMNS))


class ResultSet(list):
    """A list of :class:`~sgmverify.theory.Result` that shows itself as a verdict table in a notebook.

    It is a ``list`` in every respect (indexing, ``len``, ``==`` with a list, iteration); it adds
    :meth:`to_dataframe` and ``_repr_html_``.
    """

    def to_dataframe(self) -> Any:
        """:func:`results_to_dataframe` of these results."""
        return results_to_dataframe(self)

    def summary(self) -> dict:
        """:func:`~sgmverify.report.summarize` of these results."""
        return summarize(self)

    def _repr_html_(self) -> str:
        s = summarize(self)
        head = "".join(f"<th>{v}</th>" for v in VERDICT_ORDER)
        rows = []
        for name, block in [*s["suites"].items(), ("all suites", s["overall"])]:
            nc = block["negative_controls"]
            cells = "".join(f"<td>{block['counts'].get(v, 0)}</td>" for v in VERDICT_ORDER)
            rows.append(
                f"<tr><td>{html.escape(name)}</td>{cells}<td>{block['holds_unverified']}</td>"
                f"<td>{nc['detected']}/{nc['total']}</td></tr>"
            )
        return (
            f"<p><b>{html.escape(status_text(s))}</b><br>{html.escape(banner_text(s))}</p>"
            f"<table><thead><tr><th>suite</th>{head}<th>HOLDS unverified</th><th>controls caught</th></tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def __repr__(self) -> str:
        return f"ResultSet({len(self)} results: {status_text(summarize(self))})" if self else "ResultSet([])"
