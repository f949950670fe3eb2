"""Rendering results: ``report.json`` (canonical), ``report.md``, ``plots/*.png``, an HTML index
``report.html`` with one page per suite in ``suites/`` (offline, no script), and on request ``report.tex``
(booktabs verdict tables).

>>> paths = write_reports(results, "reports/")          # doctest: +SKIP
>>> results = load_results("reports/report.json")       # doctest: +SKIP
"""

from __future__ import annotations

from sgmverify.report.frames import ResultSet, results_to_dataframe
from sgmverify.report.json_report import SCHEMA_VERSION, load_results
from sgmverify.report.summary import summarize
from sgmverify.report.writer import write_reports

__all__ = [
    "SCHEMA_VERSION",
    "ResultSet",
    "load_results",
    "results_to_dataframe",
    "summarize",
    "write_reports",
]
