"""The batch's progress: a tqdm bar on a terminal, plain lines anywhere else (a log, CI).

Either way it shows what was graded of the total, how many failed, the rate and the time left.
"""

from __future__ import annotations

import time
from typing import TextIO

from grader import messages as msg

LINE_EVERY_SECONDS = 10.0  # without a terminal: one line at most this often, and the last one


class Progress:
    """Counts finished gradings; ``update`` after each, ``close`` at the end."""

    def __init__(
        self, total: int, stream: TextIO, *, tty: bool | None = None, phase: str = "grading"
    ) -> None:
        self.total = total
        self.label, self.done_word = msg.PROGRESS_PHASES[phase]
        self.stream = stream
        self.done = 0
        self.failed = 0
        self.start = time.monotonic()
        self._last_line = self.start
        is_tty = stream.isatty() if tty is None else tty
        self._bar = None
        if is_tty and total:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total, file=stream, unit="nb", desc=self.label, dynamic_ncols=True
            )
            self._bar.set_postfix(failed=0)

    def update(self, *, failed: bool) -> None:
        self.done += 1
        self.failed += int(failed)
        if self._bar is not None:
            if failed:
                self._bar.set_postfix(failed=self.failed, refresh=False)
            self._bar.update(1)
            return
        now = time.monotonic()
        if now - self._last_line >= LINE_EVERY_SECONDS or self.done == self.total:
            self._last_line = now
            print(self.line(now), file=self.stream, flush=True)

    def line(self, now: float | None = None) -> str:
        elapsed = (now if now is not None else time.monotonic()) - self.start
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else None
        eta = "--" if left is None else _duration(left)
        return msg.PROGRESS_LINE.format(
            done=self.done, total=self.total, done_word=self.done_word, failed=self.failed,
            rate=rate, eta=eta,
        )  # fmt: skip

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"
