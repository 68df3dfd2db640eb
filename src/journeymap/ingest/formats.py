"""Which ``--time-format`` reads timestamps that were quarantined as unparsable.

Day-first and month-first dates (``13/03/2024 10:00``), dotted European dates and
``Mon, 01 Jan 2024 12:00:05 GMT`` are not guessed (``01/03/2024`` is two days), but
the note can say which strptime formats read every one of a sample of the rejected
values, so the user passes one of them knowingly.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

DATES = (
    "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%Y/%m/%d",
    "%d/%m/%y", "%m/%d/%y", "%d.%m.%y", "%d %b %Y", "%b %d %Y", "%d-%b-%Y",
    "%a, %d %b %Y",
)  # fmt: skip
TIMES = (
    "", " %H:%M", " %H:%M:%S", " %H:%M:%S.%f", " %I:%M %p", " %I:%M:%S %p",
    " %H:%M:%S GMT",
)  # fmt: skip


def fitting_formats(values: Sequence[str]) -> list[str]:
    """The formats (dates x times, in that order) that read every value.

    Examples
    --------
    >>> fitting_formats(["13/03/2024 10:00", "01/03/2024 09:30"])
    ['%d/%m/%Y %H:%M']
    >>> fitting_formats(["01/03/2024"])
    ['%d/%m/%Y', '%m/%d/%Y']
    >>> fitting_formats(["yesterday"])
    []
    """
    texts = [v.strip() for v in values if v and v.strip()]
    if not texts:
        return []
    found = []
    for date in DATES:
        for time in TIMES:
            form = date + time
            if all(_reads(text, form) for text in texts):
                found.append(form)
    return found


def _reads(text: str, form: str) -> bool:
    try:
        datetime.datetime.strptime(text, form)
    except ValueError:
        return False
    return True


def format_note(column: str, values: Sequence[str], count: int) -> str | None:
    """The report's note for ``count`` unparsable timestamps, or None (no format)."""
    forms = fitting_formats(values)
    if not forms:
        return None
    example = values[0].strip()
    options = " or ".join(f"--time-format '{f}'" for f in forms[:3])
    return (
        f"timestamp column {column!r}: {count:,} unparsable value(s) such as "
        f"{example!r} read with {options} (data.time_format in a map)"
    )
