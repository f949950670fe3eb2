"""Tests of the ``sgmverify`` command line (in-process through ``cli.main``, once as a subprocess)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
from toys import HEADER, write

from sgmverify import cli
from sgmverify.errors import StoreError
from sgmverify.run import ResultsStore
from sgmverify.theory import Result, Verdict

SUITE = (
    HEADER
    + """

SUITE = Suite("clitoy", "CLI toy suite", [
    Theorem("clitoy.exact", "an exact true claim", REF, Bound("x + 1", "upper", "one"), one,
            assumptions=[Assumption("positive", "x > 0", positive)],
            scenarios=[Scenario("a", params={"x": 1.0}), Scenario("neg", params={"x": -1.0})]),
    Theorem("clitoy.negctl", "a false claim", REF, Bound("1/2", "upper", "one"), one, expect="violated",
            scenarios=[Scenario("a")]),
    Theorem("clitoy.mc", "a Monte Carlo claim", REF, Bound("2", "upper", "mean"), mc,
            scenarios=[Scenario("a", seed=3)]),
    Theorem("clitoy.raises", "raises", REF, Bound("1", "upper", "q"), boom, scenarios=[Scenario("a")]),
    Theorem("clitoy.formula", "a formula", REF, Bound("C*sqrt(d)/n", "upper", "err"), one),
])
"""
)

MISSED = """
from sgmverify.theory import Bound, Provenance, Reference, Scenario, Suite, Theorem

def one(scenario, rng):
    return 1.0

SUITE = Suite("missed", "undetected negative control", [
    Theorem("missed.neg", "not caught", Reference("x", provenance=Provenance.TEXTBOOK),
            Bound("2", "upper", "one"), one, expect="violated", scenarios=[Scenario("a")]),
])
"""

GOOD = "not raises"  # -k selecting the checks that behave as expected


@pytest.fixture
def suite_file(tmp_path):
    return str(write(tmp_path, "clitoy_suite.py", SUITE))


@pytest.fixture
def fake_report(monkeypatch):
    """A stand-in for sgmverify.report that records its calls and writes a minimal report.json."""
    calls: list[dict] = []

    def write_reports(results, out_dir, formats=("json", "md", "html"), meta=None, figures=()):
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        calls.append({"n": len(results), "out": out, "formats": tuple(formats), "meta": meta})
        path = out / "report.json"
        path.write_text(json.dumps({"results": [r.to_dict() for r in results], "meta": meta}))
        return {"json": path}

    def load_results(path):
        raise ImportError("use the fallback reader")

    mod = types.ModuleType("sgmverify.report")
    mod.write_reports, mod.load_results = write_reports, load_results
    mod.__path__ = [str(Path(cli.__file__).parents[1] / "report")]  # its submodules (atomic) stay real
    monkeypatch.setitem(sys.modules, "sgmverify.report", mod)
    return calls


def run(args, capsys):
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_help_subprocess():
    exe = shutil.which("sgmverify")
    cmd = [exe, "--help"] if exe else [sys.executable, "-m", "sgmverify.cli", "--help"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for word in ("list", "run", "report", "compare", "bound", "assumptions"):
        assert word in proc.stdout


def test_python_dash_m_and_light_parser():
    """``python -m sgmverify.cli`` works, and building the parser imports no numerical library."""
    cmd = [sys.executable, "-m", "sgmverify.cli", "falsify", "--help"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "--budget" in proc.stdout
    heavy = "('numpy', 'scipy', 'sympy', 'torch')"
    code = (
        "import sys, sgmverify.cli as c; c.build_parser(); "
        f"print(sorted(m for m in {heavy} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
    assert sorted(cli.__all__) == ["build_parser", "main", "summary_table"]


def test_usage_errors_exit_2(tmp_path, suite_file, capsys, fake_report, monkeypatch):
    monkeypatch.setattr(
        "sgmverify.run._suites.DEFAULT_PACKAGE", None
    )  # no lookup of suite names in proofs_checks
    out = tmp_path / "out"
    assert run([], capsys)[0] == 2
    assert run(["bogus"], capsys)[0] == 2
    assert run(["run", "--jobs", "0"], capsys)[0] == 2
    assert run(["run", "--quick", "--full"], capsys)[0] == 2
    code, _, err = run(["run", "--suite", tmp_path / "nope.py", "--out", out], capsys)
    assert code == 2 and "nope.py" in err
    code, _, err = run(["run", "--suite", suite_file, "--out", out, "-k", "exact and"], capsys)
    assert code == 2 and "-k expression" in err
    code, _, err = run(["bound", "clitoy.exactt", "--suite", suite_file], capsys)
    assert code == 2 and "unknown theorem" in err and "clitoy.exact" in err
    code, _, err = run(["assumptions", "clitoy.exact", "--scenario", "zz", "--suite", suite_file], capsys)
    assert code == 2 and "no scenario 'zz'" in err
    assert run(["compare", tmp_path / "a.json", tmp_path / "b.json"], capsys)[0] == 2
    code, _, err = run(["run", "--suite", suite_file, "--out", out, "--full", "--update-baseline"], capsys)
    assert code == 2 and "--update-baseline" in err


def test_list(suite_file, capsys):
    code, out, _ = run(["list", "--suite", suite_file], capsys)
    assert code == 0
    assert "clitoy — CLI toy suite" in out and "(5 quick / 5 full checks)" in out
    assert "clitoy.exact: an exact true claim  (textbook)" in out
    assert "assumes positive: x > 0" in out and "[negative control]" in out
    assert "Textbook, “facts”, eq. 1 [textbook]" in out


def test_run_exit_codes_summary_and_resume(tmp_path, suite_file, capsys, fake_report):
    out = tmp_path / "out"
    code, stdout, err = run(["run", "--suite", suite_file, "--out", out, "-k", GOOD, "--jobs", "1"], capsys)
    assert code == 0, stdout + err
    assert "[1/4] clitoy.exact[a]: HOLDS (" in err
    row = next(line for line in stdout.splitlines() if line.startswith("clitoy "))
    # holds violated inconcl. assum.fail error neg.detected neg.missed
    assert row.split()[1:] == ["2", "0", "0", "1", "0", "1", "0"]
    assert "4 checks (4 run, 0 reused" in stdout
    assert fake_report[-1]["n"] == 4 and fake_report[-1]["out"] == out
    assert fake_report[-1]["meta"]["mode"] == "quick"
    assert len((out / "results.jsonl").read_text().splitlines()) == 4
    # the full selection includes the check that raises: exit 1, and the stored results are reused
    code, stdout, _ = run(["run", "--suite", suite_file, "--out", out, "--jobs", "2"], capsys)
    assert code == 1
    assert "5 checks (1 run, 4 reused" in stdout
    assert "NOT AS EXPECTED  clitoy.raises[a]: ERROR — ValueError: boom in measure" in stdout
    code, stdout, _ = run(["run", "--suite", suite_file, "--out", out, "-k", "nothing_matches"], capsys)
    assert code == 1


def test_missed_negative_control_and_broken_suite_exit_1(tmp_path, suite_file, capsys, fake_report):
    missed = write(tmp_path, "missed_suite.py", MISSED)
    out = tmp_path / "out"
    code, stdout, _ = run(["run", "--suite", missed, "--out", out, "--jobs", "1"], capsys)
    assert code == 1 and "NOT AS EXPECTED  missed.neg[a]: HOLDS" in stdout
    broken = tmp_path / "broken_suite.py"
    broken.write_text("def f(:\n")
    code, stdout, err = run(
        ["run", "--suite", broken, "--suite", suite_file, "-k", GOOD, "--out", out], capsys
    )
    assert code == 1
    assert "broken_suite.py" in err and "SyntaxError" in err
    assert "4 checks (4 run" in stdout  # the other suite still ran


def test_unwritable_out_and_full_disk(tmp_path, suite_file, capsys, fake_report, monkeypatch):
    (tmp_path / "file").write_text("")
    code, _, err = run(["run", "--suite", suite_file, "--out", tmp_path / "file" / "sub"], capsys)
    assert code == 1 and "cannot write to the output directory" in err
    out = tmp_path / "out"
    assert run(["run", "--suite", suite_file, "--out", out, "-k", GOOD, "--jobs", "1"], capsys)[0] == 0
    before = (out / "results.jsonl").read_text()

    def full(self, result):
        raise StoreError(f"could not write the results store {self.path}: No space left on device")

    monkeypatch.setattr(ResultsStore, "append", full)
    code, _, err = run(["run", "--suite", suite_file, "--out", out, "--no-resume", "--jobs", "1"], capsys)
    assert code == 1 and "No space left on device" in err
    assert (out / "results.jsonl").read_text() == before


def test_update_baseline_and_report_command(tmp_path, suite_file, capsys, fake_report):
    out, base = tmp_path / "out", tmp_path / "reports" / "baseline.json"
    good = tmp_path / "good_suite.py"  # a baseline comes from an unfiltered run: drop the raising check
    good.write_text(Path(suite_file).read_text().replace('Theorem("clitoy.raises"', '# Theorem("'))
    args = ["run", "--suite", good, "--out", out, "--jobs", "1"]
    assert run([*args, "-k", "exact", "--update-baseline", "--baseline", base], capsys)[0] == 2
    code, stdout, _ = run([*args, "--update-baseline", "--baseline", base], capsys)
    assert code == 0 and f"baseline updated: {base}" in stdout
    assert base.read_bytes() == (out / "report.json").read_bytes()
    code, stdout, _ = run(
        ["report", out / "results.jsonl", "--format", "md", "--out", tmp_path / "r"], capsys
    )
    assert code == 0 and fake_report[-1]["formats"] == ("md",) and fake_report[-1]["n"] == 4


def _load_lines(path):
    return [Result.from_dict(json.loads(line)) for line in Path(path).read_text().splitlines()]


def test_compare_command_detects_planted_regression(tmp_path, suite_file, capsys, fake_report):
    out = tmp_path / "out"
    assert run(["run", "--suite", suite_file, "--out", out, "-k", GOOD, "--jobs", "1"], capsys)[0] == 0
    store = out / "results.jsonl"
    code, stdout, _ = run(["compare", store, out / "report.json"], capsys)
    assert code == 0 and "compared 4 checks" in stdout and "OK" in stdout
    results = _load_lines(store)
    for r in results:
        if r.check_id == "clitoy.exact[a]":
            r.verdict = Verdict.VIOLATED
        if r.check_id == "clitoy.mc[a]":
            r.ratio *= 1.2
    new = tmp_path / "new.jsonl"
    new.write_text("".join(json.dumps(r.to_dict()) + "\n" for r in results))
    code, stdout, _ = run(["compare", store, new], capsys)
    assert code == 1
    assert "REGRESSION clitoy.exact[a]: HOLDS -> VIOLATED" in stdout
    assert "clitoy.mc[a]:" in stdout and "+20.0%" in stdout
    assert run(["compare", store, new, "--ratio-rtol", "0.5"], capsys)[0] == 1  # the flip remains


def test_bound_command(suite_file, capsys):
    code, out, _ = run(["bound", "clitoy.formula", "C=2", "d=4", "n=8", "--suite", suite_file], capsys)
    assert code == 0
    assert "√" in out and r"LaTeX: \frac{C \sqrt{d}}{n}" in out and "symbols: C, d, n" in out
    assert "value at C=2, d=4, n=8: 0.5" in out
    code, out, err = run(["bound", "clitoy.formula", "C=2", "--suite", suite_file], capsys)
    assert code == 2 and "['d', 'n']" in err and "d=... n=..." in err
    code, out, _ = run(["bound", "clitoy.formula", "--suite", suite_file], capsys)
    assert code == 0 and "to evaluate it: sgmverify bound clitoy.formula C=... d=... n=..." in out
    code, out, _ = run(["bound", "clitoy.exact", "--scenario", "a", "--suite", suite_file], capsys)
    assert code == 0 and "value at x=1: 2" in out
    assert run(["bound", "clitoy.formula", "C=two", "d=1", "n=1", "--suite", suite_file], capsys)[0] == 2
    code, out, _ = run(["bound", "clitoy.formula", "C=pi", "d=1", "n=1", "--suite", suite_file], capsys)
    assert code == 0 and "3.14159" in out


def test_assumptions_command(suite_file, capsys):
    code, out, _ = run(["assumptions", "clitoy.exact", "--suite", suite_file], capsys)
    assert code == 0
    assert "scenario a:\n  HOLDS    positive [numeric]" in out
    assert "scenario neg:\n  FAILS    positive [numeric]" in out
    code, out, _ = run(["assumptions", "clitoy.mc", "--suite", suite_file], capsys)
    assert code == 0 and "no assumptions" in out


def test_dask_not_installed_is_a_clear_error(tmp_path, suite_file, capsys, fake_report, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    code, _, err = run(["run", "--suite", suite_file, "--out", tmp_path / "o", "--dask", "local"], capsys)
    assert code == 1 and "pip install 'sgmverify[dask]'" in err


def test_real_reports_roundtrip(tmp_path, suite_file, capsys):
    pytest.importorskip("sgmverify.report")
    out = tmp_path / "out"
    code, stdout, _ = run(["run", "--suite", suite_file, "--out", out, "-k", "exact", "--jobs", "1"], capsys)
    assert code == 0 and (out / "report.json").is_file()
    code, stdout, _ = run(["compare", out / "report.json", out / "results.jsonl"], capsys)
    assert code == 0, stdout


# ----------------------------------------------------------------- assumptions --density / --mixture
def test_assumptions_density_table_and_exit_codes(capsys):
    code, out, _ = run(
        ["assumptions", "--density=-x**4/4 - x**2/2", "--check", "strongly-log-concave", "--m", "1"], capsys
    )
    assert code == 0 and "HOLDS" in out and "[proved]" in out
    code, out, _ = run(["assumptions", "--density=-x**4/4 + x**2/2", "--check", "log-concave"], capsys)
    assert code == 1 and "FAILS" in out and "counterexample" in out
    code, out, _ = run(
        ["assumptions", "--density=-x**2/2 - log(cosh(x))", "--check", "log-concave", "--m", "1"], capsys
    )
    assert code == 0 and "UNKNOWN" in out


def test_assumptions_density_json_and_support(capsys):
    code, out, _ = run(
        ["assumptions", "--density", "x", "--support", "0", "1", "--check",
         "bounded-support,density-bounds,smooth", "--L", "1", "--json"], capsys,
    )  # fmt: skip
    data = json.loads(out)
    assert code == 0 and [r["kind"] for r in data["results"]] == [
        "bounded-support",
        "density-bounds",
        "smooth",
    ]
    assert all(r["status"] == "holds" and r["evidence"] == "proved" for r in data["results"])


def test_assumptions_mixture(tmp_path, capsys):
    spec = tmp_path / "mix.json"
    spec.write_text(json.dumps({"weights": [0.5, 0.5], "means": [[-3.0], [3.0]], "covs": [[[1.0]], [[1.0]]]}))
    code, out, _ = run(["assumptions", "--mixture", str(spec), "--json"], capsys)
    res = {r["kind"]: r for r in json.loads(out)["results"]}
    assert code == 1 and res["log-concave"]["status"] == "fails" and res["log-concave"]["point"] is not None
    spec.write_text("{not json")
    code, _, err = run(["assumptions", "--mixture", str(spec)], capsys)
    assert code == 2 and "mixture spec" in err


def test_assumptions_density_usage_errors(capsys):
    code, _, err = run(["assumptions", "--density=-x**2 + y"], capsys)
    assert code == 2 and "free symbols" in err
    code, _, err = run(["assumptions", "--density=x**(", "--check", "log-concave"], capsys)
    assert code == 2 and "parse" in err
    code, _, err = run(["assumptions", "--density=-x**2", "--check", "smooth"], capsys)
    assert code == 2 and "--L" in err
    code, _, err = run(["assumptions", "--density=-x**2", "--check", "bogus"], capsys)
    assert code == 2 and "unknown check" in err
    code, _, err = run(["assumptions"], capsys)
    assert code == 2 and "THEOREM_ID" in err


# =====================================================================================================
# assumptions: 2-3-D densities (--vars/--box-for), Hölder (--check holder), --theorem alias
# =====================================================================================================
BOX2 = ["--box-for", "x", "-3", "3", "--box-for", "y", "-3", "3"]


def test_assumptions_2d_density_exit_codes(capsys):
    code, out, _ = run(
        ["assumptions", "--density=-x**2 - y**2 - x**4", "--vars", "x,y", *BOX2, "--m", "1"], capsys
    )
    assert code == 0 and "HOLDS" in out and "proved" in out and "box only" in out
    code, out, _ = run(["assumptions", "--density=-x**2 + y**2", "--vars", "x,y", *BOX2, "--json"], capsys)
    r = json.loads(out)["results"][0]
    assert code == 1 and (r["status"], r["evidence"]) == ("fails", "counterexample") and len(r["point"]) == 2
    box3 = [*BOX2, "--box-for", "z", "-1", "1"]
    code, out, _ = run(
        ["assumptions", "--density=-(y**2 + 4*y*z + z**2)/2", "--vars", "x,y,z", *box3], capsys
    )
    assert code == 1 and "FAILS" in out


def test_assumptions_2d_usage_errors(capsys):
    code, _, err = run(
        ["assumptions", "--density=-x**2 - y**2", "--vars", "x,y", "--box-for", "x", "0", "1"], capsys
    )
    assert code == 2 and "--box-for" in err
    code, _, err = run(["assumptions", "--density=-x**2", "--vars", "x"], capsys)
    assert code == 2 and "--vars" in err
    code, _, err = run(["assumptions", "--density=-x**2", "--box-for", "x", "0", "1"], capsys)
    assert code == 2 and "--vars" in err


def test_assumptions_holder_cli(capsys):
    base = ["assumptions", "--density=-x**2", "--support", "-1", "1", "--check", "holder", "--beta", "0.5"]
    code, out, _ = run([*base, "--C", "1.5"], capsys)
    assert code == 0 and "HOLDS" in out and "[proved]" in out
    code, out, _ = run(["assumptions", "--density=3*log(Abs(x))/10", "--support", "-1", "1", "--check",
                        "holder", "--beta", "0.5", "--C", "1"], capsys)  # fmt: skip
    assert code == 1 and "counterexample" in out
    code, _, err = run(base, capsys)
    assert code == 2 and "--C" in err


def test_assumptions_theorem_option_alias(capsys):
    suite = ["--suite", "proofs_checks.gaussian_basics"]
    code, out, _ = run(
        ["assumptions", *suite, "--theorem", "basics.coupling_w2", "--scenario", "VP-d1-t0.001"], capsys
    )
    code2, out2, _ = run(["assumptions", *suite, "basics.coupling_w2", "--scenario", "VP-d1-t0.001"], capsys)
    assert code == code2 == 0 and out == out2 and "scenario VP-d1-t0.001" in out
    code, _, err = run(["assumptions", *suite, "basics.coupling_w2", "--theorem", "basics.other"], capsys)
    assert code == 2 and "two theorem ids" in err


def test_density_starting_with_minus_needs_no_equals_sign(capsys):
    """The issue's own example: `--density "-x**4/4 - x**2/2"` (argparse alone would read it as an option)."""
    rc = cli.main(
        ["assumptions", "--density", "-x**4/4 - x**2/2", "--var", "x", "--check", "log-concave", "--m", "1"]
    )
    out = capsys.readouterr().out
    assert rc == 0 and "HOLDS" in out and "proved" in out


def test_cli_strings_are_never_evaluated(tmp_path, suite_file, capsys):
    """Hardening S1: numeric values and --density go through the whitelist parser, nothing is eval'd."""
    marker = tmp_path / "pwned"
    touch = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    code, _, err = run(["bound", "clitoy.formula", f"C={touch}", "d=1", "n=1", "--suite", suite_file], capsys)
    assert code == 2 and "value of C must be a number" in err
    code, _, err = run(["assumptions", f"--density=-x**2 + 0*{touch}"], capsys)
    assert code == 2 and "not allowed" in err
    assert not marker.exists()


@pytest.mark.parametrize("density", ["nan", "zoo", "-oo"])
def test_non_finite_density_exits_2_with_one_line(density, capsys):
    code, out, err = run(["assumptions", f"--density={density}"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "non-finite" in err


def test_update_baseline_is_atomic(tmp_path, suite_file, capsys, fake_report, monkeypatch):
    """--update-baseline replaces the baseline atomically: a failed write keeps the old one whole."""
    out, base = tmp_path / "out", tmp_path / "reports" / "baseline.json"
    good = tmp_path / "good_suite.py"
    good.write_text(Path(suite_file).read_text().replace('Theorem("clitoy.raises"', '# Theorem("'))
    args = ["run", "--suite", good, "--out", out, "--jobs", "1", "--update-baseline", "--baseline", base]
    base.parent.mkdir()
    base.write_bytes(b"the old baseline")

    def fail(src, dst):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(os, "replace", fail)  # the fake write_reports does not use it
    code, _, err = run(args, capsys)
    assert code == 1 and err.lower().count("operation not permitted") == 1 and "baseline.json" in err
    assert base.read_bytes() == b"the old baseline" and sorted(p.name for p in base.parent.iterdir()) == [
        "baseline.json"
    ]
    monkeypatch.undo()
    code, _, _ = run(args, capsys)
    assert code == 0 and base.read_bytes() == (out / "report.json").read_bytes()


def test_report_and_compare_read_errors_exit_2(tmp_path, capsys):
    (tmp_path / "garbage.jsonl").write_text("garbage\n")
    code, out, err = run(["report", tmp_path / "garbage.jsonl"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "none of its 1 line" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["garbage.jsonl"]
    code, _, err = run(["report", tmp_path], capsys)
    assert code == 2 and "is a directory" in err
    code, out, err = run(["compare", tmp_path / "garbage.jsonl", tmp_path / "garbage.jsonl"], capsys)
    assert code == 2 and "compared 0 checks" not in out and err.startswith("sgmverify: error: baseline: ")
