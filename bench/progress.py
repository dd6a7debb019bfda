"""The progress line: one line per step, and live sub-progress on a terminal."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, total: int) -> None:
        self._total = total
        self._done = 0
        self._started = time.monotonic()
        self._live = sys.stdout.isatty()
        self._line = ""

    def step(self, label: str) -> None:
        self._done += 1
        self._line = f"bench: [{self._done}/{self._total}] {label} (at {self.elapsed:.0f} s)"
        self._write(self._line, final=not self._live)

    def note(self, detail: str) -> None:
        """Rewrites the current line on a terminal; silent in logs, which stay one line per step."""
        if self._live:
            self._write(f"{self._line} ... {detail}", final=False)

    def finish(self) -> None:
        elapsed = time.monotonic() - self._started
        self._write(f"bench: done in {elapsed:.0f} s", final=True)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._started

    def _write(self, text: str, *, final: bool) -> None:
        if self._live:
            # \r and clear-to-end: the next update replaces this one.
            sys.stdout.write("\r\033[K" + text + ("\n" if final else ""))
        else:
            sys.stdout.write(text + "\n")
        sys.stdout.flush()
