"""SQL that turns any common timestamp spelling into a naive UTC ``TIMESTAMP``.

Accepted: ISO 8601 with or without an offset (``Z``, ``+02:00``, ``+0200``, a zone name),
``T`` or space between date and time, date-only, and numbers. A number is read by its
magnitude and form (issue 10), never guessed silently:

- ``20240301`` (8 digits, a valid date) is ``%Y%m%d``; ``20240301103000`` (14 digits)
  is ``%Y%m%d%H%M%S``; both are wall-clock time like naive ISO text;
- 20000 to 109573 (1954-10-03 to 2199-12-31) is an Excel serial day number;
- 1e8 to 1e11 is epoch seconds, then milliseconds, microseconds, nanoseconds by powers
  of 1000;
- anything else is *ambiguous* and the row is quarantined; a column mixing these
  families (say ``%Y%m%d`` and epoch seconds) is refused, naming rows of each, unless
  ``time_format`` says how to read it.

Values with an offset are converted to UTC; naive values are wall-clock time in
``timezone`` (UTC by default), converted DST-correctly by DuckDB's ICU. Unparsable values
become NULL, and the row is quarantined by the caller, as are times outside
:data:`YEARS` (year -290000 or 2611 is a misread, not an event).

Zone names are checked against DuckDB's ``pg_timezone_names()`` before they reach the
SQL text, so a zone can never inject SQL (see issue 4).
"""

from __future__ import annotations

from journeymap.engine import Engine
from journeymap.errors import IngestError

# SQL of source text that staging trimmed once already (see canonical.stage_sql)
TRIMMED = '_jm_source."_jm_text_'

NUMERIC_TYPES = (
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
    "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL",
)  # fmt: skip

# An explicit zone after a time of day: Z, +02, +02:00, +0200, UTC/GMT or Area/City.
_ZONE_PATTERN = (
    r"[0-9]{2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?\s*"
    r"([zZ]|[+-][0-9]{2}(:?[0-9]{2})?|UTC|GMT|[A-Za-z_]+/[A-Za-z_/+-]+)$"
)


# A space between the time and its numeric offset, which a TIMESTAMPTZ cast refuses
_SPACED_OFFSET = r"\s+([+-][0-9]{2}(:?[0-9]{2})?)$"


def check_timezone(engine: Engine, timezone: str | None) -> str:
    """Return a zone name known to DuckDB, or raise a one-line IngestError."""
    if timezone is None or timezone.upper() == "UTC":
        return "UTC"
    rows = engine.sql_rows(
        "SELECT name FROM pg_timezone_names() WHERE lower(name) = lower(?)", [timezone]
    )
    if not rows:
        raise IngestError(
            f"unknown time zone {timezone!r}; use an IANA name such as 'Europe/Berlin'",
            field="timezone",
        )
    return str(rows[0][0])


def timestamp_sql(
    column: str,
    sql_type: str,
    zone: str,
    *,
    session_utc: bool,
    time_format: str | None = None,
) -> str:
    """SQL for a naive UTC timestamp from ``column`` (an SQL expression) of ``sql_type``.

    ``zone`` must come from :func:`check_timezone`; ``session_utc`` says whether the
    connection's ``TimeZone`` setting is UTC (see :func:`text_timestamp_sql`);
    ``time_format`` (checked by :func:`check_time_format`) forces one reading.
    """
    sql_type = sql_type.upper()
    if sql_type.startswith(("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ")):
        return utc_sql(column)
    if sql_type.startswith("TIMESTAMP") or sql_type == "DATE":
        return local_to_utc_sql(f"CAST({column} AS TIMESTAMP)", zone)
    if sql_type.startswith(NUMERIC_TYPES):
        number = f"CAST({column} AS DOUBLE)"
        return number_timestamp_sql(number, number_kind_sql(number, time_format), zone)
    text = column if column.startswith(TRIMMED) else f"trim(CAST({column} AS VARCHAR))"
    if time_format is not None and "%" in time_format:
        literal = time_format.replace("'", "''")
        return local_to_utc_sql(f"TRY_STRPTIME({text}, '{literal}')", zone)
    return text_timestamp_sql(
        text, zone, session_utc=session_utc, time_format=time_format
    )


def timestamp_kind_sql(
    column: str, sql_type: str, *, time_format: str | None = None
) -> str | None:
    """SQL naming how each value was read as a number (NULL: not a number); ``None``
    when the column cannot hold numbers."""
    sql_type = sql_type.upper()
    if sql_type.startswith(("TIMESTAMP", "DATE")):
        return None
    if sql_type.startswith(NUMERIC_TYPES):
        return number_kind_sql(f"CAST({column} AS DOUBLE)", time_format)
    if time_format is not None and "%" in time_format:
        return None
    return number_kind_sql(
        text_number_sql(
            column if column.startswith(TRIMMED) else f"trim(CAST({column} AS VARCHAR))"
        ),
        time_format,
    )


def text_number_sql(text: str) -> str:
    """SQL for the number in ``text`` (NULL if none), skipping text that is clearly a
    date or time (a ``:`` or an inner ``-``) before trying the cast: at 1e7 ISO
    timestamps the failed casts were a visible share of staging a CSV."""
    return (
        f"(CASE WHEN contains({text}, ':') OR contains(ltrim({text}, '+-'), '-') "
        f"THEN NULL ELSE TRY_CAST({text} AS DOUBLE) END)"
    )


# Naive ISO text read by strptime before anything else (see text_timestamp_sql)
NAIVE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def text_timestamp_sql(
    text: str, zone: str, *, session_utc: bool, time_format: str | None = None
) -> str:
    """SQL parsing a trimmed string: a number (see the module docstring), else ISO.

    Text in exactly one of the :data:`NAIVE_FORMATS` (what most exports write) is
    read by ``strptime``, which accepts nothing after the seconds: 1.3 s against
    2.9 s per 1e7 values for the general path below, which every other text takes
    (issue 10). A typed CSV read or a ``TIMESTAMP`` cast would be as fast but reads
    ``10:00+02:00`` as 10:00, silently dropping the offset.

    When naive times are UTC and so is the session, one ``TIMESTAMPTZ`` cast reads
    every ISO form (offsets, ``Z``, zone names, naive as UTC). Otherwise a regex tells
    zoned from naive text, and naive text is read as wall-clock time in ``zone`` -
    about three times slower, measured on 1e6 rows.
    """
    formats = ", ".join(f"'{f}'" for f in NAIVE_FORMATS)
    plain = local_to_utc_sql(
        f"(CASE WHEN {_naive_shape_sql(text)} THEN try_strptime({text}, [{formats}]) END)",
        zone,
    )
    return f"coalesce({plain}, {_general_timestamp_sql(text, zone, session_utc=session_utc, time_format=time_format)})"


def _naive_shape_sql(text: str) -> str:
    """SQL true where ``strptime`` reads ``text`` as the general path would: 19 bytes
    (every field at full width) and none of the whitespace strptime skips and a
    ``TIMESTAMPTZ`` cast refuses (found by fuzzing both readers, issue 10)."""
    skipped = " OR ".join(
        f"contains({text}, chr({code}))" for code in (9, 10, 11, 12, 13)
    )
    return f"(strlen({text}) = 19 AND NOT ({skipped}))"


def _general_timestamp_sql(
    text: str, zone: str, *, session_utc: bool, time_format: str | None
) -> str:
    number = text_number_sql(text)
    zoned = utc_sql(  # upper() only for the rare failures, such as a lowercase 'z'
        f"coalesce(TRY_CAST({text} AS TIMESTAMPTZ), "
        f"TRY_CAST(upper({text}) AS TIMESTAMPTZ), "
        # a space before the offset, as Ruby and many logs write it: '10:00 +0530'
        f"TRY_CAST(regexp_replace({text}, '{_SPACED_OFFSET}', '\\1') AS TIMESTAMPTZ))"
    )
    kind = number_kind_sql(number, time_format)
    epoch = f"WHEN {number} IS NOT NULL THEN {number_timestamp_sql(number, kind, zone)}"
    if zone == "UTC" and session_utc:
        return f"(CASE {epoch} ELSE {zoned} END)"
    naive = local_to_utc_sql(f"TRY_CAST({text} AS TIMESTAMP)", zone)
    return (
        f"(CASE {epoch} WHEN regexp_matches({text}, '{_ZONE_PATTERN}') THEN {zoned} "
        f"ELSE {naive} END)"
    )


def session_is_utc(engine: Engine) -> bool:
    """Whether the connection reads naive ``TIMESTAMPTZ`` text as UTC."""
    rows = engine.sql_rows("SELECT current_setting('TimeZone')")
    return str(rows[0][0]) in ("UTC", "Etc/UTC", "GMT", "Etc/GMT")


def local_to_utc_sql(naive: str, zone: str) -> str:
    """SQL reading a naive timestamp as wall-clock time in ``zone``; result naive UTC."""
    if zone == "UTC":
        return naive
    literal = zone.replace("'", "''")  # zone is validated; doubling is belt and braces
    return utc_sql(f"timezone('{literal}', {naive})")


def utc_sql(instant: str) -> str:
    """SQL for the naive UTC ``TIMESTAMP`` of a ``TIMESTAMPTZ`` expression.

    A ``TIMESTAMPTZ`` stores UTC microseconds, so ``make_timestamp(epoch_us(x))``
    reads them without ICU's zone conversion: ``x AT TIME ZONE 'UTC'`` cost 1.3 s
    more per 1e7 CSV timestamps (issue 10). It yields NULL for the infinite values,
    which alone go through ``AT TIME ZONE`` (coalesce evaluates its second argument
    only for the rows the first leaves NULL), so they stay infinite and are
    quarantined as outside the plausible years, as before.
    """
    return (
        f"coalesce(make_timestamp(epoch_us({instant})), ({instant}) AT TIME ZONE 'UTC')"
    )


# (kind, lower bound, upper bound, microseconds per unit) for epoch numbers
_EPOCHS = (
    ("epoch_s", "1e8", "1e11", "1e6"),
    ("epoch_ms", "1e11", "1e14", "1e3"),
    ("epoch_us", "1e14", "1e17", "1"),
    ("epoch_ns", "1e17", "1e20", "1e-3"),
)
NUMBER_KINDS = {
    "yyyymmdd": ("%Y%m%d", "a %Y%m%d date"),
    "yyyymmddhhmmss": ("%Y%m%d%H%M%S", "a %Y%m%d%H%M%S time"),
    "excel": ("", "an Excel serial day"),
    "epoch_s": ("", "epoch seconds"),
    "epoch_ms": ("", "epoch milliseconds"),
    "epoch_us": ("", "epoch microseconds"),
    "epoch_ns": ("", "epoch nanoseconds"),
}
FAMILIES = {"yyyymmdd": "date", "yyyymmddhhmmss": "date", "excel": "excel"}
YEARS = (1900, 2200)  # plausible years; others are quarantined as misreads
EXCEL_DAYS = (20000, 109574)  # 1954-10-03 .. 2200-01-01


def check_time_format(time_format: str | None) -> str | None:
    """A numeric kind (``epoch_ms``, ``yyyymmdd``, ``excel``...) or a strptime format."""
    if time_format is None or time_format in NUMBER_KINDS or "%" in time_format:
        return time_format
    known = ", ".join(NUMBER_KINDS)
    raise IngestError(
        f"unknown time format {time_format!r}; use one of {known} or a strptime "
        "format such as '%d/%m/%Y %H:%M'",
        field="time_format",
    )


def number_kind_sql(number: str, time_format: str | None = None) -> str:
    """SQL naming how a DOUBLE ``number`` reads as a time (``'ambiguous'`` if it cannot)."""
    if time_format in NUMBER_KINDS:
        return f"(CASE WHEN {number} IS NULL THEN NULL ELSE '{time_format}' END)"
    digits = f"CAST(TRY_CAST({number} AS BIGINT) AS VARCHAR)"
    whole = f"{number} = trunc({number})"
    epochs = " ".join(
        f"WHEN abs({number}) >= {low} AND abs({number}) < {high} THEN '{kind}'"
        for kind, low, high, _ in _EPOCHS
    )
    return (
        f"(CASE WHEN {number} IS NULL THEN NULL "
        f"WHEN {whole} AND {number} BETWEEN 19000101 AND 22001231 "
        f"AND TRY_STRPTIME({digits}, '%Y%m%d') IS NOT NULL THEN 'yyyymmdd' "
        f"WHEN {whole} AND {number} BETWEEN 19000101000000 AND 22001231235959 "
        f"AND TRY_STRPTIME({digits}, '%Y%m%d%H%M%S') IS NOT NULL THEN 'yyyymmddhhmmss' "
        f"WHEN {number} >= {EXCEL_DAYS[0]} AND {number} < {EXCEL_DAYS[1]} THEN 'excel' "
        f"{epochs} ELSE 'ambiguous' END)"
    )


def number_timestamp_sql(number: str, kind: str, zone: str) -> str:
    """SQL for the timestamp of a DOUBLE ``number`` read as ``kind`` (SQL, see above)."""
    digits = f"CAST(TRY_CAST({number} AS BIGINT) AS VARCHAR)"
    excel = (
        "TIMESTAMP '1899-12-30' + "
        f"to_microseconds(TRY_CAST(round({number} * 86400e6) AS BIGINT))"
    )
    epochs = " ".join(
        f"WHEN '{k}' THEN make_timestamp(TRY_CAST(round(({number}) * {scale}) AS BIGINT))"
        for k, _, _, scale in _EPOCHS
    )
    compact = {
        name: local_to_utc_sql(f"TRY_STRPTIME({digits}, '{fmt}')", zone)
        for name, (fmt, _) in NUMBER_KINDS.items()
        if fmt
    }
    whens = " ".join(f"WHEN '{name}' THEN {sql}" for name, sql in compact.items())
    return (
        f"(CASE {kind} {whens} WHEN 'excel' THEN {local_to_utc_sql(excel, zone)} "
        f"{epochs} ELSE NULL END)"
    )


def check_time_kinds(
    engine: Engine, stage: str, *, label: str, column: str
) -> list[str]:
    """Refuse a timestamp column whose numbers mix families; say how numbers were read.

    ``stage`` holds ``_jm_row``, ``_jm_raw_timestamp`` and ``_jm_ts_kind``.
    """
    rows = engine.sql_rows(
        "SELECT _jm_ts_kind, count(*), min(_jm_row), arg_min(_jm_raw_timestamp, _jm_row) "
        f'FROM "{stage}" WHERE _jm_ts_kind IS NOT NULL '
        "AND _jm_ts_kind <> 'ambiguous' GROUP BY 1 ORDER BY 2 DESC, 1"
    )
    families: dict[str, tuple[str, int, int, str]] = {}
    for kind, count, row, raw in rows:
        families.setdefault(FAMILIES.get(str(kind), "epoch"), (kind, count, row, raw))
    if len(families) > 1:
        (k1, _, r1, v1), (k2, _, r2, v2) = list(families.values())[:2]
        raise IngestError(
            f"numeric timestamps mix formats: row {r1} ({v1}) reads as "
            f"{NUMBER_KINDS[k1][1]}, row {r2} ({v2}) as {NUMBER_KINDS[k2][1]}; "
            "say which with --time-format (data.time_format in a map)",
            file=label,
            field=column,
        )
    return [
        f"timestamp column {column!r}: {int(count):,} number(s) read as "
        f"{NUMBER_KINDS[str(kind)][1]}"
        for kind, count, _, _ in rows
    ]
