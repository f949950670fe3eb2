"""Rendering results: ``report.json`` (canonical), ``report.md``, one self-contained ``report.html`` and
``plots/*.png``.

>>> paths = write_reports(results, "reports/")          # doctest: +SKIP
>>> results = load_results("reports/report.json")       # doctest: +SKIP
"""

from __future__ import annotations

from sgmverify.report.json_report import SCHEMA_VERSION, load_results
from sgmverify.report.summary import summarize
from sgmverify.report.writer import write_reports

__all__ = ["SCHEMA_VERSION", "load_results", "summarize", "write_reports"]
