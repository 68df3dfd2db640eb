"""Result types: plain, frozen data that render and report can draw without the engine."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from journeymap.model.display import TableDisplay


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What happened to every input row: ``read = loaded + quarantined + duplicates``."""

    source: str
    read: int
    loaded: int
    quarantined: int
    duplicates: int
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> source column
    reasons: dict[str, int] = field(default_factory=dict)  # quarantine reason -> rows
    quarantine_file: str | None = None
    encoding: str | None = (
        None  # text files: the encoding used, decided on the whole file
    )
    warnings: tuple[str, ...] = ()  # what was read in a way worth saying (issue 10)

    def __post_init__(self) -> None:
        if self.read != self.loaded + self.quarantined + self.duplicates:
            raise ValueError(
                f"ingest accounting broken: read {self.read} != loaded {self.loaded} "
                f"+ quarantined {self.quarantined} + duplicates {self.duplicates}"
            )

    def summary(self) -> str:
        text = (
            f"{self.source}: read {self.read:,} = loaded {self.loaded:,} "
            f"+ quarantined {self.quarantined:,}"
        )
        if self.duplicates:
            text += f" + duplicates dropped {self.duplicates:,}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- analytics part A: transitions, variants, paths, funnels, time to convert (issue 4) --


def _pandas() -> Any:
    # model must not import pandas at module level (layers test); callers of to_pandas()
    # already have it, as analytics require it
    import importlib

    return importlib.import_module("pandas")


def _rows(items: tuple[Any, ...]) -> list[dict[str, Any]]:
    return [asdict(item) for item in items]


def _coverage_text(shown: int, total: int, noun: str) -> str:
    return (
        f"top {shown:,} of {total:,} {noun}"
        if shown < total
        else f"all {total:,} {noun}"
    )


@dataclass(frozen=True, slots=True)
class Transition:
    """One edge ``source -> target`` between consecutive events of a customer."""

    source: str | None
    target: str | None
    count: int
    customers: int
    median_seconds: float
    p90_seconds: float


@dataclass(frozen=True, slots=True)
class EndpointCount:
    """How many customers start (or end) their journey with ``value``."""

    value: str | None
    customers: int


@dataclass(frozen=True, slots=True)
class TransitionTable(TableDisplay):
    """Every transition of a log, plus the journeys' first and last values."""

    by: str
    transitions: tuple[Transition, ...]
    starts: tuple[EndpointCount, ...]
    ends: tuple[EndpointCount, ...]

    COLUMNS = (
        "source",
        "target",
        "count",
        "customers",
        "median_seconds",
        "p90_seconds",
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "columns": list(self.COLUMNS),
            "transitions": _rows(self.transitions),
            "starts": _rows(self.starts),
            "ends": _rows(self.ends),
        }

    def to_pandas(self) -> Any:
        return _pandas().DataFrame(_rows(self.transitions), columns=list(self.COLUMNS))


@dataclass(frozen=True, slots=True)
class Variant:
    """One distinct full journey (event sequence) and the customers who took it."""

    path: tuple[str, ...]
    customers: int
    share: float
    cumulative_share: float


@dataclass(frozen=True, slots=True)
class VariantTable(TableDisplay):
    """The ``top`` most common variants; ``total`` counts all distinct variants."""

    variants: tuple[Variant, ...]
    total: int
    customers: int

    COLUMNS = ("path", "length", "customers", "share", "cumulative_share")

    def summary(self) -> str:
        covered = self.variants[-1].cumulative_share if self.variants else 0.0
        shown = _coverage_text(len(self.variants), self.total, "variants")
        return f"{shown}, covering {covered:.1%} of {self.customers:,} customers"

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "customers": self.customers,
            "summary": self.summary(),
            "variants": [{**asdict(v), "path": list(v.path)} for v in self.variants],
        }

    def to_pandas(self) -> Any:
        rows = [
            (" > ".join(v.path), len(v.path), v.customers, v.share, v.cumulative_share)
            for v in self.variants
        ]
        return _pandas().DataFrame(rows, columns=list(self.COLUMNS))


@dataclass(frozen=True, slots=True)
class PathCount:
    """One distinct path around an anchor event and the customers who took it."""

    path: tuple[str, ...]
    customers: int
    share: float


@dataclass(frozen=True, slots=True)
class PathTable(TableDisplay):
    """The ``top`` most common paths; ``total`` counts all distinct paths.

    ``customers`` counts customers who have the anchor (and so a path).
    """

    paths: tuple[PathCount, ...]
    total: int
    customers: int
    from_event: str | None = None
    to_event: str | None = None

    COLUMNS = ("path", "length", "customers", "share")

    def summary(self) -> str:
        shown = _coverage_text(len(self.paths), self.total, "paths")
        return f"{shown} of {self.customers:,} customers"

    def to_dict(self) -> dict[str, Any]:
        return {
            "from_event": self.from_event,
            "to_event": self.to_event,
            "total": self.total,
            "customers": self.customers,
            "summary": self.summary(),
            "paths": [{**asdict(p), "path": list(p.path)} for p in self.paths],
        }

    def to_pandas(self) -> Any:
        rows = [
            (" > ".join(p.path), len(p.path), p.customers, p.share) for p in self.paths
        ]
        return _pandas().DataFrame(rows, columns=list(self.COLUMNS))


@dataclass(frozen=True, slots=True)
class FunnelStep:
    """Customers reaching one funnel step (within one breakdown group, if any).

    Conversions are ``None`` when their denominator is zero. ``conversion_from_previous``
    divides by the previous *required* step (optional steps are not required).
    """

    step: int
    name: str
    customers: int
    conversion_from_previous: float | None
    conversion_from_start: float | None
    optional: bool = False
    breakdown: Any = None


@dataclass(frozen=True, slots=True)
class StepTime:
    """Seconds from the previous required step to this step, over customers reaching it."""

    step: int
    name: str
    customers: int
    mean_seconds: float | None
    median_seconds: float | None
    p90_seconds: float | None
    breakdown: Any = None


@dataclass(frozen=True, slots=True)
class FunnelResult(TableDisplay):
    """A measured funnel: one row per step (per breakdown group) and step timings."""

    steps: tuple[str, ...]
    mode: str
    rows: tuple[FunnelStep, ...]
    step_times: tuple[StepTime, ...] = ()
    breakdown: str | None = None
    window_s: float | None = None

    COLUMNS = (
        "step",
        "name",
        "customers",
        "conversion_from_previous",
        "conversion_from_start",
    )

    def columns(self) -> list[str]:
        head = [self.breakdown] if self.breakdown else []
        return head + list(self.COLUMNS)

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": list(self.steps),
            "mode": self.mode,
            "window_s": self.window_s,
            "breakdown": self.breakdown,
            "rows": _rows(self.rows),
            "step_times": _rows(self.step_times),
        }

    def to_pandas(self) -> Any:
        rows = [
            ([r.breakdown] if self.breakdown else [])
            + [r.step, r.name, r.customers]
            + [r.conversion_from_previous, r.conversion_from_start]
            for r in self.rows
        ]
        return _pandas().DataFrame(rows, columns=self.columns())


@dataclass(frozen=True, slots=True)
class HistogramBin:
    """Customers whose value lies in ``[low, high)`` (the last bin also holds ``high``)."""

    low: float
    high: float
    customers: int


@dataclass(frozen=True, slots=True)
class TimeToConvert(TableDisplay):
    """Seconds from a customer's start to its first conversion, over converters.

    ``customers`` counts customers with a start; ``n`` those who converted after it.
    Statistics are ``None`` when ``n`` is 0.
    """

    conversion: tuple[str, ...]
    from_event: str | None
    customers: int
    n: int
    mean_seconds: float | None
    median_seconds: float | None
    p90_seconds: float | None
    histogram: tuple[HistogramBin, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["conversion"] = list(self.conversion)
        data["histogram"] = _rows(self.histogram)
        return data

    def to_pandas(self) -> Any:
        return _pandas().DataFrame(
            _rows(self.histogram), columns=["low", "high", "customers"]
        )
