"""``sgmverify new NAME``: the starter suite runs green with its negative control caught, its pytest test
passes, and nothing is ever overwritten."""

from __future__ import annotations

import json
import os

import pytest

from sgmverify import cli
from sgmverify.run import load_suite

pytest_plugins = ["pytester"]


@pytest.fixture
def here(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """``pytester``'s folder as the current folder, with a private cache folder."""
    monkeypatch.setenv("SGMVERIFY_CACHE_DIR", str(pytester.path / ".cache"))
    return pytester


def test_new_suite_is_green_and_its_test_passes(here, capsys):
    assert cli.main(["new", "demo"]) == 0
    assert "wrote demo.py and test_demo.py" in capsys.readouterr().out
    code = cli.main(["run", "--suite", "demo.py", "--out", "rep", "-j", "1", "--no-progress", "--no-figures"])
    out = capsys.readouterr().out
    assert code == 0, out
    results = json.loads((here.path / "rep" / "report.json").read_text())["results"]
    by_theorem: dict[str, set[str]] = {}
    for r in results:
        by_theorem.setdefault(r["theorem_id"], set()).add(r["verdict"])
    assert by_theorem == {"demo.coupling_w2": {"HOLDS"}, "demo.neg.coupling_half": {"VIOLATED"}}
    assert len(results) == 6  # 4 quick scenarios of the claim, 2 of the control
    # the full mode adds the t = 0.1 scenarios; the list shows the suite from the index
    assert cli.main(["list", "--suite", "demo.py"]) == 0
    assert "(6 quick / 8 full checks)" in capsys.readouterr().out


def test_new_suite_pytest_test_passes(here):
    """``pytest test_demo.py`` passes: the claim holds and the control is caught (via ``sgm_check``)."""
    assert cli.main(["new", "demo"]) == 0
    # import the suite's libraries here first: the in-process inner sessions drop the modules they import,
    # and numpy cannot be imported twice in one process
    load_suite(str(here.path / "demo.py"))
    result = here.runpytest("test_demo.py", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    # a broken claim makes its test fail (the test is not vacuous)
    assert cli.main(["new", "broken"]) == 0
    path = here.path / "broken.py"
    path.write_text(path.read_text().replace('"sqrt((1 - m)**2*second_moment + sigma**2*d)"', '"0.01"'))
    here.runpytest("test_broken.py", "-p", "no:cacheprovider").assert_outcomes(passed=1, failed=1)


def test_new_refuses_to_overwrite(here, capsys):
    (here.path / "test_demo.py").write_text("KEEP = 1\n")
    assert cli.main(["new", "demo"]) == 2
    assert "already exist" in capsys.readouterr().err
    assert (here.path / "test_demo.py").read_text() == "KEEP = 1\n" and not (here.path / "demo.py").exists()
    assert cli.main(["new", "other", "--dir", str(here.path / "missing")]) == 2


def test_new_is_all_or_nothing(here, capsys, monkeypatch):
    """A test file appearing while the suite is written (a race) leaves nothing behind."""
    real_link = os.link

    def link(src, dst, *a, **k):
        if str(dst).endswith("test_demo.py"):
            raise FileExistsError(dst)
        return real_link(src, dst, *a, **k)

    monkeypatch.setattr(os, "link", link)
    assert cli.main(["new", "demo"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert sorted(p.name for p in here.path.iterdir() if not p.name.startswith(".cache")) == []


@pytest.mark.parametrize("name", ["1abc", "my-suite", "class", "", "test_x", "numpy", "a b"])
def test_new_validates_the_name(here, capsys, name):
    assert cli.main(["new", name]) == 2
    assert "NAME" in capsys.readouterr().err
    assert list(here.path.glob("*.py")) == []
