"""Commands about the journey file itself: new, validate, schema, frameworks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
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
        str, typer.Option("--framework", "-f", help="Preset id (see `frameworks`).")
    ] = "classic-5",
    name: Annotated[
        str, typer.Option("--name", "-n", help="Name of the journey.")
    ] = "New journey",
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Map file to write.")
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
        list[Path], typer.Argument(help="Journey map files.", exists=False)
    ],
) -> None:
    """Check journey maps: structure, types, references. Prints every problem."""
    from journeymap.model.spec import validate_map

    failed = 0
    for path in paths:
        problems = validate_map(path)
        if problems:
            failed += 1
            for problem in problems:
                err_console.print(
                    f"[red]error:[/red] {problem.one_line()}", soft_wrap=True
                )
        else:
            console.print(f"[green]ok[/green] {path}")
    if failed:
        raise typer.Exit(2)


def schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file.")
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
