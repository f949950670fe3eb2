"""``write_reports``: render every requested format in memory, then write each file atomically.

Rendering happens before any file is touched, so a rendering fault never leaves a mixed report; each
file is then replaced atomically (:mod:`sgmverify.report.atomic`), so a write fault (disk full) leaves
the previous version of that file intact and raises :class:`~sgmverify.errors.StoreError`.  The results
store is never touched: this module only writes ``report.*`` and ``plots/*.png``.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import warnings
from collections.abc import Iterable, Mapping, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from sgmverify.errors import InvalidParameterError
from sgmverify.report.atomic import atomic_write_bytes, atomic_write_text, ensure_dir
from sgmverify.report.json_report import SCHEMA_VERSION, build_report, dumps
from sgmverify.report.latex import render_latex_tables
from sgmverify.report.markdown import render_markdown
from sgmverify.report.plots import Plot, plot_theorem
from sgmverify.report.site import INDEX, render_site
from sgmverify.report.summary import summarize
from sgmverify.report.view import TheoremSection, safe_name, theorem_sections
from sgmverify.theory import Result

__all__ = ["FORMATS", "MAX_PLOTS", "default_meta", "write_reports"]

#: Formats ``write_reports`` knows; ``"png"`` writes ``plots/*.png`` alone (md and html imply it).
FORMATS = ("json", "md", "html", "png", "latex")

#: At most this many figures per report (one per theorem, in section order).
MAX_PLOTS = 200

_FILES = {"json": "report.json", "md": "report.md", "html": "report.html", "latex": "report.tex"}


def _env_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("sgmverify", "numpy", "scipy", "sympy", "matplotlib"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return out


def default_meta(results: Sequence[Result], meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The report's ``meta`` block: defaults completed by ``meta``.

    Defaults: ``created`` (now, ISO-8601 UTC), ``versions`` (those recorded in the results, else the
    current environment's), ``mode`` and ``elapsed_s`` (``None`` unless given), ``n_results``,
    ``checks_time_s`` (sum of the checks' own timings) and ``schema_version``.
    """
    recorded = [r.versions for r in results if r.versions]
    versions = dict(recorded[0]) if recorded else _env_versions()
    out: dict[str, Any] = {
        "created": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "versions": versions,
        "mode": None,
        "elapsed_s": None,
        "n_results": len(results),
        "checks_time_s": round(sum(float(r.timings.get("total_s", 0.0) or 0.0) for r in results), 6),
    }
    if any(v != recorded[0] for v in recorded[1:]):
        out["versions_note"] = "the results were produced with differing versions; shown: the first"
    out.update(dict(meta or {}))
    out["schema_version"] = SCHEMA_VERSION
    return out


def _check_formats(formats: Iterable[str]) -> list[str]:
    if isinstance(formats, str):
        formats = [formats]
    out = []
    for f in formats:
        if f not in FORMATS:
            raise InvalidParameterError(f"unknown report format {f!r}; use any of {list(FORMATS)}.")
        if f not in out:
            out.append(f)
    return out


def _render_plots(sections: Sequence[TheoremSection]) -> dict[str, Plot]:
    plots: dict[str, Plot] = {}
    for sec in sections:
        if len(plots) >= MAX_PLOTS:
            warnings.warn(f"report: more than {MAX_PLOTS} figures; the rest are omitted.", stacklevel=3)
            break
        try:
            plot = _cached_plot(sec.results, f"{sec.theorem_id}: {sec.title}")
        except Exception as exc:  # noqa: BLE001  (a figure must never cost the report)
            warnings.warn(
                f"report: could not plot {sec.theorem_id}: {type(exc).__name__}: {exc}", stacklevel=3
            )
            continue
        if plot is not None:
            plots[sec.anchor] = plot
    return plots


def _cached_plot(results: Sequence[Result], title: str) -> Plot | None:
    """:func:`plot_theorem` behind an on-disk memo (``cache_dir("plots")``: a PNG and a small JSON file)
    keyed by the content of its inputs (the results' records, the title, the plotting module's source and
    matplotlib's version): ``sgmverify report`` and a re-run whose results are all reused draw nothing."""
    import hashlib
    import json

    import matplotlib

    from sgmverify._cachedir import cache_dir
    from sgmverify._version import __version__
    from sgmverify.report import plots as plots_module

    versions = [matplotlib.__version__, __version__]
    text = json.dumps([[r.to_dict() for r in results], title, versions], sort_keys=True, default=repr)
    key = hashlib.sha256(Path(plots_module.__file__).read_bytes() + text.encode()).hexdigest()
    base = cache_dir("plots") / key
    try:
        info = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
        if info is None:
            return None
        return Plot(base.with_suffix(".png").read_bytes(), str(info["kind"]), tuple(map(str, info["params"])))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    plot = plot_theorem(results, title)
    try:
        ensure_dir(base.parent)
        if plot is not None:
            atomic_write_bytes(base.with_suffix(".png"), plot.png)
        info = None if plot is None else {"kind": plot.kind, "params": list(plot.params)}
        atomic_write_text(base.with_suffix(".json"), json.dumps(info))  # last: the entry is complete
    except Exception:  # noqa: BLE001  (an unwritable cache only costs the drawing next time)
        pass
    return plot


def _plot_files(sections: Sequence[TheoremSection], plots: Mapping[str, Plot]) -> dict[str, str]:
    """Section anchor -> ``plots/<name>.png`` (unique names)."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for sec in sections:
        if sec.anchor not in plots:
            continue
        base = safe_name(sec.theorem_id)
        name, k = base, 1
        while name.lower() in used:
            k += 1
            name = f"{base}_{k}"
        used.add(name.lower())
        names[sec.anchor] = f"plots/{name}.png"
    return names


def write_reports(
    results: Sequence[Result],
    out_dir: str | os.PathLike,
    formats: Iterable[str] = ("json", "md", "html"),
    meta: Mapping[str, Any] | None = None,
    figures: Sequence[Any] = (),
) -> dict[str, Path]:
    """Write the reports of ``results`` into ``out_dir``.

    Parameters
    ----------
    results : sequence of Result
        What to report (e.g. ``run_checks(...).results`` or :func:`load_results` of a store).
    out_dir : path-like
        Output directory (created if needed).
    formats : iterable of str
        Any of ``"json"`` (``report.json``, canonical), ``"md"`` (``report.md``), ``"html"``
        (``report.html``, self-contained) and ``"png"``; figures go to ``plots/*.png`` whenever ``"md"``,
        ``"html"`` or ``"png"`` is requested; ``"latex"`` writes ``report.tex`` (booktabs verdict tables per
        suite, :mod:`sgmverify.report.latex`).  HTML is an index ``report.html`` plus one page per suite
        in ``suites/`` (:mod:`sgmverify.report.site`).
    meta : mapping, optional
        Run metadata merged over the defaults of :func:`default_meta` (e.g. ``mode``, ``elapsed_s``).
    figures : sequence of FigureRecord
        Suite figures (:func:`sgmverify.run.render_figures`): listed in ``report.json``, shown in
        Markdown and HTML, PNGs written to ``figures/<id>.png``.

    Returns
    -------
    dict of str to Path
        Format -> written path (``"plots"`` -> the figure directory when figures were written,
        ``"suites"`` -> the directory of the suite pages when HTML was written).

    Raises
    ------
    InvalidParameterError
        For an unknown format.
    StoreError
        When a file cannot be written; files already written are complete, the one that failed keeps its
        previous content, and the results store is never touched.
    """
    fmts = _check_formats(formats)
    results = list(results)
    out = ensure_dir(out_dir)
    full_meta = default_meta(results, meta)
    summary = summarize(results)
    sections = theorem_sections(results)

    want_plots = any(f in fmts for f in ("md", "html", "png"))
    plots = _render_plots(sections) if want_plots else {}
    plot_files = _plot_files(sections, plots)

    rendered: dict[str, str] = {}
    if "json" in fmts:
        rendered["json"] = dumps(build_report(results, full_meta, summary, figures))
    if "md" in fmts:
        rendered["md"] = render_markdown(sections, summary, full_meta, plot_files, figures)
    if "latex" in fmts:
        rendered["latex"] = render_latex_tables(sections, summary, full_meta)
    pages: dict[str, str] = {}
    if "html" in fmts:
        pages = render_site(sections, summary, full_meta, plots, figures, plot_files)
        rendered["html"] = pages.pop(INDEX)

    written: dict[str, Path] = {}
    if plots:
        plot_dir = ensure_dir(out / "plots")
        for anchor, rel in plot_files.items():
            atomic_write_bytes(out / rel, plots[anchor].png)
        written["plots"] = plot_dir
    pngs = [f for f in figures if f.png]
    if pngs:
        ensure_dir(out / "figures")
        for f in pngs:
            atomic_write_bytes(out / f.file, f.png)
        written["figures"] = out / "figures"
    if want_plots and (out / "plots").is_dir():
        _remove_stale(out / "plots", "*.png", {Path(rel).name for rel in plot_files.values()}, "figures")
    if "html" in fmts:
        ensure_dir(out / "suites")
        for rel, text in pages.items():
            atomic_write_text(out / rel, text)
        _remove_stale(out / "suites", "*.html", {Path(rel).name for rel in pages}, "pages")
        written["suites"] = out / "suites"
    for fmt in ("latex", "md", "html", "json"):  # the canonical JSON last
        if fmt in rendered:
            written[fmt] = atomic_write_text(out / _FILES[fmt], rendered[fmt])
    return written


def _remove_stale(folder: Path, pattern: str, keep: set[str], what: str) -> None:
    """Remove the ``pattern`` files (``what``: pages, figures) of an earlier report that this one does not
    have, i.e. whose names are not in ``keep`` (best effort: an OSError warns)."""
    try:
        for p in folder.glob(pattern):
            if p.name not in keep:
                p.unlink()
    except OSError as exc:
        warnings.warn(f"report: could not remove stale {what} in {folder}: {exc}", stacklevel=3)
