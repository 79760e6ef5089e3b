"""A progress bar on standard error for large files, so standard output stays parseable JSON.

On a terminal the bar redraws in place; otherwise (CI logs, pipes) a line is written every tenth.
Small files (under :data:`MIN_BYTES`) get no bar: it would only flicker.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

MIN_BYTES = 4 << 20
WIDTH = 30


class ProgressBar:
    """Call with (bytes done, bytes total); redraws at most every 0.2 s."""

    PASSES = ("hashing", "reading")
    """A file is read twice: once to hash it (its id) and sniff it, once to map and validate it."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self._pass = 0
        self.label = self.PASSES[0]
        self._done = 0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0
        self._last_tenth = -1
        self._drawn = False
        self._started = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if total < MIN_BYTES:
            return
        if done < self._done:  # the next pass over the file began
            self._pass = min(self._pass + 1, len(self.PASSES) - 1)
            self.reset(self.PASSES[self._pass])
        self._done = done
        now = time.monotonic()
        fraction = min(1.0, done / total) if total else 1.0
        if self._tty:
            if now - self._last < 0.2 and fraction < 1.0:
                return
            filled = int(WIDTH * fraction)
            rate = done / max(now - self._started, 1e-6) / (1 << 20)
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (WIDTH - filled)}] {fraction:6.1%} "
                              f"{done >> 20}/{total >> 20} MB {rate:5.1f} MB/s")
            self.stream.flush()
            self._drawn = True
        else:
            tenth = int(fraction * 10)
            if tenth != self._last_tenth:
                self._last_tenth = tenth
                self.stream.write(f"medsupply: {self.label} {tenth * 10}% of {total >> 20} MB\n")
                self.stream.flush()
        self._last = now

    def reset(self, label: str) -> None:
        """Start a new pass (hashing, then reading) on a fresh line."""
        self.finish()
        self.label = label
        self._last_tenth = -1
        self._started = time.monotonic()

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
            self._drawn = False
