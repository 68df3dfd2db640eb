"""Commands about the journey file itself: new, validate, schema, frameworks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from journeymap.cli._common import console, err_console
from journeymap.cli._output import check_output, write_text
from journeymap.errors import MapError


def frameworks() -> None:
    """List the stage frameworks `journeymap new --framework ID` can start from."""
    from journeymap.model.frameworks import list_frameworks

    table = Table(title="Stage frameworks", show_lines=False)
    table.add_column("id", style="bold")
    table.add_column("name")
    table.add_column("stages")
    for framework in list_frameworks():
        table.add_row(
            framework.id, framework.name, " → ".join(s.name for s in framework.stages)
        )
    console.print(table)


def new(
    framework: Annotated[
        str,
        typer.Option(
            "--framework", "-f", metavar="ID", help="Preset id (see `frameworks`)."
        ),
    ] = "classic-5",
    name: Annotated[
        str, typer.Option("--name", "-n", metavar="TEXT", help="Name of the journey.")
    ] = "New journey",
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="Map file to write.")
    ] = Path("map.yaml"),
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing file.")
    ] = False,
) -> None:
    """Write a new, commented journey map from a stage framework."""
    from journeymap.model.spec import loads_map
    from journeymap.model.templates import new_map_yaml

    check_output(output)
    if output.exists() and not force:
        raise MapError("file exists; pass --force to overwrite", file=str(output))
    text = new_map_yaml(framework, name)
    journey = loads_map(text, file=str(output))
    write_text(output, text)
    console.print(
        f"wrote {output}: {len(journey.stages)} stages, "
        f"{sum(len(s.touchpoints) for s in journey.stages)} touchpoints ({framework})"
    )


def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(metavar="MAP.yaml...", help="Journey map files.", exists=False),
    ],
    data: Annotated[
        bool,
        typer.Option(
            "--data/--no-data",
            help="When the map names its data (data.events, data.customers), read it "
            "and check that every persona's rule columns exist there.",
        ),
    ] = True,
) -> None:
    """Check journey maps: structure, types, references. Prints every problem.

    With a ``data:`` section, also reads the data and checks the personas' columns
    against it (``--no-data`` skips that).
    """
    from journeymap.model.spec import validate_map

    failed = 0
    for path in paths:
        problems = [p.one_line() for p in validate_map(path)]
        if not problems and data:
            problems, warnings = _data_problems(path)
            for warning in warnings:
                err_console.print(
                    f"[yellow]warning:[/yellow] {escape(warning)}", soft_wrap=True
                )
        if problems:
            failed += 1
            for problem in problems:
                err_console.print(
                    f"[red]error:[/red] {escape(problem)}", soft_wrap=True
                )
        else:
            console.print(f"[green]ok[/green] {escape(str(path))}")
    if failed:
        raise typer.Exit(2)


def _data_problems(path: Path) -> tuple[list[str], list[str]]:
    """Persona rules whose columns the map's own data does not have (errors), and
    event names the match rules and conversion expect but the data lacks (warnings)."""
    import journeymap as jm
    from journeymap.cli._load import load_map_data
    from journeymap.model.references import absent_events
    from journeymap.model.spec import (
        field_line,
        field_path,
        load_map_document,
        locate,
    )

    journey = jm.load_map(path)
    if journey.data is None or not journey.data.events:
        return [], []
    loaded = load_map_data(path)
    if loaded.events is None:
        return [], []
    log = loaded.events
    if loaded.customers is not None:
        log = jm.attach_customers(log, loaded.customers, id_col=loaded.customers_id)
    fields = {
        f"persona `{persona.id}` ": f"personas[{i}].segment"
        for i, persona in enumerate(journey.personas)
    }
    problems = []
    for problem in jm.check_personas(journey, log):
        field = next((f for p, f in fields.items() if problem.startswith(p)), None)
        line = None if field is None else field_line(path, field)
        problems.append(MapError(problem, file=str(path), line=line, field=field))
    names: set[str] = set()
    for source in (loaded.events, loaded.surveys, loaded.feedback):
        if source is not None:
            found = source.execute(source.table.select("event").distinct())
            names.update(str(n) for n in found["event"] if n is not None)
    warnings = []
    for absent in absent_events(journey, names):
        line, shown = locate(load_map_document(path)[1], absent.loc)
        warnings.append(
            MapError(absent.message, file=str(path), line=line, field=field_path(shown))
        )
    return [p.one_line() for p in problems], [w.one_line() for w in warnings]


def schema(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write to a file."),
    ] = None,
) -> None:
    """Print the JSON Schema of the journey file (for editor autocompletion)."""
    from journeymap.model.spec import map_json_schema

    if output is not None:
        check_output(output)
    text = json.dumps(map_json_schema(), indent=2, sort_keys=False) + "\n"
    if output is None:
        print(text, end="")
    else:
        write_text(output, text)
        console.print(f"wrote {output}")


def register(app: typer.Typer) -> None:
    app.command()(frameworks)
    app.command()(new)
    app.command()(validate)
    app.command()(schema)
