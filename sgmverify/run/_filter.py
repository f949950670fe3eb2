"""The ``-k`` filter: :func:`compile_filter` turns an expression of words with and / or / not / () into a
predicate on check ids and suite names (used by ``sgmverify run -k`` and by the figure selection).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from sgmverify.errors import InvalidParameterError

__all__ = ["compile_filter"]


def compile_filter(expr: str | None) -> Callable[..., bool]:
    """A predicate from a ``-k`` expression: words (case-insensitive substrings) with and / or / not / ().

    The predicate takes any number of strings (check id, suite name) and is true when the expression holds
    with each word matching if it is a substring of one of them.

    Raises
    ------
    InvalidParameterError
        The expression does not parse.
    """
    tokens = re.findall(r"\(|\)|[^\s()]+", expr or "")
    if not tokens:
        return lambda *names: True
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        if pos >= len(tokens):
            raise InvalidParameterError(f"-k expression {expr!r} ends unexpectedly.")
        pos += 1
        return tokens[pos - 1]

    def atom() -> Callable[[str], bool]:
        tok = take()
        if tok == "not":
            inner = atom()
            return lambda s: not inner(s)
        if tok == "(":
            inner = disj()
            if take() != ")":
                raise InvalidParameterError(f"-k expression {expr!r}: missing ')'.")
            return inner
        if tok in ("and", "or", ")"):
            raise InvalidParameterError(f"-k expression {expr!r}: unexpected {tok!r}.")
        word = tok.lower()
        return lambda s: word in s

    def conj() -> Callable[[str], bool]:
        parts = [atom()]
        while peek() == "and":
            take()
            parts.append(atom())
        return lambda s: all(p(s) for p in parts)

    def disj() -> Callable[[str], bool]:
        parts = [conj()]
        while peek() == "or":
            take()
            parts.append(conj())
        return lambda s: any(p(s) for p in parts)

    pred = disj()
    if pos != len(tokens):
        raise InvalidParameterError(f"-k expression {expr!r}: unexpected {tokens[pos]!r}.")
    return lambda *names: pred("\n".join(names).lower())
