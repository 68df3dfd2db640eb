"""L4: the command line. Thin adapters over the facade; errors become one line + exit 2."""

from __future__ import annotations

import sys

import typer

from journeymap import __version__
from journeymap.cli import demo, maps, render
from journeymap.cli._common import err_console
from journeymap.errors import JourneymapError

app = typer.Typer(
    name="journeymap",
    help="Customer journey maps as code, measured against real event, survey and feedback data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        print(f"journeymap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False,
        "--version",
        callback=_version,
        is_eager=True,
        help="Show the version and exit.",
    ),
) -> None:
    """Customer journey maps as code, measured against real data."""


for module in (demo, maps, render):
    module.register(app)


def _register_optional() -> None:
    # analyze and measure live in their own modules (issues 4 and 5)
    from journeymap.cli import analyze, measure

    analyze.register(app)
    measure.register(app)


_register_optional()


# typer 0.29 bundles its own click (``typer._click``) and older typer uses click itself:
# find the base class of usage errors through typer's public BadParameter either way
_USAGE_ERROR: type[Exception] = next(
    cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException"
)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI: an error becomes one line on stderr, never a traceback.

    Bad input and usage errors exit 2, Ctrl-C exits 130.
    """
    try:
        # without standalone mode click returns the code of a typer.Exit instead of raising
        result = app(args=argv, standalone_mode=False)
    except JourneymapError as exc:
        err_console.print(f"[red]error:[/red] {exc.one_line()}", soft_wrap=True)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except (KeyboardInterrupt, typer.Abort):
        err_console.print("interrupted")
        return 130
    except _USAGE_ERROR as exc:
        exc.show()  # type: ignore[attr-defined]
        return 2
    return result if isinstance(result, int) else 0


def run() -> None:
    sys.exit(main())
