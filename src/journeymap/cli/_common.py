"""Shared CLI pieces: consoles, the engine and column mapping the options name,
error reporting, progress."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

import journeymap as jm
from journeymap.errors import JourneymapError

if TYPE_CHECKING:
    from journeymap import EventLog

# Piped output (CI logs, files) gets a fixed, wide-enough width instead of rich's 80.
_PIPED_WIDTH = 120
console = Console(highlight=False, width=None if sys.stdout.isatty() else _PIPED_WIDTH)
err_console = Console(
    stderr=True, highlight=False, width=None if sys.stderr.isatty() else _PIPED_WIDTH
)


def open_engine(choice: str | None, source: object = None) -> jm.Engine | None:
    """The engine ``--engine`` (or a map's ``data.engine``) names; None: DuckDB.

    ``postgres`` alone with a ``postgresql://…?table=`` source connects to that
    source's server, so the table is read in place and the queries run there.
    An unknown name is an :class:`EngineError` (one line, exit 2).
    """
    if choice is None:
        return None
    named = str(source) if source is not None else ""
    bare = choice.strip().lower() in ("postgres", "postgresql")
    if bare and named.lower().startswith(("postgresql://", "postgres://")):
        return jm.connect(named)
    return jm.connect(choice)


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


def echo_ingest(log: EventLog, *, examples: int = 5) -> None:
    """Echo the column mapping, the row accounting and a few quarantined rows."""
    report = log.report
    if report is None:
        return
    mapping = ", ".join(f"{role}←{col}" for role, col in report.columns.items())
    # one line each, however long the path: logs are grepped for the accounting
    err_console.print(f"[dim]columns: {escape(mapping)}[/dim]", soft_wrap=True)
    err_console.print(f"[dim]{escape(report.summary())}[/dim]", soft_wrap=True)
    for warning in report.warnings:  # encoding, multi-line values, numeric time formats
        err_console.print(f"[yellow]  note: {escape(warning)}[/yellow]", soft_wrap=True)
    for reason, rows in report.reasons.items():
        err_console.print(
            f"[yellow]  quarantined {rows:,}: {escape(reason)}[/yellow]", soft_wrap=True
        )
    if report.quarantined:
        _echo_quarantine_examples(log, report.quarantined, examples)


def _echo_quarantine_examples(log: EventLog, total: int, examples: int) -> None:
    table = jm.quarantine(log).order_by("row_number").limit(examples)
    shown = log.execute(table)
    label = f"first {len(shown)} of {total:,}" if total > len(shown) else "all"
    err_console.print(f"[yellow]  quarantined rows ({label}):[/yellow]")
    for row in shown.itertuples(index=False):
        line = (
            ""
            if row.line is None or row.line != row.line
            else f", line {int(row.line)}"
        )
        value = (
            ""
            if row.value is None or row.value != row.value
            else f" = {str(row.value)!r}"
        )
        # a whole record (bad JSON, an unbalanced quote) has no column: say "record"
        column = (
            "record" if row.column is None or row.column != row.column else row.column
        )
        err_console.print(
            f"[yellow]    row {int(row.row_number)}{line}: "
            f"{escape(f'{row.reason} ({column}{value})')}[/yellow]",
            soft_wrap=True,
        )


@contextlib.contextmanager
def about(path: Path) -> Iterator[None]:
    """An error inside that names no file is about ``path`` (the map being measured):
    "persona `x`: ..." alone left the user to find which map (issue 8)."""
    try:
        yield
    except JourneymapError as exc:
        if exc.file is None:
            exc.file = str(path)
            if exc.line is None and exc.field:  # e.g. personas[2].segment
                from journeymap.model.spec import field_line

                exc.line = field_line(path, exc.field)
            exc.args = (exc.one_line(),)
        raise


def written(path: Path, what: str) -> None:
    console.print(f"  [green]wrote[/green] {what}: {escape(str(path))}")


@contextlib.contextmanager
def working(description: str) -> Iterator[None]:
    """A spinner with the elapsed time on stderr while a step runs (reading,
    measuring, rendering), shown only when stderr is a terminal: pipes and CI logs
    get the results alone. Steps of unknown length: a spinner, not a bar."""
    if not err_console.is_terminal:
        yield
        return
    with spinner(err_console) as progress:
        progress.add_task(description, total=None)
        yield


def spinner(target: Console) -> Progress:
    """The CLI's progress display: a spinner, the step, the elapsed time; gone when
    the step ends."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        transient=True,
        console=target,
    )


def duration_text(seconds: float | None) -> str:
    """A duration for a terminal table, in the drawn map's wording; ``—`` if none."""
    return "—" if seconds is None else jm.format_duration(seconds)
