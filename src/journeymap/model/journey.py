"""What a journey map *is*: stages, touchpoints and the cards on them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from journeymap.model.cards import Id, Kpi, Opportunity, PainPoint
from journeymap.model.display import MapDisplay
from journeymap.model.persona import Persona

FORMAT_VERSION: Literal[1] = 1


class Match(BaseModel):
    """Which events belong to a touchpoint. All given conditions must hold.

    ``event`` lists raw event names; ``event_prefix`` matches names that start with a
    prefix; ``channel`` lists channels; ``properties`` maps a column to a value or a
    list of accepted values.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")
    event: tuple[str, ...] = ()
    event_prefix: str | None = None
    channel: tuple[str, ...] = ()
    properties: dict[
        str, str | int | float | bool | tuple[str | int | float | bool, ...]
    ] = Field(default_factory=dict)

    @field_validator("event", "channel", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _not_empty(self) -> Match:
        if not (self.event or self.event_prefix or self.channel or self.properties):
            raise ValueError(
                "match needs at least one of event, event_prefix, channel, properties"
            )
        return self


class Touchpoint(BaseModel):
    """Where the customer meets the company; it matches events."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: Id
    name: str
    channel: str | None = None
    online: bool = True
    layer: Literal["frontstage", "backstage", "support"] = "frontstage"
    moment_of_truth: bool = False
    department: str | None = None
    description: str | None = None
    match: Match | None = None


class Stage(BaseModel):
    """One phase of the journey; events reach it through its touchpoints."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: Id
    name: str
    goal: str | None = None
    description: str | None = None
    actions: tuple[str, ...] = Field(default=(), description="What the customer does.")
    business_actions: tuple[str, ...] = Field(
        default=(), description="What the business does and the resources it uses."
    )
    thoughts: tuple[str, ...] = ()
    emotion: float | None = Field(
        default=None,
        ge=-1,
        le=1,
        description="Assumed emotion, -1 (angry) .. 1 (delighted).",
    )
    touchpoints: tuple[Touchpoint, ...] = ()
    pain_points: tuple[PainPoint, ...] = ()
    opportunities: tuple[Opportunity, ...] = ()
    kpis: tuple[Kpi, ...] = ()


class Department(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: Id
    name: str
    owner: str | None = None


class Review(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    every_days: int = Field(default=90, gt=0)
    last: dt.date | None = None
    owner: str | None = None

    def next_due(self) -> dt.date | None:
        return (
            None
            if self.last is None
            else self.last + dt.timedelta(days=self.every_days)
        )


class Conversion(BaseModel):
    """What counts as converting: an event name (and optionally a stage reached)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    event: tuple[str, ...] = ()
    stage: str | None = None
    window_days: float | None = Field(default=None, gt=0)

    @field_validator("event", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _not_empty(self) -> Conversion:
        if not (self.event or self.stage):
            raise ValueError("conversion needs an event or a stage")
        return self


class Customers(BaseModel):
    """A table of customer attributes (demographics, plan…) joined on the customer id."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    path: str = Field(description="File (CSV, Parquet…) or table, relative to the map.")
    id: str = Field(
        default="customer_id", description="Column holding the customer id."
    )


class Sessions(BaseModel):
    """How events form sessions: a column, or an inactivity gap."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    column: str | None = Field(
        default=None, description="Column holding a session id (default: session_id)."
    )
    timeout_minutes: float = Field(
        default=30, gt=0, description="Inactivity that ends a derived session."
    )


# Numeric timestamp kinds ingest reads under an explicit time format (issue 10).
TIME_FORMAT_KINDS = (
    "epoch_s", "epoch_ms", "epoch_us", "epoch_ns", "yyyymmdd", "yyyymmddhhmmss", "excel",
)  # fmt: skip


ENGINE_NAMES = ("duckdb", "spark", "postgres", "postgresql")
ENGINE_SCHEMES = ("duckdb", "spark", "sc", "postgres", "postgresql")


def _check_time_format(value: str | None) -> str | None:
    if value is None or value in TIME_FORMAT_KINDS or "%" in value:
        return value
    raise ValueError(
        f"unknown time format {value!r}; use one of {', '.join(TIME_FORMAT_KINDS)} "
        "or a strptime format such as '%d/%m/%Y %H:%M'"
    )


DATA_FILES = ("events", "surveys", "feedback")

# The tag of the mapping form of ``data.events`` / ``surveys`` / ``feedback``; error
# locations drop it (spec.py), so a problem reads ``data.surveys.columns``.
DATA_FILE_TAG = "data-file"


class DataFile(BaseModel):
    """One data file with its own settings, over the ``data`` section's ones."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    path: str = Field(
        description="File (CSV, Parquet…) or table URL, relative to the map."
    )
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="Canonical column -> column in this file; over data.columns.",
    )
    timezone: str | None = Field(
        default=None, description="Zone of naive timestamps; over data.timezone."
    )
    time_format: str | None = Field(
        default=None,
        description="How to read this file's timestamps; over data.time_format.",
    )

    @field_validator("time_format")
    @classmethod
    def _known_time_format(cls, value: str | None) -> str | None:
        return _check_time_format(value)


def _file_form(value: Any) -> str | None:
    if isinstance(value, str):
        return "path"
    return DATA_FILE_TAG if isinstance(value, dict | DataFile) else None


FileOrPath = Annotated[
    Annotated[str, Tag("path")] | Annotated[DataFile, Tag(DATA_FILE_TAG)],
    Discriminator(
        _file_form,
        custom_error_type="data_file",
        custom_error_message="expected a path, or {path: FILE, columns: {...}, "
        "timezone: ZONE, time_format: FORMAT}",
    ),
]


class DataSource(BaseModel):
    """Where the measuring data lives (paths relative to the map file)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    events: FileOrPath | None = Field(
        default=None,
        description="Event data: a path, or {path, columns, timezone, time_format}.",
    )
    surveys: FileOrPath | None = Field(
        default=None,
        description="Survey answers: a path, or {path, columns, timezone, time_format}.",
    )
    feedback: FileOrPath | None = Field(
        default=None,
        description="Feedback text: a path, or {path, columns, timezone, time_format}.",
    )
    customers: Customers | None = Field(
        default=None,
        description="Customer attributes: a path, or {path: FILE, id: COLUMN}.",
    )
    sessions: Sessions | None = None
    scope: Literal["customer", "session"] = Field(
        default="customer", description="Unit of measurement: customer or session."
    )
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="Canonical column -> column in the file, e.g. {customer_id: user_id}.",
    )
    timezone: str | None = None
    engine: str | None = Field(
        default=None,
        description="Where the analytics run: duckdb (default), spark, postgres, or a "
        "connection URL such as postgresql://user@host:5432/db.",
    )
    time_format: str | None = Field(
        default=None,
        description="How to read the timestamps: one of "
        + ", ".join(TIME_FORMAT_KINDS)
        + ", or a strptime format such as '%d/%m/%Y %H:%M'.",
    )

    @field_validator("engine")
    @classmethod
    def _known_engine(cls, value: str | None) -> str | None:
        # the engine layer parses the URL; the map only refuses what no engine is
        if value is None or value.lower() in ENGINE_NAMES:
            return value
        if value.split("://", 1)[0].lower() in ENGINE_SCHEMES and "://" in value:
            return value
        raise ValueError(
            f"unknown engine {value!r}; use duckdb, spark, postgres or a URL "
            "(duckdb:///path, spark://local, postgresql://user@host:5432/db)"
        )

    @field_validator("customers", mode="before")
    @classmethod
    def _path_only(cls, value: Any) -> Any:
        return {"path": value} if isinstance(value, str) else value

    @field_validator("time_format")
    @classmethod
    def _known_time_format(cls, value: str | None) -> str | None:
        return _check_time_format(value)

    def path_of(self, key: str) -> str | None:
        """The path (or table URL) ``data.<key>`` names, in either form."""
        given = getattr(self, key)
        return given.path if isinstance(given, DataFile) else given

    def file(self, key: str) -> DataFile | None:
        """How to read ``data.<key>`` (events, surveys or feedback): its path, and the
        section's columns, time zone and time format under the file's own settings.

        The keyword arguments of ``jm.read_events`` for that file are ``columns``,
        ``timezone`` and ``time_format`` of the result (the path is relative to the map).

        Examples
        --------
        >>> data = DataSource(
        ...     events="events.csv",
        ...     surveys={"path": "nps.csv", "columns": {"customer_id": "respondent"}},
        ...     columns={"customer_id": "user_id", "timestamp": "ts"},
        ... )
        >>> data.file("events").columns
        {'customer_id': 'user_id', 'timestamp': 'ts'}
        >>> data.file("surveys").columns
        {'customer_id': 'respondent', 'timestamp': 'ts'}
        """
        if key not in DATA_FILES:
            raise KeyError(key)
        given = getattr(self, key)
        if given is None:
            return None
        own = DataFile(path=given) if isinstance(given, str) else given
        return self.file_settings(own)

    def file_settings(self, own: DataFile | None = None) -> DataFile:
        """The section's settings under ``own``'s (a file the map does not name, such
        as ``--surveys FILE`` on the command line, has the section's alone)."""
        own = own or DataFile(path="")
        return DataFile(
            path=own.path,
            # the file's own first: its misspelt role is the first problem named
            columns={
                **own.columns,
                **{
                    role: column
                    for role, column in self.columns.items()
                    if role not in own.columns
                },
            },
            timezone=own.timezone or self.timezone,
            time_format=own.time_format or self.time_format,
        )


class JourneyMap(MapDisplay, BaseModel):
    """A customer journey map: the designed journey, to be measured against data."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    journeymap: Literal[1] = FORMAT_VERSION
    name: str
    description: str | None = None
    state: Literal["current", "future"] = "current"
    current_map: str | None = Field(
        default=None,
        description="For a future-state map: path or name of the current map.",
    )
    owner: str | None = None
    version: str | None = None
    review: Review | None = None
    framework: str | None = None
    departments: tuple[Department, ...] = ()
    personas: tuple[Persona, ...] = ()
    stages: tuple[Stage, ...] = ()
    conversion: Conversion | None = None
    data: DataSource | None = None

    # -- lookups -------------------------------------------------------------------
    def touchpoints(self) -> list[tuple[Stage, Touchpoint]]:
        return [(stage, tp) for stage in self.stages for tp in stage.touchpoints]

    def pain_points(self) -> list[tuple[Stage, PainPoint]]:
        return [(stage, p) for stage in self.stages for p in stage.pain_points]

    def opportunities(self) -> list[tuple[Stage, Opportunity]]:
        return [(stage, o) for stage in self.stages for o in stage.opportunities]

    def kpis(self) -> list[tuple[Stage, Kpi]]:
        return [(stage, k) for stage in self.stages for k in stage.kpis]

    def stage(self, stage_id: str) -> Stage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    def stage_ids(self) -> list[str]:
        return [stage.id for stage in self.stages]

    def for_department(self, department: str) -> JourneyMap:
        """A department-specific view: only its touchpoints and cards (stages kept)."""

        stages = tuple(
            stage.model_copy(
                update={
                    "touchpoints": tuple(
                        t for t in stage.touchpoints if t.department == department
                    ),
                    "pain_points": tuple(
                        p for p in stage.pain_points if p.department == department
                    ),
                    "opportunities": tuple(
                        o
                        for o in stage.opportunities
                        if o.department == department or o.owner == department
                    ),
                }
            )
            for stage in self.stages
        )
        return self.model_copy(update={"stages": stages})
