"""Score networks: DSM-trained small nets (cached), score error with CIs, Lipschitz intervals.

The public names are listed in ``__init__.pyi`` (read by IDEs and type checkers); they load on first use.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
