"""The suite index (``sgmverify.run.suite_index``): metadata commands do not import suites, ``run -k``
imports only the matching ones, any change rebuilds, a corrupt index is rebuilt and never executed; and
the CLI polish that goes with it (readable symbol names, ``--version``, options after positionals)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import warnings

import pytest
from toys import HEADER, write

from sgmverify import cli
from sgmverify.errors import SuiteError
from sgmverify.run import SuiteIndexWarning, bound_expr, index_path, select_suites, suite_index
from sgmverify.theory import Bound


def counted_suite(name: str, log: str) -> str:
    """A suite that appends a line to ``log`` each time it is imported (to count imports)."""
    return (
        HEADER
        + f"""
with open({log!r}, "a") as _fh:
    _fh.write("imported\\n")

SUITE = Suite("{name}", "counted suite {name}", [
    Theorem("{name}.formula", "a formula", REF,
            Bound("C*sqrt(second_moment)/n + Max(0, x)", "upper", "err"), one,
            assumptions=[Assumption("positive", "x > 0", positive)],
            scenarios=[Scenario("a", params={{"x": 1.0, "C": 1.0, "second_moment": 4.0, "n": 2.0}}),
                       Scenario("slow", params={{"x": 2.0, "C": 1.0, "second_moment": 4.0, "n": 2.0}},
                                quick=False)]),
])
"""
    )


@pytest.fixture
def env(tmp_path, monkeypatch):
    """An empty cache folder, two counted suite files and a fresh in-process suite cache."""
    monkeypatch.setenv("SGMVERIFY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr("sgmverify.run._suites._SUITES", {})
    files = {}
    for name in ("alpha", "beta"):
        log = tmp_path / f"{name}.log"
        files[name] = (write(tmp_path, f"{name}_suite.py", counted_suite(name, str(log))), log)
    return files


def imports(env, name: str) -> int:
    log = env[name][1]
    return len(log.read_text().splitlines()) if log.exists() else 0


def forget_loaded(monkeypatch) -> None:
    """Drop the in-process suite cache (as a new ``sgmverify`` process would start)."""
    monkeypatch.setattr("sgmverify.run._suites._SUITES", {})


def test_index_records_and_reuse(env, monkeypatch):
    a = str(env["alpha"][0])
    (rec,) = suite_index([a], entry_points=False, package=None)
    assert imports(env, "alpha") == 1 and index_path().is_file()
    assert rec["name"] == "alpha" and rec["source"] == str(env["alpha"][0].resolve())
    (th,) = rec["theorems"]
    assert th["id"] == "alpha.formula" and th["provenance"] == "textbook" and th["expect"] == "holds"
    assert th["assumptions"] == [{"name": "positive", "description": "x > 0"}]
    assert th["scenarios"] == [{"name": "a", "quick": True}, {"name": "slow", "quick": False}]
    assert th["bound"]["symbols"] == ["C", "n", "second_moment", "x"]
    assert r"\mathrm{second\_moment}" in th["bound"]["latex"] and "second_moment" in th["bound"]["pretty"]
    # warm: nothing imported, the same records
    forget_loaded(monkeypatch)
    assert suite_index([a], entry_points=False, package=None) == [rec]
    assert imports(env, "alpha") == 1
    # any change to the file (or a sibling .py file) rebuilds that entry only
    write(env["alpha"][0].parent, "sibling_note.py", "X = 1\n")
    b = str(env["beta"][0])
    suite_index([a, b], entry_points=False, package=None)
    assert (imports(env, "alpha"), imports(env, "beta")) == (2, 1)
    forget_loaded(monkeypatch)
    suite_index([a, b], entry_points=False, package=None)
    assert (imports(env, "alpha"), imports(env, "beta")) == (2, 1)


def test_cli_metadata_commands_do_not_import(env, monkeypatch, capsys):
    a, b = (str(env[n][0]) for n in ("alpha", "beta"))
    assert cli.main(["list", "--suite", a, "--suite", b]) == 0  # builds the index: one import each
    first = capsys.readouterr().out
    assert "alpha.formula: a formula  (textbook)" in first and "(1 quick / 2 full checks)" in first
    forget_loaded(monkeypatch)
    assert cli.main(["list", "--suite", a, "--suite", b]) == 0
    assert capsys.readouterr().out == first
    code = cli.main(["bound", "alpha.formula", "--suite", a, "C=2", "second_moment=9", "n=3", "x=-1"])
    out = capsys.readouterr().out
    assert code == 0 and "value at C=2, n=3, second_moment=9, x=-1: 2" in out
    assert "second_moment" in out and "ₘ" not in out  # the name is printed as written
    assert (imports(env, "alpha"), imports(env, "beta")) == (1, 1)
    # --scenario needs the theorem's bound_params: only its suite is imported
    assert cli.main(["bound", "alpha.formula", "--scenario", "a", "--suite", a, "--suite", b]) == 0
    assert "value at C=1, n=2, second_moment=4, x=1: 2" in capsys.readouterr().out
    assert (imports(env, "alpha"), imports(env, "beta")) == (2, 1)


def test_run_k_imports_only_matching_suites(env, monkeypatch, tmp_path, capsys):
    a, b = (str(env[n][0]) for n in ("alpha", "beta"))
    suite_index([a, b], entry_points=False, package=None)
    forget_loaded(monkeypatch)
    out = tmp_path / "out"
    code = cli.main(["run", "--suite", a, "--suite", b, "-k", "beta.", "--out", str(out), "--no-figures"])
    assert code == 0, capsys.readouterr()
    assert (imports(env, "alpha"), imports(env, "beta")) == (1, 2)
    report = json.loads((out / "report.json").read_text())
    assert {r["check_id"] for r in report["results"]} == {"beta.formula[a]"}
    # the selection also looks at full-mode scenarios and suite names
    forget_loaded(monkeypatch)
    assert [s.name for s in select_suites([a, b], False, None, select="slow and alpha")] == ["alpha"]
    assert select_suites([a, b], False, None, select="nothing_matches") == []


def test_corrupt_index_is_rebuilt_with_a_warning_and_never_executed(env, monkeypatch, tmp_path):
    a = str(env["alpha"][0])
    (rec,) = suite_index([a], entry_points=False, package=None)
    path = index_path()
    for junk in (b"\x00\xff not json", b'{"format": "other"}', b"[1, 2]"):
        path.write_bytes(junk)
        forget_loaded(monkeypatch)
        with pytest.warns(SuiteIndexWarning, match="rebuilding"):
            assert suite_index([a], entry_points=False, package=None) == [rec]
        json.loads(path.read_text())  # rewritten whole
    # a tampered entry: code in place of a bound is refused (never evaluated), and an entry of the wrong
    # shape is rebuilt
    marker = tmp_path / "pwned"
    data = json.loads(path.read_text())
    (entry,) = data["entries"].values()
    evil = f"__import__('os').system('touch {marker}')"
    entry["suite"]["theorems"][0]["bound"]["srepr"] = evil
    path.write_text(json.dumps(data))
    (tampered,) = suite_index([a], entry_points=False, package=None)
    with pytest.raises(SuiteError, match="not a sympy expression"):
        bound_expr(tampered["theorems"][0]["bound"])
    assert cli.main(["bound", "alpha.formula", "--suite", a, "C=1", "second_moment=1", "n=1", "x=1"]) == 0
    assert not marker.exists()
    entry["suite"]["theorems"] = "garbage"
    path.write_text(json.dumps(data))
    with pytest.warns(SuiteIndexWarning, match="corrupt entries"):
        assert suite_index([a], entry_points=False, package=None) == [rec]
    # a cache folder that cannot be written is not an error
    monkeypatch.setenv("SGMVERIFY_CACHE_DIR", str(env["alpha"][0]))  # a file: no folder can be made
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert suite_index([a], entry_points=False, package=None)[0]["name"] == "alpha"


@pytest.mark.parametrize(
    "expr",
    ["C*sqrt(d)/n", "sqrt((1 - m)**2*second_moment + sigma**2*d)", "exp(-t)*Max(1, D**2/4)/s**4",
     "log(1 + x)/pi + Abs(x - 3)", "tanh(x)*E + 0.1*x - 7/3", "erf(x)**2 + x**(-1/2)",
     "loggamma(x) + gamma(x) + Heaviside(x - 1)", "Min(x, 2)*atan(x)"],
)  # fmt: skip
def test_bound_evaluation_from_the_index_matches_bound_evaluate(expr):
    """The index's rebuilt expression and the fast math evaluator agree with Bound.evaluate (the
    reference) to 1e-13 relative: both compute the same float64 operations, possibly in another order."""
    from sgmverify.cli._inspect import _evaluate, _fast_evaluate

    b = Bound(expr, "upper", "q")
    values = {s: 0.5 + 0.37 * i for i, s in enumerate(b.symbols)}
    ref = b.evaluate(values)
    from sgmverify.run._index import _theorem_record

    th = _theorem_record(_FakeTheorem(b))
    assert bound_expr(th["bound"]) == b.expr
    assert math.isclose(_evaluate({}, th, None, values), ref, rel_tol=1e-13)
    fast = _fast_evaluate(th["bound"]["srepr"], values)
    assert fast is None or math.isclose(fast, ref, rel_tol=1e-13)


class _FakeTheorem:
    """Just what an index record reads from a theorem."""

    def __init__(self, bound):
        from sgmverify.theory import Provenance, Reference

        self.id, self.title, self.bound, self.expect, self.section = "x.y", "t", bound, "holds", ""
        self.reference = Reference("a", provenance=Provenance.TEXTBOOK)
        self.search, self.assumptions, self.scenarios = None, [], []


def test_bound_nan_and_errors_match_bound_evaluate(env, capsys):
    a = str(env["alpha"][0])
    code = cli.main(["bound", "alpha.formula", "--suite", a, "C=1", "second_moment=-1", "n=1", "x=1"])
    assert code == 1 and "NaN" in capsys.readouterr().err  # sqrt(-1): NaN, as Bound.evaluate says


def test_version_and_options_after_positionals(env, capsys):
    from sgmverify._version import __version__

    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"sgmverify {__version__}"
    a = str(env["alpha"][0])
    code = cli.main(["bound", "alpha.formula", "C=2", "--suite", a, "second_moment=9", "n=3", "x=1"])
    assert code == 0 and "value at C=2, n=3, second_moment=9, x=1: 3" in capsys.readouterr().out
    # the expression glue still works with the intermixed parse; usage errors still exit 2
    code = cli.main(["assumptions", "--density", "-x**2/2", "--check", "log-concave"])
    assert code == 0 and "HOLDS" in capsys.readouterr().out
    assert cli.main(["bound", "--suite", a]) == 2
    assert cli.main(["list", "--bogus"]) == 2


def test_help_of_suite_option_says_only():
    proc = subprocess.run(
        [sys.executable, "-m", "sgmverify.cli", "list", "--help"], capture_output=True, text=True, timeout=60
    )
    text = " ".join(proc.stdout.split())
    assert "only these suites, not the built-in ones" in text and "without --suite" in text


@pytest.mark.parametrize(
    "srepr",
    [
        "Pow(Integer(10), Integer(1000000000))",  # a huge literal
        "Pow(Pow(Integer(10), Integer(1000)), Integer(1000))",  # an integer power of a million digits
        "factorial(Integer(100000))",  # an eagerly evaluated combinatorial function
        "Add(" + ", ".join(["Symbol('x')"] * 6000) + ")",  # an oversized tree
    ],
)
def test_tampered_bound_that_would_hang_is_refused_quickly(srepr):
    """A tampered index entry whose sympy rebuild would compute for minutes is refused before it is built
    (without the guard the first two would hang this test rather than fail it)."""
    with pytest.raises(SuiteError, match=r"not a sympy expression|nodes"):
        bound_expr({"srepr": srepr})
