"""Progress of a run on stderr: a tqdm bar on a terminal, one line per check (or figure) otherwise."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sgmverify.theory import Result

__all__: list[str] = []


class _Bar:
    """A tqdm bar of ``unit``s on a terminal; plain lines otherwise or with ``CI=true``; nothing when off.

    Subclasses build one line per item and hand it to :meth:`_emit`.
    """

    def __init__(self, total: int, enabled: bool, stream: Any, unit: str, desc: str | None = None) -> None:
        self.stream = stream or sys.stderr
        self.total, self.n, self.bar = total, 0, None
        ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.mode = "off" if not enabled or total == 0 else ("bar" if tty and not ci else "lines")
        if self.mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit=unit, file=self.stream, dynamic_ncols=True, desc=desc)

    def _emit(self, line: str, is_problem: bool) -> None:
        """One item done: advance the bar (``line`` printed above it if ``is_problem``), or print ``line``."""
        if self.bar is not None:
            self.bar.update(1)
            if is_problem:
                self.bar.write(line, file=self.stream)
        elif self.mode == "lines":
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _Progress(_Bar):
    """A tqdm bar on a terminal; plain ``[i/n] id: VERDICT (t s)`` lines otherwise or when ``CI=true``."""

    def __init__(self, total: int, enabled: bool, stream: Any = None) -> None:
        super().__init__(total, enabled, stream, "check")

    def update(self, r: Result) -> None:
        self.n += 1
        t = r.timings.get("total_s", float("nan"))
        line = f"[{self.n}/{self.total}] {r.check_id}: {r.verdict.value} ({t:.1f} s)"
        if not r.as_expected:
            line += f" — {r.reason}"
        self._emit(line, not r.as_expected)
