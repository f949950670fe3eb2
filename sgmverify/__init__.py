"""sgmverify: check the theory of score-based generative models against exact laws and measurements.

The public API is flat (``from sgmverify import VP, Gaussian, Theorem, run_checks``) and organised in concept
subpackages (``sgmverify.laws``, ``sgmverify.sde``, ``sgmverify.samplers``, ...).  The one list of public
names
is ``__init__.pyi``: IDEs and type checkers read it, and :func:`lazy_loader.attach_stub` loads each name on
first use, so importing ``sgmverify`` stays cheap (the pytest plugin imports it in every pytest session).
"""

from __future__ import annotations

import lazy_loader as _lazy

from ._version import __version__ as __version__
from .errors import *  # noqa: F403  (exceptions are light and always available)

__getattr__, __dir__, __all__ = _lazy.attach_stub(__name__, __file__)
