"""What the reports say about what was checked: provenance split and banner, what each non-HOLDS verdict
means (by design vs needs attention), loose ratios, HOLDS with an unverified assumption, results beyond
the hypotheses, a bound's LaTeX source; readable titles and formulas; the LaTeX table; ResultSet and
DataFrames; the coloured CLI summary."""

from __future__ import annotations

import builtins
import sys

import pytest
from test_report import make_results  # the fixture results of tests/test_report.py

from sgmverify import (
    Assumption,
    AssumptionResult,
    Bound,
    Check,
    Provenance,
    Reference,
    Scenario,
    Theorem,
    run_check,
)
from sgmverify.report import ResultSet, load_results, results_to_dataframe, summarize, write_reports
from sgmverify.report.plots import plot_theorem
from sgmverify.report.summary import classify
from sgmverify.report.view import banner_text, display_latex, pretty_tex, status_text
from sgmverify.theory import Result, Verdict


@pytest.fixture(scope="module")
def results() -> list[Result]:
    return make_results()


def _theorem(tid, bound, measure, prov=Provenance.DERIVED, **kw) -> list[Result]:
    ref = Reference("Doe", "A paper", provenance=prov)
    th = Theorem(tid, kw.pop("title", tid), ref, bound, measure, **kw)
    return [run_check(Check(th, sc)) for sc in th.scenarios]


def unknown(scenario) -> AssumptionResult:
    return AssumptionResult("mixing", "unknown", "could not be decided")


def fails(scenario) -> AssumptionResult:
    return AssumptionResult("convex", "fails", "counterexample")


@pytest.fixture(scope="module")
def special() -> list[Result]:
    """A loose HOLDS (ratio 1e-3), a HOLDS with an unknown assumption, a result beyond its hypotheses,
    a bound from LaTeX, a per-scenario bound named ``expected``, and a maths title."""
    out = _theorem("x.loose", Bound("1000", "upper", "gap"), lambda sc, rng: 1.0, scenarios=[Scenario("a")])
    out += _theorem("x.unverified", Bound("2", "upper", "q"), lambda sc, rng: 1.0, scenarios=[Scenario("a")],
                    assumptions=[Assumption("mixing", "geometric mixing", unknown)])  # fmt: skip
    out += _theorem("x.outside", Bound("2", "upper", "q"), lambda sc, rng: 1.0, scenarios=[Scenario("a")],
                    assumptions=[Assumption("convex", "convex", fails)], beyond_hypotheses=True)  # fmt: skip
    out += _theorem("x.latex", Bound.from_latex(r"\sqrt{d}\,L", "upper", "W2", params=["d", "L"]),
                    lambda sc, rng: 1.0, scenarios=[Scenario("a", params={"d": 4.0, "L": 1.0})],
                    title="step η ≤ e^{−T} at p_{t_min}")  # fmt: skip
    out += _theorem("x.param", Bound("expected", "equal", "slope", params=["expected"], atol=0.1),
                    lambda sc, rng: 0.0, scenarios=[Scenario("a", params={"expected": 0.0})])  # fmt: skip
    for r in out:
        r.suite = "x"
    return out


def test_summary_splits_by_provenance_and_banner_says_what_was_checked(results):
    s = summarize(results)
    prov = s["overall"]["provenance"]
    assert list(prov) == ["verified", "secondary", "derived", "reconstructed", "textbook", "not found"]
    assert prov["verified"]["HOLDS"] == 4 and prov["textbook"]["controls"] == 2
    assert sum(sum(row.values()) for row in prov.values()) == len(results)
    text = banner_text(s)
    assert text.startswith(f"4 of {len(results)} checks are a paper's own verified statement: ")
    assert "9 are derived here from the paper" in text and "2 are textbook facts" in text
    none = summarize([r for r in results if r.provenance != "verified"])
    assert banner_text(none).startswith("None of these")


def test_each_non_holds_verdict_says_what_it_means(results):
    by_id = {r.check_id: r for r in results}
    assert classify(by_id["t.control[caught]"])[0] == "by_design"
    assert classify(by_id["t.missed[not caught]"]) == (
        "attention",
        "negative control MISSED: a deliberately false statement was not detected",
    )
    assert classify(by_id["t.error[boom]"])[0] == "attention"
    cat, meaning = classify(by_id["t.af[nonconvex]"])
    assert cat == "by_design" and "outside the hypotheses" in meaning
    r = Result.from_dict(by_id["t.af[nonconvex]"].to_dict())
    r.reason = "score-error term: not derivable from available text"
    assert classify(r) == (
        "by_design",
        "not derivable: the claim cannot be stated from the paper's available text",
    )
    s = summarize(results)
    want = {r.check_id for r in results if r.expect == "holds" and r.verdict.value in ("VIOLATED", "ERROR")}
    assert {e["check_id"] for e in s["attention"]} == want | {"t.missed[not caught]"}
    assert "t.error[boom]" in want and len(want) > 1
    assert [e["check_id"] for e in s["by_design"]] == ["t.af[nonconvex]"]
    assert "1 of 2 negative controls caught" in status_text(s)


def test_loose_unverified_outside_and_latex_source_are_shown(special, tmp_path):
    s = summarize(special)
    assert [e["check_id"] for e in s["loose"]] == ["x.loose[a]"] and s["loose"][0]["ratio"] == 1e-3
    assert [e["check_id"] for e in s["holds_unverified"]] == ["x.unverified[a]"]
    assert s["overall"]["holds_unverified"] == 1 and "(1 with an unverified assumption)" in status_text(s)
    outside = next(r for r in special if r.theorem_id == "x.outside")
    assert (
        outside.verdict is Verdict.ASSUMPTIONS_FAIL and outside.outside_label == "holds beyond its hypotheses"
    )
    paths = write_reports(special, tmp_path, formats=("md", "html", "latex"))
    page = (paths["suites"] / "x.html").read_text()
    index = paths["html"].read_text()
    assert "loose: cannot detect an error smaller than ×100" in page
    assert 'class="tag-unverified"' in page and "unverified: mixing" in page
    assert "HOLDS with an unverified assumption (1)" in index and "Loose checks (1)" in index
    assert "holds beyond its hypotheses" in page
    assert r"bound as written (LaTeX source): <code>\sqrt{d}\,L</code>" in page
    assert "a per-scenario value: see the bound column" in page  # not "= *expected*"
    assert "step η ≤ e⁻ᵀ at p_(t_min)" in page and "e^{−T}" not in page
    md = paths["md"].read_text()
    assert (
        "(unverified: mixing)" in md
        and "(loose: cannot detect" in md
        and "the per-scenario value `expected`" in md
    )
    assert r"**Bound as written** (LaTeX source): `\sqrt{d}\,L`" in md


def test_readable_formulas():
    assert display_latex(r"\frac{diam l_{2} \sqrt{vol}}{2}") == r"\frac{diam \cdot l_{2} \cdot \sqrt{vol}}{2}"
    assert display_latex(r"eps \left(1 - e^{- T}\right)") == r"\mathrm{eps} \cdot \left(1 - e^{- T}\right)"
    assert display_latex(r"\frac{\mu^{2}}{4}") == r"\frac{\mu^{2}}{4}"  # nothing to separate
    assert pretty_tex("W1 ≤ ½ diam(Ω)|Ω|^{1/2}") == "W1 ≤ ½ diam(Ω)|Ω|^(1/2)"
    assert pretty_tex("p_{t_min} and e^{2t}") == "p_(t_min) and e²ᵗ"


def test_latex_table_is_booktabs_and_escaped(results, tmp_path):
    paths = write_reports(results, tmp_path, formats=("latex",))
    tex = paths["latex"].read_text()
    assert tex.count(r"\begin{table}") == 2 and tex.count(r"\toprule") == 2 and tex.count(r"\bottomrule") == 2
    assert r"t.sweep & verified & 4 & 4 & 0 & 0 & 0 & 0 & yes \\" in tex
    assert r"t.missed (neg.\ control) & textbook & 1" in tex and r"\textbf{no}" in tex
    assert "Theorem & Provenance" in tex and r"\label{tab:sgmverify-alpha}" in tex
    weird = Result.from_dict(results[0].to_dict())
    weird.theorem_id, weird.suite = "a_b&c%d#e", "s_1"
    tex = (write_reports([weird], tmp_path / "w", formats=("latex",))["latex"]).read_text()
    assert r"a\_b\&c\%d\#e" in tex and r"\texttt{s\_1}" in tex


def test_result_set_is_a_list_with_a_table_and_a_dataframe(results, tmp_path):
    paths = write_reports(results, tmp_path, formats=("json",))
    loaded = load_results(paths["json"])
    assert isinstance(loaded, ResultSet) and isinstance(loaded, list) and len(loaded) == len(results)
    assert [r.check_id for r in loaded] == [r.check_id for r in results]
    assert loaded[1:3] == list(loaded)[1:3]
    html = loaded._repr_html_()
    assert "<table>" in html and "verified statement" in html and "all suites" in html
    df = loaded.to_dataframe()
    assert list(df["check_id"]) == [r.check_id for r in results]
    assert df.loc[df.check_id == "t.error[boom]", "verdict"].item() == "ERROR"
    assert df["ratio"].dtype.kind == "f" and "provenance" in df.columns


def test_dataframe_without_pandas_names_the_extra(results, monkeypatch):
    real = builtins.__import__

    def no_pandas(name, *args, **kw):
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("No module named 'pandas'")
        return real(name, *args, **kw)

    monkeypatch.delitem(sys.modules, "pandas", raising=False)
    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(Exception, match=r"sgmverify\[pandas\]"):
        results_to_dataframe(results)


def test_equality_claims_plot_the_deviation_with_the_tolerance_band(results):
    auto = [r for r in results if r.theorem_id == "t.auto"]  # direction "equal"
    plot = plot_theorem(auto)
    assert plot is not None and plot.kind == "equality" and plot.params == ("eps",)


def test_cli_summary_is_plain_off_a_terminal_and_with_no_color(results, capsys, monkeypatch):
    from sgmverify.cli._run import print_summary

    print_summary(results)
    out = capsys.readouterr().out
    assert "\x1b[" not in out and "provenance" in out and "verified statement" in out

    class Tty:
        def __init__(self):
            self.buf = []

        def isatty(self):
            return True

        def write(self, s):
            self.buf.append(s)

        def flush(self):
            pass

    tty = Tty()
    monkeypatch.setattr(sys, "stdout", tty)
    monkeypatch.setenv("NO_COLOR", "1")
    print_summary(results)
    assert "\x1b[" not in "".join(tty.buf)
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    tty.buf.clear()
    print_summary(results)
    assert "\x1b[" in "".join(tty.buf)


def test_a_long_theorem_gets_its_own_page(tmp_path):
    from sgmverify.report.site import LONG_THEOREM

    n = LONG_THEOREM + 1
    many = _theorem("x.many", Bound("2", "upper", "q"), lambda sc, rng: 1.0,
                    scenarios=[Scenario(f"s{k}", params={"k": k}) for k in range(n)])  # fmt: skip
    for r in many:
        r.suite = "x"
    paths = write_reports(many, tmp_path, formats=("html",))
    own = paths["suites"] / "x--x.many.html"
    assert own.is_file() and own.read_text().count("<tr") == n + 1  # header + one row per scenario
    suite = (paths["suites"] / "x.html").read_text()
    assert f'href="x--x.many.html">Scenario table ({n} scenarios) on its own page</a>' in suite
