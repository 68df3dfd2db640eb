"""SQL that casts a Source into canonical columns and names each bad row's reason.

One scan of the source builds a staging table: the canonical columns and the raw text
the checks need. Quarantine and the event table are then both cut from that staging
table with :func:`verdict_sql` (the reason is computed on stored columns: computing it
in the scan made DuckDB parse every timestamp once per check).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from journeymap.ingest.sources import ROW_COLUMN, Source, quote_ident
from journeymap.ingest.timestamps import (
    TRIMMED,
    YEARS,
    timestamp_kind_sql,
    timestamp_sql,
)

TEXT_ROLES = ("channel", "session_id", "score_kind", "text")
NUMBER_ROLES = ("value", "score")
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
KIND_COLUMN = "_jm_ts_kind"  # how a numeric timestamp was read (see timestamps.py)


@dataclass(frozen=True)
class Check:
    """One quarantine rule: rows where ``condition`` holds get ``reason``."""

    condition: str
    reason: str
    column: str | None  # the source column at fault
    value: str  # SQL for the offending raw value


# How SQL tools write a missing value into a CSV (SQL Server Management Studio and
# DBeaver "NULL", MySQL and Snowflake unloads "\N"): in a column with a role it is
# missing, not a customer called NULL or an unreadable revenue.
NULL_SPELLINGS = ("NULL", "null", "\\N")
_NULLS = ", ".join(f"'{text}'" for text in NULL_SPELLINGS)


def text_sql(expr: str) -> str:
    """Trimmed text of ``expr``, NULL when empty or a NULL spelling (as is, if
    trimmed already)."""
    if expr.startswith(TRIMMED):
        return expr
    text = f"trim(CAST({expr} AS VARCHAR), ' ')"  # spaces only, as _trim_sql checks
    return f"(CASE WHEN {text} IN ('', {_NULLS}) THEN NULL ELSE {text} END)"


# ';'-separated exports usually write decimal commas: 1.234,5 is 1234.5 (issue 10)
THOUSANDS = r"[+-]?[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?"
COMMA_DECIMAL = r"[+-]?[0-9]+,[0-9]+"


def number_sql(expr: str, *, decimal_comma: bool) -> str:
    text = text_sql(expr)
    if decimal_comma:
        german = f"replace(replace({text}, '.', ''), ',', '.')"
        return (
            f"(CASE WHEN regexp_full_match({text}, '{THOUSANDS}|{COMMA_DECIMAL}') "
            f"THEN TRY_CAST({german} AS DOUBLE) ELSE TRY_CAST({text} AS DOUBLE) END)"
        )
    return f"TRY_CAST({text} AS DOUBLE)"


def id_sql(expr: str, sql_type: str) -> str:
    """Customer id text; integral numbers lose ``.0`` so ``1.0`` joins ``1`` (issue 10)."""
    if sql_type.upper().startswith(("FLOAT", "DOUBLE", "DECIMAL", "REAL")):
        return (
            f"(CASE WHEN {expr} = trunc({expr}) AND abs({expr}) < 1e18 "
            f"THEN CAST(CAST({expr} AS BIGINT) AS VARCHAR) "
            f"ELSE CAST({expr} AS VARCHAR) END)"
        )
    text = text_sql(expr)
    return (
        f"(CASE WHEN contains({text}, '.') AND regexp_full_match({text}, "
        rf"'-?[0-9]+\.0+') THEN split_part({text}, '.', 1) ELSE {text} END)"
    )


def stage_sql(
    source: Source,
    types: Mapping[str, str],
    mapping: Mapping[str, str],
    properties: Mapping[str, str],
    zone: str,
    *,
    session_utc: bool = True,
    time_format: str | None = None,
) -> str:
    """SELECT over the source yielding the row number, canonical columns and properties."""
    trimmed = _trimmed_columns(types, mapping)
    selects = _canonical_selects(
        source, types, mapping, properties, zone, session_utc=session_utc,
        time_format=time_format, trimmed=trimmed,
    )  # fmt: skip
    if not trimmed:
        select = f"SELECT {', '.join(selects)} FROM {source.relation}"
    else:
        # Text is trimmed once per column in an inner projection: each check and cast
        # trimming it again cost half of staging a CSV (issue 10: 2.1 s -> 1.2 s for
        # the timestamp of 1e6 rows).
        inner = ", ".join(
            f"{_trim_sql(quote_ident(name))} AS {alias.removeprefix('_jm_source.')}"
            for name, alias in trimmed.items()
        )
        select = (
            f"SELECT {', '.join(selects)} FROM "
            f"(SELECT *, {inner} FROM {source.relation}) AS _jm_source"
        )
    ts_type = types[mapping["timestamp"]].upper()
    if ts_type.startswith(("TIMESTAMP", "DATE")):
        return select  # raw text made only where needed already (raw_time_sql)
    return _raw_time_where_needed(select, kinds=any(KIND_COLUMN in s for s in selects))


def _raw_time_where_needed(select: str, *, kinds: bool) -> str:
    """Keep a text timestamp's raw text only where a check or a note reads it.

    The quarantine shows it for missing, unparsable and implausible times, and the
    numeric-time notes for numbers; a good time needs only "not missing" (``''``).
    Staging 1e7 CSV rows held 190 MB of raw timestamps no one read (issue 10).
    """
    low, high = YEARS
    needed = (
        "_jm_raw_timestamp IS NULL OR timestamp IS NULL OR "
        f"timestamp < TIMESTAMP '{low}-01-01' OR "
        f"timestamp >= TIMESTAMP '{high + 1}-01-01'"
    )
    if kinds:
        needed += f" OR {KIND_COLUMN} IS NOT NULL"
    return (
        f"SELECT * REPLACE (CASE WHEN {needed} THEN _jm_raw_timestamp ELSE '' END "
        f"AS _jm_raw_timestamp) FROM ({select}) AS _jm_staged"
    )


def _trim_sql(column: str) -> str:
    """``text_sql`` of a VARCHAR column, calling trim() only on text that needs it.

    trim() copies every string: 0.9 s per 1e6 values, against 0.2 s when only text
    starting or ending with a space is trimmed. Only spaces are trimmed: trim() alone
    also removes U+00A0 and U+3000, so '\xa0buy ' became 'buy' while '\xa0buy' stayed.
    """
    return (
        f"(CASE WHEN {column} IN ('', {_NULLS}) THEN NULL "
        f"WHEN starts_with({column}, ' ') OR ends_with({column}, ' ') "
        f"THEN NULLIF(trim({column}, ' '), '') ELSE {column} END)"
    )


def _trimmed_columns(
    types: Mapping[str, str], mapping: Mapping[str, str]
) -> dict[str, str]:
    """Text source columns with a canonical role -> SQL of their trimmed text.

    The SQL is qualified (``_jm_source."_jm_text_0"``), which no quoted source column
    name can be, and the name is unused by the source.
    """
    names = sorted({c for c in mapping.values() if types.get(c) == "VARCHAR"})
    taken = {name.lower() for name in types}
    aliases: dict[str, str] = {}
    index = 0
    for name in names:
        while f"_jm_text_{index}" in taken:
            index += 1
        aliases[name] = f'{TRIMMED}{index}"'
        index += 1
    return aliases


@dataclass(frozen=True)
class Verdict:
    """SQL over the staging table: why a row is quarantined (NULL: it is loaded)."""

    reason: str
    column: str
    value: str

    @property
    def good(self) -> str:
        return f"{self.reason} IS NULL"


def verdict_sql(mapping: Mapping[str, str], *, kinds: bool = False) -> Verdict:
    checks = quarantine_checks(mapping, kinds=kinds)
    return Verdict(
        reason=_case(checks, lambda c: _literal(c.reason)),
        column=_case(checks, lambda c: _literal(c.column)),
        value=_case(checks, lambda c: c.value),
    )


def _canonical_selects(
    source: Source,
    types: Mapping[str, str],
    mapping: Mapping[str, str],
    properties: Mapping[str, str],
    zone: str,
    *,
    session_utc: bool = True,
    time_format: str | None = None,
    trimmed: Mapping[str, str] | None = None,
) -> list[str]:
    def col(name: str) -> str:  # JSON values as their text, not as quoted JSON
        if trimmed and name in trimmed:
            return trimmed[name]
        sql = source.column_sql(name)
        return f"({sql} ->> '$')" if types[name] == "JSON" else sql

    ts = mapping["timestamp"]
    ts_type = "VARCHAR" if types[ts] == "JSON" else types[ts]
    who = mapping["customer_id"]
    time = timestamp_sql(
        col(ts), ts_type, zone, session_utc=session_utc, time_format=time_format
    )
    selects = [
        f"{ROW_COLUMN}",
        f"{id_sql(col(who), types[who])} AS customer_id",
        f"{time} AS timestamp",
        f"{text_sql(col(mapping['event']))} AS event",
        f"{raw_time_sql(col(ts), ts_type)} AS _jm_raw_timestamp",
    ]
    kind = timestamp_kind_sql(col(ts), ts_type, time_format=time_format)
    if kind is not None:
        selects.append(f"{kind} AS {KIND_COLUMN}")
    for role in TEXT_ROLES:
        if role in mapping:
            expr = text_sql(col(mapping[role]))
            selects.append(
                f"{'lower(' + expr + ')' if role == 'score_kind' else expr} AS {role}"
            )
    comma = source.delimiter == ";"
    for role in NUMBER_ROLES:
        if role in mapping:
            selects.append(
                f"{number_sql(col(mapping[role]), decimal_comma=comma)} AS {role}"
            )
            selects.append(f"{text_sql(col(mapping[role]))} AS _jm_raw_{role}")
    selects += [
        f"{_storable(source.column_sql(name), types[name])} AS {quote_ident(target)}"
        for name, target in properties.items()
    ]
    return selects


# A field of type "NULL" inside a struct or list (an Arrow null field: a GA4
# ``float_value`` that is always empty) cannot be written in a CREATE TABLE.
_NULL_FIELD = re.compile(r'(?<= )"NULL"(?=[,)\]])')


def _storable(sql: str, sql_type: str) -> str:
    """``sql`` with null-typed fields nested in its type cast to text.

    Examples
    --------
    >>> _storable('"p"', 'STRUCT(a VARCHAR, b "NULL")[]')
    'CAST("p" AS STRUCT(a VARCHAR, b VARCHAR)[])'
    >>> _storable('"p"', 'STRUCT("NULL" VARCHAR)')
    '"p"'
    """
    fixed = _NULL_FIELD.sub("VARCHAR", sql_type)
    return sql if fixed == sql_type else f"CAST({sql} AS {fixed})"


def raw_time_sql(column: str, sql_type: str) -> str:
    """The raw timestamp text the checks and the quarantine need.

    A typed time can only be missing or implausible, so its text is made for those
    rows alone: casting every timestamp to text was half the cost of staging a Parquet
    file (issue 10: 0.6 of 1.3 s at 1e7 rows). Good rows get ``''`` (not missing).
    """
    if not sql_type.upper().startswith(("TIMESTAMP", "DATE")):
        return text_sql(column)
    low, high = YEARS
    return (
        f"(CASE WHEN {column} IS NULL THEN NULL "
        f"WHEN CAST({column} AS TIMESTAMP) < TIMESTAMP '{low - 1}-12-31' "
        f"OR CAST({column} AS TIMESTAMP) >= TIMESTAMP '{high + 1}-01-02' "
        f"THEN CAST({column} AS VARCHAR) ELSE '' END)"
    )


def quarantine_checks(
    mapping: Mapping[str, str], *, kinds: bool = False
) -> list[Check]:
    """The rules a row must pass, in the order they are reported (first failure wins)."""
    low, high = YEARS
    ambiguous = Check(
        f"{KIND_COLUMN} = 'ambiguous'",
        "ambiguous numeric timestamp: not %Y%m%d, an Excel serial or epoch "
        "s/ms/us/ns by its size; say which with --time-format (data.time_format)",
        mapping["timestamp"],
        "_jm_raw_timestamp",
    )
    implausible = Check(
        f"timestamp < TIMESTAMP '{low}-01-01' OR "
        f"timestamp >= TIMESTAMP '{high + 1}-01-01'",
        f"timestamp outside the years {low}-{high}",
        mapping["timestamp"],
        "_jm_raw_timestamp",
    )
    checks = [
        Check(
            "customer_id IS NULL", "missing customer_id", mapping["customer_id"], "NULL"
        ),
        Check(
            "_jm_raw_timestamp IS NULL",
            "missing timestamp",
            mapping["timestamp"],
            "NULL",
        ),
        Check(
            "timestamp IS NULL",
            "unparsable timestamp",
            mapping["timestamp"],
            "_jm_raw_timestamp",
        ),  # fmt: skip
        implausible,
        Check("event IS NULL", "missing event", mapping["event"], "NULL"),
    ]
    if kinds:
        checks.insert(2, ambiguous)
    for role in NUMBER_ROLES:
        if role in mapping:
            checks.append(
                Check(
                    f"(_jm_raw_{role} IS NOT NULL AND {role} IS NULL) "
                    f"OR isinf({role}) OR isnan({role})",
                    f"unparsable {role}",
                    mapping[role],
                    f"_jm_raw_{role}",
                )  # fmt: skip
            )
    if "score" in mapping and "score_kind" in mapping:
        out_of_range = " OR ".join(
            f"(score_kind = '{kind}' AND NOT score BETWEEN {low} AND {high})"
            for kind, (low, high) in SCORE_RANGES.items()
        )
        checks.append(
            Check(out_of_range, "score out of range for its score_kind", mapping["score"],
                  "_jm_raw_score")
        )  # fmt: skip
    return checks


def _case(checks: list[Check], then: Callable[[Check], str]) -> str:
    whens = " ".join(f"WHEN {c.condition} THEN {then(c)}" for c in checks)
    return f"(CASE {whens} ELSE NULL END)"


def _literal(text: str | None) -> str:
    if text is None:
        return "NULL"
    return "'" + text.replace("'", "''") + "'"
