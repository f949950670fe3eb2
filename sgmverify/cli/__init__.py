"""The ``sgmverify`` command line: ``list · run · report · compare · bound · assumptions · falsify · new``.

Exit status: 0 when every claim was not VIOLATED/ERROR and every negative control was detected
(:attr:`Result.as_expected <sgmverify.theory.Result.as_expected>`) and every suite imported; 1 otherwise
(also for an unwritable output directory or a full disk: results already stored are kept); 2 on usage
errors (bad arguments, unknown theorem, suite or file) and on unusable input (a corrupt, truncated, binary
or empty results store, report or baseline, or one holding no results: nothing is written); 130 when
interrupted.

Heavy modules are imported inside the commands so that ``sgmverify --help`` stays fast.  The commands
live in ``_run`` (run, report, compare), ``_inspect`` (list, bound, assumptions), ``_falsify`` and
``_new``; each module adds its own subcommands to the parser built here.  Options may come after
positionals (``sgmverify bound ID --suite X m=1``): a subcommand's arguments are parsed with
:meth:`argparse.ArgumentParser.parse_intermixed_args`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from sgmverify.errors import (
    InvalidParameterError,
    ResultsFormatError,
    SgmverifyError,
    StoreError,
    UnknownNameError,
)

from ._common import UsageError, _err
from ._falsify import register_cli as _register_falsify
from ._inspect import register_assumptions, register_bound, register_list
from ._model import register_model as _register_model
from ._new import register_new
from ._run import register_run_commands, summary_table

__all__ = ["build_parser", "main", "summary_table"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``sgmverify``."""
    from sgmverify._version import __version__

    p = argparse.ArgumentParser(
        prog="sgmverify", description="Check the theory of score-based diffusion models."
    )
    p.add_argument("--version", action="version", version=f"sgmverify {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    register_list(sub)
    register_run_commands(sub)  # run, report, compare
    register_bound(sub)
    register_assumptions(sub)
    _register_falsify(sub)
    _register_model(sub)
    register_new(sub)
    return p


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """Parse ``argv``, letting a subcommand's options follow its positionals (``bound ID --suite X m=1``).

    The top level picks the subcommand (and handles ``--help``, ``--version`` and usage errors); the
    subcommand's own arguments are then parsed again with ``parse_intermixed_args`` (for a subcommand
    using features it does not support, the plain parse stands).
    """
    args, extras = parser.parse_known_args(argv)
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    command = getattr(args, "command", None)
    sp = sub.choices.get(command) if command else None
    if sp is None or command not in argv:
        return parser.parse_args(argv) if extras else args
    at = argv.index(command)
    try:
        return sp.parse_intermixed_args(argv[at + 1 :], argparse.Namespace(command=command))
    except TypeError:  # features parse_intermixed_args does not support
        return parser.parse_args(argv)


#: Options whose value is a formula that may start with "-" (argparse would read it as an option).
_EXPRESSION_OPTIONS = ("--density",)


def _glue_expression_values(argv: list[str]) -> list[str]:
    """``--density -x**4/4`` -> ``--density=-x**4/4`` so a log-density may start with a minus sign."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        a = argv[i]
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        if a in _EXPRESSION_OPTIONS and nxt is not None and nxt.startswith("-") and not nxt.startswith("--"):
            out.append(f"{a}={nxt}")
            i += 2
            continue
        out.append(a)
        i += 1
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``sgmverify`` command; returns the exit status.

    A reader that closes the pipe early (``sgmverify list | head``) ends the command quietly with status
    141 (128 + SIGPIPE, as a shell reports it); results already stored are kept.
    """
    try:
        return _main(argv)
    except BrokenPipeError:
        _silence_stdout()
        return 141


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's final flush does not raise again (Python docs, signal)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (captured in tests): nothing to flush
        pass


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    argv = _glue_expression_values(sys.argv[1:] if argv is None else list(argv))
    try:
        args = _parse(parser, argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    try:
        return int(args.func(args))
    except (UsageError, UnknownNameError, InvalidParameterError, ResultsFormatError) as exc:
        _err(str(exc))
        return 2
    except BrokenPipeError:
        raise  # the reader went away: main() ends quietly
    except (StoreError, OSError) as exc:
        _err(f"{exc} (results already stored are kept)" if not isinstance(exc, StoreError) else str(exc))
        return 1
    except ImportError as exc:
        _err(f"{exc}; is sgmverify fully installed?")
        return 1
    except SgmverifyError as exc:
        _err(str(exc))
        return 1
    except KeyboardInterrupt:
        _err("interrupted; finished checks are stored, rerun to resume.")
        return 130
