"""L4: the command line. Thin adapters over the facade; errors become one line + exit 2."""

from __future__ import annotations

import os
import sys

import typer
from rich.markup import escape

from journeymap import __version__
from journeymap.cli import demo, maps, render, report, serve
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


for module in (demo, maps, render, report, serve):
    module.register(app)


def _register_optional() -> None:
    # analyze and measure live in their own modules (issues 4 and 5)
    from journeymap.cli import analyze, forecast, measure

    analyze.register(app)
    measure.register(app)
    forecast.register(app)


_register_optional()


# typer 0.29 bundles its own click (``typer._click``) and older typer uses click itself:
# find the base class of usage errors through typer's public BadParameter either way
_USAGE_ERROR: type[Exception] = next(
    cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException"
)


INTERRUPTED = 130  # the shell's code for a SIGINT (128 + 2)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI: an error becomes one line on stderr, never a traceback.

    Bad input, usage errors, unwritable outputs and resource limits exit 2, Ctrl-C
    exits 130 (whatever was running when it came). An unexpected error (a bug) is one
    line and exit 1; ``JOURNEYMAP_DEBUG=1`` shows its traceback instead.
    """
    try:
        # without standalone mode click returns the code of a typer.Exit instead of raising
        result = app(args=argv, standalone_mode=False)
    except typer.Exit as exc:
        return exc.exit_code
    except _USAGE_ERROR as exc:
        exc.show()  # type: ignore[attr-defined]
        return 2
    except BaseException as exc:  # noqa: BLE001 - the one place errors become lines
        return _report(exc)
    if result == INTERRUPTED:
        # typer turns Ctrl-C into a silent return of 130; say what happened
        err_console.print("interrupted")
    return result if isinstance(result, int) else 0


def _report(exc: BaseException) -> int:
    """One line on stderr for ``exc`` and the exit code; re-raises what is not ours."""
    if _interrupted(exc):
        # checked first: DuckDB turns Ctrl-C into an error that ingest would otherwise
        # report as a bad input file (issue 8)
        err_console.print("interrupted")
        return INTERRUPTED
    if isinstance(exc, JourneymapError):
        return _fail(exc.one_line(), exc.exit_code)
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(f"{where}{exc.strerror or exc}", 2)
    if isinstance(exc, MemoryError):
        return _fail("out of memory; try a smaller file or fewer options at once", 2)
    if isinstance(exc, RecursionError):
        return _fail("the request is too large to compute (too deeply nested)", 2)
    if not isinstance(exc, Exception) or os.environ.get("JOURNEYMAP_DEBUG"):
        raise exc  # SystemExit and friends; or a developer asking for the traceback
    first = (str(exc).strip().splitlines() or [""])[0]
    return _fail(
        f"internal error ({type(exc).__name__}: {first}); this is a bug, please "
        "report it (JOURNEYMAP_DEBUG=1 shows the traceback)",
        1,
    )


def _fail(message: str, code: int) -> int:
    # escaped: messages quote user input, and "[x]" in a column name is not markup
    err_console.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    return code


def _interrupted(exc: BaseException) -> bool:
    """Ctrl-C, also when a library re-raised it as its own error (DuckDB does)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, KeyboardInterrupt | typer.Abort):
            return True
        if type(current).__name__ == "InterruptException":  # duckdb's, not imported
            return True
        current = current.__cause__ or current.__context__
    return False


def run() -> None:
    sys.exit(main())
