"""Progress of a run on stderr: a tqdm bar on a terminal, one line per check otherwise."""

from __future__ import annotations

import os
import sys
from typing import Any

from sgmverify.theory import Result

__all__: list[str] = []


class _Progress:
    """A tqdm bar on a terminal; plain ``[i/n] id: VERDICT (t s)`` lines otherwise or when ``CI=true``."""

    def __init__(self, total: int, enabled: bool, stream: Any = None) -> None:
        self.stream = stream or sys.stderr
        self.total, self.n, self.bar = total, 0, None
        ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
        tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.mode = "off" if not enabled or total == 0 else ("bar" if tty and not ci else "lines")
        if self.mode == "bar":
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="check", file=self.stream, dynamic_ncols=True)

    def update(self, r: Result) -> None:
        self.n += 1
        t = r.timings.get("total_s", float("nan"))
        line = f"[{self.n}/{self.total}] {r.check_id}: {r.verdict.value} ({t:.1f} s)"
        if not r.as_expected:
            line += f" — {r.reason}"
        if self.bar is not None:
            self.bar.update(1)
            if not r.as_expected:
                self.bar.write(line, file=self.stream)
        elif self.mode == "lines":
            print(line, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
