"""Properties: every source column that plays no canonical role, kept for segments.

Names never shadow canonical columns, and text properties (CSV, Excel, SQLite) get a
real type when every value is a plain integer, number or boolean.
"""

from __future__ import annotations

from collections.abc import Mapping

from journeymap.engine import Engine
from journeymap.engine.eventlog import CANONICAL_COLUMNS, INTERNAL_COLUMNS
from journeymap.ingest.sources import ROW_COLUMN, quote_ident

_SQL = ("rowid",)  # a column of that name would hide DuckDB's row id (event_seq)


def property_names(columns: list[str], mapping: Mapping[str, str]) -> dict[str, str]:
    """Source column -> output name for every column that is not a canonical role.

    A property that would shadow a canonical or internal column is renamed
    ``<name>_source``, so no input column is dropped silently. Names are compared
    without case, as SQL compares identifiers: a property ``Timestamp`` beside
    ``--time ts`` is ``Timestamp_source``, not a second ``timestamp`` (issue 8).

    >>> property_names(["ts", "Timestamp", "plan"], {"timestamp": "ts"})
    {'Timestamp': 'Timestamp_source', 'plan': 'plan'}
    >>> property_names(["_jm_x", "jm_x_source"], {})
    {'_jm_x': 'jm_x_source', 'jm_x_source': 'jm_x_source_source'}
    """
    used = set(mapping.values())
    taken = {name.lower() for name in (*CANONICAL_COLUMNS, *INTERNAL_COLUMNS, *_SQL)}
    names: dict[str, str] = {}
    for column in columns:
        if column in used or column == ROW_COLUMN:
            continue
        target = column
        if target.lower().startswith("_jm_"):  # internal prefix: never kept (issue 10:
            target = target.lstrip("_") + "_source"  # appending alone looped forever)
        while target.lower() in taken:
            target = f"{target}_source"
        names[column] = target
        taken.add(target.lower())
    return names


# Text that round-trips through a type, so inference never changes a value's meaning
# ("007" stays text; "1.50" becomes 1.5 only if every value is a plain number).
_TYPE_PATTERNS = (
    ("BIGINT", r"-?(0|[1-9][0-9]{0,17})"),
    ("DOUBLE", r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?"),
    ("BOOLEAN", r"(?i)true|false"),
)


def infer_property_types(
    engine: Engine, table: str, properties: Mapping[str, str]
) -> dict[str, str]:
    """Property -> SQL type for text properties whose every value is a number/boolean
    (``table`` holds the loaded rows)."""
    targets = list(properties.values())
    if not targets:
        return {}
    tests = []
    for target in targets:
        column = quote_ident(target)
        for _, pattern in _TYPE_PATTERNS:
            tests.append(
                f"bool_and(regexp_full_match({column}, '{pattern}')) "
                f"FILTER (WHERE {column} IS NOT NULL)"
            )
    row = engine.sql_rows(f"SELECT {', '.join(tests)} FROM {quote_ident(table)}")[0]
    inferred: dict[str, str] = {}
    for index, target in enumerate(targets):
        flags = row[index * len(_TYPE_PATTERNS) : (index + 1) * len(_TYPE_PATTERNS)]
        for (sql_type, _), ok in zip(_TYPE_PATTERNS, flags, strict=True):
            if ok:
                inferred[target] = sql_type
                break
    return inferred
