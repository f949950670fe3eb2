"""What a claim is: theorems, bounds, assumptions, scenarios, suites, references with provenance,
results, the one verdict rule, content hashing and the per-check context.

The public names are listed in ``__init__.pyi`` (read by IDEs and type checkers); they load on first use.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
