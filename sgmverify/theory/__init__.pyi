"""What a claim is: theorems, bounds, assumptions, scenarios, suites, references with provenance,
results, and the one verdict rule.
"""

from ._claims import (
    EXPECTATIONS as EXPECTATIONS,
)
from ._claims import (
    Assumption as Assumption,
)
from ._claims import (
    AssumptionResult as AssumptionResult,
)
from ._claims import (
    Bound as Bound,
)
from ._claims import (
    Check as Check,
)
from ._claims import (
    Direction as Direction,
)
from ._claims import (
    Provenance as Provenance,
)
from ._claims import (
    Reference as Reference,
)
from ._claims import (
    Result as Result,
)
from ._claims import (
    Scenario as Scenario,
)
from ._claims import (
    SearchSpace as SearchSpace,
)
from ._claims import (
    Suite as Suite,
)
from ._claims import (
    Theorem as Theorem,
)
from ._claims import (
    Verdict as Verdict,
)
from ._claims import (
    decide as decide,
)
from ._claims import (
    describe_object as describe_object,
)
from ._claims import (
    expected_verdict as expected_verdict,
)

__all__ = [
    "EXPECTATIONS",
    "Assumption",
    "AssumptionResult",
    "Bound",
    "Check",
    "Direction",
    "Provenance",
    "Reference",
    "Result",
    "Scenario",
    "SearchSpace",
    "Suite",
    "Theorem",
    "Verdict",
    "decide",
    "describe_object",
    "expected_verdict",
]
