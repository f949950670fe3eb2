"""Linear forward SDEs: m(t) and sigma^2(t) derived with sympy from a(t), g(t), stable forms, presets,
consistency checks.
"""

from ._coefficient_table import (
    RTOL as RTOL,
)
from ._coefficient_table import (
    CoefficientTable as CoefficientTable,
)
from ._consistency import (
    ConsistencyResult as ConsistencyResult,
)
from ._consistency import (
    check_marginal_consistency as check_marginal_consistency,
)
from ._consistency import (
    check_process_consistency as check_process_consistency,
)
from ._consistency import (
    marginal_consistency_assumption as marginal_consistency_assumption,
)
from ._processes import (
    OU as OU,
)
from ._processes import (
    PROCESSES as PROCESSES,
)
from ._processes import (
    T_SYMBOL as T_SYMBOL,
)
from ._processes import (
    VE as VE,
)
from ._processes import (
    VP as VP,
)
from ._processes import (
    Cosine as Cosine,
)
from ._processes import (
    LinearSDE as LinearSDE,
)
from ._processes import (
    SubVP as SubVP,
)
from ._processes import (
    TimeChangedOU as TimeChangedOU,
)
from ._processes import (
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
