"""The options several commands share, defined once (help text, metavar, limits).

A command declares them in its own signature, in the order its ``--help`` lists them:
``data: opt.Data = None``. Options one command alone takes stay in its module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

MapFile = Annotated[
    Path, typer.Argument(metavar="MAP.yaml", help="Journey map (YAML).")
]

# -- the data a map is measured with (issue 8) ----------------------------------------
# str, not Path: Path("postgresql://h/db?table=t") collapses the "//" of a URL
Data = Annotated[
    str | None,
    typer.Option(
        "--data",
        metavar="EVENTS",
        help="Events to measure the map with: a file, a folder or a table "
        "('postgresql://user@host/db?table=events') (default: the map's data.events).",
    ),
]

Surveys = Annotated[
    Path | None,
    typer.Option(
        "--surveys",
        metavar="FILE",
        help="Survey answers: score, score_kind (and customer_id, timestamp, event) "
        "columns (default: the map's data.surveys).",
    ),
]

Feedback = Annotated[
    Path | None,
    typer.Option(
        "--feedback",
        metavar="FILE",
        help="Free-text feedback: a text column (and customer_id, timestamp, event) "
        "(default: the map's data.feedback).",
    ),
]

# -- how the events are read ----------------------------------------------------------
IdColumn = Annotated[
    str | None,
    typer.Option("--id", metavar="COLUMN", help="Column holding the customer id."),
]

TimeColumn = Annotated[
    str | None,
    typer.Option("--time", metavar="COLUMN", help="Column holding the timestamp."),
]

EventColumn = Annotated[
    str | None,
    typer.Option("--event", metavar="COLUMN", help="Column holding the event name."),
]

ChannelColumn = Annotated[
    str | None,
    typer.Option("--channel", metavar="COLUMN", help="Column holding the channel."),
]

Timezone = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        metavar="ZONE",
        help="Zone of naive timestamps (default UTC), e.g. Europe/Berlin.",
    ),
]

TimeFormat = Annotated[
    str | None,
    typer.Option(
        "--time-format",
        metavar="FORMAT",
        help="How to read the timestamps when guessing is not enough: epoch_s, "
        "epoch_ms, epoch_us, epoch_ns, yyyymmdd, yyyymmddhhmmss, excel, or a strptime "
        "format such as '%d/%m/%Y %H:%M'. Numbers that fit no kind by their size are "
        "quarantined as ambiguous without it.",
    ),
]

Engine = Annotated[
    str | None,
    typer.Option(
        "--engine",
        metavar="ENGINE",
        help="Where the analytics run: duckdb (default), spark, postgres, or a "
        "connection URL (postgresql://user@host:5432/db, spark://local).",
    ),
]

# -- what is measured: unit, customers, time, rule and persona (issue 9) ---------------
Scope = Annotated[
    str | None,
    typer.Option(
        "--scope",
        metavar="customer|session",
        help="Unit of measurement: a customer's whole history or each session "
        "(default: the map's data.scope, else customer).",
    ),
]

Customers = Annotated[
    Path | None,
    typer.Option(
        "--customers",
        metavar="FILE",
        help="Customer attributes (CSV/Parquet, one row per customer) joined on the "
        "customer id (default: the map's data.customers).",
    ),
]

CustomersId = Annotated[
    str | None,
    typer.Option("--customers-id", metavar="COLUMN", help="Id column of --customers."),
]

Since = Annotated[
    str | None,
    typer.Option(
        "--since", metavar="DATE", help="Only events at or after this UTC date/time."
    ),
]

Until = Annotated[
    str | None,
    typer.Option(
        "--until", metavar="DATE", help="Only events before this UTC date/time."
    ),
]

Where = Annotated[
    str | None,
    typer.Option(
        "--where",
        metavar="RULE",
        help="Only events matching a segment rule, e.g. \"platform == 'mobile'\".",
    ),
]

Persona = Annotated[
    str | None,
    typer.Option(
        "--persona", metavar="ID", help="Only the customers of this persona of the map."
    ),
]

SessionTimeout = Annotated[
    float | None,
    typer.Option(
        "--session-timeout",
        metavar="MINUTES",
        min=0.1,
        max=525600,
        help="Inactivity (minutes) that ends a derived session (default 30).",
    ),
]
