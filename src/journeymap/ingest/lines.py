"""The independent line accounting of a text file, done before DuckDB reads it.

One streaming pass over the bytes (4 MiB chunks, cut at line ends) decides the encoding
on evidence from the whole file and finds every line DuckDB could misread:

- bytes that are not UTF-8 in a file that is UTF-8 elsewhere (quarantined line by line;
  a file with no valid UTF-8 multi-byte text at all is read as cp1252/latin-1 instead);
- a quote that opens a field and is not closed within :data:`MAX_RECORD_LINES` lines, or
  whose record then has the wrong number of fields (quarantined: DuckDB would otherwise
  swallow every later line into one value, or stop reading);
- quoted fields that legitimately span lines (kept, and reported with their line range);
- blank lines (skipped, but they shift line numbers).

The result says how many data records the file holds, so ingest can check
``rows read + malformed + quarantined here == records``, and carries the steps that map
DuckDB's record numbers back to input rows and file lines. A file with any of the above
is rewritten to a temporary UTF-8 copy without the bad and blank lines, so DuckDB and
this scan agree on every record boundary.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from journeymap.errors import IngestError
from journeymap.ingest.sniffing import CP1252_FIX

CHUNK_BYTES = 4 << 20
MAX_RECORD_LINES = 100  # a quoted value spanning more lines is taken as a stray quote
SHOWN_TEXT = 200  # characters of a bad line kept in the quarantine

# A line (no newline inside) holding an odd number of quote characters.
_ODD_QUOTES = re.compile(rb'^[^"\n]*"(?:[^"\n]*"[^"\n]*")*[^"\n]*$', re.MULTILINE)


@dataclass(frozen=True)
class BadLine:
    """An input line quarantined before DuckDB sees it."""

    line: int
    row: int
    reason: str
    text: str


@dataclass(frozen=True)
class LineScan:
    """What the scan found. ``path`` is the file DuckDB should read (maybe a copy)."""

    path: Path
    encoding: str
    lines: int  # physical lines in the input
    header: list[str]
    records: int  # data records, including the bad ones
    bad: tuple[BadLine, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()  # records spanning lines: (first, last)
    blank: int = 0
    unit_steps: tuple[tuple[int, int], ...] = ()  # (first record of copy, rows before)
    line_steps: tuple[tuple[int, int], ...] = ()  # (first row, line - row from there)
    temp_files: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass
class _Found:
    """Raw findings of the byte pass (line numbers are 1-based)."""

    lines: int = 0
    ends_with_newline: bool = True
    odd: list[tuple[int, int]] = field(default_factory=list)  # (line, byte offset)
    invalid: list[tuple[int, int]] = field(default_factory=list)  # (line, byte offset)
    blank: list[int] = field(default_factory=list)
    multibyte: bool = False  # valid UTF-8 beyond ASCII seen
    c1_bytes: bool = False  # 0x80-0x9F seen in a non-UTF-8 line (cp1252 evidence)


def scan_lines(
    path: Path, *, delimiter: str, encoding: str | None, label: str
) -> LineScan:
    """Account for every line of a delimited text file (see the module docstring)."""
    temp: list[str] = []
    try:
        return _scan(
            path, delimiter=delimiter, encoding=encoding, label=label, temp=temp
        )
    except BaseException:
        for name in temp:
            Path(name).unlink(missing_ok=True)
        raise


def _scan(
    path: Path, *, delimiter: str, encoding: str | None, label: str, temp: list[str]
) -> LineScan:
    with path.open("rb") as handle:
        head = handle.read(4)
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if encoding is None and utf16:
        encoding = "utf-16"
    if encoding not in (None, "utf-8"):
        path = _utf8_copy(path, encoding, temp, label)
    found = find_lines(path)
    warnings: list[str] = []
    if encoding is None:
        if found.invalid and not found.multibyte:
            encoding = "cp1252" if found.c1_bytes else "latin-1"
            path = _utf8_copy(path, encoding, temp, label)
            found = find_lines(path)
        else:
            encoding = "utf-8"
            if found.invalid:
                warnings.append(
                    f"{len(found.invalid):,} line(s) are not valid UTF-8 in a UTF-8 "
                    f"file (first: line {found.invalid[0][0]}); they are quarantined"
                )
    return _account(path, found, delimiter, encoding, warnings, temp, label)


def find_lines(path: Path) -> _Found:
    """Count the lines of a file and find its blank, odd-quote and non-UTF-8 lines."""
    found = _Found()
    offset = 0
    with path.open("rb") as handle:
        for chunk in _chunks(handle):
            _find_in_chunk(chunk, offset, found)
            found.lines += chunk.count(b"\n")
            found.ends_with_newline = chunk.endswith(b"\n")
            offset += len(chunk)
    if offset and not found.ends_with_newline:
        found.lines += 1
    return found


def _chunks(handle: io.BufferedReader) -> Iterator[bytes]:
    """Chunks of about CHUNK_BYTES that end at a line end (or at the end of file)."""
    rest = b""
    while block := handle.read(CHUNK_BYTES):
        block = rest + block
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            rest = block
            continue
        rest = block[cut:]
        yield block[:cut]
    if rest:
        yield rest


def _find_in_chunk(chunk: bytes, offset: int, found: _Found) -> None:
    first_line = found.lines + 1

    def line_at(position: int) -> int:
        return first_line + chunk.count(b"\n", 0, position)

    text = chunk[3:] if offset == 0 and chunk.startswith(codecs.BOM_UTF8) else chunk
    if not text.isascii():
        try:
            text.decode("utf-8")
            found.multibyte = True
        except UnicodeDecodeError:
            _find_invalid(chunk, offset, first_line, found)
    if b'"' in chunk:
        for match in _ODD_QUOTES.finditer(chunk):
            found.odd.append((line_at(match.start()), offset + match.start()))
    for position in _blank_positions(chunk):
        found.blank.append(line_at(position))


def _find_invalid(chunk: bytes, offset: int, first_line: int, found: _Found) -> None:
    start = 0
    for number, line in enumerate(chunk.split(b"\n"), start=first_line):
        if not line.isascii():
            try:
                line.decode("utf-8")
                found.multibyte = True
            except UnicodeDecodeError:
                found.invalid.append((number, offset + start))
                found.c1_bytes = found.c1_bytes or any(0x80 <= b <= 0x9F for b in line)
        start += len(line) + 1


def _blank_positions(chunk: bytes) -> Iterator[int]:
    """Offsets of the lines of ``chunk`` that are empty (or a lone ``\\r``)."""
    for pattern in (b"\n\n", b"\n\r\n"):
        position = chunk.find(pattern)
        while position >= 0:
            yield position + 1
            position = chunk.find(pattern, position + 1)
    if chunk.startswith((b"\n", b"\r\n")):
        yield 0


def _account(
    path: Path,
    found: _Found,
    delimiter: str,
    encoding: str,
    warnings: list[str],
    temp: list[str],
    label: str,
) -> LineScan:
    blank = set(found.blank)
    invalid = {line: at for line, at in found.invalid}
    header_last, header = _header(path, delimiter, found, label)
    width = len(header)
    spans: list[tuple[int, int]] = []
    bad = {line: (not_utf8_reason(path, at), at, line) for line, at in invalid.items()}
    covered = header_last
    for line, at in found.odd:
        if line <= covered or line in bad or line in blank:
            continue
        last, fields = _record_end(path, at, delimiter)
        if (
            last is None
            or (
                last > 1
                and fields != width
                and _row_follows(path, at, delimiter, width)
            )
            # a line that is not UTF-8 is quarantined alone, so no value spans it
            or any(n in invalid for n in range(line + 1, line + last))
        ):
            bad[line] = (  # a stray quote: this line alone is quarantined
                "unbalanced quote: no closing quote that ends a well-formed row "
                f"within {MAX_RECORD_LINES} lines",
                at,
                line,
            )
            continue
        if fields != width and last > 1:
            bad[line] = (
                f"malformed row: {fields} fields instead of {width} "
                f"(a quoted value spans lines {line}-{line + last - 1})",
                at,
                line + last - 1,
            )
            covered = line + last - 1
            continue
        if last > 1:
            spans.append((line, line + last - 1))
            covered = line + last - 1
    return _steps_and_copy(
        path, found, header_last, header, encoding, bad, spans, blank, warnings, temp
    )


def _row_follows(path: Path, at: int, delimiter: str, width: int) -> bool:
    """Whether the row after the line at byte ``at`` is a well-formed one-line row.

    Blank lines are no rows: the row after them is the one judged (a blank line
    after a stray quote made the quote swallow the next row as a malformed one).
    """
    with path.open("rb") as handle:
        handle.seek(at)
        handle.readline()
        after = handle.tell()
        while handle.readline() in (b"\n", b"\r\n"):
            after = handle.tell()
    last, fields = _record_end(path, after, delimiter)
    return last == 1 and fields == width


def _header(
    path: Path, delimiter: str, found: _Found, label: str
) -> tuple[int, list[str]]:
    """The header's last line and its column names (unique, never empty)."""
    first_odd = found.odd[0] if found.odd and found.odd[0][0] == 1 else None
    last = 1
    with path.open("rb") as handle:
        if first_odd is not None:
            end, _ = _record_end(path, 0, delimiter)
            last = end or 1
        text = b"".join(handle.readline() for _ in range(last))
    try:
        row = next(
            csv.reader(io.StringIO(text.decode("utf-8-sig")), delimiter=delimiter)
        )
    except (StopIteration, UnicodeDecodeError, csv.Error):
        row = []
    if not row:
        raise IngestError("no header line", file=label, line=1)
    names: list[str] = []
    for index, raw in enumerate(row):
        name = raw.strip() or f"column{index}"
        base, n = name, 0
        while name in names:
            n += 1
            name = f"{base}_{n}"
        names.append(name)
    return last, names


def _record_end(path: Path, at: int, delimiter: str) -> tuple[int | None, int]:
    """Lines used by the CSV record starting at byte ``at`` (None: not closed in time)."""
    consumed = 0
    with path.open("rb") as handle:
        handle.seek(at)

        def lines() -> Iterator[str]:
            nonlocal consumed
            for _ in range(MAX_RECORD_LINES + 1):
                raw = handle.readline()
                if not raw:
                    return
                consumed += 1
                yield raw.decode("utf-8", errors="replace")

        reader = csv.reader(lines(), delimiter=delimiter, strict=True)
        try:
            record = next(reader)
        except (csv.Error, StopIteration):
            return None, 0
    if consumed > MAX_RECORD_LINES:
        return None, 0
    return consumed, len(record)


def not_utf8_reason(path: Path, at: int) -> str:
    with path.open("rb") as handle:
        handle.seek(at)
        line = handle.readline()
    try:
        line.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = line[exc.start]
        return f"not valid UTF-8: byte 0x{byte:02X} at byte {exc.start + 1} of the line"
    return "not valid UTF-8"


def _steps_and_copy(
    path: Path,
    found: _Found,
    header_last: int,
    header: list[str],
    encoding: str,
    bad: dict[int, tuple[str, int, int]],  # first line -> (reason, offset, last line)
    spans: list[tuple[int, int]],
    blank: set[int],
    warnings: list[str],
    temp: list[str],
) -> LineScan:
    """Number the records; map copy records -> rows and rows -> lines."""
    ranges = spans + [(first, last) for first, (_, _, last) in bad.items()]
    blank = blank - {n for first, last in ranges for n in range(first + 1, last + 1)}
    trailing = _trailing_blanks(found.lines, blank)
    interior_blank = blank - trailing
    skipped = {line for line in blank if line > header_last}
    extra = sum(last - first for first, last in spans)
    extra += sum(last - first for first, (_, _, last) in bad.items())
    records = found.lines - header_last - len(skipped) - extra
    # Walk the anomalies in line order, keeping: rows before (bad or good), units before
    # (records of the copy, bad lines left out), line of the next record.
    events: list[tuple[int, str, int]] = [(a, "bad", b[2]) for a, b in bad.items()]
    events += [(line, "blank", line) for line in skipped]
    events += [(first, "span", last) for first, last in spans]
    events.sort()
    unit_steps: list[tuple[int, int]] = []
    line_steps: list[tuple[int, int]] = []
    bad_lines: list[BadLine] = []
    rows_before = units_before = 0
    next_line = header_last + 1  # the line the next record starts on
    for line, kind, last in events:
        rows_before += line - next_line  # ordinary one-line records in between
        units_before += line - next_line
        if kind == "blank":
            next_line = line + 1
        elif kind == "bad":
            rows_before += 1
            reason, at, _ = bad[line]
            bad_lines.append(BadLine(line, rows_before, reason, _text(path, at)))
            next_line = last + 1
        else:
            rows_before += 1
            units_before += 1
            next_line = last + 1
        if kind != "blank" or line not in trailing:
            unit_steps.append((units_before + 1, rows_before - units_before))
            line_steps.append((rows_before + 1, next_line - (rows_before + 1)))
    if spans:
        shown = ", ".join(f"{a}-{b}" for a, b in spans[:5])
        warnings.append(
            f"{len(spans):,} quoted value(s) span several lines (lines {shown}"
            f"{', ...' if len(spans) > 5 else ''}); each is read as one row"
        )
    quotes = sorted(  # not "malformed row: ... (a quoted value spans lines ...)"
        line for line, (reason, _, _) in bad.items() if reason.startswith("unbalanced")
    )
    if quotes:
        warnings.append(
            f"{len(quotes):,} line(s) with an unbalanced quote are quarantined "
            f"(first: line {quotes[0]}); the lines after them are read normally"
        )
    if bad or interior_blank:
        dropped = {n for a, (_, _, b) in bad.items() for n in range(a, b + 1)}
        path = _clean_copy(path, dropped | blank, temp)
    return LineScan(
        path=path,
        encoding=encoding,
        lines=found.lines,
        header=header,
        records=records,
        bad=tuple(bad_lines),
        spans=tuple(spans),
        blank=len(blank),
        unit_steps=_dedupe(unit_steps, 0) if bad else (),
        line_steps=_dedupe(line_steps, header_last),
        temp_files=tuple(temp),
        warnings=tuple(warnings),
    )


def _trailing_blanks(lines: int, blank: set[int]) -> set[int]:
    trailing: set[int] = set()
    line = lines
    while line in blank:
        trailing.add(line)
        line -= 1
    return trailing


def _dedupe(steps: list[tuple[int, int]], first: int) -> tuple[tuple[int, int], ...]:
    """Keep the last step for each start, drop steps that change nothing."""
    last: dict[int, int] = {1: first}
    for start, shift in steps:
        last[start] = shift
    kept: list[tuple[int, int]] = [(1, last.pop(1))]
    for start, shift in sorted(last.items()):
        if shift != kept[-1][1]:
            kept.append((start, shift))
    return tuple(kept)


def _text(path: Path, at: int) -> str:
    with path.open("rb") as handle:
        handle.seek(at)
        raw = handle.readline()
    return raw.decode("utf-8", errors="replace").rstrip("\r\n")[:SHOWN_TEXT]


def blanked_copy(path: Path, lines: set[int]) -> Path:
    """A temporary copy of ``path`` with the given lines emptied (numbering kept)."""
    handle, name = tempfile.mkstemp(prefix="journeymap-", suffix=".txt")
    os.close(handle)
    with path.open("rb") as source, open(name, "wb") as sink:
        for number, raw in enumerate(source, start=1):
            sink.write(b"\n" if number in lines else raw)
    return Path(name)


def _clean_copy(path: Path, drop: set[int], temp: list[str]) -> Path:
    """A copy of ``path`` without the given lines (kept in ``temp`` for deletion)."""
    handle, name = tempfile.mkstemp(prefix="journeymap-", suffix=".csv")
    os.close(handle)
    temp.append(name)
    with path.open("rb") as source, open(name, "wb") as sink:
        for number, raw in enumerate(source, start=1):
            if number not in drop:
                sink.write(raw if raw.endswith(b"\n") else raw + b"\n")
    return Path(name)


def _utf8_copy(path: Path, encoding: str, temp: list[str], label: str) -> Path:
    """A UTF-8 copy of a UTF-16, latin-1 or cp1252 file, decoded chunk by chunk."""
    handle, name = tempfile.mkstemp(prefix="journeymap-", suffix=".csv")
    os.close(handle)
    temp.append(name)
    codec = "latin-1" if encoding == "cp1252" else encoding
    table = CP1252_FIX if encoding == "cp1252" else {}
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    try:
        with path.open("rb") as source, open(name, "wb") as sink:
            while chunk := source.read(CHUNK_BYTES):
                sink.write(decoder.decode(chunk).translate(table).encode("utf-8"))
            sink.write(decoder.decode(b"", final=True).encode("utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise IngestError(f"cannot decode as {encoding}: {exc}", file=label) from exc
    return Path(name)
