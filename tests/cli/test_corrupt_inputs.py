"""Corrupt input × the commands that read it: exit status 2, one error line, and nothing overwritten.

Every case starts from a good report folder (a real ``sgmverify run`` of a tiny suite: ``results.jsonl``,
``report.json``/``.md``/``.html``) and a good baseline, plants one corrupt input, runs the command
in-process (``sgmverify.cli.main``) and checks the exit status, that stderr is ONE ``sgmverify: error:``
line (no per-line warnings, no traceback), and that the good folder and baseline are byte-for-byte
unchanged.  Two subprocess tests run the real console script: one corrupt store, and two concurrent
``run`` on one ``--out`` (the second waits for the first and reuses its result).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from toys import HEADER, write

from sgmverify import cli

SUITE = (
    HEADER
    + """

SUITE = Suite("corrupt", "corrupt-input toy suite", [
    Theorem("corrupt.exact", "an exact true claim", REF, Bound("x + 1", "upper", "one"), one,
            assumptions=[Assumption("positive", "x > 0", positive)],
            scenarios=[Scenario("a", params={"x": 1.0})]),
    Theorem("corrupt.mc", "a Monte Carlo claim", REF, Bound("2", "upper", "mean"), mc,
            scenarios=[Scenario("a", seed=3)]),
    Theorem("corrupt.formula", "a formula", REF, Bound("m*sqrt(d)", "upper", "err"), one),
])
"""
)


def run(args, capsys):
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A good run folder and baseline, made once (copied by each test)."""
    root = tmp_path_factory.mktemp("good")
    suite = write(root, "corrupt_suite.py", SUITE)
    out = root / "run"
    code = cli.main(["run", "--suite", str(suite), "--out", str(out), "--jobs", "1", "--no-progress",
                     "--no-figures"])  # fmt: skip
    assert code == 0
    shutil.copyfile(out / "report.json", root / "baseline.json")
    return root


@pytest.fixture
def good(made, tmp_path, capsys):
    """``(folder, baseline, suite)``: a fresh copy of the good run folder, its baseline and the suite."""
    shutil.copytree(made, tmp_path / "w")
    capsys.readouterr()
    w = tmp_path / "w"
    return w / "run", w / "baseline.json", w / "corrupt_suite.py"


def snapshot(*paths: Path) -> dict[str, bytes]:
    """Every file under ``paths`` (files or folders) with its bytes (the lock file of a run excluded)."""
    files: dict[str, bytes] = {}
    for p in paths:
        for f in [p] if p.is_file() else sorted(p.rglob("*")):
            if f.is_file() and not f.name.endswith(".lock"):
                files[str(f)] = f.read_bytes()
    return files


def truncated_report(folder: Path) -> bytes:
    return (folder / "report.json").read_bytes()[:300]


#: Corrupt files, by kind: the unusable contents a store, report.json or baseline may have.
CORRUPT = {
    "garbage": lambda folder: b"garbage",
    "garbage-lines": lambda folder: b"garbage\nmore garbage\n",
    "truncated-json": lambda folder: b'{"check_id": "corrupt.exact[a]", "verd',
    "binary": lambda folder: bytes(range(256)) * 4,
    "null": lambda folder: b"null",
    "empty-object": lambda folder: b"{}",
    "empty-list": lambda folder: b"[]",
    "empty": lambda folder: b"",
    "whitespace": lambda folder: b"\n \n",
    "truncated-report": truncated_report,
    "foreign-json": lambda folder: b'{"hello": "world"}\n',
}


def one_error_line(err: str) -> bool:
    lines = err.strip().splitlines()
    return len(lines) == 1 and lines[0].startswith("sgmverify: error: ") and "Traceback" not in err


# ------------------------------------------------------------------------------------- the matrix
@pytest.mark.parametrize("kind", sorted(CORRUPT))
@pytest.mark.parametrize("where", ["store", "report.json", "elsewhere.jsonl", "elsewhere.json"])
def test_report_refuses_corrupt_input_and_writes_nothing(good, kind, where, capsys):
    folder, baseline, _ = good
    target = folder / "results.jsonl" if where == "store" else folder / where
    target.write_bytes(CORRUPT[kind](folder))
    before = snapshot(folder, baseline)
    code, out, err = run(["report", target], capsys)  # default --out: the folder holding target
    assert code == 2, out + err
    assert one_error_line(err), err
    assert str(target.name) in err
    assert snapshot(folder, baseline) == before


@pytest.mark.parametrize("kind", sorted(CORRUPT))
@pytest.mark.parametrize("side", ["baseline", "new", "both"])
def test_compare_refuses_corrupt_input(good, kind, side, tmp_path, capsys):
    folder, baseline, _ = good
    bad = tmp_path / "bad.json"
    bad.write_bytes(CORRUPT[kind](folder))
    before = snapshot(folder, baseline, bad)
    old, new = {
        "baseline": (bad, folder / "results.jsonl"),
        "new": (baseline, bad),
        "both": (bad, bad),
    }[side]
    code, out, err = run(["compare", old, new], capsys)
    assert code == 2, out + err
    assert one_error_line(err) and out == "", err
    assert "OK" not in out
    assert snapshot(folder, baseline, bad) == before


@pytest.mark.parametrize("kind", sorted(set(CORRUPT) - {"empty", "whitespace"}))
def test_run_refuses_a_store_that_is_not_one(good, kind, capsys):
    """A results.jsonl in --out with no readable record is not appended to, and no report is written."""
    folder, baseline, suite = good
    (folder / "results.jsonl").write_bytes(CORRUPT[kind](folder))
    before = snapshot(folder, baseline)
    args = ["run", "--suite", suite, "--out", folder, "--jobs", "1", "--no-progress", "--no-figures"]
    code, out, err = run(args, capsys)
    assert code == 2, out + err
    assert one_error_line(err) and "is not a results store" in err and "--out" in err, err
    assert snapshot(folder, baseline) == before
    code, out, err = run([*args, "--no-resume"], capsys)  # not even when nothing is reused
    assert code == 2 and snapshot(folder, baseline) == before


def test_report_of_a_directory_is_a_usage_error(good, capsys):
    folder, baseline, _ = good
    before = snapshot(folder, baseline, folder.parent)
    code, _, err = run(["report", folder], capsys)
    assert code == 2 and one_error_line(err) and "is a directory" in err and "results.jsonl" in err
    assert snapshot(folder, baseline, folder.parent) == before


def test_report_holding_no_results_writes_nothing(good, tmp_path, capsys):
    folder, baseline, _ = good
    empty = tmp_path / "empty-report.json"
    doc = json.loads((folder / "report.json").read_text())
    empty.write_text(json.dumps(doc | {"results": []}))
    before = snapshot(folder, baseline)
    code, _, err = run(["report", empty, "--out", folder], capsys)
    assert code == 2 and one_error_line(err) and "holds no results" in err
    code, out, err = run(["compare", empty, baseline], capsys)
    assert code == 2 and "compared 0 checks" not in out
    assert snapshot(folder, baseline) == before


def test_torn_lines_load_with_one_warning_line(good, capsys):
    """Some torn lines (a killed run): the good lines are reported, with one summary warning line."""
    folder, _, _ = good
    store = folder / "results.jsonl"
    lines = store.read_text().splitlines(keepends=True)
    store.write_text(lines[0] + "garbage\n" + lines[1] + lines[0][:40])
    code, _, err = run(["report", store, "--format", "json"], capsys)
    assert code == 0, err
    assert err.splitlines() == [
        f"warning: {store}: skipped 2 unreadable line(s) (line 2: Expecting value at column 1; "
        "line 4: torn last line of an interrupted run); those checks are left out."
    ]
    assert len(json.loads((folder / "report.json").read_text())["results"]) == 2


def test_compare_keeps_its_semantics_on_readable_runs(good, tmp_path, capsys):
    """Two readable runs: a HOLDS -> VIOLATED flip exits 1, no difference exits 0."""
    folder, baseline, _ = good
    doc = json.loads(baseline.read_text())
    doc["results"][0]["verdict"] = "VIOLATED"
    flipped = tmp_path / "flipped.json"
    flipped.write_text(json.dumps(doc))
    code, out, _ = run(["compare", baseline, flipped], capsys)
    assert code == 1 and "REGRESSION" in out and "HOLDS -> VIOLATED" in out
    code, out, _ = run(["compare", baseline, folder / "results.jsonl"], capsys)
    assert code == 0 and "compared 2 checks" in out and "OK" in out
    truncated = tmp_path / "truncated.json"  # the issue's own example: a truncated baseline
    truncated.write_bytes(baseline.read_bytes()[:500])
    code, out, err = run(["compare", truncated, flipped], capsys)
    assert code == 2 and out == "" and "not valid JSON" in err


# ------------------------------------------------------------------- command-line values of other commands
BAD_VALUES = ["nan", "abc", "__import__('os')", "", "1e", "zoo", "x"]


@pytest.mark.parametrize("value", BAD_VALUES)
def test_bound_refuses_non_numbers(good, value, capsys):
    folder, baseline, suite = good
    before = snapshot(folder, baseline)
    code, _, err = run(["bound", "corrupt.formula", f"m={value}", "d=4", "--suite", suite], capsys)
    assert code == 2 and one_error_line(err) and "value of m must be a number" in err
    assert snapshot(folder, baseline) == before


@pytest.mark.parametrize("density", ["nan", "zoo", "-oo", "__import__('os')", "x**(", "", "oo*x"])
def test_assumptions_refuses_bad_densities(good, density, capsys):
    folder, baseline, _ = good
    before = snapshot(folder, baseline)
    code, out, err = run(["assumptions", f"--density={density}"], capsys)
    assert code == 2 and one_error_line(err) and out == "", err
    assert snapshot(folder, baseline) == before


@pytest.mark.parametrize(
    "extra",
    [["--support", "nan", "1"], ["--support", "0", "abc"], ["--box", "__import__('os')", "1"],
     ["--m", "nan"], ["--L", "abc"], ["--k", "-1"]],
)  # fmt: skip
def test_assumptions_refuses_bad_numbers(good, extra, capsys):
    folder, baseline, _ = good
    before = snapshot(folder, baseline)
    code, _, err = run(["assumptions", "--density=-x**2", *extra], capsys)
    assert code == 2, err
    assert snapshot(folder, baseline) == before


# ----------------------------------------------------------------------------------- the real script
def _script() -> list[str]:
    exe = shutil.which("sgmverify")
    return [exe] if exe else [sys.executable, "-m", "sgmverify.cli"]


def test_console_script_corrupt_store(good):
    folder, baseline, _ = good
    (folder / "results.jsonl").write_bytes(b'{"check_id": "corrupt.exact[a]", "verd\n{"a": 1}\n')
    before = snapshot(folder, baseline)
    proc = subprocess.run([*_script(), "report", str(folder / "results.jsonl")], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 2 and proc.stdout == ""
    assert one_error_line(proc.stderr) and "none of its 2 lines is a result record" in proc.stderr
    assert snapshot(folder, baseline) == before


GATED = """
import time
from pathlib import Path
from sgmverify.theory import Bound, Provenance, Reference, Scenario, Suite, Theorem

GATE = Path({gate!r})


def gated(scenario, rng):
    with open(GATE / "ran.log", "a") as fh:  # one line per run of the check
        fh.write("ran\\n")
    for _ in range(1200):  # until the test opens the gate (at most 120 s)
        if (GATE / "go").exists():
            break
        time.sleep(0.1)
    time.sleep(1.0)
    return 1.0


SUITE = Suite("gated", "one slow check", [
    Theorem("gated.one", "slow", Reference("x", provenance=Provenance.TEXTBOOK), Bound("2", "upper", "one"),
            gated, scenarios=[Scenario("a")]),
])
"""


def _wait_for(predicate, what: str, procs, timeout: float = 120.0) -> None:
    t0 = time.monotonic()
    while not predicate():
        if time.monotonic() - t0 > timeout or any(p.poll() is not None for p in procs):
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def test_two_runs_on_one_store_the_second_waits_and_reuses(tmp_path):
    """Run A holds the store's lock while its check runs; run B says once that it waits, then reuses A's
    result: the check runs once in all."""
    gate = tmp_path / "gate"
    gate.mkdir()
    suite = write(tmp_path, "gated_suite.py", GATED.format(gate=str(gate)))
    out = tmp_path / "out"
    cmd = [*_script(), "run", "--suite", str(suite), "--out", str(out), "--jobs", "1", "--no-figures",
           "--no-progress"]  # fmt: skip
    logs = {name: (tmp_path / f"{name}.out", tmp_path / f"{name}.err") for name in "AB"}
    procs: dict[str, subprocess.Popen] = {}

    def start(name: str) -> None:
        o, e = logs[name]
        with open(o, "w") as fo, open(e, "w") as fe:
            procs[name] = subprocess.Popen(cmd, stdout=fo, stderr=fe, text=True)

    try:
        start("A")
        _wait_for(lambda: (gate / "ran.log").exists(), "run A to start its check", procs.values())
        start("B")
        _wait_for(lambda: "waiting" in logs["B"][1].read_text(), "run B to wait", procs.values())
    finally:
        (gate / "go").touch()
        codes = {name: p.wait(timeout=120) for name, p in procs.items()}
    out_a, out_b = (logs[n][0].read_text() for n in "AB")
    err_b = logs["B"][1].read_text()
    assert codes == {"A": 0, "B": 0}, out_a + out_b + err_b
    assert (gate / "ran.log").read_text() == "ran\n"  # the check ran once
    assert "1 checks (1 run, 0 reused" in out_a
    assert "1 checks (0 run, 1 reused" in out_b
    assert err_b.count("waiting") == 1 and str(out / "results.jsonl.lock") in err_b
    assert len((out / "results.jsonl").read_text().splitlines()) == 1
