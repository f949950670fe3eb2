"""Tests of sgmverify.run._suites: discovery of suites from files, directories, modules, packages, entry
points."""

from __future__ import annotations

import importlib.metadata

import pytest
from toys import HEADER, TOY, write

from sgmverify.errors import SuiteError, UnknownNameError
from sgmverify.run import ENTRY_POINT_GROUP, collect_suite, discover_suites, load_suite


# ------------------------------------------------------------------------------------------ discovery
def test_discover_file_path(tmp_path):
    path = write(tmp_path, "toy_suite.py", TOY)
    (suite,) = discover_suites([str(path)], entry_points=False, package=None)
    assert suite.name == "toy" and suite.source == str(path.resolve())
    assert [c.id for c in suite.checks("quick")][:2] == ["toy.exact[a]", "toy.exact[neg]"]
    assert len(suite.checks("full")) == len(suite.checks("quick")) + 1


def test_discover_package_skips_modules_without_suite_and_reports_broken(tmp_path, monkeypatch):
    write(tmp_path, "pkg_disc1/__init__.py", "")
    write(tmp_path, "pkg_disc1/paper_a.py", TOY)
    write(tmp_path, "pkg_disc1/helpers.py", "X = 1\n")
    write(tmp_path, "pkg_disc1/broken.py", "import nonexistent_dependency_xyz\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    errors: list[SuiteError] = []
    suites = discover_suites(entry_points=False, package="pkg_disc1", errors=errors)
    assert [s.source for s in suites] == ["pkg_disc1.paper_a"]
    assert len(errors) == 1
    msg = str(errors[0])
    assert "pkg_disc1.broken" in msg and "broken.py" in msg and "nonexistent_dependency_xyz" in msg
    with pytest.raises(SuiteError, match="broken"):
        discover_suites(entry_points=False, package="pkg_disc1")


def test_discover_entry_points(tmp_path, monkeypatch):
    write(tmp_path, "ep_suite_mod1.py", TOY)
    monkeypatch.syspath_prepend(str(tmp_path))
    eps = [importlib.metadata.EntryPoint("toy", "ep_suite_mod1", ENTRY_POINT_GROUP)]
    seen = {}

    def fake_entry_points(**kw):
        seen.update(kw)
        return eps

    monkeypatch.setattr(importlib.metadata, "entry_points", fake_entry_points)
    monkeypatch.setattr("sgmverify.run._suites.DEFAULT_PACKAGE", None)
    (suite,) = discover_suites(package=None)
    assert seen == {"group": "sgmverify.suites"}
    assert suite.name == "toy" and suite.source == "ep_suite_mod1"
    # a suite is also selectable by its name
    assert [s.name for s in discover_suites(["toy"], entry_points=False, package=None)] == ["toy"]


def test_discover_directory_and_module_attribute(tmp_path, monkeypatch):
    write(tmp_path, "suites_dir/toy_suite.py", TOY)
    write(tmp_path, "suites_dir/notes.py", "X = 1\n")  # no SUITE: skipped
    (suite,) = discover_suites([tmp_path / "suites_dir"], entry_points=False, package=None)
    assert suite.name == "toy"
    write(tmp_path, "attr_mod1.py", TOY + "\nOTHER = SUITE\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    (suite,) = discover_suites(["attr_mod1:OTHER"], entry_points=False, package=None)
    assert suite.source == "attr_mod1:OTHER"


def test_syntax_error_suite_reported_with_file_and_line(tmp_path):
    bad = write(tmp_path, "bad_suite.py", "x = 1\ndef f(:\n    pass\n")
    good = write(tmp_path, "toy_suite.py", TOY)
    errors: list[SuiteError] = []
    suites = discover_suites([str(bad), str(good)], entry_points=False, package=None, errors=errors)
    assert [s.name for s in suites] == ["toy"]
    (err,) = errors
    assert "bad_suite.py" in str(err) and "SyntaxError" in str(err) and "line 2" in str(err)
    with pytest.raises(SuiteError):
        load_suite(str(bad), reload=True)


def test_unknown_and_malformed_suites(tmp_path, monkeypatch):
    monkeypatch.setattr("sgmverify.run._suites.DEFAULT_PACKAGE", None)
    with pytest.raises(UnknownNameError):
        discover_suites([str(tmp_path / "nope.py")], entry_points=False, package=None)
    with pytest.raises(UnknownNameError):
        discover_suites(["no_such_module_xyz"], entry_points=False, package=None)
    with pytest.raises(SuiteError, match="defines no SUITE"):
        load_suite(str(write(tmp_path, "empty_suite.py", "X = 1\n")))
    with pytest.raises(SuiteError, match=r"not a sgmverify\.theory\.Suite"):
        load_suite(str(write(tmp_path, "wrong_suite.py", "SUITE = 3\n")))


PKG_MODULE_A = (
    HEADER
    + """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sgmverify.run import FigureOutput, FigureSpec

SECTION = "Part A"


def pic(mode, rng):
    fig, ax = plt.subplots()
    return FigureOutput(fig)


THEOREMS = [
    Theorem("p.a1", "first", REF, Bound("2", "upper", "one"), one, scenarios=[Scenario("s")]),
    Theorem("p.a2", "second", REF, Bound("2", "upper", "one"), one, scenarios=[Scenario("s")], section="Own"),
]
FIGURES = [FigureSpec("p.fig", "a figure", pic)]
"""
)
PKG_MODULE_B = (
    HEADER
    + """
THEOREMS = [Theorem("p.b1", "third", REF, Bound("2", "upper", "one"), one, scenarios=[Scenario("s")])]
"""
)
PKG_INIT = """
from sgmverify.run import collect_suite
SUITE = collect_suite(__name__, name="collected", title="Collected suite", reference="ref")
"""


def test_collect_suite_gathers_submodules_with_sections(tmp_path, monkeypatch):
    write(tmp_path, "pkg_coll1/__init__.py", PKG_INIT)
    write(tmp_path, "pkg_coll1/b_part.py", PKG_MODULE_B)
    write(tmp_path, "pkg_coll1/a_part.py", PKG_MODULE_A)
    write(tmp_path, "pkg_coll1/_private.py", "THEOREMS = 'not collected'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    (suite,) = discover_suites(["pkg_coll1"], entry_points=False, package=None)
    assert suite.name == "collected" and suite.reference == "ref"
    assert [t.id for t in suite.theorems] == ["p.a1", "p.a2", "p.b1"]  # module name order
    assert [t.section for t in suite.theorems] == ["Part A", "Own", ""]
    assert [(f.id, f.section) for f in suite.figures] == [("p.fig", "Part A")]
    assert {c.id for c in suite.checks("quick")} == {"p.a1[s]", "p.a2[s]", "p.b1[s]"}
    ordered = collect_suite("pkg_coll1", name="c", title="c", order=["b_part"])
    assert [t.id for t in ordered.theorems] == ["p.b1", "p.a1", "p.a2"]
    with pytest.raises(SuiteError, match="do not exist"):
        collect_suite("pkg_coll1", name="c", title="c", order=["nope"])


def test_collect_suite_fails_loudly(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    write(tmp_path, "pkg_coll2/__init__.py", PKG_INIT)
    write(tmp_path, "pkg_coll2/bad.py", "THEOREMS = [1, 2]\n")
    errors = []
    assert discover_suites(["pkg_coll2"], entry_points=False, package=None, errors=errors) == []
    assert "pkg_coll2.bad.THEOREMS must be a list of Theorem" in str(errors[0])
    write(tmp_path, "pkg_coll3/__init__.py", PKG_INIT)
    write(tmp_path, "pkg_coll3/broken.py", "import nonexistent_dependency_xyz\n")
    errors = []
    discover_suites(["pkg_coll3"], entry_points=False, package=None, errors=errors)
    assert "nonexistent_dependency_xyz" in str(errors[0])
    with pytest.raises(SuiteError, match="needs a package"):
        collect_suite("textwrap", name="x", title="x")
