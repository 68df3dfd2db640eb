"""Guess a text file's delimiter (and a first guess of its encoding) from its first bytes.

The encoding that is actually used is decided on the whole file by
:mod:`journeymap.ingest.lines`; the guess here only decodes the sample for the delimiter.
cp1252 (Windows exports: ``€``, curly quotes, dashes in 0x80-0x9F) is told from latin-1
by those bytes, and :data:`CP1252_FIX` maps them when a file is transcoded.
"""

from __future__ import annotations

import codecs
import csv
from pathlib import Path

SAMPLE_BYTES = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
ENCODINGS = ("utf-8", "utf-16", "latin-1", "cp1252")

# latin-1 code point -> cp1252 character for the bytes 0x80-0x9F that cp1252 defines
# (the five it leaves undefined keep their latin-1 meaning, so decoding never fails).
CP1252_FIX = {
    b: bytes([b]).decode("cp1252")
    for b in range(0x80, 0xA0)
    if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}


def read_sample(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(SAMPLE_BYTES)


def sniff_encoding(sample: bytes) -> str:
    """``utf-8`` (with or without BOM), ``utf-16`` (BOM), else ``cp1252`` or ``latin-1``.

    Examples
    --------
    >>> sniff_encoding("id,ev\\n1,café\\n".encode())
    'utf-8'
    >>> sniff_encoding("id,ev\\n1,€5\\n".encode("cp1252"))
    'cp1252'
    >>> sniff_encoding("id,ev\\n1,café\\n".encode("latin-1"))
    'latin-1'
    """
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if any(0x80 <= byte <= 0x9F for byte in sample):
        return "cp1252"
    return "latin-1"


def decode_sample(sample: bytes, encoding: str) -> str:
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    return codecs.getincrementaldecoder(codec)(errors="replace").decode(sample)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header and the first lines most consistently.

    Examples
    --------
    >>> sniff_delimiter("id;ts;event\\n1;2024-01-01;a,b\\n")
    ';'
    >>> sniff_delimiter("id|ts|event\\n1|2024|x\\n")
    '|'
    """
    lines = text.splitlines()[:50]
    if len(text) >= SAMPLE_BYTES // 2 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut off
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        widths = [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
        if not widths or widths[0] < 2:
            continue
        agreement = sum(w == widths[0] for w in widths) / len(widths)
        score = (agreement, widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best
