"""File readers: CSV/TSV, Parquet (file or folder), JSON lines, Excel -> Source.

Text and Parquet files are scanned by DuckDB itself; only Excel (small by nature) goes
through Python, via openpyxl's streaming reader into Arrow.
"""

from __future__ import annotations

import datetime
import itertools
import re
from pathlib import Path
from typing import Any

from journeymap._importers import import_openpyxl
from journeymap.engine import Engine, fresh_name
from journeymap.errors import IngestError
from journeymap.ingest.compressed import is_gzip, read_gzip
from journeymap.ingest.jsonlines import read_jsonl
from journeymap.ingest.lines import scan_lines
from journeymap.ingest.sniffing import (
    ENCODINGS,
    decode_sample,
    read_sample,
    sniff_delimiter,
    sniff_encoding,
)
from journeymap.ingest.sources import (
    ROW_COLUMN,
    Source,
    create_temp_table,
    drop_sql,
    quote_ident,
    table_name,
)

SUFFIXES = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".tab": "csv",
    ".parquet": "parquet", ".pq": "parquet",
    ".jsonl": "json", ".ndjson": "json", ".json": "json",
    ".xlsx": "excel", ".xlsm": "excel",
}  # fmt: skip


def read_file(
    engine: Engine,
    path: Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> Source:
    """A Source for a file (or a folder of Parquet files), chosen by suffix; a sheet
    of a workbook is named after the file: ``book.xlsx::Events``."""
    book, _, sheet = str(path).rpartition("::")
    if sheet and SUFFIXES.get(Path(book).suffix.lower()) == "excel":
        if not Path(book).exists():
            raise IngestError("file not found", file=book)
        return read_excel(engine, Path(book), sheet=sheet)
    if not path.exists():
        raise IngestError("file not found", file=str(path))
    if path.is_dir():
        return read_parquet(engine, path)
    if is_gzip(path) and Path(path.stem).suffix.lower() in SUFFIXES:
        return read_gzip(
            path,
            lambda copy: read_file(
                engine, copy, delimiter=delimiter, encoding=encoding
            ),
        )
    kind = SUFFIXES.get(path.suffix.lower())
    if kind == "csv":
        try:
            return read_csv(engine, path, delimiter=delimiter, encoding=encoding)
        except OSError as exc:  # unreadable: permissions, a vanished file
            reason = exc.strerror or type(exc).__name__
            raise IngestError(f"cannot read: {reason}", file=str(path)) from None
    if kind == "parquet":
        return read_parquet(engine, path)
    if kind == "json":
        return read_json(engine, path)
    if kind == "excel":
        return read_excel(engine, path)
    known = ", ".join(sorted(SUFFIXES))
    suffix = "".join(path.suffixes[-2:]) if is_gzip(path) else path.suffix
    hint = (  # process-mining logs: the CSV export has the columns found by name
        "; XES is not read: export the event log as CSV (case:concept:name, "
        "concept:name and time:timestamp are found by name)"
        if suffix.lower() in (".xes", ".xes.gz")
        else ""
    )
    raise IngestError(
        f"unknown file type {suffix!r}; known: {known} (also gzip-compressed, as "
        f".csv.gz), or a folder of parquet{hint}",
        file=str(path),
    )


def read_csv(
    engine: Engine,
    path: Path,
    *,
    delimiter: str | None = None,
    encoding: str | None = None,
) -> Source:
    """A Source for a delimited text file; encoding and delimiter sniffed unless given.

    :func:`~journeymap.ingest.lines.scan_lines` first accounts for every line (encoding
    decided on the whole file, unbalanced quotes and undecodable lines quarantined), so
    DuckDB reads a file whose record boundaries are known. Lines DuckDB still cannot
    split into fields land in its rejects table and are quarantined with their line.
    """
    given = _check_encoding(encoding) if encoding else None
    if delimiter is None:
        sample = read_sample(path)
        text = decode_sample(sample, given or sniff_encoding(sample))
        delimiter = "\t" if path.suffix.lower() == ".tsv" else sniff_delimiter(text)
    scan = scan_lines(path, delimiter=delimiter, encoding=given, label=str(path))
    if scan.header and re.fullmatch(r"sep=.?", scan.header[0].strip()):
        raise IngestError(  # written for Excel; the header is the next line
            f"line 1 {scan.header[0].strip().ljust(5, delimiter)!r} is a delimiter "
            "hint for Excel, "
            "not the header: delete that line",
            file=str(path),
            line=1,
        )
    names = [_protect(name, scan.header) for name in scan.header]
    rejects, scanned = fresh_name("rejects"), fresh_name("rejects_scan")
    relation = (
        f"(SELECT *, row_number() OVER () AS {ROW_COLUMN} FROM read_csv(?, delim = ?, "
        "header = true, auto_detect = false, columns = ?, quote = '\"', escape = '\"', "
        "ignore_errors = true, max_line_size = 100000000, "
        f"store_rejects = true, rejects_table = '{rejects}', "
        f"rejects_scan = '{scanned}'))"
    )
    return Source(
        label=str(path),
        relation=relation,
        params=(str(scan.path), delimiter, dict.fromkeys(names, "VARCHAR")),
        text=True,
        rejects=rejects,
        encoding=scan.encoding,
        delimiter=delimiter,
        lines=scan,
        temp_files=scan.temp_files,
        cleanup=(drop_sql(rejects), drop_sql(scanned)),
    )


def _protect(name: str, names: list[str]) -> str:
    """Rename a header name that is the row-number column (never clash, never drop)."""
    if name != ROW_COLUMN:
        return name
    target = name.lstrip("_")
    while target in names:
        target += "_source"
    return target


def _check_encoding(encoding: str) -> str:
    name = encoding.lower().replace("_", "-")
    aliases = {"utf8": "utf-8", "utf-8-sig": "utf-8", "latin1": "latin-1",
               "iso-8859-1": "latin-1", "windows-1252": "cp1252", "utf16": "utf-16"}  # fmt: skip
    name = aliases.get(name, name)
    if name not in ENCODINGS:
        raise IngestError(
            f"unsupported encoding {encoding!r}; use one of {', '.join(ENCODINGS)}",
            field="encoding",
        )
    return name


def read_parquet(engine: Engine, path: Path) -> Source:
    """A Source for a Parquet file or a folder of them (hive partitions become columns).

    Row numbers follow the files in name order, then the rows within each file. A
    folder must hold only Parquet data files (others are refused or, if not data,
    skipped with a warning); a partition key that is also a column in the files does
    not overwrite it: the folder's value becomes ``<key>_partition`` (issue 10).
    """
    files, warnings = _parquet_files(path) if path.is_dir() else ([str(path)], [])
    try:
        schema = engine.sql_rows(
            "DESCRIBE SELECT * FROM read_parquet(?, hive_partitioning = false, "
            "union_by_name = true)",
            [files],
        )
    except Exception as exc:
        first = (str(exc).strip().splitlines() or ["unreadable"])[0]
        raise IngestError(f"cannot read parquet: {first}", file=str(path)) from exc
    columns = {str(row[0]) for row in schema}
    name = "_jm_file"  # the scan's file-name column, unused by the files (issue 10)
    while name.lower() in {c.lower() for c in columns}:
        name += "_"
    file = quote_ident(name)
    rename = ""
    if ROW_COLUMN in columns:  # a user column of that name is kept, renamed
        kept = quote_ident(_protect(ROW_COLUMN, sorted(columns)))
        rename = f" RENAME ({ROW_COLUMN} AS {kept})"
    keys = _partition_keys(path, files) if path.is_dir() else []
    clash = [key for key in keys if key in columns]
    extra = ""
    if clash:
        extra = "".join(
            f", NULLIF(regexp_extract(p.{file}, '[/\\\\]{_regex_literal(key)}="
            f"([^/\\\\]*)[/\\\\]', 1), '') AS {quote_ident(key + '_partition')}"
            for key in keys
        )
        warnings.append(
            f"partition key(s) {', '.join(clash)} are also columns in the files: the "
            "files' values are kept and the folder's are read as "
            + ", ".join(f"{key}_partition" for key in keys)
        )
    hive = "false" if clash else "true" if keys else "false"
    if "file_row_number" in columns:  # DuckDB's option would clash with the column:
        relation = (  # number rows by the (order-keeping) scan instead
            f"(SELECT p.* EXCLUDE ({file}){rename}{extra}, row_number() OVER () AS "
            f"{ROW_COLUMN} FROM read_parquet(?, filename = '{name}', "
            f"union_by_name = true, hive_partitioning = {hive}) AS p)"
        )
        return Source(
            label=str(path), relation=relation, params=(files,),
            warnings=tuple(warnings), count_sql=_PARQUET_ROWS, count_params=(files,),
        )  # fmt: skip
    scan = (
        f"read_parquet(?, file_row_number = true, filename = '{name}', "
        f"union_by_name = true, hive_partitioning = {hive}) AS p"
    )
    if len(files) == 1:
        relation = (
            f"(SELECT p.* EXCLUDE (file_row_number, {file}){rename}{extra}, "
            f"p.file_row_number + 1 AS {ROW_COLUMN} FROM {scan})"
        )
        return Source(
            label=str(path), relation=relation, params=(files,),
            warnings=tuple(warnings), count_sql=_PARQUET_ROWS, count_params=(files,),
        )  # fmt: skip
    offsets_name = create_temp_table(
        engine,
        "SELECT file_name AS _jm_file, "
        "CAST(sum(num_rows) OVER (ORDER BY file_name) - num_rows AS BIGINT) "
        "AS _jm_offset "
        "FROM parquet_file_metadata(?)",
        [files],
        prefix="offsets",
    )
    relation = (
        f"(SELECT p.* EXCLUDE (file_row_number, {file}){rename}{extra}, "
        f"p.file_row_number + o._jm_offset + 1 AS {ROW_COLUMN} FROM {scan} "
        f"JOIN {quote_ident(offsets_name)} AS o ON p.{file} = o._jm_file)"
    )
    return Source(
        label=str(path),
        relation=relation,
        params=(files,),
        warnings=tuple(warnings),
        cleanup=(drop_sql(offsets_name),),
        count_sql=_PARQUET_ROWS,
        count_params=(files,),
    )


_PARQUET_ROWS = "SELECT sum(num_rows) FROM parquet_file_metadata(?)"


def _parquet_files(folder: Path) -> tuple[list[str], list[str]]:
    """Every Parquet file under ``folder`` (name order), and what was skipped."""
    parquet: list[str] = []
    other_data: list[str] = []
    skipped: list[str] = []
    for item in sorted(folder.rglob("*")):
        if not item.is_file():
            continue
        relative = item.relative_to(folder)
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue  # _SUCCESS, .crc, _metadata: bookkeeping, not data
        kind = SUFFIXES.get(item.suffix.lower())
        if kind == "parquet":
            parquet.append(str(item))
        elif kind is not None:
            other_data.append(str(relative))
        else:
            skipped.append(str(relative))
    if other_data:
        shown = ", ".join(other_data[:3]) + (", ..." if len(other_data) > 3 else "")
        what = "mixes Parquet with" if parquet else "holds no Parquet files but"
        raise IngestError(
            f"folder {what} {len(other_data)} other data file(s) ({shown}); "
            "read one format per folder",
            file=str(folder),
        )
    if not parquet:
        raise IngestError("folder holds no Parquet files", file=str(folder))
    warnings = []
    if skipped:
        shown = ", ".join(skipped[:3]) + (", ..." if len(skipped) > 3 else "")
        warnings.append(f"skipped {len(skipped)} file(s) that are not data: {shown}")
    return parquet, warnings


def _regex_literal(text: str) -> str:
    """``text`` as a regex matching itself, safe inside an SQL string literal."""
    return re.escape(text).replace("'", "''")


def _partition_keys(folder: Path, files: list[str]) -> list[str]:
    keys: list[str] = []
    for name in files:
        for part in Path(name).relative_to(folder).parts[:-1]:
            key = part.split("=", 1)[0] if "=" in part else None
            if key and key not in keys:
                keys.append(key)
    return keys


def read_json(engine: Engine, path: Path) -> Source:
    """A Source for JSON lines (one event object per line; see
    :mod:`~journeymap.ingest.jsonlines`) or, for a ``.json`` file that opens with
    ``[``, one array of event objects (then rows have no line numbers)."""
    if path.suffix.lower() != ".json" or _first_byte(path) != b"[":
        return read_jsonl(engine, path)
    relation = (
        f"(SELECT *, row_number() OVER () AS {ROW_COLUMN} "
        "FROM read_json_auto(?, format = 'array', sample_size = -1))"
    )
    return Source(label=str(path), relation=relation, params=(str(path),))


def _first_byte(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]


def read_excel(engine: Engine, path: Path, *, sheet: str | None = None) -> Source:
    """A Source for the first (or named) sheet of an .xlsx file; the header is row 1
    or the first full row below a title block (see :func:`_header_row`)."""
    openpyxl = import_openpyxl()
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise IngestError(f"cannot read Excel file: {first}", file=str(path)) from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise IngestError(
                f"no sheet {sheet!r}; the sheets are: {', '.join(book.sheetnames)}",
                file=str(path),
            )
        worksheet = book[sheet] if sheet else book.worksheets[0]
        others = [other for other in book.sheetnames if other != worksheet.title]
        rows = worksheet.iter_rows(values_only=True)
        above, first, rest = _header_row(rows)
        table = rows_to_arrow(rest, label=str(path), header=_header(first, str(path)))
    finally:
        book.close()
    name = table_name(engine.register_arrow(table, prefix="excel"))
    notes: tuple[str, ...] = ()
    if sheet is None and others:  # a workbook's first sheet is often a summary
        notes += (
            f"read sheet {worksheet.title!r}, the first of {len(others) + 1} (also: "
            f"{', '.join(others)}); name another as {path.name}::SHEET",
        )
    if above:
        skipped = "row 1" if above == 1 else f"rows 1-{above}"
        notes += (f"{skipped} above the header (row {above + 1}) skipped",)
    return Source(
        label=str(path) if sheet is None else f"{path}::{sheet}",
        relation=quote_ident(name), text=True, line_offset=above + 1, cleanup=(drop_sql(name),), warnings=notes,
    )  # fmt: skip


# Rows read to find a sheet's header below a title block (report exports put a title,
# a date and blank rows above the table).
_HEADER_SEARCH = 20


def _header_row(rows: Any) -> tuple[int, Any, Any]:
    """(rows above the header, the header row, the rows after it).

    The header is the first row that fills at least 3/4 as many cells as the widest
    of the first rows (and two or more), so a title, a date line and blank rows above
    a report's table are skipped and said, not read as the header.
    """
    seen: list[Any] = []
    for row in rows:
        seen.append(row)
        if len(seen) == _HEADER_SEARCH:
            break
    widths = [
        sum(str(cell).strip() != "" for cell in row or () if cell is not None)
        for row in seen
    ]
    need = max(2, -(-3 * max(widths, default=0) // 4))  # ceil(3/4 of the widest)
    above = next((i for i, width in enumerate(widths) if width >= need), 0)
    rest = iter(seen[above + 1 :])
    return above, (seen[above] if seen else None), itertools.chain(rest, rows)


def rows_to_arrow(rows: Any, *, label: str, header: list[str] | None = None) -> Any:
    """Arrow table of text columns (plus ``_jm_row``) from an iterator of row tuples.

    Without ``header`` the first row is the header. Values become text so that each
    cell is judged by the same rules as a CSV cell; datetimes become ISO strings.
    """
    import pyarrow as pa

    names = header if header is not None else _header(next(rows, None), label)
    columns: list[list[str | None]] = [[] for _ in names]
    numbers: list[int] = []
    for number, row in enumerate(rows, start=1):
        if row is None or all(cell is None for cell in row):
            continue  # blank spreadsheet rows are not data, as blank CSV lines
        numbers.append(number)
        for index, column in enumerate(columns):
            column.append(cell_text(row[index] if index < len(row) else None))
    arrays = [pa.array(c, type=pa.string()) for c in columns]
    arrays.append(pa.array(numbers, type=pa.int64()))
    return pa.table(arrays, names=[*names, ROW_COLUMN])


def _header(first: Any, label: str) -> list[str]:
    if not first:
        raise IngestError("no header row", file=label)
    names: list[str] = []
    for index, cell in enumerate(first):
        name = str(cell).strip() if cell is not None else f"column{index + 1}"
        base, n = name, 0
        while name in names:  # duplicate headers are kept, numbered (issue 10)
            n += 1
            name = f"{base}_{n}"
        names.append(name)
    return names


def cell_text(value: Any) -> str | None:
    """Text for one spreadsheet or database cell (ISO format for dates and times)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
