"""Keys inside JSON or struct columns as columns of their own: ``properties.distinct_id``.

Analytics exports nest what journeymap needs: a Mixpanel export line is
``{"event": ..., "properties": {"distinct_id": ..., "time": ...}}``, Segment and
Amplitude keep campaign data in ``properties`` / ``event_properties`` objects, and a
BigQuery export read from Parquet has ``traffic_source`` as a struct. A column
name ``parent.key`` (or ``parent.key.subkey``), given on the command line or in the
map's ``data.columns``, reads that key when ``parent`` is a JSON, struct or JSON-text
column; when the required roles are not found among the top-level columns, the keys
of JSON and struct columns are searched for the usual names (so a Mixpanel export
needs no options). The key's value is read as text and judged like a CSV cell.

The fields of struct columns are known from the schema alone, so every leaf field
becomes a typed property ``device.category`` (the struct stays too): persona rules,
match rules and ``--by`` read them like any column.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from journeymap.engine import Engine
from journeymap.errors import IngestError
from journeymap.ingest.sources import ROW_COLUMN, Source, quote_ident

# Rows whose keys are looked at, to find nested names and to check a given one exists.
SAMPLE_ROWS = 1000


def is_struct(sql_type: str) -> bool:
    """A struct, not a list or array of structs (``STRUCT(a INTEGER)[]``)."""
    return sql_type.upper().startswith("STRUCT") and sql_type.endswith(")")


def objects(types: Mapping[str, str]) -> list[str]:
    """Columns that may hold keys: JSON and struct columns (``ROW_COLUMN`` excluded)."""
    return [
        name
        for name, sql_type in types.items()
        if name != ROW_COLUMN and (sql_type.upper() == "JSON" or is_struct(sql_type))
    ]


def split_path(name: str, types: Mapping[str, str]) -> tuple[str, list[str]] | None:
    """(parent column, keys) for a dotted ``name`` that is not itself a column.

    The longest parent wins, so a top-level column named ``traffic_source.medium``
    is never read as a key; only JSON, struct and text parents qualify.

    Examples
    --------
    >>> split_path("properties.time", {"event": "VARCHAR", "properties": "JSON"})
    ('properties', ['time'])
    >>> split_path("context.campaign.medium", {"context": "JSON"})
    ('context', ['campaign', 'medium'])
    >>> split_path("a.b", {"a.b": "VARCHAR", "a": "JSON"}) is None
    True
    """
    if name in types or "." not in name:
        return None
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        parent = ".".join(parts[:cut])
        sql_type = types.get(parent, "").upper()
        if sql_type.startswith(("JSON", "STRUCT", "VARCHAR")):
            return parent, parts[cut:]
    return None


def key_sql(parent: str, sql_type: str, keys: Sequence[str]) -> str:
    """SQL of the text at ``keys`` inside column ``parent`` (NULL when absent)."""
    path = "$" + "".join(
        '."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"' for key in keys
    )
    literal = "'" + path.replace("'", "''") + "'"
    column = quote_ident(parent)
    upper = sql_type.upper()
    if upper.startswith("STRUCT"):
        json = f"to_json({column})"
    elif upper.startswith("JSON"):
        json = column
    else:  # JSON written as text (a CSV column): only valid JSON is looked into
        json = f"(CASE WHEN json_valid({column}) THEN {column} END)"
    found = f"json_extract_string({json}, {literal})"
    if len(keys) != 1:
        return found
    return f"coalesce({found}, {_pair_value_sql(json, keys[0])})"


def _pair_value_sql(json: str, key: str) -> str:
    """SQL of the value paired with ``key`` in a list of ``{key, value}`` objects, as
    GA4 and Firebase keep ``event_params`` (the value an object of typed slots, the
    first one set is taken: ``{"string_value": null, "int_value": 42}`` -> ``42``)."""
    name = "'" + key.replace("'", "''") + "'"
    pair = (
        f"list_filter(json_extract({json}, '$[*]'), "
        f"lambda e: json_extract_string(e, '$.key') = {name})[1]"
    )
    value = f"json_extract({pair}, '$.value')"
    slots = (
        f"list_filter(map_values(json_transform({value}, "
        "'\"MAP(VARCHAR, VARCHAR)\"')), lambda v: v IS NOT NULL)[1]"
    )
    return f"(CASE WHEN json_type({value}) = 'OBJECT' THEN {slots} ELSE {value} ->> '$' END)"


def nested_names(
    engine: Engine,
    source: Source,
    types: Mapping[str, str],
    parents: Sequence[str] | None = None,
) -> list[str]:
    """``parent.key`` for the keys of the JSON and struct columns (or of ``parents``),
    in a stable order (columns in file order, keys by name), from the first
    :data:`SAMPLE_ROWS` rows."""
    names: list[str] = []
    for parent in objects(types) if parents is None else parents:
        column = quote_ident(parent)
        upper = types[parent].upper()
        value = f"to_json({column})" if upper.startswith("STRUCT") else column
        valid = (
            "" if upper.startswith(("STRUCT", "JSON")) else f"json_valid({column}) AND "
        )
        rows = engine.sql_rows(
            f"SELECT DISTINCT unnest(json_keys({value})) AS k FROM (SELECT {column} "
            f"FROM {source.relation} LIMIT {SAMPLE_ROWS}) WHERE {valid}"
            f"json_type({value}) = 'OBJECT' ORDER BY k",
            source.params,
        )
        names += [f"{parent}.{row[0]}" for row in rows]
    return names


def expose(
    engine: Engine,
    source: Source,
    types: Mapping[str, str],
    names: Sequence[str],
) -> tuple[Source, dict[str, str]]:
    """The source with each dotted name in ``names`` added as a text column.

    Raises
    ------
    IngestError
        A name whose key holds no value in any of the first rows (a typo), with the
        keys that do occur.
    """
    added: dict[str, str] = {}
    for name in names:
        found = split_path(name, types)
        if found is None or name in added:
            continue
        parent, keys = found
        sql = key_sql(parent, types[parent], keys)
        _check_present(engine, source, types, name, parent, sql)
        added[name] = sql
    if not added:
        return source, dict(types)
    extra = ", ".join(f"{sql} AS {quote_ident(name)}" for name, sql in added.items())
    relation = f"(SELECT *, {extra} FROM {source.relation})"
    widened = {**types, **dict.fromkeys(added, "VARCHAR")}
    return dataclasses.replace(source, relation=relation), widened


def _check_present(
    engine: Engine,
    source: Source,
    types: Mapping[str, str],
    name: str,
    parent: str,
    sql: str,
) -> None:
    rows = engine.sql_rows(
        f"SELECT count({sql}) FROM (SELECT * FROM {source.relation} "
        f"LIMIT {SAMPLE_ROWS})",
        source.params,
    )
    if rows and int(rows[0][0]) > 0:
        return
    keys = ", ".join(
        (
            nested_names(engine, source, types, [parent])
            or _pair_names(engine, source, types, parent)
        )[:20]
    )
    raise IngestError(
        f"column {name!r} not found: no value at that key of {parent!r} in the first "
        f"{SAMPLE_ROWS:,} rows; keys there: {keys or '(none: not JSON objects)'}",
        file=source.label,
        field=name,
    )


def flatten_structs(
    engine: Engine, source: Source, types: Mapping[str, str]
) -> tuple[Source, dict[str, str]]:
    """The source with each leaf field of its struct columns as a column of its own,
    ``parent.field`` (nested structs: ``parent.field.subfield``), typed as stored.
    A name a column already has is left alone. Only the schema is read."""
    pending = [
        (name, quote_ident(name))
        for name in types
        if name != ROW_COLUMN and is_struct(types[name])
    ]
    added: dict[str, tuple[str, str]] = {}
    while pending:
        name, sql = pending.pop(0)
        fields = engine.sql_rows(
            f"DESCRIBE SELECT unnest({sql}) FROM {source.relation}", source.params
        )
        for row in fields:
            field, sql_type = str(row[0]), str(row[1])
            literal = "'" + field.replace("'", "''") + "'"
            inner = (f"{name}.{field}", f"struct_extract({sql}, {literal})")
            if is_struct(sql_type):
                pending.append(inner)
            elif inner[0] not in types and inner[0] not in added:
                added[inner[0]] = (inner[1], sql_type)
    if not added:
        return source, dict(types)
    extra = ", ".join(f"{sql} AS {quote_ident(n)}" for n, (sql, _) in added.items())
    relation = f"(SELECT *, {extra} FROM {source.relation})"
    widened = {**types, **{n: sql_type for n, (_, sql_type) in added.items()}}
    return dataclasses.replace(source, relation=relation), widened


def _pair_names(
    engine: Engine, source: Source, types: Mapping[str, str], parent: str
) -> list[str]:
    """``parent.key`` for the keys of a ``{key, value}`` list (GA4 event_params)."""
    column = quote_ident(parent)
    upper = types[parent].upper()
    json = (
        f"to_json({column})"
        if upper.startswith("STRUCT")
        else column
        if upper.startswith("JSON")
        else f"(CASE WHEN json_valid({column}) THEN {column} END)"
    )
    rows = engine.sql_rows(
        "SELECT DISTINCT json_extract_string(e.value, '$.key') AS k FROM (SELECT "
        f"{json} AS j FROM {source.relation} LIMIT {SAMPLE_ROWS}), json_each(j) AS e "
        "WHERE json_type(j) = 'ARRAY' AND k IS NOT NULL ORDER BY k",
        source.params,
    )
    return [f"{parent}.{row[0]}" for row in rows]


def leaf_names(nested: Sequence[str], available: Sequence[str]) -> dict[str, str]:
    """Last key -> dotted name, for keys named like no top-level column (the first
    parent wins), so the usual names are found inside objects.

    Examples
    --------
    >>> leaf_names(["properties.distinct_id", "properties.event", "meta.time"],
    ...            ["event", "properties"])
    {'distinct_id': 'properties.distinct_id', 'time': 'meta.time'}
    """
    top = {name.lower() for name in available}
    leaves: dict[str, str] = {}
    for name in nested:
        leaf = name.rsplit(".", 1)[-1]
        if leaf.lower() not in top and leaf not in leaves:
            leaves[leaf] = name
    return leaves
