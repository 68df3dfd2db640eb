"""Decimal commas in ``;``-separated files, decided per column on evidence (issue 10).

Staging reads ``value``/``score`` text in a ``;`` file the European way: ``1.234,5`` is
1234.5 and ``1,5`` is 1.5. A value such as ``1.234`` is then ambiguous: a thousands
separator (1234) or a decimal point (1.234). The column decides: decimal commas
elsewhere mean thousands; decimal points with other than three digits (``1.5``) mean
a decimal point, and those rows are re-read; neither is reported as a warning.
"""

from __future__ import annotations

from collections.abc import Mapping

from journeymap.engine import Engine
from journeymap.ingest.canonical import COMMA_DECIMAL, NUMBER_ROLES, THOUSANDS
from journeymap.ingest.sources import quote_ident

_THOUSANDS_ONLY = r"[+-]?[0-9]{1,3}(\.[0-9]{3})+"
_DOT_DECIMAL = r"[+-]?[0-9]+\.[0-9]+"


def settle_decimal_commas(
    engine: Engine, stage: str, mapping: Mapping[str, str]
) -> tuple[list[str], bool]:
    """Re-read ``1.234``-style values per column; return warnings for the ambiguous
    and whether any value changed."""
    notes: list[str] = []
    changed = False
    table = quote_ident(stage)
    for role in NUMBER_ROLES:
        if role not in mapping:
            continue
        raw = f"_jm_raw_{role}"
        thousands, comma, dot, example = engine.sql_rows(
            f"SELECT count(*) FILTER (regexp_full_match({raw}, '{_THOUSANDS_ONLY}')), "
            f"count(*) FILTER (regexp_full_match({raw}, '{COMMA_DECIMAL}|{THOUSANDS}') "
            f"AND contains({raw}, ',')), "
            f"count(*) FILTER (regexp_full_match({raw}, '{_DOT_DECIMAL}') AND NOT "
            f"regexp_full_match({raw}, '{_THOUSANDS_ONLY}')), "
            f"min({raw}) FILTER (regexp_full_match({raw}, '{_THOUSANDS_ONLY}')) "
            f"FROM {table} WHERE {raw} IS NOT NULL"
        )[0]
        column = mapping[role]
        if not thousands or comma:
            continue
        if dot:
            changed = True
            engine.sql_rows(
                f"UPDATE {table} SET {role} = TRY_CAST({raw} AS DOUBLE) "
                f"WHERE regexp_full_match({raw}, '{_THOUSANDS_ONLY}')"
            )
            notes.append(
                f"column {column!r}: decimal points elsewhere, so {example} is read "
                "as a decimal number, not with a thousands separator"
            )
        else:
            notes.append(
                f"column {column!r}: {int(thousands):,} value(s) such as {example} are "
                "ambiguous in a ';' file; read with '.' as a thousands separator"
            )
    return notes, changed
