"""Atomic file writes for reports.

A report file is either the previous version or the complete new one, never a half-written mix: the
bytes go to a temporary file in the *same* directory (so the final rename does not cross file systems),
are flushed and ``fsync``-ed, and the temporary file is moved over the target with :func:`os.replace`
(atomic on POSIX and Windows).  Any ``OSError`` on the way (disk full, permission denied, read-only file
system) removes the temporary file, leaves the target untouched, and is re-raised as
:class:`~sgmverify.errors.StoreError` with a message that says what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path

from sgmverify.errors import StoreError

__all__ = ["atomic_write_bytes", "atomic_write_text", "describe_os_error", "ensure_dir"]

#: What to do, by errno.  The OS's own text (``exc.strerror``) already says what went wrong and comes
#: first in every message, so a hint never restates it ("Permission denied; permission denied; ...").
_HINTS = {
    errno.ENOSPC: "the disk is full; free some space or write the report elsewhere (--out)",
    errno.EDQUOT: "free some space or write the report elsewhere (--out)",
    errno.EACCES: "choose a writable output directory (--out)",
    errno.EPERM: "choose a writable output directory (--out)",
    errno.EROFS: "choose a writable output directory (--out)",
}


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: Mode of new report files: what ``open()`` would give (0o666 minus the umask), not mkstemp's 0o600.
_NEW_FILE_MODE = 0o666 & ~_current_umask()


def _hint(exc: OSError) -> str:
    return _HINTS.get(exc.errno or -1, "check the output directory and try again")


def describe_os_error(exc: OSError) -> str:
    """``"<the OS's text>; <what to do>"``, each said once (e.g. ``"Permission denied; choose a writable
    output directory (--out)"``)."""
    return f"{exc.strerror or exc}; {_hint(exc)}"


def ensure_dir(path: str | os.PathLike) -> Path:
    """Create directory ``path`` (and parents) if needed.

    Raises
    ------
    StoreError
        If the directory cannot be created.
    """
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"could not create report directory {p}: {describe_os_error(exc)}.") from exc
    if not p.is_dir():
        raise StoreError(f"report output path {p} exists and is not a directory; choose another --out.")
    return p


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (best effort: not every platform can open a directory)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically.

    Parameters
    ----------
    path : path-like
        The target file; its directory must exist.
    data : bytes
        The complete new content.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    StoreError
        On any ``OSError``; the previous content of ``path`` (if any) is left intact and the temporary
        file is removed.
    """
    target = Path(path)
    directory = target.parent
    tmp_name: str | None = None
    try:
        try:
            mode = target.stat().st_mode & 0o7777  # keep the mode of the file being replaced
        except FileNotFoundError:
            mode = _NEW_FILE_MODE
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
        with contextlib.suppress(OSError, AttributeError):  # AttributeError: no fchmod on Windows
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
        tmp_name = None
    except OSError as exc:
        raise StoreError(
            f"could not write {target}: {describe_os_error(exc)}. "
            f"The previous {target.name} (if any) was left unchanged."
        ) from exc
    finally:
        if tmp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
    _fsync_dir(directory)
    return target


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`)."""
    return atomic_write_bytes(path, text.encode(encoding))
