"""``sgmverify new NAME``: write a ready suite ``NAME.py`` and its pytest test ``test_NAME.py``.

The suite (one theorem with a sympy bound, an assumption with a checker, a measure written with the public
API, quick and full scenarios, and a negative control that must be caught) is green as written:
``sgmverify run --suite NAME.py`` exits 0 and ``pytest test_NAME.py`` passes.  Existing files are never
overwritten; each file is written atomically (a temporary file renamed into place), and if the second
cannot be written the first is removed again.
"""

from __future__ import annotations

import argparse
import contextlib
import keyword
import os
import tempfile
from pathlib import Path
from typing import Any

from ._common import UsageError
from ._template import SUITE_TEMPLATE, TEST_TEMPLATE, render


def _check_name(name: str) -> None:
    """NAME must be a Python identifier (it is a module name) that is not a keyword or taken by a library
    the suite imports."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise UsageError(
            f"NAME must be a Python identifier (letters, digits, underscores; not starting with a digit; "
            f"not a keyword), got {name!r}; e.g. `sgmverify new my_paper`."
        )
    if name in ("sgmverify", "numpy", "scipy", "sympy", "pytest", "test", "conftest") or name.startswith(
        "test_"
    ):
        raise UsageError(
            f"NAME {name!r} would shadow a module the suite or pytest uses; choose another name."
        )


def _write_new(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, refusing to replace an existing file (even one created while
    writing: the temporary file is linked, not renamed, into place)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        try:
            os.link(tmp, path)  # fails if path exists: no overwrite, no half-written file
        except FileExistsError:
            raise UsageError(
                f"{path} already exists; not overwritten (remove it or choose another NAME)."
            ) from None
        except OSError:  # a file system without hard links
            if path.exists():
                raise UsageError(f"{path} already exists; not overwritten.") from None
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def cmd_new(args: argparse.Namespace) -> int:
    """``sgmverify new NAME [--dir DIR]``: write NAME.py and test_NAME.py (exit 2 if either exists)."""
    name = args.name
    _check_name(name)
    folder = Path(args.dir)
    if not folder.is_dir():
        raise UsageError(f"--dir {folder} is not an existing folder.")
    suite, test = folder / f"{name}.py", folder / f"test_{name}.py"
    existing = [str(p) for p in (suite, test) if p.exists()]
    if existing:
        raise UsageError(f"{' and '.join(existing)} already exist(s); nothing written (choose another NAME).")
    _write_new(suite, render(SUITE_TEMPLATE, name))
    try:
        _write_new(test, render(TEST_TEMPLATE, name))
    except BaseException:
        suite.unlink(missing_ok=True)  # all or nothing
        raise
    print(f"wrote {suite} and {test}")
    print(f"next: sgmverify run --suite {suite}   and   pytest {test}")
    return 0


def register_new(sub: Any) -> None:
    """Add ``new`` to ``sub`` (from ``ArgumentParser.add_subparsers``)."""
    sp = sub.add_parser(
        "new",
        help="write a starter suite NAME.py and its pytest test test_NAME.py",
        description="Write NAME.py (a ready suite: a theorem with a sympy bound, an assumption with a "
        "checker, a measure, scenarios and a negative control) and test_NAME.py (a pytest test using the "
        "sgm_check fixture).  Existing files are never overwritten (exit status 2).",
    )
    sp.add_argument("name", metavar="NAME", help="the suite's name (a Python identifier)")
    sp.add_argument("--dir", default=".", help="folder to write into (default: the current folder)")
    sp.set_defaults(func=cmd_new)
