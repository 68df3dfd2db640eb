"""SQL that casts a Source into canonical columns and names each bad row's reason.

One scan of the source builds a staging table: the canonical columns and the raw text
the checks need. Quarantine and the event table are then both cut from that staging
table with :func:`verdict_sql` (the reason is computed on stored columns: computing it
in the scan made DuckDB parse every timestamp once per check).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from journeymap.ingest.sources import ROW_COLUMN, Source, quote_ident
from journeymap.ingest.timestamps import timestamp_sql

TEXT_ROLES = ("channel", "session_id", "score_kind", "text")
NUMBER_ROLES = ("value", "score")
SCORE_RANGES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


@dataclass(frozen=True)
class Check:
    """One quarantine rule: rows where ``condition`` holds get ``reason``."""

    condition: str
    reason: str
    column: str | None  # the source column at fault
    value: str  # SQL for the offending raw value


def text_sql(expr: str) -> str:
    return f"NULLIF(trim(CAST({expr} AS VARCHAR)), '')"


def number_sql(expr: str, *, decimal_comma: bool) -> str:
    text = text_sql(expr)
    if decimal_comma:  # ';'-separated exports usually write 1,5 for 1.5
        return f"TRY_CAST(replace({text}, ',', '.') AS DOUBLE)"
    return f"TRY_CAST({text} AS DOUBLE)"


def stage_sql(
    source: Source,
    types: Mapping[str, str],
    mapping: Mapping[str, str],
    properties: Mapping[str, str],
    zone: str,
    *,
    session_utc: bool = True,
) -> str:
    """SELECT over the source yielding the row number, canonical columns and properties."""
    selects = _canonical_selects(
        source, types, mapping, properties, zone, session_utc=session_utc
    )
    return f"SELECT {', '.join(selects)} FROM {source.relation}"


@dataclass(frozen=True)
class Verdict:
    """SQL over the staging table: why a row is quarantined (NULL: it is loaded)."""

    reason: str
    column: str
    value: str

    @property
    def good(self) -> str:
        return f"{self.reason} IS NULL"


def verdict_sql(mapping: Mapping[str, str]) -> Verdict:
    checks = quarantine_checks(mapping)
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
) -> list[str]:
    def col(name: str) -> str:  # JSON values as their text, not as quoted JSON
        sql = source.column_sql(name)
        return f"({sql} ->> '$')" if types[name] == "JSON" else sql

    ts = mapping["timestamp"]
    ts_type = "VARCHAR" if types[ts] == "JSON" else types[ts]
    selects = [
        f"{ROW_COLUMN}",
        f"{text_sql(col(mapping['customer_id']))} AS customer_id",
        f"{timestamp_sql(col(ts), ts_type, zone, session_utc=session_utc)} AS timestamp",
        f"{text_sql(col(mapping['event']))} AS event",
        f"{text_sql(col(ts))} AS _jm_raw_timestamp",
    ]
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
        f"{source.column_sql(name)} AS {quote_ident(target)}"
        for name, target in properties.items()
    ]
    return selects


def quarantine_checks(mapping: Mapping[str, str]) -> list[Check]:
    """The rules a row must pass, in the order they are reported (first failure wins)."""
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
        Check("event IS NULL", "missing event", mapping["event"], "NULL"),
    ]
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
