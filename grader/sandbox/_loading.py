"""What a worker knows about loading its program: the program, what failed, what was left out.

A ``Worker`` (``grader.sandbox._client``) keeps one ``LoadState`` across its restarts. When
loading dies or hangs in a statement the worker had announced, ``leave_out`` records that
statement, the names it defines and why; the next start loads the program without it, so only
those names are lost, each with the reason.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

from grader import messages as msg
from grader.sandbox import _decode as decode
from grader.types import CallResult


class LoadState:
    def __init__(
        self, program: str | None, origin: decode.Origin | None, missing: dict[str, str]
    ) -> None:
        self.program = program  # None: the worker starts now and gets its program later
        self.origin = origin
        self.missing = missing  # names the program cannot define -> why
        self.lines = program.splitlines() if program is not None else []
        self.skip: dict[int, str] = {}  # statements left out of loading -> why (a warning)
        self.loading: int | None = None  # the statement the worker said it was running
        self.warnings: tuple[str, ...] = ()
        self.failure: CallResult | None = None  # what every call gets once loading failed
        self.ready = False
        self.load_request = 0  # the id of the load request in flight

    def give(self, program: str, origin: decode.Origin | None, missing: Mapping[str, str]) -> None:
        if self.program is not None:
            raise RuntimeError("this worker already has its program")
        self.program, self.origin = program, origin
        self.missing.update(missing)
        self.lines = program.splitlines()

    def request(self) -> dict[str, Any]:
        return {"program": self.program, "skip": sorted(self.skip)}

    def started(self) -> None:
        self.ready, self.loading = False, None

    def stopped(self) -> None:
        self.ready = False

    def running(self, statement: object) -> None:
        self.loading = statement if type(statement) is int else None

    def warned(self, warnings: list[str]) -> None:
        self.warnings = (*self.skip.values(), *warnings)

    def leave_out(self, failure: CallResult) -> bool:
        """After loading died or hung in a known statement, leave that statement out: only the
        names it defines are lost, with the reason. False when there is none to leave out."""
        statement, program = self.loading, self.program
        if statement is None or statement in self.skip or program is None:
            return False
        names, line = statement_names(program, statement)
        shown = ", ".join(names) or msg.SANDBOX_NO_NAMES
        self.skip[statement] = msg.SANDBOX_LOAD_SKIPPED.format(
            where=decode.where(line, self.origin), names=shown, reason=failure.message
        )
        reason = msg.SANDBOX_LOAD_SKIPPED_NAME.format(reason=failure.message)
        for name in names:
            self.missing.setdefault(name, reason)
        return True


def statement_names(program: str, index: int) -> tuple[list[str], int]:
    """The names top-level statement ``index`` of ``program`` binds, and its first line."""
    try:
        statement = ast.parse(program).body[index]
    except (SyntaxError, ValueError, IndexError, RecursionError):
        return [], 0
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        names = [statement.name]
    elif isinstance(statement, ast.Import | ast.ImportFrom):
        names = [(alias.asname or alias.name).split(".")[0] for alias in statement.names]
    else:
        names = sorted(
            node.id
            for node in ast.walk(statement)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
        )
    return names, statement.lineno
