"""What a claim is: theorems, bounds, assumptions, scenarios, suites, references with provenance,
results, the one verdict rule, content hashing and the per-check context.
"""

from ._context import (
    check_context as check_context,
)
from ._hashing import (
    content_key as content_key,
    describe_object as describe_object,
)
from ._model import (
    Assumption as Assumption,
    AssumptionResult as AssumptionResult,
    Bound as Bound,
    Check as Check,
    Suite as Suite,
    Theorem as Theorem,
)
from ._rates import (
    RATE_DIRECTIONS as RATE_DIRECTIONS,
    Rate as Rate,
    rate_theorem as rate_theorem,
)
from ._reference import (
    Provenance as Provenance,
    Reference as Reference,
)
from ._result import (
    Result as Result,
)
from ._scenario import (
    Scenario as Scenario,
)
from ._search import (
    SearchSpace as SearchSpace,
)
from ._verdict import (
    EXPECTATIONS as EXPECTATIONS,
    Direction as Direction,
    Verdict as Verdict,
    decide as decide,
    expected_verdict as expected_verdict,
)

__all__ = [
    "EXPECTATIONS",
    "RATE_DIRECTIONS",
    "Assumption",
    "AssumptionResult",
    "Bound",
    "Check",
    "Direction",
    "Provenance",
    "Rate",
    "Reference",
    "Result",
    "Scenario",
    "SearchSpace",
    "Suite",
    "Theorem",
    "Verdict",
    "check_context",
    "content_key",
    "decide",
    "describe_object",
    "expected_verdict",
    "rate_theorem",
]
