"""The options that scope what is measured, checked and turned into ``jm.measure``
keyword arguments: unit, customers, time, rule and persona (issue 9).

Shared by ``measure``, ``render`` and ``analyze`` (the options themselves are in
``_options``). Filters apply after the customer attributes are joined, so ``--where``
and ``--persona`` may use them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from journeymap.errors import AnalysisError


@dataclass(frozen=True)
class Scoping:
    """The parsed scoping options, as keyword arguments of ``jm.measure``."""

    scope: str | None = None
    customers: Path | None = None
    customers_id: str | None = None
    since: str | None = None
    until: str | None = None
    where: str | None = None
    persona: str | None = None
    session_timeout_min: float | None = None

    def __post_init__(self) -> None:
        if self.scope is not None and self.scope not in ("customer", "session"):
            raise AnalysisError(
                f"--scope: unknown scope {self.scope!r}; known: customer, session"
            )
        for option, value in (("--since", self.since), ("--until", self.until)):
            if value is not None:
                moment(value, option)
        if (
            self.since
            and self.until
            and moment(self.since, "--since") >= moment(self.until, "--until")
        ):
            raise AnalysisError(
                f"--since {self.since} is not before --until {self.until}"
            )
        if self.customers is not None and not self.customers.exists():
            raise AnalysisError(
                f"--customers: file not found: {self.customers}",
                file=str(self.customers),
            )

    def options(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scope": self.scope,
            "since": self.since,
            "until": self.until,
            "where": self.where,
            "persona": self.persona,
        }
        if self.customers is not None:
            out["customers"] = str(self.customers)
        if self.customers_id is not None:
            out["customers_id"] = self.customers_id
        if self.session_timeout_min is not None:
            out["session_timeout_s"] = self.session_timeout_min * 60
        return out


def moment(text: str, option: str) -> dt.datetime:
    """An ISO date or date-time (UTC) or a clear one-line error naming the option."""
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise AnalysisError(
            f"{option}: cannot read {text!r} as a date; use YYYY-MM-DD or "
            "YYYY-MM-DDTHH:MM"
        ) from None


def period(text: str, option: str) -> tuple[dt.datetime, dt.datetime]:
    """``FROM..TO`` (days, both included) → ``[start, end)`` naive UTC datetimes."""
    found = re.fullmatch(r"\s*([^.\s]+)\s*\.\.\s*([^.\s]+)\s*", text)
    if not found:
        raise AnalysisError(f"{option}: expected FROM..TO, e.g. 2026-03-02..2026-03-20")
    start = moment(found.group(1), option)
    end = moment(found.group(2), option)
    if len(found.group(2)) <= 10:  # a day: include it
        end += dt.timedelta(days=1)
    if end <= start:
        raise AnalysisError(f"{option}: {text} ends before it starts")
    return (start, end)
