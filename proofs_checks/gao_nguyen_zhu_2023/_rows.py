"""The GNZ complexity table encoded from the math reference (notes §4.1 [V]), and its
derivation.

The K, η and M entries below are transcribed from the reference's table, which the authors published as an
image in their repository (provenance *verified*).  The derivation (:func:`derived`) uses
:func:`sgmverify.samplers.derive_complexity` on the row's forward process, with the step order
:data:`ETA_DISCRETISATION` solved from the reference's discretisation requirement :data:`DISCRETISATION`
(provenance *derived*, §4.3).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from proofs_checks.gao_nguyen_zhu_2023._schedules import GNZ_PROCESSES, SchedulePreset
from sgmverify.samplers import (
    D_SYMBOL,
    EPS_SYMBOL,
    ETA_SYMBOL,
    ComplexityDerivation,
    Order,
    derive_complexity,
    derive_step_order,
)

C, RHO = sp.Symbol("c", positive=True), sp.Symbol("rho", positive=True)  # same symbols as the presets
HALF = sp.Rational(1, 2)
ETA_PLAIN = Order(d=-1, inv_eps=-2)  # ε²/d

#: The discretisation requirement of the reference's sketch (§4.3 [D]): the term √(dη) must be ≍ ε.
DISCRETISATION = sp.sqrt(D_SYMBOL * ETA_SYMBOL)
#: Step-size order solved from it by sympy (:func:`sgmverify.samplers.derive_step_order`): ε²/d.  It is the
#: ``eta`` every row's derivation uses (:func:`derived`).
ETA_DISCRETISATION = derive_step_order(DISCRETISATION, EPS_SYMBOL)


@dataclass(frozen=True)
class TableRow:
    """One row of the GNZ table: forward process, sample parameters, and the table's K, η, M entries."""

    key: str  # GNZ_PROCESSES key
    label: str  # f, g as in the table
    params: tuple[tuple[str, float], ...]  # illustrative parameter values (orders do not depend on them)
    K: Order
    eta: Order
    M: str  # M column as printed (not derivable: see table.py)
    K_text: str
    eta_text: str

    @property
    def short(self) -> str:
        return self.key.removeprefix("gnz_")

    def process(self, **override: float) -> SchedulePreset:
        return GNZ_PROCESSES[self.key](**{**dict(self.params), **override})


#: The table of reference §4.1 [V] (VE block, then VP/OU block), cell by cell.
TABLE: list[TableRow] = [
    TableRow(
        "gnz_ve_exp", "f = 0, g = a e^{bt}", (("a", 1.0), ("b", 1.0)),
        Order(d=1, inv_eps=2, log=1), ETA_PLAIN, "O(ε / log(1/ε))", "O(d log(d/ε) / ε²)", "O(ε²/d)",
    ),
    TableRow(
        "gnz_ve_const", "f = 0, g = a", (("a", 1.0),),
        Order(d=sp.Rational(3, 2), inv_eps=3, log=1), Order(d=-1, inv_eps=-2, log=-1),
        "O(ε / √log(d/ε))", "O(d^{3/2} log(d/ε) / ε³)", "O(ε² / (d log(d/ε)))",
    ),
    TableRow(
        "gnz_ve_sqrt", "f = 0, g = √(2at)", (("a", 1.0),),
        Order(d=sp.Rational(5, 4), inv_eps=sp.Rational(5, 2)), ETA_PLAIN, "O(ε^{3/2})",
        "O(d^{5/4} / ε^{5/2})", "O(ε²/d)",
    ),
    TableRow(
        "gnz_ve_poly", "f = 0, g = (b+at)^c", (("a", 1.0), ("b", 0.1), ("c", 1.0)),
        Order(d=1 / (2 * (2 * C + 1)) + 1, inv_eps=1 / (2 * C + 1) + 2), ETA_PLAIN,
        "O(ε^{1 + 2c/(2c+1)})", "O(d^{1/(2(2c+1)) + 1} / ε^{1/(2c+1) + 2})", "O(ε²/d)",
    ),
    TableRow(
        "gnz_ou", "f = α, g = σ", (("alpha", 0.5), ("sigma", 2.0)),
        Order(d=1, inv_eps=2, log=1), ETA_PLAIN, "O(ε)", "O(d log(d/ε) / ε²)", "O(ε²/d)",
    ),
    TableRow(
        "gnz_vp_linear", "f = (b+at)/2, g = √(b+at)", (("a", 1.0), ("b", 0.1)),
        Order(d=1, inv_eps=2, log=HALF), ETA_PLAIN, "O(ε)", "O(d √log(d/ε) / ε²)", "O(ε²/d)",
    ),
    TableRow(
        "gnz_vp_poly", "f = (b+at)^ρ/2, g = (b+at)^{ρ/2}", (("a", 1.0), ("b", 0.1), ("rho", 2.0)),
        Order(d=1, inv_eps=2, log=1 / (RHO + 1)), ETA_PLAIN, "O(ε)", "O(d (log(d/ε))^{1/(ρ+1)} / ε²)",
        "O(ε²/d)",
    ),
    TableRow(
        "gnz_vp_exp", "f = a e^{bt}/2, g = √a e^{bt/2}", (("a", 0.1), ("b", 1.0)),
        Order(d=1, inv_eps=2, loglog=1), ETA_PLAIN, "O(ε)", "O(d log(log(d/ε)) / ε²)", "O(ε²/d)",
    ),
]  # fmt: skip

ROWS: dict[str, TableRow] = {r.short: r for r in TABLE}

#: Exponent symbols a row's order may keep symbolic, and the values a scenario may substitute.
EXPONENT_PARAMS = {"ve_poly": "c", "vp_poly": "rho"}


@functools.lru_cache(maxsize=64)  # shared by the gnz.table.* checks of a row and the gnz.table.orders figure
def derived(short: str, exponent: float | None = None) -> ComplexityDerivation:
    """Derivation for row ``short``: exponent symbolic (``None``) or substituted (e.g. c = 2, rho = 5)."""
    row = ROWS[short]
    name = EXPONENT_PARAMS.get(short)
    if exponent is None or name is None:
        return derive_complexity(row.process(), eta=ETA_DISCRETISATION)
    return derive_complexity(
        row.process(**{name: float(exponent)}), eta=ETA_DISCRETISATION, substitute=(name,)
    )


def table_entry(short: str, which: str, exponent: float | None = None) -> Order:
    """The table's K or η order for ``short``, with the row's exponent substituted when given."""
    row = ROWS[short]
    order = row.K if which == "K" else row.eta
    name = EXPONENT_PARAMS.get(short)
    return order if exponent is None or name is None else order.subs({name: exponent})
