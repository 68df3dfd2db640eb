"""`journeymap analyze`: one metric over an events file, as a table or a file.

A thin adapter: read the events, call one analytics function, print the result with rich
or write it (format from the suffix: .csv, .parquet, .json).
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

import journeymap as jm
from journeymap.cli import _options as opt
from journeymap.cli._common import (
    column_mapping,
    console,
    duration_text,
    err_console,
    open_engine,
    working,
    written,
)
from journeymap.cli._evidence import Scoping, period
from journeymap.cli._load import read_source
from journeymap.cli._output import (
    check_output,
    neutralise_formula,
    replacing,
    write_text,
)
from journeymap.errors import AnalysisError, IngestError

WHAT = (
    "transitions",
    "variants",
    "paths",
    "funnel",
    "time-to-convert",
    "stages",
    "drivers",
    "retention",
    "series",
    "incidents",
    "compare",
    "attribution",
    "stage-attribution",
)
MODELS = ("first", "last", "last-non-direct", "linear", "time-decay", "position",
          "markov", "shapley")  # fmt: skip
FORMATS = (".csv", ".parquet", ".json")
MODES = ("ordered", "strict", "any-order")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
MAX_WINDOW_S = 100 * 365 * 86400  # a century: beyond it the window means "no window"
MAX_TOP = 1_000_000
SHOWN_ROWS = 50  # rich output; files always get every row
TABLE_WIDTH = (80, 120)  # tables take the terminal's width, kept within these columns
TTC_SUMMARY = ("n", "mean_seconds", "median_seconds", "p90_seconds")


def parse_seconds(text: str | None, *, option: str = "--window") -> float | None:
    """``"90"``, ``"90s"``, ``"30m"``, ``"2h"``, ``"7d"``, ``"1w"`` -> seconds.

    >>> parse_seconds("90"), parse_seconds("2h"), parse_seconds("7d")
    (90.0, 7200.0, 604800.0)
    """
    if text is None:
        return None
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*", text)
    if not found:
        raise AnalysisError(
            f"{option}: cannot read duration {text!r}; use seconds (90) or a unit: "
            "30m, 2h, 7d, 1w"
        )
    seconds = float(found.group(1)) * UNITS[found.group(2) or "s"]
    if not math.isfinite(seconds) or seconds > MAX_WINDOW_S:
        raise AnalysisError(
            f"{option}: {text.strip()} is longer than 100 years; "
            "leave it out for no window"
        )
    return seconds


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


@dataclass(frozen=True)
class Attribution:
    """The attribution options of one `analyze` call."""

    model: str = "markov"
    order: str = "1"
    exclude: str | None = None
    keep_repeats: bool = False
    half_life: str = "7d"
    position: str = "0.4,0.4"
    direct: str = "direct"
    samples: int = 2000
    seed: int = 0

    def options(self) -> dict[str, Any]:
        """Keyword arguments of ``jm.attribute_conversions`` (bad values: one line)."""
        if self.model not in MODELS:
            raise AnalysisError(
                f"--model: unknown {self.model!r}; known: {', '.join(MODELS)}"
            )
        half_life = parse_seconds(self.half_life, option="--half-life")
        return {
            "model": self.model,
            "order": _order(self.order),
            "exclude": _split(self.exclude),
            "keep_repeats": self.keep_repeats,
            "half_life_s": half_life,
            "position": _shares(self.position),
            "direct": _split(self.direct),
            "samples": self.samples,
            "seed": self.seed,
        }


def _order(text: str) -> int | str:
    if text == "auto":
        return "auto"
    if text not in ("1", "2", "3", "4"):
        raise AnalysisError(f"--order: use 1, 2, 3, 4 or auto, not {text!r}")
    return int(text)


def _shares(text: str) -> tuple[float, float]:
    parts = _split(text)
    try:
        first, last = (float(p) for p in parts)
    except ValueError:
        raise AnalysisError(
            f"--position: use FIRST,LAST shares such as 0.4,0.4, not {text!r}"
        ) from None
    return first, last


@dataclass(frozen=True)
class Request:
    """The parsed options of one `analyze` call."""

    steps: str | None = None
    conversion: str | None = None
    map: Path | None = None
    mode: str = "ordered"
    window: str | None = None
    top: int = 50
    by: str | None = None
    breakdown: str | None = None
    from_event: str | None = None
    to_event: str | None = None
    scoping: Scoping = Scoping()
    period: str = "week"
    period_a: str | None = None
    period_b: str | None = None
    attribution: Attribution | None = None

    def conversion_events(self) -> list[str]:
        if self.conversion:
            return _split(self.conversion)
        journey = self.journey()
        if journey is not None and journey.conversion and journey.conversion.event:
            return list(journey.conversion.event)
        raise AnalysisError("pass --conversion EVENT (or --map with a conversion)")

    def journey(self) -> jm.JourneyMap | None:
        return None if self.map is None else jm.load_map(self.map)


def _transitions(log: Any, req: Request) -> Any:
    return jm.count_transitions(log, by=req.by or "event")


def _variants(log: Any, req: Request) -> Any:
    return jm.count_variants(log, top=req.top)


def _paths(log: Any, req: Request) -> Any:
    return jm.find_paths(
        log, from_event=req.from_event, to_event=req.to_event, top=req.top
    )


def _funnel(log: Any, req: Request) -> Any:
    steps = _split(req.steps)
    if not steps:
        raise AnalysisError("pass --steps a,b,c for a funnel")
    warn_absent_events(log, steps, "funnel step")
    mode = req.mode.replace("-", "_")
    return jm.measure_funnel(
        log,
        steps,
        mode=mode,
        window_s=parse_seconds(req.window),
        breakdown=req.breakdown,
    )


def _time_to_convert(log: Any, req: Request) -> Any:
    conversion = req.conversion_events()
    warn_absent_events(log, conversion, "conversion event")
    if req.from_event:
        warn_absent_events(log, [req.from_event], "--from event")
    return jm.time_to_convert(log, conversion, from_event=req.from_event)


def _stages(log: Any, req: Request) -> Any:
    journey = req.journey()
    if journey is None:
        raise AnalysisError("pass --map FILE to measure its stages")
    return jm.measure_stages(log, journey)


def _drivers(log: Any, req: Request) -> Any:
    conversion = req.conversion_events()
    warn_absent_events(log, conversion, "conversion event")
    return jm.find_drivers(log, conversion, top=req.top)


def _retention(log: Any, req: Request) -> Any:
    return jm.retention_matrix(log)


@dataclass(frozen=True)
class Rows:
    """A plain table result (series, incidents) with a title."""

    frame: Any
    title: str

    def to_pandas(self) -> Any:
        return self.frame

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": json.loads(self.frame.to_json(orient="records", date_format="iso"))
        }

    def summary(self) -> str:
        return self.title


def _map_for(req: Request, what: str) -> jm.JourneyMap:
    journey = req.journey()
    if journey is None:
        raise AnalysisError(f"pass --map FILE: {what} are measured per stage of a map")
    return journey


def _evidence_options(req: Request) -> dict[str, Any]:
    # customer attributes and filters were applied when the events were read
    # (_filtered); only the unit and the session rule remain
    options = req.scoping.options()
    for name in ("since", "until", "where", "persona", "customers", "customers_id"):
        options.pop(name, None)
    return options


def _series(log: Any, req: Request) -> Any:
    journey = _map_for(req, "series")
    frame = jm.rate_series(journey, log, period=req.period, **_evidence_options(req))
    return Rows(frame, f"{req.period}ly rates per stage, touchpoint and persona")


def _incidents(log: Any, req: Request) -> Any:
    import pandas as pd

    journey = _map_for(req, "incidents")
    found = jm.find_incidents(journey, log, period=req.period, **_evidence_options(req))
    columns = ["level", "id", "persona", "metric", "from", "to", "rate",
               "baseline_rate", "difference", "ci_low", "ci_high", "q_value", "units"]  # fmt: skip
    frame = pd.DataFrame(list(found), columns=columns)
    return Rows(frame, f"incidents: {len(frame)} (Benjamini-Hochberg over all series)")


def _compare(log: Any, req: Request) -> Any:
    journey = _map_for(req, "period comparisons")
    if not req.period_a or not req.period_b:
        raise AnalysisError(
            "--what compare needs --period-a FROM..TO and --period-b FROM..TO"
        )
    a, b = period(req.period_a, "--period-a"), period(req.period_b, "--period-b")
    return jm.compare_periods(log, journey, a, b)


def _attribution_options(log: Any, req: Request) -> dict[str, Any]:
    assert req.attribution is not None
    options = req.attribution.options()
    options["by"] = req.by or "channel"
    options["scope"] = req.scoping.scope or "customer"
    return options


def _attribution(log: Any, req: Request) -> Any:
    conversion = req.conversion_events()
    warn_absent_events(log, conversion, "conversion event")
    return jm.attribute_conversions(log, conversion, **_attribution_options(log, req))


def _stage_attribution(log: Any, req: Request) -> Any:
    journey = _map_for(req, "stage moves")
    return jm.attribute_stage_moves(log, journey, **_attribution_options(log, req))


def warn_absent_events(log: Any, names: Sequence[str], what: str) -> list[str]:
    """Warn (one line each) about event names the data never has, with the closest
    ones: a typo would otherwise count silently as 0. Returns the absent names.

    Each name is looked up until its first row (a scan that stops early), and the
    list of all names is read only when one is missing: the distinct events of 1e7
    rows were a full pass before every attribution."""
    table = log.table
    absent = [
        name
        for name in dict.fromkeys(names)
        if log.execute(table.filter(table.event == name).select("event").limit(1)).empty
    ]
    if not absent:
        return []
    column = log.execute(table.select("event").distinct())["event"]
    known = sorted(str(name) for name in column if name is not None)
    for name in absent:
        close = difflib.get_close_matches(name, known, n=3)
        hint = (
            "did you mean " + " or ".join(f"{c!r}" for c in close) + "?"
            if close
            else "it counts as 0"
        )
        err_console.print(
            f"[yellow]warning:[/yellow] {escape(f'{what} {name!r}')} never occurs in "
            f"the data; {escape(hint)}",
            soft_wrap=True,
        )
    return absent


METRICS: dict[str, Callable[[Any, Request], Any]] = {
    "transitions": _transitions,
    "variants": _variants,
    "paths": _paths,
    "funnel": _funnel,
    "time-to-convert": _time_to_convert,
    "stages": _stages,
    "drivers": _drivers,
    "retention": _retention,
    "series": _series,
    "incidents": _incidents,
    "compare": _compare,
    "attribution": _attribution,
    "stage-attribution": _stage_attribution,
}


# -- output ---------------------------------------------------------------------------------
def write_result(result: Any, path: Path) -> None:
    """Write a result to ``path`` atomically; the suffix picks the format.

    Time to convert writes its summary row (``n, mean_seconds, median_seconds,
    p90_seconds``) as a table; its histogram has its own option (``--histogram``).
    """
    suffix = path.suffix.lower()
    if suffix == ".json":
        text = json.dumps(result.to_dict(), indent=2, default=str)
        write_text(path, text + "\n")
    elif suffix in (".csv", ".parquet"):
        write_frame(
            _summary_frame(result) if _is_ttc(result) else result.to_pandas(), path
        )
    else:
        known = ", ".join(FORMATS)
        raise AnalysisError(f"unknown output format {suffix!r}; known: {known}")


def write_frame(frame: Any, path: Path) -> None:
    """A DataFrame as .csv (formulas neutralised) or .parquet, replaced atomically.

    A CSV text cell starting with ``= + - @``, a tab or a carriage return gets a
    leading ``'``, so a spreadsheet shows it instead of running it (CSV injection);
    Parquet keeps values as they are.
    """
    with replacing(path) as temp:
        if path.suffix.lower() == ".parquet":
            frame.to_parquet(temp, index=False)
            return
        frame = frame.copy()
        for column in frame.columns:
            if not _numeric(frame[column]):
                frame[column] = frame[column].map(neutralise_formula)
        frame.to_csv(temp, index=False)


def _is_ttc(result: Any) -> bool:
    return all(hasattr(result, name) for name in (*TTC_SUMMARY, "histogram"))


def _summary_frame(result: Any) -> Any:
    import pandas as pd

    return pd.DataFrame([{name: getattr(result, name) for name in TTC_SUMMARY}])


def print_result(result: Any, what: str) -> None:
    """The result as a table that fits the terminal (80-120 columns); what is cut is
    said ("top 50 of 812 rows"), and ``-o FILE`` writes everything."""
    summary = getattr(result, "summary", None)
    title = summary() if callable(summary) else what
    if what == "retention" and len(getattr(result, "cohorts", ())) > 0:
        _print_cohort_grid(result)
        return
    frame = result.to_pandas()
    if frame.empty:
        console.print(f"{title}: no rows", markup=False)
        _print_extras(result)
        return
    if _is_ttc(result):  # the histogram's bin edges are durations too
        frame = frame.rename(columns={"low": "low_seconds", "high": "high_seconds"})
    width = _table_width()
    shown = frame.head(SHOWN_ROWS)
    columns = _fitting_columns(shown, width)
    table = Table(title=Text(title))  # data text is never read as rich markup
    for column in columns:
        table.add_column(
            Text(str(column)), justify="right" if _numeric(frame[column]) else "left"
        )
    for row in shown[columns].itertuples(index=False):
        table.add_row(*(Text(_cell(v, c)) for c, v in zip(columns, row, strict=True)))
    console.print(table, width=width)
    _print_cut(frame, columns)
    _print_extras(result)


def _table_width() -> int:
    low, high = TABLE_WIDTH
    return max(low, min(high, console.width))


def _fitting_columns(shown: Any, width: int) -> list[str]:
    """The leading columns that fit ``width``, each as wide as its widest cell."""
    used, keep = 4, list[str]()
    for column in shown.columns:
        cells = [len(_cell(value, column)) for value in shown[column]]
        need = max([len(str(column)), *cells]) + 3  # padding and a border
        if keep and used + need > width:
            break
        keep.append(column)
        used += need
    return keep


def _print_cut(frame: Any, columns: list[str]) -> None:
    cut = []
    if len(frame) > SHOWN_ROWS:
        cut.append(f"top {SHOWN_ROWS} of {len(frame):,} rows")
    left = [str(c) for c in frame.columns if c not in columns]
    if left:
        cut.append(
            f"{len(columns)} of {len(frame.columns)} columns (not shown: "
            f"{', '.join(left)})"
        )
    if cut:
        console.print(f"{'; '.join(cut)}; -o FILE writes all", markup=False)


def _print_cohort_grid(result: Any) -> None:
    """Retention as people read it: a cohort per row, the share still active per
    period since joining across, the oldest cohorts first."""
    width = _table_width()
    periods = min(result.periods, max(1, (width - 28) // 7))
    table = Table(
        title=f"Retention by {result.period} of first event "
        f"({len(result.cohorts):,} cohorts)",
        caption=f"share of each cohort active {result.period}s after its first",
    )
    table.add_column("cohort")
    table.add_column("customers", justify="right")
    for k in range(periods):
        table.add_column(f"+{k}", justify="right")
    rows = list(zip(result.cohorts, result.sizes, result.cells, strict=True))
    for cohort, size, cells in rows[:SHOWN_ROWS]:
        shares = [
            "" if cell is None else f"{cell.share:.0%}" for cell in cells[:periods]
        ]
        table.add_row(str(cohort), f"{size:,}", *shares)
    console.print(table, width=width)
    cut = []
    if len(rows) > SHOWN_ROWS:
        cut.append(f"top {SHOWN_ROWS} of {len(rows):,} cohorts")
    if periods < result.periods:
        cut.append(f"{periods} of {result.periods} {result.period}s")
    if cut:
        console.print(f"{'; '.join(cut)}; -o FILE writes all", markup=False)


def _print_extras(result: Any) -> None:
    on_path = getattr(result, "on_path", ())
    if on_path:
        console.print(
            f"on the path to conversion by construction (every converter had it "
            f"first, so its odds ratio says little): {', '.join(on_path)}",
            markup=False,
        )
    if hasattr(result, "median_seconds") and hasattr(result, "n"):
        console.print(
            f"{result.n:,} of {result.customers:,} customers converted; "
            f"mean {duration_text(result.mean_seconds)}, "
            f"median {duration_text(result.median_seconds)}, "
            f"p90 {duration_text(result.p90_seconds)}"
        )


def _numeric(column: Any) -> bool:
    return column.dtype.kind in "iuf"


def _cell(value: Any, column: object = "") -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if str(column).endswith("seconds") and isinstance(value, (int, float)):
        return jm.format_duration(float(value))  # "3.2 d", "14 min"; -o keeps seconds
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


# -- command ------------------------------------------------------------------------------
def analyze(
    events: Annotated[  # str, not Path: a table URL must reach read_events intact
        str,
        typer.Argument(
            metavar="EVENTS",
            help="Events file or folder (CSV, Parquet, JSONL) or table "
            "(events.duckdb::events, 'postgresql://user@host/db?table=events').",
        ),
    ],
    what: Annotated[
        str,
        typer.Option(
            "--what", "-w", metavar="METRIC", help="Metric: " + ", ".join(WHAT) + "."
        ),
    ] = "transitions",
    id_col: opt.IdColumn = None,
    time_col: opt.TimeColumn = None,
    event_col: opt.EventColumn = None,
    channel_col: opt.ChannelColumn = None,
    timezone: opt.Timezone = None,
    time_format: opt.TimeFormat = None,
    engine: opt.Engine = None,
    steps: Annotated[
        str | None,
        typer.Option(
            "--steps",
            metavar="EVENT,EVENT,...",
            help="Funnel steps: event names in order, comma separated.",
        ),
    ] = None,
    conversion: Annotated[
        str | None,
        typer.Option(
            "--conversion",
            metavar="EVENT[,EVENT]",
            help="Conversion event(s), comma separated (default: the --map's).",
        ),
    ] = None,
    map_file: Annotated[
        Path | None,
        typer.Option(
            "--map", metavar="MAP.yaml", help="Journey map (stages, conversion)."
        ),
    ] = None,
    mode: Annotated[
        str,
        typer.Option(
            "--mode", metavar="MODE", help="Funnel mode: " + ", ".join(MODES) + "."
        ),
    ] = "ordered",
    window: Annotated[
        str | None,
        typer.Option(
            "--window",
            metavar="DURATION",
            help="Funnel: every step within this time of step 1. Seconds (90) or "
            "with a unit: 30m, 2h, 7d, 1w. Default: no limit.",
        ),
    ] = None,
    top: Annotated[
        int,
        typer.Option(
            "--top",
            metavar="N",
            min=1,
            max=MAX_TOP,
            help="Variants, paths or drivers to keep (a count).",
        ),
    ] = 50,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="COLUMN",
            help="Transitions between this column's values (default: event).",
        ),
    ] = None,
    breakdown: Annotated[
        str | None,
        typer.Option(
            "--breakdown", metavar="COLUMN", help="Split the funnel by a column."
        ),
    ] = None,
    from_event: Annotated[
        str | None,
        typer.Option(
            "--from", metavar="EVENT", help="Start event (paths, time to convert)."
        ),
    ] = None,
    to_event: Annotated[
        str | None, typer.Option("--to", metavar="EVENT", help="End event (paths).")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write every row to .csv, .parquet or .json (time to convert: the "
            "summary row n, mean_seconds, median_seconds, p90_seconds).",
        ),
    ] = None,
    histogram: Annotated[
        Path | None,
        typer.Option(
            "--histogram",
            metavar="FILE",
            help="Time to convert: write the histogram (low, high seconds; "
            "customers) to .csv, .parquet or .json.",
        ),
    ] = None,
    scope: opt.Scope = None,
    customers: opt.Customers = None,
    customers_id: opt.CustomersId = None,
    since: opt.Since = None,
    until: opt.Until = None,
    where: opt.Where = None,
    persona: opt.Persona = None,
    session_timeout: opt.SessionTimeout = None,
    period_unit: Annotated[
        str,
        typer.Option(
            "--period", metavar="week|day", help="Series and incidents: period length."
        ),
    ] = "week",
    period_a: Annotated[
        str | None,
        typer.Option(
            "--period-a", metavar="FROM..TO", help="Compare: first period (days)."
        ),
    ] = None,
    period_b: Annotated[
        str | None,
        typer.Option(
            "--period-b", metavar="FROM..TO", help="Compare: second period (days)."
        ),
    ] = None,
    model: Annotated[
        str,
        typer.Option(
            "--model",
            metavar="MODEL",
            help="Attribution model: " + ", ".join(MODELS) + ".",
        ),
    ] = "markov",
    order: Annotated[
        str,
        typer.Option(
            "--order",
            metavar="K|auto",
            help="Markov order 1-4, or auto (best held-out likelihood).",
        ),
    ] = "1",
    exclude: Annotated[
        str | None,
        typer.Option(
            "--exclude",
            metavar="A,B,...",
            help="Attribution: events or touch values dropped before paths are built.",
        ),
    ] = None,
    keep_repeats: Annotated[
        bool,
        typer.Option(
            "--keep-repeats",
            help="Attribution: keep consecutive repeats of a touch (default: collapse).",
        ),
    ] = False,
    half_life: Annotated[
        str,
        typer.Option(
            "--half-life",
            metavar="DURATION",
            help="Time decay: a touch this long before the conversion gets half "
            "the weight (90, 30m, 2h, 7d).",
        ),
    ] = "7d",
    position: Annotated[
        str,
        typer.Option(
            "--position",
            metavar="FIRST,LAST",
            help="Position-based: shares of the first and last touch.",
        ),
    ] = "0.4,0.4",
    direct: Annotated[
        str,
        typer.Option(
            "--direct",
            metavar="A,B,...",
            help="Last non-direct: touch values that count as direct.",
        ),
    ] = "direct",
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            metavar="N",
            min=2,
            max=1_000_000,
            help="Shapley beyond 15 channels: random orders drawn (a count).",
        ),
    ] = 2000,
    seed: Annotated[
        int,
        typer.Option(
            "--seed",
            metavar="N",
            min=0,
            max=2**32 - 1,
            help="Seed of the sampled Shapley values.",
        ),
    ] = 0,
) -> None:
    """Measure transitions, variants, paths, a funnel, time to convert, series,
    incidents or a period comparison on events."""
    metric = METRICS.get(what)
    if metric is None:
        raise AnalysisError(f"unknown --what {what!r}; known: {', '.join(WHAT)}")
    if mode.replace("_", "-") not in MODES:
        raise AnalysisError(f"unknown --mode {mode!r}; known: {', '.join(MODES)}")
    if histogram is not None and what != "time-to-convert":
        raise AnalysisError("--histogram goes with --what time-to-convert")
    for option, path in (("--output", output), ("--histogram", histogram)):
        if path is not None:
            _check_format(path, option)
            check_output(path, option=option)
    request = Request(
        steps=steps,
        conversion=conversion,
        map=map_file,
        mode=mode,
        window=window,
        top=top,
        by=by,
        breakdown=breakdown,
        from_event=from_event,
        to_event=to_event,
        scoping=Scoping(
            scope,
            customers,
            customers_id,
            since,
            until,
            where,
            persona,
            session_timeout,
        ),
        period=period_unit,
        period_a=period_a,
        period_b=period_b,
        attribution=Attribution(
            model=model,
            order=order,
            exclude=exclude,
            keep_repeats=keep_repeats,
            half_life=half_life,
            position=position,
            direct=direct,
            samples=samples,
            seed=seed,
        ),
    )
    if period_unit not in ("week", "day"):
        raise AnalysisError(f"--period: unknown {period_unit!r}; known: week, day")
    if persona is not None:
        _map_for(request, "personas")
    parse_seconds(window)  # a bad window fails before the data is read
    if what in ("attribution", "stage-attribution"):
        assert request.attribution is not None
        request.attribution.options()  # bad attribution options fail before reading
    columns = column_mapping(id_col, time_col, event_col, channel_col)
    # with --map, the map's data section reads the events the way `measure` does;
    # the options on the command line win
    spec = None if request.map is None else _map_for(request, "data").data
    if spec is not None:
        own = spec.file("events") or spec.file_settings()  # data.events' own first
        columns = {**own.columns, **columns}
        timezone = timezone or own.timezone
        time_format = time_format or own.time_format
        engine = engine or spec.engine
        if spec.customers is not None and request.scoping.customers is None:
            assert request.map is not None
            scoping = dataclasses.replace(
                request.scoping,
                customers=Path(request.map).parent / spec.customers.path,
                customers_id=request.scoping.customers_id or spec.customers.id,
            )
            request = dataclasses.replace(request, scoping=scoping)
    log = read_source(
        events, columns, timezone, time_format, engine=open_engine(engine, events)
    )
    assert log is not None  # None only for no path
    if log.report is not None:
        if log.report.loaded == 0:
            raise IngestError("no events to analyze (0 rows loaded)", file=str(events))
    log = _filtered(log, request)
    if scope == "session" and what in ("attribution", "stage-attribution"):
        log = _sessions(log, session_timeout)
    with working(f"measuring {what}"):
        result = metric(log, request)
    for note in _notes(result):
        err_console.print(f"note: {note}", soft_wrap=True, markup=False)
    if output is None:
        print_result(result, what)
    else:
        write_result(result, output)
        written(output, what)
    if histogram is not None:
        _write_histogram(result, histogram)
        written(histogram, "histogram")


def _filtered(log: Any, req: Request) -> Any:
    """The events within --since/--until, matching --where, of --persona."""
    scoping = req.scoping
    if scoping.customers is not None:
        log = jm.attach_customers(
            log, str(scoping.customers), id_col=scoping.customers_id or "customer_id"
        )
    if scoping.since or scoping.until:
        log = jm.filter_time(log, scoping.since, scoping.until)
    if scoping.where:
        log = jm.filter_segment(log, scoping.where, level="event")
    if scoping.persona:
        log = jm.filter_persona(log, _map_for(req, "personas"), scoping.persona)
    return log


def _notes(result: Any) -> list[str]:
    """What a result says about how it was computed (attribution: empty paths,
    sampled Shapley values), including each stage move's."""
    notes = list(getattr(result, "notes", ()) or ())
    for step in getattr(result, "steps", ()) or ():
        inner = getattr(getattr(step, "result", None), "notes", ()) or ()
        notes += [f"{step.from_stage} → {step.to_stage}: {n}" for n in inner]
    return [n for n in notes if isinstance(n, str)]


def _sessions(log: Any, timeout_minutes: float | None) -> Any:
    """Attribution per session: a ``session_id`` on every event (kept where the
    data has one, else derived after ``timeout_minutes`` of inactivity)."""
    timeout_s = 60 * (30.0 if timeout_minutes is None else timeout_minutes)
    return jm.sessionize(log, timeout_s=timeout_s)


def _check_format(path: Path, option: str) -> None:
    if path.suffix.lower() not in FORMATS:
        known = ", ".join(FORMATS)
        raise AnalysisError(
            f"{option}: unknown output format {path.suffix!r}; known: {known}",
            file=str(path),
        )


def _write_histogram(result: Any, path: Path) -> None:
    if path.suffix.lower() == ".json":
        rows = result.to_dict()["histogram"]
        write_text(path, json.dumps(rows, indent=2, default=str) + "\n")
    else:
        write_frame(result.to_pandas(), path)


def register(app: typer.Typer) -> None:
    app.command("analyze")(analyze)
