"""Distances and divergences: closed-form Gaussian W2/KL, empirical W2 (POT), sliced W2, density L2/W1
on grids.

The public names are listed in ``__init__.pyi`` (read by IDEs and type checkers); they load on first use.
"""

import lazy_loader as _lazy

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
