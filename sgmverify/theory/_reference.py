"""Where a statement comes from: :class:`Reference` with its :class:`Provenance` tag.

Every statement carries a provenance tag: whether it is the paper's verified statement, a secondary source,
an exact derivation made here, or a reconstruction — reports show it, so a derived statement is never
presented as the paper's theorem.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sgmverify.errors import InvalidParameterError

__all__ = ["Provenance", "Reference"]


class Provenance(str, enum.Enum):
    """Where a statement comes from (kept in code and reports)."""

    VERIFIED = "verified"  # the paper's statement, checked against the paper's text
    SECONDARY = "secondary"  # from a secondary source (a survey, a talk, a later paper)
    DERIVED = "derived"  # exact mathematics derived here, checked; not the paper's theorem
    RECONSTRUCTED = "reconstructed"  # a plausible reconstruction; constants are ours, not the paper's
    NOT_FOUND = "not found"  # the paper's statement could not be found in the available text
    TEXTBOOK = "textbook"  # standard, exactly true facts (engine smoke tests, negative controls)


@dataclass(frozen=True)
class Reference:
    """Bibliographic reference of a statement."""

    authors: str
    title: str = ""
    arxiv: str = ""
    where: str = ""  # theorem / equation / table number
    provenance: Provenance | str | None = None  # required: no statement is "verified" by default

    def __post_init__(self) -> None:
        if self.provenance is None:
            raise InvalidParameterError(
                f"Reference({self.authors!r}, ...) needs provenance=Provenance.<tag>: VERIFIED only for the "
                "paper's own statement checked against its text; DERIVED, RECONSTRUCTED, SECONDARY, "
                "NOT_FOUND or TEXTBOOK otherwise."
            )
        try:
            object.__setattr__(self, "provenance", Provenance(self.provenance))
        except ValueError as exc:
            raise InvalidParameterError(
                f"unknown provenance {self.provenance!r}; use one of {[p.value for p in Provenance]}."
            ) from exc

    def cite(self) -> str:
        """``"authors, “title”, arXiv:id, where [provenance]"`` (empty parts left out)."""
        parts = [self.authors]
        if self.title:
            parts.append(f"“{self.title}”")
        if self.arxiv:
            parts.append(f"arXiv:{self.arxiv}")
        if self.where:
            parts.append(self.where)
        return ", ".join(parts) + f" [{self.provenance.value}]"
