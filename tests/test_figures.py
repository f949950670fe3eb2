"""Tests of sgmverify/figures.py: suite figures made after the checks, and their place in the reports."""

from __future__ import annotations

import json
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
from toys import HEADER, write

from sgmverify.cli import main
from sgmverify.errors import InvalidParameterError
from sgmverify.report import write_reports
from sgmverify.run import FigureOutput, FigureSpec, load_figures, render_figures
from sgmverify.theory import Suite

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _line(mode, rng):
    fig, ax = plt.subplots()
    x = rng.standard_normal(5)
    ax.plot(x)
    return FigureOutput(fig, table=[{"mode": mode, "x0": np.float64(x[0]), "bad": np.nan, "n": np.int64(5)}],
                        notes="five normal draws")  # fmt: skip


def _boom(mode, rng):
    raise ValueError("no data for this figure")


def _not_output(mode, rng):
    return 3


def _slow(mode, rng):
    time.sleep(5)
    raise AssertionError("not reached")


def _suite(*specs):
    return Suite("figs", "Figure suite", [], figures=list(specs))


def test_render_makes_png_and_clean_table():
    (rec,) = render_figures([_suite(FigureSpec("f.line", "A line", _line, caption="c"))], progress=False)
    assert rec.error == "" and rec.png.startswith(PNG_MAGIC)
    row = rec.table[0]
    # numpy scalars become Python numbers; non-finite floats become strings (strict JSON)
    assert row == {"mode": "quick", "x0": pytest.approx(row["x0"]), "bad": "nan", "n": 5}
    assert type(row["x0"]) is float and type(row["n"]) is int
    json.dumps(rec.to_dict(), allow_nan=False)
    # the generator is seeded by the spec: same figure twice, same table
    (again,) = render_figures([_suite(FigureSpec("f.line", "A line", _line))], progress=False)
    assert again.table == rec.table


def test_failures_become_records_not_exceptions():
    specs = [
        FigureSpec("f.boom", "raises", _boom),
        FigureSpec("f.type", "wrong return", _not_output),
        FigureSpec("f.slow", "too slow", _slow),
    ]
    recs = render_figures([_suite(*specs)], timeout=0.5, progress=False)
    errors = {r.id: r.error for r in recs}
    assert "no data for this figure" in errors["f.boom"]
    assert "not a FigureOutput" in errors["f.type"]
    assert "timed out" in errors["f.slow"]
    assert all(r.png is None for r in recs)


def test_mode_selection_and_bad_specs():
    s = _suite(FigureSpec("f.quick", "q", _line), FigureSpec("f.full", "f", _line, quick=False))
    assert [r.id for r in render_figures([s], "quick", progress=False)] == ["f.quick"]
    assert [r.id for r in render_figures([s], "full", progress=False)] == ["f.quick", "f.full"]
    only = render_figures([s], "full", progress=False, select=lambda fid, suite: fid.endswith("full"))
    assert [r.id for r in only] == ["f.full"]
    with pytest.raises(InvalidParameterError, match="duplicate figure ids"):
        render_figures([s, s], progress=False)
    with pytest.raises(InvalidParameterError, match="mode"):
        render_figures([s], "fast", progress=False)
    with pytest.raises(InvalidParameterError, match="letters, digits"):
        FigureSpec("has space", "t", _line)
    with pytest.raises(InvalidParameterError, match="callable"):
        FigureSpec("f.x", "t", "not callable")


def test_reports_show_figures_and_load_back(tmp_path):
    recs = render_figures(
        [
            _suite(
                FigureSpec("f.line", "A line", _line, caption="the caption"), FigureSpec("f.boom", "B", _boom)
            )
        ],
        progress=False,
    )
    paths = write_reports([], tmp_path, figures=recs)
    assert (tmp_path / "figures" / "f.line.png").read_bytes().startswith(PNG_MAGIC)
    assert not (tmp_path / "figures" / "f.boom.png").exists()
    md = paths["md"].read_text()
    assert "![A line](figures/f.line.png)" in md and "the caption" in md and "five normal draws" in md
    assert "**Figure failed**: ValueError: no data for this figure" in md
    assert "| mode | x0 | bad | n |" in md
    page = "".join(p.read_text() for p in paths["suites"].glob("*.html"))  # one page per suite
    assert 'src="../figures/f.line.png"' in page and "Figure failed" in page
    back = {r.id: r for r in load_figures(tmp_path)}
    assert back["f.line"].png == recs[0].png and back["f.line"].table == recs[0].table
    assert back["f.boom"].png is None and "no data" in back["f.boom"].error
    assert load_figures(tmp_path / "nowhere") == []


SUITE_WITH_FIGURES = (
    HEADER
    + """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sgmverify.run import FigureOutput, FigureSpec


def pic(mode, rng):
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    return FigureOutput(fig, table=[{"mode": mode}])


def broken(mode, rng):
    raise RuntimeError("broken figure")


SUITE = Suite("figsuite", "Suite with figures", [
    Theorem("fs.exact", "a true claim", REF, Bound("2", "upper", "one"), one, scenarios=[Scenario("a")]),
], figures=[FigureSpec("fs.pic", "a picture", pic), FigureSpec("fs.full", "full only", broken, quick=False)])
"""
)


def test_cli_run_makes_figures_and_report_keeps_them(tmp_path, capsys):
    path = write(tmp_path, "figsuite.py", SUITE_WITH_FIGURES)
    out = tmp_path / "out"
    assert main(["run", "--suite", str(path), "--out", str(out), "-j", "1", "--no-progress"]) == 0
    assert (out / "figures" / "fs.pic.png").is_file()
    doc = json.loads((out / "report.json").read_text())
    assert [f["id"] for f in doc["figures"]] == ["fs.pic"] and doc["figures"][0]["table"] == [
        {"mode": "quick"}
    ]
    # `sgmverify report` re-renders from the store and keeps the figures
    assert main(["report", str(out / "results.jsonl"), "--out", str(tmp_path / "again")]) == 0
    assert "figures/fs.pic.png" in (tmp_path / "again" / "report.md").read_text()
    # a failing figure (full mode) is reported and makes the exit status 1; --no-figures skips them
    assert main(["run", "--suite", str(path), "--out", str(out), "-j", "1", "--no-progress", "--full"]) == 1
    assert "FIGURE FAILED  fs.full: RuntimeError: broken figure" in capsys.readouterr().out
    assert main(["run", "--suite", str(path), "--out", str(out), "-j", "1", "--full", "--no-figures"]) == 0


def _environment(mode, rng):
    import torch

    fig, ax = plt.subplots()
    ax.plot([0, 1])
    row = {"backend": matplotlib.get_backend().lower(), "threads": torch.get_num_threads()}
    return FigureOutput(fig, table=[row])


def test_figure_runner_owns_backend_and_threads():
    # make() needs no matplotlib.use and no thread settings: the runner selects Agg and one torch thread
    torch = pytest.importorskip("torch")
    old = torch.get_num_threads()
    matplotlib.use("svg", force=True)
    torch.set_num_threads(2)
    try:
        (rec,) = render_figures([_suite(FigureSpec("f.env", "Environment", _environment))], progress=False)
        assert rec.error == "", rec.traceback
        assert rec.table == [{"backend": "agg", "threads": 1}]
        assert torch.get_num_threads() == 2  # restored after the figure
    finally:
        torch.set_num_threads(old)
        matplotlib.use("Agg", force=True)


_CALLS = {"n": 0}  # a module global, not a closure value: it is not part of the figure's key


def _counted(mode, rng):
    _CALLS["n"] += 1
    return _line(mode, rng)


def _scaled(scale, mode, rng):
    return _line(mode, rng)


def test_figures_are_redrawn_only_when_their_inputs_change(tmp_path):
    import functools
    import io

    suite = _suite(FigureSpec("f.count", "Counted", _counted))
    n0 = _CALLS["n"]
    (first,) = render_figures([suite], progress=False, reuse=tmp_path)  # no earlier report: drawn
    assert _CALLS["n"] == n0 + 1 and len(first.key) == 64
    write_reports([], tmp_path, formats=("json",), figures=[first])
    stream = io.StringIO()
    (again,) = render_figures([suite], stream=stream, reuse=tmp_path)  # same inputs: taken from the report
    assert _CALLS["n"] == n0 + 1, "an unchanged figure must not be drawn again"
    assert again.png == first.png and again.table == first.table and again.key == first.key
    assert "figure 1/1 f.count (0.0 s): reused" in stream.getvalue()
    # any changed input draws it again: the seed, the caption, the mode; and no reuse without `reuse`
    for spec, mode in [
        (FigureSpec("f.count", "Counted", _counted, seed=1), "quick"),
        (FigureSpec("f.count", "Counted", _counted, caption="new"), "quick"),
        (FigureSpec("f.count", "Counted", _counted), "full"),
    ]:
        (rec,) = render_figures([_suite(spec)], mode, progress=False, reuse=tmp_path)
        assert rec.key != first.key
    render_figures([suite], progress=False)
    assert _CALLS["n"] == n0 + 5
    # captured values are inputs too (a partial over a different value is a different figure)
    keys = {
        render_figures([_suite(FigureSpec("f.p", "P", functools.partial(_scaled, k)))], progress=False)[0].key
        for k in (1.0, 2.0)
    }
    assert len(keys) == 2


def test_cli_run_again_reuses_figures_and_no_resume_redraws(tmp_path, capsys):
    path = write(tmp_path, "figsuite.py", SUITE_WITH_FIGURES)
    out = tmp_path / "out"
    assert main(["run", "--suite", str(path), "--out", str(out), "-j", "1"]) == 0
    assert "fs.pic" in capsys.readouterr().err
    assert main(["run", "--suite", str(path), "--out", str(out), "-j", "1"]) == 0
    assert "fs.pic (0.0 s): reused" in capsys.readouterr().err
    assert (out / "figures" / "fs.pic.png").read_bytes().startswith(PNG_MAGIC)
    assert main(["run", "--suite", str(path), "--out", str(out), "-j", "1", "--no-resume"]) == 0
    assert "reused" not in capsys.readouterr().err


def test_report_plots_and_formulas_come_from_the_cache_when_their_inputs_are_unchanged(tmp_path, monkeypatch):
    # `sgmverify report` and a re-run with every result reused must not draw the theorem plots again
    from test_report import make_results

    from sgmverify.report import formula, writer

    monkeypatch.setenv("SGMVERIFY_CACHE_DIR", str(tmp_path / "cache"))
    formula.render_latex.cache_clear()  # formulas rendered by earlier tests are in memory only
    results = make_results()
    first = write_reports(results, tmp_path / "a", formats=("md", "html"))
    pngs = {p.name: p.read_bytes() for p in (tmp_path / "a" / "plots").iterdir()}
    assert len(pngs) == 3

    def no_drawing(*args, **kwargs):
        pytest.fail("an unchanged plot must come from the cache")

    monkeypatch.setattr(writer, "plot_theorem", no_drawing)
    monkeypatch.setattr(formula, "_render", no_drawing)
    formula.render_latex.cache_clear()  # a new process: only the disk is left
    write_reports(results, tmp_path / "b", formats=("md", "html"))
    assert {p.name: p.read_bytes() for p in (tmp_path / "b" / "plots").iterdir()} == pngs
    assert first["html"].is_file() and (tmp_path / "b" / "report.html").is_file()
    # a changed result is a changed input: drawn again
    for r in results:
        r.ratio = (r.ratio or 0.0) + 1.0
    with pytest.raises(pytest.fail.Exception, match="must come from the cache"):
        write_reports(results, tmp_path / "c", formats=("md",))


KEY_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from test_figures import _suite
from sgmverify.run import FigureSpec
from sgmverify.run._figures import figure_key


def make(mode, rng):
    pick = lambda name: name in {{"alpha", "beta", "gamma"}}  # a nested code object and a frozenset constant
    return pick(mode)


print(figure_key(FigureSpec("f.k", "K", make), _suite(), "quick"))
"""


def test_figure_key_is_the_same_in_every_process(tmp_path):
    # a nested function's repr carries its address and a frozenset's order follows the per-process string
    # hash seed: neither may reach the key, or a re-run would redraw every figure
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "key.py"
    script.write_text(KEY_SCRIPT.format(tests=str(Path(__file__).parent)))
    keys = {
        subprocess.run(
            [sys.executable, str(script)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert len(keys) == 1 and len(next(iter(keys))) == 64
