"""On-disk cache of trained score networks and checkpoints of unfinished training runs.

Files live in ``$SGMVERIFY_CACHE_DIR/networks`` (default ``~/.cache/sgmverify/networks``; the root is the
one the derivation cache of :mod:`sgmverify.sde` uses).  A file is one JSON header line followed by a
``torch.save`` payload; the header records the payload's length and SHA-256 and the torch version that
wrote it.  Writes are atomic (a temporary file in the same directory, then ``os.replace``), so a crash
leaves either the old file or none.  On load, a short, corrupt or foreign file, or one written by another
torch version, is reported with a :class:`NetworkCacheWarning` and treated as a miss (the caller retrains
and overwrites it) — it is never loaded.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from sgmverify._cachedir import cache_dir as _cache_dir
from sgmverify.theory import describe_object

__all__ = ["FORMAT", "Checkpointer", "NetworkCacheWarning", "cache_dir", "load", "network_key", "save"]

#: Bumped when the network parametrisation or the file layout changes (old entries become misses).
FORMAT = "sgmverify-network-v3"


class NetworkCacheWarning(UserWarning):
    """A cache entry was unusable (corrupt, partial, other torch version) and is being retrained."""


def cache_dir() -> Path:
    """``$SGMVERIFY_CACHE_DIR/networks`` or ``~/.cache/sgmverify/networks``."""
    return _cache_dir("networks")


def network_key(data: Any, process: Any, config: Any, device: str) -> str:
    """SHA-256 of the full configuration: data law (class and parameters), process, network config, device.

    The torch version is checked from the file header instead of being hashed, so that a cache written by
    another torch version gives a clear message (and is retrained) rather than a silent miss.
    """
    desc = {
        "format": FORMAT,
        "data": describe_object(data),
        "process": describe_object(process),
        "config": asdict(config),
        "device": device,
    }
    return hashlib.sha256(json.dumps(desc, sort_keys=True, default=repr).encode()).hexdigest()[:32]


def _write(path: Path, obj: dict) -> None:
    buf = io.BytesIO()
    torch.save(obj, buf)
    payload = buf.getvalue()
    header = {
        "format": FORMAT,
        "torch": torch.__version__,
        "length": len(payload),
        "sha256": hashlib.sha256(payload).hexdigest(),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(json.dumps(header).encode() + b"\n" + payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _read(path: Path, what: str) -> dict | None:
    """The stored object, or None (missing file; or unusable file, with a warning)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        warnings.warn(f"cannot read {what} {path}: {exc}; retraining.", NetworkCacheWarning, stacklevel=3)
        return None
    head, _, payload = raw.partition(b"\n")
    try:
        header = json.loads(head)
        ok = isinstance(header, dict) and header.get("format") == FORMAT
    except (ValueError, UnicodeDecodeError):
        ok = False
    if not ok:
        warnings.warn(
            f"{what} {path} is not a {FORMAT} file (corrupt or foreign); retraining.",
            NetworkCacheWarning,
            stacklevel=3,
        )
        return None
    if header.get("torch") != torch.__version__:
        warnings.warn(
            f"{what} {path} was written by torch {header.get('torch')}, this is torch {torch.__version__}; "
            "weights are not reused across torch versions: retraining.",
            NetworkCacheWarning,
            stacklevel=3,
        )
        return None
    if len(payload) != header.get("length") or hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        warnings.warn(
            f"{what} {path} is truncated or corrupt (length/checksum mismatch); retraining.",
            NetworkCacheWarning,
            stacklevel=3,
        )
        return None
    try:
        return torch.load(io.BytesIO(payload), map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001  (a checksummed file that still fails to unpickle: retrain)
        warnings.warn(
            f"{what} {path} could not be loaded ({exc}); retraining.", NetworkCacheWarning, stacklevel=3
        )
        return None


def save(key: str, obj: dict) -> Path | None:
    """Store a trained network (atomic); returns the path, or None when the directory is not writable."""
    path = cache_dir() / f"{key}.net"
    try:
        _write(path, obj)
    except OSError as exc:
        warnings.warn(f"cannot write the network cache {path}: {exc}", NetworkCacheWarning, stacklevel=2)
        return None
    return path


def load(key: str) -> dict | None:
    """A stored network, or None when there is no usable entry."""
    return _read(cache_dir() / f"{key}.net", "network cache entry")


class Checkpointer:
    """Checkpoints of one unfinished run (``<key>.ckpt``); a no-op when ``key`` is None (cache disabled)."""

    def __init__(self, key: str | None) -> None:
        self.path = None if key is None else cache_dir() / f"{key}.ckpt"

    def save(self, state: dict) -> None:
        if self.path is not None:
            try:
                _write(self.path, state)
            except OSError:
                pass  # no checkpoint only costs a restart from step 0

    def load(self) -> dict | None:
        if self.path is None:
            return None
        return _read(self.path, "training checkpoint")

    def clear(self) -> None:
        if self.path is not None and self.path.exists():
            self.path.unlink()
