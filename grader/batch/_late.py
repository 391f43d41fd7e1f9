"""A late policy, applied when grades are exported: a deadline, a penalty per day or hour late, a
cap, a grace period, and per-student extensions.

The penalty is a percentage of the assignment's points for every day (or hour) or part of one
after the student's deadline, once the submission is later than the grace period; it never
exceeds the cap. A student's deadline is the course's unless the extensions file gives another.
The received time is the one the submission that counts was last seen with
(``grader.batch._counting``). When those times look like the time the files were copied
(``copied_times``), the export says so: a folder of notebooks takes each file's time.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import messages as msg
from grader.errors import UsageError

UNITS = {"day": 86_400.0, "hour": 3_600.0}


def parse_moment(text: str, where: str) -> dt.datetime:
    """An ISO 8601 time (``2026-12-04T23:59``, a zone or ``Z`` optional: UTC without one)."""
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(msg.LATE_BAD_TIME.format(where=where, text=text)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class Late:
    """How late one submission was, and what it costs."""

    deadline: str
    seconds: float  # after the deadline; 0 when on time
    penalty: float  # points

    @property
    def late_by(self) -> str:
        if self.seconds <= 0:
            return ""
        minutes = math.ceil(self.seconds / 60)
        days, rest = divmod(minutes, 24 * 60)
        hours, minutes = divmod(rest, 60)
        parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours)
        return " ".join([*parts, f"{minutes} min"] if minutes or not parts else parts)


@dataclass(frozen=True)
class LatePolicy:
    deadline: dt.datetime
    percent: float = 0.0  # of the points, per unit late
    per: str = "day"
    cap: float = 100.0  # percent at most
    grace_minutes: float = 0.0
    extensions: Mapping[str, dt.datetime] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.per not in UNITS:
            raise UsageError(msg.LATE_BAD_UNIT.format(per=self.per))
        for name, value in (("--late-penalty", self.percent), ("--late-cap", self.cap)):
            if not 0 <= value <= 100:
                raise UsageError(msg.LATE_BAD_PERCENT.format(option=name, value=value))
        if self.grace_minutes < 0:
            raise UsageError(msg.LATE_BAD_GRACE.format(value=self.grace_minutes))

    def of(self, student: str, received: str, max_score: float) -> Late:
        deadline = self.extensions.get(student, self.deadline)
        seconds = (parse_moment(received, "received") - deadline).total_seconds()
        if seconds <= 0:
            return Late(deadline.isoformat(), 0.0, 0.0)
        if seconds <= self.grace_minutes * 60:
            return Late(deadline.isoformat(), seconds, 0.0)
        units = math.ceil(seconds / UNITS[self.per])
        percent = min(self.cap, units * self.percent)
        return Late(deadline.isoformat(), seconds, round(max_score * percent / 100, 6))


def read_extensions(path: Path) -> dict[str, dt.datetime]:
    """``student,deadline`` rows (a header line first) -> each student's own deadline."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise UsageError(msg.LATE_BAD_EXTENSIONS.format(path=path, error=error)) from None
    extensions = {}
    for line, row in enumerate(rows, start=2):
        student, when = (row.get("student") or "").strip(), (row.get("deadline") or "").strip()
        if not student or not when:
            problem = msg.LATE_EXTENSION_ROW.format(line=line)
            raise UsageError(msg.LATE_BAD_EXTENSIONS.format(path=path, error=problem))
        extensions[student] = parse_moment(when, f"{path}, line {line}")
    return extensions


COPIED_WITHIN = 120.0  # seconds: a whole course handing in within two minutes is a copy


def copied_times(rows: Sequence[Mapping[str, Any]]) -> str | None:
    """Why the rows' received times look like the time files were copied rather than handed
    in (all within ``COPIED_WITHIN`` of each other, or most of the course late), or None."""
    graded = [row for row in rows if row.get("received")]
    if len(graded) < 2:
        return None
    moments = [parse_moment(str(row["received"]), "received") for row in graded]
    span = (max(moments) - min(moments)).total_seconds()
    if span <= COPIED_WITHIN:
        return msg.LATE_TIMES_CLOSE.format(count=len(graded), seconds=max(span, 1.0))
    late = sum(1 for row in graded if row.get("late_by"))
    if late * 2 > len(graded):
        return msg.LATE_TIMES_MOSTLY_LATE.format(late=late, count=len(graded))
    return None
