"""Suite figures: pictures (and their tables) made once per run, after the checks.

A claim is a :class:`~sgmverify.theory.Theorem` and gets a verdict; a *figure* is what a reader looks at to
understand a set of claims — a smoothness ladder, density snapshots, sensitivity arrows.  A suite lists
them as ``Suite.figures`` (or a ``proofs_checks`` package module as ``FIGURES``)::

    def make_ladder(mode: str, rng: np.random.Generator) -> FigureOutput:
        fig, ax = plt.subplots()
        ...
        return FigureOutput(fig, table=[{"law": "uniform", "k": 2, "slope": -1.0}], notes="how measured")

    FIGURES = [FigureSpec("steph.ladder", "Smoothness ladder", make_ladder, caption="...")]

:func:`render_figures` calls every ``make`` (``quick=False`` figures only in full mode) under a time limit,
turns the matplotlib figure into PNG bytes and keeps the table; a figure that raises or times out becomes a
record with ``error`` set — it never stops a run.  The reports (:func:`sgmverify.report.write_reports`,
``figures=``) write the PNGs to ``figures/`` and list the records in ``report.json`` (``"figures"``), so
:func:`load_figures` can bring them back for ``sgmverify report``.

A figure is redrawn only when its inputs changed: each record carries the content key of what made it
(:func:`figure_key`: the spec, its ``make`` function with its code and captured values, the mode, the
suite's code version -- the same inputs a check's content hash covers -- and the matplotlib version), and
``render_figures(..., reuse=out_dir)`` takes an earlier report's figure (its ``report.json`` record and
PNG) instead of calling ``make`` again when the keys agree.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sgmverify.errors import InvalidParameterError

from ._progress import _Bar

__all__ = ["FigureOutput", "FigureRecord", "FigureSpec", "figure_key", "load_figures", "render_figures"]

#: Default time limit of one figure's ``make`` (seconds).
DEFAULT_FIGURE_TIMEOUT = 600.0
_ID = re.compile(r"^[A-Za-z0-9_.\-]+$")


@dataclass
class FigureOutput:
    """What a figure's ``make`` returns.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The picture (closed after rendering).
    table : list of dict, optional
        Rows shown under the picture (scalar values; numpy scalars are converted).
    notes : str
        What the figure shows and how it was measured.
    """

    figure: Any
    table: list[dict] = field(default_factory=list)
    notes: str = ""


@dataclass(frozen=True)
class FigureSpec:
    """A suite figure: ``make(mode, rng) -> FigureOutput``, made after the suite's checks.

    A figure's ``make()`` needs no ``matplotlib.use`` and no thread settings: the figure runner
    (:func:`render_figures`) selects matplotlib's non-interactive ``"Agg"`` backend before calling it and
    runs it with one torch thread.

    Parameters
    ----------
    id : str
        Unique within the run (letters, digits, ``._-``); also the PNG's file name.
    title, caption : str
        Shown above / below the picture.
    make : callable
        ``make(mode, rng)`` with ``mode`` ``"quick"`` or ``"full"`` and a generator seeded by ``seed``.
    quick : bool
        Made in quick runs too (otherwise only with ``--full``).
    seed : int
        Seed of the generator passed to ``make``.
    section : str
        Report section the figure belongs to (set by :func:`sgmverify.run.collect_suite`).
    """

    id: str
    title: str
    make: Callable[[str, np.random.Generator], FigureOutput]
    caption: str = ""
    quick: bool = True
    seed: int = 0
    section: str = ""

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise InvalidParameterError(
                f"figure id {self.id!r} may contain only letters, digits, '.', '_' and '-'."
            )
        if not callable(self.make):
            raise InvalidParameterError(f"figure {self.id}: make must be callable(mode, rng).")


@dataclass
class FigureRecord:
    """A made figure (or its failure), as stored in ``report.json``; ``png`` is not serialised."""

    suite: str
    id: str
    title: str
    caption: str = ""
    section: str = ""
    mode: str = "quick"
    table: list[dict] = field(default_factory=list)
    notes: str = ""
    error: str = ""
    traceback: str = ""
    elapsed_s: float = 0.0
    key: str = ""
    png: bytes | None = None

    @property
    def file(self) -> str:
        """Path of the PNG relative to the report directory."""
        return f"figures/{self.id}.png"

    def png_base64(self) -> str:
        return base64.b64encode(self.png or b"").decode("ascii")

    def to_dict(self) -> dict:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "png"}
        d["file"] = self.file if self.png else None
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], png: bytes | None = None) -> FigureRecord:
        known = {k for k in cls.__dataclass_fields__ if k != "png"}
        return cls(**{k: v for k, v in d.items() if k in known}, png=png)


def _scalar(v: Any) -> Any:
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if v is None or isinstance(v, bool | int | float | str):
        return v
    return str(v)


def _clean_table(table: Iterable[Mapping[str, Any]] | None) -> list[dict]:
    if table is None:
        return []
    rows = []
    for row in table:
        if not isinstance(row, Mapping):
            raise InvalidParameterError(f"a figure table row must be a mapping, got {type(row).__name__}.")
        rows.append({str(k): _scalar(v) for k, v in row.items()})
    return rows


def _to_png(fig: Any) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)
    return buf.getvalue()


def make_figure(spec: FigureSpec, suite: str, mode: str, timeout: float | None = DEFAULT_FIGURE_TIMEOUT):
    """Make one figure under a time limit; never raises (faults become ``FigureRecord.error``).

    The figure runner owns the plotting environment: it selects matplotlib's non-interactive ``"Agg"``
    backend (``matplotlib.use("Agg", force=True)``) and runs ``make`` with one torch thread
    (:func:`sgmverify.nets.torch_threads`, restored afterwards), so a figure's ``make`` sets neither.
    """
    import matplotlib

    matplotlib.use("Agg", force=True)
    from sgmverify._timelimit import TimeLimit
    from sgmverify.nets import torch_threads

    rec = FigureRecord(suite, spec.id, spec.title, spec.caption, spec.section, mode)
    t0 = time.perf_counter()
    try:
        with TimeLimit(timeout), torch_threads(1):
            out = spec.make(mode, np.random.default_rng(spec.seed))
            if not isinstance(out, FigureOutput):
                raise InvalidParameterError(
                    f"figure {spec.id}: make returned {type(out).__name__}, not a FigureOutput."
                )
            rec.table = _clean_table(out.table)
            rec.notes = str(out.notes or "")
            rec.png = _to_png(out.figure)
    except Exception as exc:  # noqa: BLE001  (a figure must never cost the run)
        rec.error = f"{type(exc).__name__}: {exc}"
        rec.traceback = traceback.format_exc()
        rec.png = None
    rec.elapsed_s = round(time.perf_counter() - t0, 3)
    return rec


def figure_key(spec: FigureSpec, suite: Any, mode: str) -> str:
    """The content key of a figure's inputs (:func:`sgmverify.theory.content_key`).

    Covers the spec (id, title, caption, section, quick, seed), its ``make`` described by
    :func:`~sgmverify.theory.describe_object` (name, code, defaults and captured values), the mode, the
    suite's code version (sgmverify's version and the hash of the suite's source files, as in a check's
    content hash) and matplotlib's version.  Equal keys: the figure would be drawn the same.
    """
    import importlib.metadata

    from sgmverify.theory import content_key, describe_object

    from ._store import code_version

    source = getattr(suite, "source", None)
    try:
        mpl = importlib.metadata.version("matplotlib")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover  (figures need matplotlib)
        mpl = "not installed"
    return content_key(
        {
            "spec": {k: getattr(spec, k) for k in ("id", "title", "caption", "section", "quick", "seed")},
            "make": describe_object(spec.make),
            "mode": mode,
            "suite": getattr(suite, "name", str(suite)),
            "code_version": code_version(source) if source else "",
            "matplotlib": mpl,
        }
    )


class _FigureProgress(_Bar):
    """A tqdm bar on a terminal (like the checks' progress); one line per figure otherwise or with CI=true."""

    def __init__(self, total: int, enabled: bool, stream: Any) -> None:
        super().__init__(total, enabled, stream, "figure", desc="figures")

    def update(self, i: int, rec: FigureRecord, reused: bool) -> None:
        status = f"error: {rec.error}" if rec.error else ("reused" if reused else "ok")
        line = f"figure {i}/{self.total} {rec.id} ({0.0 if reused else rec.elapsed_s:.1f} s): {status}"
        self._emit(line, bool(rec.error))


def render_figures(
    suites: Sequence[Any],
    mode: str = "quick",
    *,
    timeout: float | None = DEFAULT_FIGURE_TIMEOUT,
    progress: bool = True,
    stream: Any = None,
    select: Callable[[str, str], bool] | None = None,
    reuse: str | Path | None = None,
) -> list[FigureRecord]:
    """Make the figures of ``suites`` (``quick=False`` ones only when ``mode == "full"``).

    Parameters
    ----------
    suites : sequence of Suite
    mode : {"quick", "full"}
    timeout : float or None
        Time limit of one figure, in seconds.
    progress : bool
        Print one line per figure (to ``stream``, default stderr).
    select : callable, optional
        ``select(figure_id, suite_name)``: make only the figures it accepts (e.g. a ``-k`` filter).
    reuse : path-like, optional
        Directory of an earlier report: a figure whose :func:`figure_key` equals the key stored with it
        there (and that was made without error, PNG present) is taken from it instead of being drawn again.

    Returns
    -------
    list of FigureRecord
        In suite order; failed figures have ``error`` set and no PNG.
    """
    if mode not in ("quick", "full"):
        raise InvalidParameterError(f"mode must be 'quick' or 'full', not {mode!r}.")
    stream = stream or sys.stderr
    specs = [
        (s, f)
        for s in suites
        for f in getattr(s, "figures", [])
        if (mode == "full" or f.quick) and (select is None or select(f.id, s.name))
    ]
    ids = [f.id for _, f in specs]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise InvalidParameterError(f"duplicate figure ids {dup}; figure ids must be unique in a run.")
    earlier = {r.id: r for r in load_figures(reuse)} if reuse is not None else {}
    records = []
    bar = _FigureProgress(len(specs), progress, stream)
    try:
        for i, (suite, spec) in enumerate(specs, 1):
            key = figure_key(spec, suite, mode)
            old = earlier.get(spec.id)
            reused = old is not None and old.key == key and not old.error and bool(old.png)
            if reused:
                rec = old
            else:
                rec = make_figure(spec, suite.name, mode, timeout)
                rec.key = key
            bar.update(i, rec, reused)
            records.append(rec)
    finally:
        bar.close()
    return records


def load_figures(report_dir: str | Path) -> list[FigureRecord]:
    """The figure records of the report in ``report_dir`` (``report.json`` + ``figures/*.png``).

    Missing files give an empty list; a record whose PNG is missing keeps its table and notes.  Nothing is
    recomputed: the records and PNGs are read as written.
    """
    path = Path(report_dir) / "report.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for d in data.get("figures", []) if isinstance(data, dict) else []:
        png = None
        if d.get("file"):
            try:
                png = (Path(report_dir) / d["file"]).read_bytes()
            except OSError:
                png = None
        out.append(FigureRecord.from_dict(d, png))
    return out
