"""sgmverify: check the theory of score-based generative models against exact laws and measurements."""

from __future__ import annotations

from .errors import *  # noqa: F403

__version__ = "0.1.0"
