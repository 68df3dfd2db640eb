"""The in-place editor: form fields ↔ paths in the map's YAML document.

A form field is named after the map field it edits, with dots for the parts
(``stages.2.pain_points.0.text``); :func:`apply_edits` writes the values into the
round-trip YAML document (comments and key order survive), and validation errors,
which name fields as ``stages[2].pain_points[0].text``, are shown next to the input
of the same path (:func:`form_key`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from journeymap.errors import MapError
from journeymap.model.spec import (
    dumps_map_document,
    loads_map_document,
    validate_map_text,
)

# the fields the form may write; anything else in a submitted form is ignored
EDITABLE = re.compile(
    r"(name|owner|description|state)"
    r"|stages\.\d{1,3}\.(name|goal|emotion)"
    r"|stages\.\d{1,3}\.(pain_points|opportunities)\.\d{1,3}\.text"
    r"|stages\.\d{1,3}\.pain_points\.\d{1,3}\.severity"
    r"|stages\.\d{1,3}\.touchpoints\.\d{1,3}\.(name|channel)"
    r"|stages\.\d{1,3}\.kpis\.\d{1,3}\.target"
    r"|stages\.\d{1,3}\.(pain_points|opportunities)\.new"
)
NUMBERS = ("emotion",)


@dataclass
class EditResult:
    """The new text, and the problems by form key ('' for the map as a whole)."""

    text: str
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def form_key(field_path: str | None) -> str:
    """``stages[2].emotion`` → ``stages.2.emotion`` (the input's name)."""
    if not field_path:
        return ""
    return re.sub(r"\[(\d+)\]", r".\1", field_path).lstrip(".")


def apply_edits(text: str, values: dict[str, str], *, file: str) -> EditResult:
    """Write the form's values into the map and validate the result."""
    _journey, document = loads_map_document(text, file=file)
    for key in sorted(values, key=_new_last):
        if EDITABLE.fullmatch(key):
            _set(document, key, values[key])
    new_text = dumps_map_document(document)
    return EditResult(new_text, errors_by_field(validate_map_text(new_text, file=file)))


def errors_by_field(errors: list[MapError]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in errors:
        where = f"line {error.line}: " if error.line else ""
        found.setdefault(form_key(error.field), []).append(where + error.message)
    return found


def _new_last(key: str) -> tuple[bool, str]:
    # new cards are appended after the existing ones are edited, so indexes hold
    return (key.endswith(".new"), key)


def _set(document: Any, key: str, value: str) -> None:
    parts: list[Any] = [int(p) if p.isdigit() else p for p in key.split(".")]
    node = document
    last = parts[-1]
    for part in parts[:-1]:
        if last == "new" and part == parts[-2] and value.strip():
            node = node.setdefault(part, [])  # a stage's first card of this kind
            continue
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return  # the form is older than the map: the field no longer exists
    if last == "new":
        _append_card(node, _card_ids(document), parent_key=parts[-2], text=value)
        return
    _set_scalar(node, last, value)


def _set_scalar(node: Any, key: Any, value: str) -> None:
    value = value.strip()
    if key in node and _unchanged(node[key], value):
        return  # keep the file's own spelling (0 stays 0, quotes stay) and a clean diff
    if value == "":
        if key in node and key not in ("name", "text"):
            del node[key]
        elif key in ("name", "text"):
            node[key] = value  # validation names the empty field
        return
    if key in NUMBERS:
        try:
            node[key] = float(value)
        except ValueError:
            node[key] = value  # validation reports it at this field
        return
    node[key] = value


def _unchanged(current: Any, value: str) -> bool:
    if current is None:
        return value == ""
    if isinstance(current, (int, float)) and not isinstance(current, bool):
        try:
            return float(value) == float(current)
        except ValueError:
            return False
    return str(current) == value


def _card_ids(document: Any) -> set[str]:
    return {
        str(card.get("id"))
        for stage in document.get("stages") or []
        for kind in ("pain_points", "opportunities")
        for card in stage.get(kind) or []
    }


def _append_card(
    container: Any, taken: set[str], *, parent_key: str, text: str
) -> None:
    """A new pain point or opportunity with an id (unique in the map) from its text."""
    text = text.strip()
    if not text:
        return
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "card"
    card_id, n = base, 2
    while card_id in taken:
        card_id, n = f"{base}-{n}", n + 1
    card: dict[str, Any] = {"id": card_id, "text": text}
    if parent_key == "pain_points":
        card["evidence"] = "assumed"
    container.append(card)
