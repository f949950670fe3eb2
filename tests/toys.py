"""Toy suites shared by the engine's tests (runner, store, suites, command line): source text and a writer.

Not a test module (pytest does not collect it); the test modules import it as ``toys``.  This folder has
no ``__init__.py``, so pytest's default ``prepend`` import mode puts it on ``sys.path`` for the test
modules in it, and the ``pythonpath`` setting in ``pyproject.toml`` does the same under any import mode.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

#: The start of a toy suite file: imports, a reference and the measures and assumption checks.
HEADER = """
from sgmverify.theory import Assumption, Bound, Provenance, Reference, Scenario, Suite, Theorem
from sgmverify.estimates import mean_ci

REF = Reference("Textbook", "facts", where="eq. 1", provenance=Provenance.TEXTBOOK)


def one(scenario, rng):
    return 1.0


def mc(scenario, rng):
    return mean_ci(rng.normal(1.0, 0.1, size=200))


def boom(scenario, rng):
    raise ValueError("boom in measure")


def positive(scenario):
    return scenario.params["x"] > 0
"""

#: The toy suite ``toy``: an exact claim with an assumption (a full-only scenario, one out of scope), a
#: negative control, a Monte Carlo claim, a check that raises, and a formula without scenarios.
TOY = (
    HEADER
    + """
SUITE = Suite("toy", "Toy suite", [
    Theorem("toy.exact", "an exact true claim", REF, Bound("x + 1", "upper", "one"), one,
            assumptions=[Assumption("positive", "x > 0", positive)],
            scenarios=[Scenario("a", params={"x": 1.0}), Scenario("b", params={"x": 3.0}, quick=False),
                       Scenario("neg", params={"x": -1.0})]),
    Theorem("toy.negctl", "a false claim", REF, Bound("1/2", "upper", "one"), one, expect="violated",
            scenarios=[Scenario("a")]),
    Theorem("toy.mc", "a Monte Carlo claim", REF, Bound("2", "upper", "mean"), mc,
            scenarios=[Scenario("a", seed=3)]),
    Theorem("toy.raises", "a check that raises", REF, Bound("1", "upper", "q"), boom,
            scenarios=[Scenario("a")]),
    Theorem("toy.formula", "a formula", REF, Bound("C*sqrt(d)/n", "upper", "err"), one),
])
"""
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    """Write ``text`` (dedented) to ``tmp_path / name``, making parent folders; the path."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path
