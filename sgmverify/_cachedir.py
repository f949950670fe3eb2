"""Where sgmverify caches derivations and trained networks: ``$SGMVERIFY_CACHE_DIR`` or
``~/.cache/sgmverify``."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir"]


def cache_dir(kind: str) -> Path:
    """The cache folder for ``kind`` (``"derivations"``, ``"networks"``, ...); it may not exist yet."""
    root = os.environ.get("SGMVERIFY_CACHE_DIR") or Path.home() / ".cache" / "sgmverify"
    return Path(root) / kind
