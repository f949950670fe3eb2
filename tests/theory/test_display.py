"""Reprs that read as mathematics (`Bound`, `Theorem`) and the notebook views (latex, html)."""

from __future__ import annotations

from sgmverify.run import run_check
from sgmverify.theory import Bound, Provenance, Reference, Scenario, Theorem

REF = Reference("Someone", "A paper", provenance=Provenance.RECONSTRUCTED)


def measure(sc, rng):
    return 0.5


def test_bound_repr_reads_as_mathematics():
    b = Bound("sqrt(d*h)*L + epsilon*sqrt(T)", "upper", "W2")
    assert repr(b) == "Bound(W2 ≤ L·sqrt(d·h) + sqrt(T)·ε)"
    assert repr(Bound("sigma_0**2/2", "lower", "KL")) == "Bound(KL ≥ σ_0^2/2)"
    assert b._repr_latex_() == r"$\text{W2} \le L \sqrt{d h} + \sqrt{T} \epsilon$"
    assert Bound("x_1", "upper", "a_b {c}")._repr_latex_().startswith(r"$\text{a\_b \{c\}} \le")


def test_theorem_repr_and_html():
    th = Theorem("t.1", "A <title>", REF, Bound("1", "upper", "q"), measure, scenarios=[Scenario("s")])
    assert repr(th) == "Theorem('t.1', 'A <title>', Bound(q ≤ 1), provenance='reconstructed')"
    page = th._repr_html_()
    assert page.startswith("<table") and "A &lt;title&gt;" in page and "reconstructed" in page
    res = run_check(th.checks()[0])
    page = res._repr_html_()
    assert "HOLDS" in page and "0.5" in page and "ratio" in page and "reconstructed" in page
