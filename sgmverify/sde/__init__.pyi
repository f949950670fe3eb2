"""Linear forward SDEs: m(t) and sigma^2(t) derived with sympy from a(t), g(t), stable forms, presets,
consistency checks.
"""

from ._coefficient_table import (
    RTOL as RTOL,
    CoefficientTable as CoefficientTable,
)
from ._consistency import (
    ConsistencyResult as ConsistencyResult,
    check_marginal_consistency as check_marginal_consistency,
    check_process_consistency as check_process_consistency,
    marginal_consistency_assumption as marginal_consistency_assumption,
)
from ._linear_sde import (
    T_SYMBOL as T_SYMBOL,
    LinearSDE as LinearSDE,
)
from ._presets import (
    OU as OU,
    PROCESSES as PROCESSES,
    VE as VE,
    VP as VP,
    Cosine as Cosine,
    SubVP as SubVP,
    TimeChangedOU as TimeChangedOU,
    get_process as get_process,
)

__all__ = [
    "OU",
    "PROCESSES",
    "RTOL",
    "T_SYMBOL",
    "VE",
    "VP",
    "CoefficientTable",
    "ConsistencyResult",
    "Cosine",
    "LinearSDE",
    "SubVP",
    "TimeChangedOU",
    "check_marginal_consistency",
    "check_process_consistency",
    "get_process",
    "marginal_consistency_assumption",
]
