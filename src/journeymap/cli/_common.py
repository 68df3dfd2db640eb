"""Shared CLI pieces: consoles, column-mapping options, error reporting."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

# Piped output (CI logs, files) gets a fixed, wide-enough width instead of rich's 80.
_PIPED_WIDTH = 120
console = Console(highlight=False, width=None if sys.stdout.isatty() else _PIPED_WIDTH)
err_console = Console(
    stderr=True, highlight=False, width=None if sys.stderr.isatty() else _PIPED_WIDTH
)

IdOpt = Annotated[
    str | None, typer.Option("--id", help="Column holding the customer id.")
]
TimeOpt = Annotated[
    str | None, typer.Option("--time", help="Column holding the timestamp.")
]
EventOpt = Annotated[
    str | None, typer.Option("--event", help="Column holding the event name.")
]
ChannelOpt = Annotated[
    str | None, typer.Option("--channel", help="Column holding the channel.")
]
TimezoneOpt = Annotated[
    str | None,
    typer.Option(
        "--timezone", help="Zone of naive timestamps (default UTC), e.g. Europe/Berlin."
    ),
]


def column_mapping(
    id_col: str | None,
    time_col: str | None,
    event_col: str | None,
    channel_col: str | None,
) -> dict[str, str]:
    given = {
        "customer_id": id_col,
        "timestamp": time_col,
        "event": event_col,
        "channel": channel_col,
    }
    return {role: col for role, col in given.items() if col}


def echo_ingest(report: object) -> None:
    """Echo the column mapping and the row accounting of an ingest."""
    columns = getattr(report, "columns", {})
    mapping = ", ".join(f"{role}←{col}" for role, col in columns.items())
    err_console.print(f"[dim]columns: {mapping}[/dim]")
    err_console.print(f"[dim]{report.summary()}[/dim]")  # type: ignore[attr-defined]
    reasons = getattr(report, "reasons", {})
    for reason, rows in reasons.items():
        err_console.print(f"[yellow]  quarantined {rows:,}: {reason}[/yellow]")


def written(path: Path, what: str) -> None:
    console.print(f"  [green]wrote[/green] {what}: {path}")
