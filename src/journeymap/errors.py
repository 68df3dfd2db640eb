"""Errors users see. Each renders as one line: ``file:line: field: message``."""

from __future__ import annotations


class JourneymapError(Exception):
    """Base of every error journeymap raises on purpose (bad input, missing extra)."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        elif self.line:
            where = f"line {self.line}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class MapError(JourneymapError):
    """A journey map file is malformed or inconsistent."""


class IngestError(JourneymapError):
    """Event, survey or feedback data cannot be read."""


class EngineError(JourneymapError):
    """A backend cannot be reached or a query failed."""


class AnalysisError(JourneymapError):
    """An analysis was asked for something the data or map cannot give."""


class RenderError(JourneymapError):
    """An output cannot be written."""


class MissingExtraError(JourneymapError):
    """An optional dependency is not installed."""
