"""docs/own_theorem.md: every ```python block runs, in order, in one namespace; and the suite the tutorial
builds (§0–§7, the blocks before ``<!-- end of my_suite.py -->``) runs with the command line it shows."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "own_theorem.md"
END_OF_SUITE = "<!-- end of my_suite.py -->"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.S | re.M)


def _blocks(text: str) -> list[str]:
    return BLOCK.findall(text)


def _suite_source() -> str:
    text = DOC.read_text()
    head = text.split(END_OF_SUITE, 1)[0]
    return "\n\n".join(_blocks(head))


def test_the_tutorial_has_its_pieces():
    text = DOC.read_text()
    assert END_OF_SUITE in text
    for needed in (
        "Bound.from_latex",
        "check_assumption",
        "tie_rtol",
        "sampler_law_eigen",
        "mean_ci",
        "Rate(",
        'expect="violated"',
        "beyond_hypotheses=True",
        "sgmverify run --suite my_suite.py",
        "sgmverify new NAME",
        "__init__.py",
        "holds_unverified",
        "sgm_check",
    ):
        assert needed in text, f"the tutorial should show {needed}"
    assert len(_blocks(text)) >= 10


@pytest.mark.slow
def test_every_python_block_runs(tmp_path, monkeypatch):
    """~10 s: the quick checks of the tutorial's suite run in process (§8-§9 assert their verdicts)."""
    (tmp_path / "my_suite.py").write_text(_suite_source())
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # §10 imports my_suite
    namespace: dict = {"__name__": "own_theorem_tutorial"}
    for i, block in enumerate(_blocks(DOC.read_text())):
        try:
            exec(compile(block, f"{DOC.name}[block {i}]", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message names the block
            raise AssertionError(f"block {i} of {DOC.name} failed: {exc!r}\n{block}") from exc
    sys.modules.pop("my_suite", None)


@pytest.mark.slow
def test_the_suite_file_runs_with_the_cli(tmp_path):
    """`sgmverify run --suite my_suite.py` on the tutorial's suite exits 0 (every check as expected)."""
    (tmp_path / "my_suite.py").write_text(_suite_source())
    env = {**os.environ, "MPLBACKEND": "Agg"}
    cmd = [sys.executable, "-m", "sgmverify.cli", "run", "--suite", "my_suite.py", "--out", "out"]
    cmd += ["-j", "1", "--no-progress", "--no-figures"]
    proc = subprocess.run(
        cmd,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert (tmp_path / "out" / "report.html").exists()


@pytest.mark.slow
def test_the_regression_test_and_the_plugin_run(tmp_path):
    """§10: the test file using ``sgm_check`` passes, and ``pytest --sgmverify --sgm-suite`` collects and
    passes every quick check of the suite; ``sgmverify list`` lists it (§8)."""
    (tmp_path / "my_suite.py").write_text(_suite_source())
    text = DOC.read_text()
    test_block = next(b for b in _blocks(text) if "def test_theorem_1(sgm_check)" in b)
    (tmp_path / "test_my_suite.py").write_text(test_block)
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": str(tmp_path)}
    base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path)]
    for args in (["test_my_suite.py"], ["--sgmverify", "--sgm-suite", "my_suite.py", "--sgm-no-discover"]):
        proc = subprocess.run(base + args, cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    proc = subprocess.run(
        [sys.executable, "-m", "sgmverify.cli", "list", "--suite", "my_suite.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert proc.returncode == 0 and "mypaper.thm1_init" in proc.stdout, proc.stdout + proc.stderr
