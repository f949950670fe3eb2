"""Suites given by path: files that import sibling modules, package folders with relative imports, and the
errors for a missing path, a file without a suite and a syntax error (with file:line)."""

from __future__ import annotations

import sys

import pytest
from toys import HEADER, write

from sgmverify import cli
from sgmverify.errors import SuiteError, UnknownNameError
from sgmverify.run import discover_suites, load_suite, run_checks

#: A suite whose bound constant comes from a sibling module ``helpers`` and a sibling package ``mylib``.
SIBLING_SUITE = (
    HEADER
    + """
from helpers import CONSTANT
import mylib

SUITE = Suite(mylib.NAME, "suite using siblings", [
    Theorem(mylib.NAME + ".c", "a constant from a sibling", REF, Bound(str(CONSTANT), "upper", "one"), one,
            scenarios=[Scenario("a")]),
])
"""
)


@pytest.fixture
def isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SGMVERIFY_CACHE_DIR", str(tmp_path / "cache"))


def _two_folders(tmp_path):
    """Two suite files, each with siblings ``helpers.py`` and ``mylib/`` of the same names."""
    paths = []
    for label, const in (("left", 2), ("right", 3)):
        write(tmp_path, f"{label}/helpers.py", f"CONSTANT = {const}\n")
        write(tmp_path, f"{label}/mylib/__init__.py", f"NAME = {label!r}\n")
        paths.append(write(tmp_path, f"{label}/suite.py", SIBLING_SUITE))
    return paths


def test_sibling_imports_without_pythonpath_and_no_collision(tmp_path):
    path_before, mods_before = list(sys.path), set(sys.modules)
    left, right = _two_folders(tmp_path)
    suites = discover_suites([str(left), str(right)], entry_points=False, package=None)
    assert [s.name for s in suites] == ["left", "right"]
    # each suite saw its own siblings (same names, different folders)
    assert [str(s.theorems[0].bound.expr) for s in suites] == ["2", "3"]
    # hygiene: sys.path restored, the sibling modules are not left under their bare names
    assert sys.path == path_before
    assert "helpers" not in sys.modules and "mylib" not in sys.modules
    assert not {m for m in set(sys.modules) - mods_before if m.split(".")[0] in ("helpers", "mylib")}
    # the checks run (in-process), and a reload picks up an edited sibling
    out = run_checks(suites, jobs=1, progress=False, resume=False)
    assert all(r.as_expected for r in out.results)
    write(tmp_path, "left/helpers.py", "CONSTANT = 7\n")
    assert str(load_suite(str(left.resolve()), reload=True).theorems[0].bound.expr) == "7"


def test_sibling_suites_run_in_worker_processes(tmp_path, isolated_cache, capsys):
    left, right = _two_folders(tmp_path)
    code = cli.main(
        [
            "run",
            "--suite",
            str(left),
            "--suite",
            str(right),
            "--out",
            str(tmp_path / "out"),
            "-j",
            "2",
            "--no-progress",
            "--no-figures",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "left" in out and "right" in out


PACKAGE_INIT = """
from sgmverify.theory import Suite
from .claims import THEOREMS
SUITE = Suite("pkgfolder", "a suite package given as a folder", THEOREMS)
"""
PACKAGE_CLAIMS = (
    HEADER
    + """
from ._consts import BOUND
THEOREMS = [Theorem("pkgfolder.c", "relative import", REF, Bound(BOUND, "upper", "one"), one,
                    scenarios=[Scenario("a")])]
"""
)


def test_package_folder_is_one_suite_with_relative_imports(tmp_path, isolated_cache, capsys):
    write(tmp_path, "pkgfolder/__init__.py", PACKAGE_INIT)
    write(tmp_path, "pkgfolder/claims.py", PACKAGE_CLAIMS)
    write(tmp_path, "pkgfolder/_consts.py", 'BOUND = "5"\n')
    (suite,) = discover_suites([str(tmp_path / "pkgfolder")], entry_points=False, package=None)
    assert suite.name == "pkgfolder" and str(suite.theorems[0].bound.expr) == "5"
    assert suite.source == str((tmp_path / "pkgfolder").resolve())
    # the CLI takes it too, also with a trailing slash, and worker processes re-import it
    code = cli.main(["list", "--suite", str(tmp_path / "pkgfolder") + "/"])
    assert code == 0 and "pkgfolder.c: relative import" in capsys.readouterr().out
    out_dir = tmp_path / "out"
    code = cli.main(["run", "--suite", str(tmp_path / "pkgfolder"), "--out", str(out_dir), "-j", "2"])
    assert code == 0, capsys.readouterr()


def test_folder_without_init_is_a_folder_of_suite_files(tmp_path):
    write(tmp_path, "plain/a_suite.py", HEADER + '\nSUITE = Suite("plain_a", "a", [])\n')
    write(tmp_path, "plain/notes.py", "X = 1\n")  # no SUITE: skipped
    assert [s.name for s in discover_suites([str(tmp_path / "plain")], entry_points=False, package=None)] == [
        "plain_a"
    ]


def test_clear_errors(tmp_path, monkeypatch, isolated_cache, capsys):
    monkeypatch.setattr("sgmverify.run._suites.DEFAULT_PACKAGE", None)
    # a missing path: a SuiteError and an UnknownNameError (a usage error: exit 2), named in the message
    with pytest.raises(SuiteError, match="does not exist") as info:
        discover_suites([str(tmp_path / "nope.py")], entry_points=False, package=None)
    assert isinstance(info.value, UnknownNameError)
    with pytest.raises(SuiteError, match="does not exist"):
        discover_suites([str(tmp_path / "no_dir") + "/"], entry_points=False, package=None)
    assert cli.main(["list", "--suite", str(tmp_path / "nope.py")]) == 2
    assert "nope.py does not exist" in capsys.readouterr().err
    # a file that defines no suite
    empty = write(tmp_path, "nosuite.py", "X = 1\n")
    with pytest.raises(SuiteError, match="defines no SUITE"):
        discover_suites([str(empty)], entry_points=False, package=None)
    # a syntax error: file and line, in the suite or in a sibling it imports
    bad = write(tmp_path, "syn/bad_suite.py", "x = 1\ndef f(:\n    pass\n")
    with pytest.raises(SuiteError, match=r"bad_suite\.py:2 \(line 2\): SyntaxError"):
        load_suite(str(bad), reload=True)
    write(tmp_path, "sib/helpers.py", "A = 1\nB = (\n")
    user = write(tmp_path, "sib/user_suite.py", "from helpers import A\n")
    with pytest.raises(SuiteError, match=r"helpers\.py:2 \(line 2\)"):
        load_suite(str(user), reload=True)
    # a runtime error points at the failing line of the suite file
    boom = write(tmp_path, "rt/boom_suite.py", "x = 1\ny = 1 / 0\n")
    with pytest.raises(SuiteError, match=r"boom_suite\.py:2 \(line 2\): ZeroDivisionError"):
        load_suite(str(boom), reload=True)
    # and the command line prints it and exits 1 (a suite failed to import)
    code = cli.main(["list", "--suite", str(boom)])
    assert code == 1 and "boom_suite.py:2" in capsys.readouterr().err


def test_code_version_tracks_siblings_and_package_files(tmp_path):
    """Stored results are reused only while the code is unchanged: the content hash of a suite file covers
    the modules beside it, and that of a package folder every file in it."""
    from sgmverify.run import code_version

    left, _ = _two_folders(tmp_path)
    before = code_version(str(left))
    write(tmp_path, "left/helpers.py", "CONSTANT = 2  # edited\n")
    assert code_version(str(left)) != before
    write(tmp_path, "pkgv/__init__.py", PACKAGE_INIT)
    write(tmp_path, "pkgv/claims.py", PACKAGE_CLAIMS)
    write(tmp_path, "pkgv/_consts.py", 'BOUND = "5"\n')
    before = code_version(str(tmp_path / "pkgv"))
    write(tmp_path, "pkgv/_consts.py", 'BOUND = "6"\n')
    assert code_version(str(tmp_path / "pkgv")) != before
