"""Tests of sgmverify.report: JSON round trip, loading, atomicity, Markdown, HTML, figures."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from sgmverify.errors import InvalidParameterError, ResultsFormatError, StoreError
from sgmverify.estimates import Estimate
from sgmverify.report import SCHEMA_VERSION, atomic as atomic_mod, load_results, summarize, write_reports
from sgmverify.report.plots import plot_theorem, sweep_params
from sgmverify.run import run_check
from sgmverify.theory import (
    Assumption,
    AssumptionResult,
    Bound,
    Check,
    Provenance,
    Reference,
    Result,
    Scenario,
    Theorem,
    Verdict,
)

XSS = "<script>alert('x')</script>"


# ----------------------------------------------------------------------------------------- tiny theorems
def measure_half_rate(scenario: Scenario, rng) -> Estimate:
    """C/(2n) with a CI of ±10%: well under the bound C/n."""
    v = scenario.params["C"] / (2 * scenario.params["n"])
    return Estimate(v, 0.9 * v, 1.1 * v, level=0.95, n=100, method="test")


def measure_product(scenario: Scenario, rng) -> float:
    """Exact a*b*(1 + (a-b)/10): above the bound a*b where a > b."""
    a, b = scenario.params["a"], scenario.params["b"]
    return a * b * (1 + (a - b) / 10)


def measure_one(scenario: Scenario, rng) -> float:
    return 1.0 + scenario.params.get("eps", 0.0)


def measure_raises(scenario: Scenario, rng) -> float:
    raise ValueError(f"measurement blew up {XSS}\nsecond line")


def assume_fails(scenario: Scenario) -> AssumptionResult:
    return AssumptionResult("log-concave", "fails", f"m = -1 < 0 {XSS}", evidence="symbolic")


def assume_holds(scenario: Scenario) -> AssumptionResult:
    return AssumptionResult("smooth", "holds", "L = 1", evidence="by construction")


def ref(prov: Provenance) -> Reference:
    return Reference("Doe & Roe", "A paper", "2301.00001", "Thm 1", prov)


def make_theorems() -> list[tuple[str, Theorem]]:
    sweep = Theorem(
        id="t.sweep",
        title="Rate in n",
        reference=ref(Provenance.VERIFIED),
        bound=Bound("C/n", "upper", "W2(law, data)", params=["C", "n"]),
        measure=measure_half_rate,
        assumptions=[Assumption("smooth", "L-smooth", assume_holds)],
        scenarios=[Scenario(f"n{n}", params={"C": 2.0, "n": n}, sweep=("n",)) for n in (10, 20, 40, 80)],
    )
    grid = Theorem(
        id="t.grid",
        title="Product bound",
        reference=ref(Provenance.DERIVED),
        bound=Bound("a*b", "upper", "product", params=["a", "b"]),
        measure=measure_product,
        scenarios=[
            Scenario(f"a{a}b{b}", params={"a": a, "b": b}, sweep=("a", "b"))
            for a in (1.0, 2.0, 3.0)
            for b in (1.0, 2.0, 3.0)
        ],
    )
    auto = Theorem(  # no declared sweep: the one varying numeric param is found
        id="t.auto",
        title="Auto-detected sweep",
        reference=ref(Provenance.RECONSTRUCTED),
        bound=Bound("1 + eps", "equal", "one plus eps", params=["eps"], rtol=1e-6),
        measure=measure_one,
        scenarios=[Scenario(f"e{k}", params={"eps": 10.0**-k, "label": "x"}) for k in (1, 2, 3)],
    )
    control = Theorem(
        id="t.control",
        title="False statement 1 <= 1/2",
        reference=ref(Provenance.TEXTBOOK),
        bound=Bound("1/2", "upper", "one"),
        measure=measure_one,
        expect="violated",
        scenarios=[Scenario("caught")],
    )
    missed = Theorem(
        id="t.missed",
        title="Weak false statement 1 <= 2",
        reference=ref(Provenance.TEXTBOOK),
        bound=Bound("2", "upper", "one"),
        measure=measure_one,
        expect="violated",
        scenarios=[Scenario("not caught")],
    )
    error = Theorem(
        id="t.error",
        title="Broken measurement",
        reference=ref(Provenance.SECONDARY),
        bound=Bound("1", "upper", "x"),
        measure=measure_raises,
        scenarios=[Scenario("boom")],
    )
    af = Theorem(
        id="t.af",
        title="Hypothesis fails",
        reference=ref(Provenance.NOT_FOUND),
        bound=Bound("1", "upper", "x"),
        measure=measure_one,
        assumptions=[Assumption("log-concave", "strongly log-concave", assume_fails)],
        scenarios=[Scenario("nonconvex")],
    )
    return [("alpha", sweep), ("alpha", grid), ("alpha", auto), ("beta", control), ("beta", missed),
            ("beta", error), ("beta", af)]  # fmt: skip


def make_results() -> list[Result]:
    out = []
    for suite, th in make_theorems():
        for check in th.checks("full"):
            r = run_check(check, {"sgmverify": "test"})
            r.suite = suite
            out.append(r)
    return out


@pytest.fixture(scope="module")
def results() -> list[Result]:
    return make_results()


@pytest.fixture(scope="module")
def report_dir(results, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report")
    meta = {
        "mode": "quick",
        "elapsed_s": 1.25,
        "suites": [{"name": "alpha", "title": "Alpha paper", "source": "x.py"}],
        "suite_errors": ["proofs_checks.broken: ImportError <b>bold</b>"],
    }
    write_reports(results, out, meta=meta)
    return out


def by_check(results: list[Result]) -> dict[str, Result]:
    return {r.check_id: r for r in results}


# ----------------------------------------------------------------------------------------- the fixture itself
def test_fixture_has_every_kind_of_verdict(results):
    verdicts = {r.check_id: r.verdict for r in results}
    assert verdicts["t.sweep[n10]"] is Verdict.HOLDS
    assert Verdict.VIOLATED in {verdicts[f"t.grid[a3.0b{b}]"] for b in (1.0, 2.0)}
    assert verdicts["t.control[caught]"] is Verdict.VIOLATED
    assert verdicts["t.missed[not caught]"] is Verdict.HOLDS
    assert verdicts["t.error[boom]"] is Verdict.ERROR
    assert verdicts["t.af[nonconvex]"] is Verdict.ASSUMPTIONS_FAIL


# ----------------------------------------------------------------------------------------- JSON
def test_json_round_trip(results, report_dir):
    loaded = load_results(report_dir / "report.json")
    assert [r.to_dict() for r in loaded] == [r.to_dict() for r in results]
    doc = json.loads((report_dir / "report.json").read_text())
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["meta"]["mode"] == "quick" and doc["meta"]["elapsed_s"] == 1.25
    assert "created" in doc["meta"] and doc["meta"]["versions"] == {"sgmverify": "test"}
    assert doc["summary"] == json.loads(json.dumps(summarize(results)))


def test_json_is_strict_with_non_finite_numbers(tmp_path, results):
    r = Result.from_dict(results[0].to_dict())
    r.measured = Estimate(1.0, float("nan"), float("nan"))
    r.bound_value, r.ratio = float("inf"), None
    write_reports([r], tmp_path, formats=("json",))
    text = (tmp_path / "report.json").read_text()
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))
    back = load_results(tmp_path / "report.json")[0]
    assert back.bound_value == float("inf") and back.measured.value == 1.0


def test_schema_version_checks(tmp_path, report_dir):
    doc = json.loads((report_dir / "report.json").read_text())
    doc["schema_version"] = "1.7"  # newer minor: fine
    (tmp_path / "minor.json").write_text(json.dumps(doc))
    assert len(load_results(tmp_path / "minor.json")) == len(doc["results"])
    doc["schema_version"] = "2.0"
    (tmp_path / "major.json").write_text(json.dumps(doc))
    with pytest.raises(StoreError, match=r"newer than this sgmverify.*upgrade"):
        load_results(tmp_path / "major.json")
    (tmp_path / "other.json").write_text(json.dumps({"hello": 1}))
    with pytest.raises(StoreError, match="not an sgmverify report"):
        load_results(tmp_path / "other.json")
    with pytest.raises(StoreError, match="no such results file"):
        load_results(tmp_path / "missing.json")


def test_jsonl_store_with_torn_last_line(tmp_path, results):
    lines = [json.dumps(r.to_dict()) for r in results[:3]]
    store = tmp_path / "results.jsonl"
    store.write_text("\n".join(lines) + "\n" + lines[3 % len(lines)][:37])
    with pytest.warns(UserWarning, match="torn last line"):
        loaded = load_results(store)
    assert [r.to_dict() for r in loaded] == [r.to_dict() for r in results[:3]]
    with pytest.warns(UserWarning, match="torn"):  # a directory resolves to its store
        assert len(load_results(tmp_path)) == 3


def test_jsonl_torn_middle_line_and_dedupe(tmp_path, results):
    good = [json.dumps(r.to_dict()) for r in results[:2]]
    resumed = tmp_path / "resumed.jsonl"  # the runner appends after a torn line on resume
    resumed.write_text(good[0] + "\n" + good[1][:50] + "\n" + good[1] + "\n")
    with pytest.warns(UserWarning, match="unreadable line 2"):
        assert [r.check_id for r in load_results(resumed)] == [r.check_id for r in results[:2]]
    junk = tmp_path / "junk.jsonl"
    junk.write_text('{"a": 1}\n{"b": 2}\n')
    with pytest.warns(UserWarning), pytest.raises(StoreError, match="none of its 2 lines"):
        load_results(junk)
    rerun = results[0].to_dict() | {"reason": "second run"}
    dup = tmp_path / "dup.jsonl"
    dup.write_text("\n".join([good[0], good[1], json.dumps(rerun)]) + "\n")
    latest = load_results(dup)
    assert [r.check_id for r in latest] == [results[1].check_id, results[0].check_id]
    assert latest[1].reason == "second run"
    assert len(load_results(dup, dedupe=False)) == 3


# ----------------------------------------------------------------------------------------- atomicity
def test_failed_write_raises_store_error_and_keeps_previous_report(tmp_path, results, monkeypatch):
    write_reports(results, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    store = tmp_path / "results.jsonl"
    store.write_text("precious\n")

    def disk_full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic_mod.os, "replace", disk_full)
    with pytest.raises(StoreError, match="disk is full") as info:
        write_reports(results[:2], tmp_path, meta={"mode": "other"})
    assert isinstance(info.value.__cause__, OSError)
    monkeypatch.undo()
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file() and p.name != "results.jsonl"}
    assert after == before  # unchanged, and no temporary files left behind
    assert store.read_text() == "precious\n"
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_failure_in_the_middle_of_writing_leaves_target_intact(tmp_path, monkeypatch):
    target = tmp_path / "report.json"
    atomic_mod.atomic_write_text(target, "old")

    real_fdopen = os.fdopen

    class Exploding:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            self.fh.write(data[:3])
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic_mod.os, "fdopen", lambda fd, mode: Exploding(real_fdopen(fd, mode)))
    with pytest.raises(StoreError, match=r"could not write .*report\.json"):
        atomic_mod.atomic_write_text(target, "new content")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")
def test_atomic_write_file_modes(tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    fresh = atomic_mod.atomic_write_text(tmp_path / "a.txt", "x")
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~mask  # like open(), not mkstemp's 0o600
    os.chmod(fresh, 0o640)
    atomic_mod.atomic_write_text(fresh, "y")
    assert fresh.stat().st_mode & 0o777 == 0o640 and fresh.read_text() == "y"


def test_unknown_format_and_unwritable_directory(tmp_path, results):
    with pytest.raises(InvalidParameterError, match="unknown report format"):
        write_reports(results, tmp_path, formats=("pdf",))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError):
        write_reports(results, blocker / "sub")


# ----------------------------------------------------------------------------------------- summary & Markdown
def test_summary_counts_claims_and_controls_apart(results):
    s = summarize(results)
    alpha, beta = s["suites"]["alpha"], s["suites"]["beta"]
    assert alpha["counts"]["HOLDS"] + alpha["counts"]["VIOLATED"] == alpha["claims"] == 16
    assert beta["counts"] == {"HOLDS": 0, "VIOLATED": 0, "INCONCLUSIVE": 0, "ASSUMPTIONS_FAIL": 1, "ERROR": 1}
    assert beta["negative_controls"] == {"total": 2, "detected": 1, "missed": 1}
    assert [e["check_id"] for e in s["negative_controls"]["detected"]] == ["t.control[caught]"]
    assert [e["check_id"] for e in s["negative_controls"]["missed"]] == ["t.missed[not caught]"]
    assert not s["ok"] and s["overall"]["total"] == len(results)


def test_markdown_has_summary_controls_and_escapes(report_dir):
    md = (report_dir / "report.md").read_text()
    assert "## Summary" in md
    assert "| suite | HOLDS | VIOLATED | INCONCLUSIVE | ASSUMPTIONS\\_FAIL | ERROR |" in md
    assert re.search(r"\| \*\*all suites\*\* \|", md)
    controls = md.split("## Negative controls")[1].split("\n## ")[0]
    assert "### Detected (1)" in controls and "t.control\\[caught\\]" in controls
    assert "### Missed (1)" in controls and "t.missed\\[not caught\\]" in controls
    assert "**Provenance: DERIVED**" in md and "NOT the paper's theorem" in md
    assert "$$\n\\frac{C}{n}\n$$" in md and "W2(law, data) ≤ C/n" in md
    outside_code = re.sub(r"```.*?```", "", md, flags=re.S)
    assert "<script>" not in outside_code and "&lt;script&gt;" in outside_code
    assert "![figure of t.sweep](plots/t.sweep.png)" in md
    assert "<summary>traceback of boom</summary>" in md and "Traceback (most recent call last)" in md
    assert "| exact |" in md and "(95%)" in md
    assert "## Suite alpha — Alpha paper" in md and "## Suite beta\n" in md
    assert "1 suite(s) could not be loaded" in md and "ImportError &lt;b&gt;bold&lt;/b&gt;" in md


# ----------------------------------------------------------------------------------------- HTML
def test_html_is_self_contained_and_escaped(report_dir):
    index = (report_dir / "report.html").read_text()
    suites = {p.name: p.read_text() for p in (report_dir / "suites").glob("*.html")}
    assert set(suites) == {"alpha.html", "beta.html"}
    for page in [index, *suites.values()]:
        assert page.startswith("<!DOCTYPE html>")
        assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
        assert not re.search(r"https?://", page)
        assert "<script" not in page.lower() and "text-transform" not in page
        for src in re.findall(r'src="([^"]+)"', page):  # images: inline or relative files that exist
            assert (
                src.startswith("data:image/png;base64,") or (report_dir / "suites" / src).resolve().is_file()
            )
    page = "".join(suites.values())
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert page.count("data:image/png;base64,") >= 2  # rendered formulas (figures are files)
    assert page.count('src="../plots/') == 3
    assert "<details><summary>traceback</summary><pre>Traceback" in page
    assert "DERIVED" in page and "NOT the paper" in page and "NOT FOUND" in page
    assert 'href="suites/alpha.html#th-alpha--t-sweep"' in index and 'id="th-alpha--t-sweep"' in page
    assert "Detected (1)" in index and "Missed (1)" in index
    assert "<h2>Suite alpha — Alpha paper</h2>" in page and "ImportError &lt;b&gt;bold&lt;/b&gt;" in index
    assert "verified statement" in index and "Verdicts by provenance" in index  # the honesty banner
    assert "What the verdicts mean" in index and "Needs attention" in index


def test_plots_written_and_referenced(report_dir):
    names = sorted(p.name for p in (report_dir / "plots").iterdir())
    assert names == ["t.auto.png", "t.grid.png", "t.sweep.png"]
    for p in (report_dir / "plots").iterdir():
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000


def test_plot_kinds(results):
    groups: dict[str, list[Result]] = {}
    for r in results:
        groups.setdefault(r.theorem_id, []).append(r)
    assert sweep_params(groups["t.sweep"]) == ["n"]
    assert sweep_params(groups["t.grid"]) == ["a", "b"]
    assert sweep_params(groups["t.auto"]) == ["eps"]
    assert plot_theorem(groups["t.sweep"]).kind == "sweep"
    assert plot_theorem(groups["t.grid"]).kind == "verdict_map"
    assert plot_theorem(groups["t.auto"]).params == ("eps",)
    assert plot_theorem(groups["t.control"]) is None  # one scenario: nothing to plot


def test_plots_tolerate_gaps_errors_negative_values_and_series(results):
    grid = [Result.from_dict(r.to_dict()) for r in results if r.theorem_id == "t.grid"]
    del grid[4]  # a hole in the map
    grid[0].verdict, grid[0].measured, grid[0].ratio = Verdict.ERROR, None, None
    assert plot_theorem(grid).kind == "verdict_map"
    sweep = [Result.from_dict(r.to_dict()) for r in results if r.theorem_id == "t.sweep"]
    for k, r in enumerate(sweep):
        r.params = {"n": r.params["n"] - 50.0, "data": "gauss" if k % 2 else "mixture"}
        r.sweep = []
    sweep[1].measured = Estimate(float("nan"), float("nan"), float("nan"))
    sweep[2].bound_value = float("inf")
    plot = plot_theorem(sweep)
    assert plot is not None and plot.params == ("n",) and plot.png[:4] == b"\x89PNG"
    three = [Result.from_dict(r.to_dict()) for r in results if r.theorem_id == "t.grid"]
    for k, r in enumerate(three):
        r.params["c"], r.sweep = float(k), ["a", "b", "c"]
    assert plot_theorem(three) is None  # three swept parameters: no figure


def test_rewrite_removes_stale_plots_and_keeps_other_files(tmp_path, results):
    write_reports(results, tmp_path)
    (tmp_path / "results.jsonl").write_text("keep\n")
    only_grid = [r for r in results if r.theorem_id == "t.grid"]
    paths = write_reports(only_grid, tmp_path, formats=("md",))
    assert set(paths) == {"md", "plots"}
    assert [p.name for p in paths["plots"].iterdir()] == ["t.grid.png"]
    assert (tmp_path / "results.jsonl").read_text() == "keep\n"
    assert (tmp_path / "report.html").exists()  # not requested: left as it was


def test_empty_results(tmp_path):
    paths = write_reports([], tmp_path)
    assert "No results." in paths["html"].read_text() and "No results." in paths["md"].read_text()
    assert load_results(paths["json"]) == []


# ----------------------------------------------------------------------------------------- browser
CHROMIUM = "/usr/bin/chromium"


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="chromium not installed")
def test_html_renders_headless(report_dir, tmp_path):
    shot = tmp_path / "shot.png"
    cmd = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1280,2000",
        (report_dir / "suites" / "alpha.html").resolve().as_uri(),
    ]  # fmt: skip
    subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    assert shot.exists() and shot.stat().st_size > 20_000
    import matplotlib.image

    img = matplotlib.image.imread(shot)
    assert img.shape[0] >= 1500 and img.shape[1] >= 1200
    assert img[..., :3].std() > 0.05  # not a blank page
    if os.environ.get("SGMVERIFY_KEEP_SCREENSHOT"):
        shutil.copy(shot, os.environ["SGMVERIFY_KEEP_SCREENSHOT"])


def test_sections_notes_and_methods_are_shown(tmp_path):
    def measure(sc, rng):
        return Estimate.exact_value(1.0, method="closed form X")

    ref = Reference("Doe", "A paper", provenance=Provenance.DERIVED)
    th = [
        Theorem("s.a", "first", ref, Bound("2", "upper", "q"), measure, scenarios=[Scenario("x")],
                notes="encoded as an exponent gap", section="Part one"),
        Theorem("s.b", "second", ref, Bound("2", "upper", "q"), measure, scenarios=[Scenario("x")]),
    ]  # fmt: skip
    results = [run_check(Check(t, t.scenarios[0])) for t in th]
    assert results[0].section == "Part one" and results[0].notes == "encoded as an exponent gap"
    paths = write_reports(results, tmp_path)
    md = paths["md"].read_text()
    assert "### Part one" in md and "#### s.a: first" in md and "### s.b: second" in md
    assert "**Notes**: encoded as an exponent gap" in md and "**Measured by**: closed form X" in md
    page = next(paths["suites"].glob("*.html")).read_text()
    assert "<h3>Part one</h3>" in page and "<h4>s.a: first</h4>" in page and "closed form X" in page
    assert load_results(paths["json"])[0].notes == "encoded as an exponent gap"


# ----------------------------------------------------------------------------------------- unreadable input
@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "is empty"),
        (b"  \n\n", "is empty"),
        (b"\x00\xff\xfe binary", "not a text file"),
        (b"null", "not an sgmverify report"),
        (b"{}", "not an sgmverify report"),
        (b"garbage", "not valid JSON, it is corrupt or truncated"),
        (b'{"schema_version": "1.1", "res', r"not valid JSON.*line 1, column 27"),
    ],
)
@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_unreadable_files_raise_results_format_error(tmp_path, content, match, suffix, recwarn):
    path = tmp_path / f"bad{suffix}"
    path.write_bytes(content)
    if suffix == ".jsonl" and match.startswith(("not an", "not valid")):
        match = "not valid JSON|not an sgmverify report|none of its 1 line is a result record"
    with pytest.raises(ResultsFormatError, match=match) as info:
        load_results(path)
    assert isinstance(info.value, StoreError)  # what callers caught before


def test_truncated_report_gives_one_error(tmp_path, report_dir):
    text = (report_dir / "report.json").read_text()
    (tmp_path / "report.json").write_text(text[: len(text) // 2])
    with pytest.raises(ResultsFormatError, match="not valid JSON, it is corrupt or truncated"):
        load_results(tmp_path / "report.json")
    (tmp_path / "as.jsonl").write_text(text)  # a whole report under a store's name still loads
    assert len(load_results(tmp_path / "as.jsonl")) == len(json.loads(text)["results"])
    (tmp_path / "torn.jsonl").write_text(text[: len(text) // 2])
    with pytest.warns(UserWarning), pytest.raises(ResultsFormatError, match="looks like an indented report"):
        load_results(tmp_path / "torn.jsonl")


def test_skipped_store_lines_carry_their_line_numbers(tmp_path, results):
    lines = [json.dumps(r.to_dict()) for r in results[:2]]
    store = tmp_path / "results.jsonl"
    store.write_text(lines[0] + "\n{broken\n" + lines[1] + "\n" + lines[1][:20])
    with pytest.warns(UserWarning) as rec:
        assert len(load_results(store)) == 2
    assert [(w.message.path, w.message.lineno) for w in rec] == [(store, 2), (store, 4)]
    assert rec[1].message.problem == "torn last line of an interrupted run"


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (errno.EPERM, "Operation not permitted"),
        (errno.EACCES, "Permission denied"),
        (errno.EROFS, "Read-only file system"),
        (errno.EDQUOT, "Disk quota exceeded"),
        (errno.ENOSPC, "No space left on device"),
    ],
)
def test_write_errors_say_the_os_text_once(tmp_path, monkeypatch, code, text):
    def fail(src, dst):
        raise OSError(code, text)

    monkeypatch.setattr(atomic_mod.os, "replace", fail)
    with pytest.raises(StoreError) as info:
        atomic_mod.atomic_write_text(tmp_path / "report.json", "x")
    msg = str(info.value)
    assert msg.lower().count(text.lower()) == 1, msg
    assert msg.startswith(f"could not write {tmp_path / 'report.json'}: {text}; ") and "(--out)" in msg
    assert not (tmp_path / "report.json").exists()
