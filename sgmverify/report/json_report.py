"""The canonical report (``report.json``) and reading results back.

``report.json`` is strict JSON (no ``NaN``/``Infinity`` literals: non-finite numbers are written as the
strings ``"nan"``, ``"inf"``, ``"-inf"``, which :meth:`Result.from_dict` turns back into floats)::

    {"schema_version": "1.0",
     "meta": {"created": ISO-8601 UTC, "versions": {...}, "mode": ..., "elapsed_s": ..., ...},
     "summary": {...},                      # see sgmverify.report.summary.summarize
     "results": [Result.to_dict(), ...],
     "figures": [FigureRecord.to_dict(), ...]}   # optional (schema 1.1): suite figures, PNGs in figures/

Schema versions are ``"MAJOR.MINOR"``: a reader accepts every minor version of its own major (new
minor versions only add keys) and refuses a newer major with a message that says to upgrade.
"""

from __future__ import annotations

import contextlib
import enum
import json
import math
import os
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sgmverify.errors import ResultsFormatError, StoreError, StoreWarning
from sgmverify.report.frames import ResultSet
from sgmverify.theory import Result

__all__ = ["SCHEMA_VERSION", "build_report", "dumps", "load_results", "to_jsonable"]

#: Version of the ``report.json`` layout (``"MAJOR.MINOR"``).
SCHEMA_VERSION = "1.1"


def to_jsonable(obj: Any) -> Any:
    """A strict-JSON-able copy of ``obj``.

    Non-finite floats become ``"nan"`` / ``"inf"`` / ``"-inf"``; numpy scalars and arrays become Python
    numbers and lists; enums their value; paths strings; tuples and sets lists; anything else its repr.
    """
    if obj is None or isinstance(obj, bool | str):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return float(obj) if math.isfinite(obj) else str(float(obj))
    if isinstance(obj, enum.Enum):
        return to_jsonable(obj.value)
    if isinstance(obj, Mapping):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if hasattr(obj, "tolist"):  # numpy scalar or array
        return to_jsonable(obj.tolist())
    return repr(obj)


def build_report(
    results: Sequence[Result],
    meta: Mapping[str, Any],
    summary: Mapping[str, Any],
    figures: Sequence[Any] = (),
) -> dict:
    """The ``report.json`` document as a dict (already JSON-able); ``figures``: FigureRecords."""
    doc = {
        "schema_version": SCHEMA_VERSION,
        "meta": to_jsonable(dict(meta)),
        "summary": to_jsonable(dict(summary)),
        "results": [to_jsonable(r.to_dict()) for r in results],
    }
    if figures:
        doc["figures"] = [to_jsonable(f.to_dict()) for f in figures]
    return doc


def dumps(document: Mapping[str, Any]) -> str:
    """Serialise a report document (strict JSON, UTF-8 text, indented, newline-terminated)."""
    return json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def _major(version: Any) -> int:
    try:
        return int(str(version).split(".")[0])
    except ValueError as exc:
        raise ResultsFormatError(
            f"report has a malformed schema_version {version!r}; expected 'MAJOR.MINOR'."
        ) from exc


def _check_schema(version: Any, path: Path) -> None:
    ours = _major(SCHEMA_VERSION)
    theirs = _major(version)
    if theirs > ours:
        raise ResultsFormatError(
            f"{path} has report schema_version {version}, newer than this sgmverify understands "
            f"({SCHEMA_VERSION}); upgrade sgmverify to read it."
        )
    if theirs < ours:
        raise ResultsFormatError(
            f"{path} has report schema_version {version}, older than this sgmverify reads "
            f"({SCHEMA_VERSION}); re-create the report from its results store."
        )


def _from_dicts(records: Sequence[Any], path: Path, what: str) -> list[Result]:
    out = []
    for i, rec in enumerate(records):
        try:
            out.append(Result.from_dict(rec))
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise ResultsFormatError(
                f"{path}: {what} {i + 1} is not a valid result record ({type(exc).__name__}: {exc})."
            ) from exc
    return out


def _load_report(doc: Any, path: Path) -> list[Result]:
    if not isinstance(doc, dict) or "schema_version" not in doc or "results" not in doc:
        raise ResultsFormatError(
            f"{path} is JSON but not an sgmverify report (no 'schema_version'/'results' keys); pass a "
            "report.json written by sgmverify or a results .jsonl store."
        )
    _check_schema(doc["schema_version"], path)
    if not isinstance(doc["results"], list):
        raise ResultsFormatError(f"{path}: 'results' must be a list of result records.")
    return _from_dicts(doc["results"], path, "result")


def _load_jsonl(text: str, path: Path, dedupe: bool) -> list[Result]:
    lines = [(i + 1, line) for i, line in enumerate(text.splitlines()) if line.strip()]
    results: list[Result] = []
    skipped = 0
    for k, (lineno, line) in enumerate(lines):
        try:
            results.append(Result.from_dict(json.loads(line)))
            continue
        except json.JSONDecodeError as exc:
            problem = f"{exc.msg} at column {exc.colno}"
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            problem = f"not a result record: {type(exc).__name__}: {exc}"
        skipped += 1
        what = (
            f"a torn last line (line {lineno}: {problem}); the run that wrote it was probably interrupted"
            if k == len(lines) - 1
            else f"unreadable line {lineno} ({problem}); a run killed mid-write leaves such a line"
        )
        warning = StoreWarning(f"{path}: ignoring {what} — re-run to redo that check.")
        torn = k == len(lines) - 1 and not text.endswith("\n")
        warning.path, warning.lineno = path, lineno
        warning.problem = "torn last line of an interrupted run" if torn else problem
        warnings.warn(warning, stacklevel=3)
    if lines and not results:
        looks = " (it looks like an indented report.json, corrupt or truncated)" if lines[0][1] == "{" else ""
        raise ResultsFormatError(
            f"{path}: none of its {len(lines)} {'line' if len(lines) == 1 else 'lines'} is a result "
            f"record{looks}; pass a report.json or a results .jsonl written by sgmverify."
        )
    if dedupe:
        latest: dict[tuple[str, str], Result] = {}
        for r in results:
            key = (r.suite, r.check_id)
            latest.pop(key, None)  # re-insert so order follows the latest record
            latest[key] = r
        results = list(latest.values())
    return results


def _first_line_is_record(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        return isinstance(json.loads(first), dict)
    except json.JSONDecodeError:
        return False


def load_results(path: str | os.PathLike, *, dedupe: bool = True) -> ResultSet:
    """Read results from a ``report.json`` or a JSON-lines results store (see :func:`_load_results`).

    Returns a :class:`~sgmverify.report.frames.ResultSet`: a ``list`` of Result that also shows a
    verdict table in a notebook and has ``.to_dataframe()``.
    """
    return ResultSet(_load_results(path, dedupe=dedupe))


def _load_results(path: str | os.PathLike, *, dedupe: bool = True) -> list[Result]:
    """Read results from a ``report.json`` or a JSON-lines results store.

    Parameters
    ----------
    path : path-like
        A ``report.json`` (checked for its ``schema_version``), a ``.jsonl`` file with one
        ``Result.to_dict()`` per line, or a directory containing ``report.json`` or ``results.jsonl``.
    dedupe : bool
        JSON lines only: keep the latest record of each check, keyed by ``(suite, check_id)`` (an
        append-only store holds one record per run of a check, e.g. after the code changed); ``False``
        returns every record.

    Returns
    -------
    list of Result

    Raises
    ------
    ResultsFormatError
        (a :class:`~sgmverify.errors.StoreError`) If the file is empty, not text, not a report/results
        store, holds no readable record, or has another schema major version.
    StoreError
        If the file is missing or cannot be read.

    In a JSON-lines store, a torn or unreadable line (a run killed mid-write; the runner appends after
    it) is skipped with a :class:`~sgmverify.errors.StoreWarning` (a ``UserWarning``, with attributes
    ``path``, ``lineno`` and ``problem``); a store with no readable line raises.
    """
    p = Path(path)
    if p.is_dir():
        for name in ("report.json", "results.jsonl"):
            if (p / name).is_file():
                p = p / name
                break
        else:
            raise ResultsFormatError(
                f"{p} is a directory without report.json or results.jsonl; pass one of them."
            )
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise StoreError(f"no such results file: {p}; pass a report.json or a results .jsonl.") from exc
    except UnicodeDecodeError as exc:
        raise ResultsFormatError(
            f"{p} is not a text file (byte {exc.start} is not UTF-8); pass a report.json or a results "
            ".jsonl written by sgmverify."
        ) from None
    except OSError as exc:
        raise StoreError(f"could not read {p}: {exc.strerror or exc}.") from exc
    if not text.strip():
        raise ResultsFormatError(
            f"{p} is empty (a truncated or never-written file); pass a report.json or a results .jsonl "
            "written by sgmverify."
        )
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        if not _first_line_is_record(text):
            with contextlib.suppress(json.JSONDecodeError):
                return _load_report(json.loads(text), p)  # a whole report.json under a .jsonl name
        return _load_jsonl(text, p, dedupe)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if _first_line_is_record(text):
            return _load_jsonl(text, p, dedupe)  # JSON lines under another suffix
        raise ResultsFormatError(
            f"{p} is not valid JSON, it is corrupt or truncated ({exc.msg}: line {exc.lineno}, column "
            f"{exc.colno}); pass a report.json or a results .jsonl written by sgmverify."
        ) from None
    if isinstance(doc, dict) and "schema_version" not in doc and "check_id" in doc:
        return _load_jsonl(text, p, dedupe)  # a one-line results store
    return _load_report(doc, p)
