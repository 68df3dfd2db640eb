"""Read and write journey map files (YAML), and say precisely what is wrong with them.

Loading keeps ruamel.yaml's round-trip document next to the model: it knows the line of
every key and item, so a pydantic error at ``('stages', 2, 'touchpoints', 0, 'layer')``
becomes ``map.yaml:31: stages[2].touchpoints[0].layer: Input should be ...``, and saving
the document again keeps comments and key order.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import io
import typing
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from journeymap.errors import MapError
from journeymap.model.frameworks import get_framework
from journeymap.model.journey import DATA_FILE_TAG, JourneyMap
from journeymap.model.references import Loc, Problem, check_references

# What ruamel raises on odd input besides its own errors, found by fuzzing its loader:
# ValueError (a date such as 2026-13-01, a bad int or float), KeyError and IndexError
# (merge keys and aliases in odd places), TypeError and ArithmeticError (odd tags).
_YAML_FAILURES = (YAMLError, ValueError, LookupError, TypeError, ArithmeticError)

MAX_NODES = 100_000  # alias bombs expand exponentially; real maps hold a few thousand


def field_path(loc: Loc) -> str:
    """Render a location as ``stages[2].touchpoints[0].layer``.

    Examples
    --------
    >>> field_path(("stages", 2, "touchpoints", 0, "layer"))
    'stages[2].touchpoints[0].layer'
    """
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


# -- YAML -----------------------------------------------------------------------------
def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never re-wrap long text on save
    yaml.allow_unicode = True
    return yaml


def _parse_yaml(text: str, file: str) -> Any:
    try:
        return _yaml().load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        message = f"YAML syntax: {exc.problem or exc.context or 'cannot parse'}"
        raise MapError(message, file=file, line=line) from None
    except RecursionError:
        raise MapError("YAML nests too deeply", file=file) from None
    except _YAML_FAILURES as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        message = f"YAML value: {first or type(exc).__name__}"
        raise MapError(message, file=file, line=_failing_scalar_line(text)) from None


def _failing_scalar_line(text: str) -> int | None:
    """The line of the first scalar that cannot be built, e.g. ``2026-13-01``.

    The constructor's own errors (a ValueError from ``datetime``) carry no position,
    so the nodes are composed again and built one at a time.
    """
    yaml = _yaml()
    try:
        root = yaml.compose(text)
        constructor = yaml.constructor
        for node in _scalar_nodes(root, set()):
            try:
                constructor.construct_object(node, deep=True)
            except _YAML_FAILURES:
                return int(node.start_mark.line) + 1
    except _YAML_FAILURES:
        return None
    return None


def _scalar_nodes(node: Any, seen: set[int]) -> Iterator[ScalarNode]:
    if node is None or id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, ScalarNode):
        yield node
    elif isinstance(node, MappingNode):
        for key, value in node.value:
            yield from _scalar_nodes(key, seen)
            yield from _scalar_nodes(value, seen)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            yield from _scalar_nodes(item, seen)


class _Budget:
    def __init__(self) -> None:
        self.left = MAX_NODES

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise MapError(f"YAML expands to more than {MAX_NODES} values (aliases?)")


def _plain(node: Any, budget: _Budget) -> Any:
    """A deep copy made of dict, list and scalars, for pydantic (the document stays)."""
    budget.spend()
    if isinstance(node, Mapping):
        return {_plain_key(k): _plain(v, budget) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_plain(item, budget) for item in node]
    if isinstance(node, bool | int | float | str | dt.date) or node is None:
        return node
    return str(node)  # tagged scalars and other exotica: let validation judge text


def _plain_key(key: Any) -> Any:
    return key if isinstance(key, str | int | bool | float) or key is None else str(key)


def _to_plain(document: Any, file: str) -> Any:
    try:
        return _plain(document, _Budget())
    except RecursionError:
        raise MapError("YAML nests too deeply or refers to itself", file=file) from None
    except MapError as exc:
        raise MapError(exc.message, file=file) from None


# -- locating fields in the document --------------------------------------------------
def locate(document: Any, loc: Loc) -> tuple[int | None, Loc]:
    """Find the line of a field in a round-trip document.

    Parameters
    ----------
    document
        The ``CommentedMap`` loaded by ruamel.yaml.
    loc
        A path such as ``("stages", 2, "touchpoints", 0, "layer")``.

    Returns
    -------
    line, found
        The 1-based line of the deepest part of ``loc`` present in the document (or
        None), and the part of ``loc`` worth showing: the found prefix plus one missing
        key, so a missing field is named.
    """
    node, line, depth = document, _start_line(document), 0
    for part in loc:
        found = _child(node, part)
        if found is None:
            if isinstance(node, Mapping) and isinstance(part, str):
                depth += 1  # a missing field: name it, at its parent's line
            break
        node, line = found
        depth += 1
    return line, loc[:depth]


def field_line(path: str | Path, field: str) -> int | None:
    """The line of a field path such as ``personas[2].segment`` in a map file.

    For errors found after loading (a persona rule against the data's columns), so
    they name the line like every other map error. None when the file cannot be read
    or the field is not in it.
    """
    loc: list[str | int] = []
    for part in field.split("."):
        name, _, rest = part.partition("[")
        loc.append(name)
        loc.extend(int(i) for i in rest.rstrip("]").split("][") if i.isdigit())
    try:
        document = _yaml().load(_read(path))
    except (MapError, *_YAML_FAILURES):
        return None
    line, found = locate(document, tuple(loc))
    return line if len(found) == len(loc) else None


def _start_line(node: Any) -> int | None:
    lc = getattr(node, "lc", None)
    return lc.line + 1 if lc is not None and lc.line is not None else None


def _child(node: Any, part: str | int) -> tuple[Any, int | None] | None:
    if isinstance(node, CommentedMap) and _has_key(node, part):
        return node[part], node.lc.key(part)[0] + 1
    if (
        isinstance(node, CommentedSeq)
        and isinstance(part, int)
        and 0 <= part < len(node)
    ):
        return node[part], node.lc.item(part)[0] + 1
    return None


def _has_key(node: CommentedMap, part: str | int) -> bool:
    try:
        return part in node
    except TypeError:
        return False


def _problem_error(problem: Problem, document: Any, file: str) -> MapError:
    line, shown = locate(document, problem.loc)
    message = problem.message
    if problem.related is not None:
        related_line, _ = locate(document, problem.related)
        if related_line is not None and related_line != line:
            message += f" (first at line {related_line})"
    return MapError(message, file=file, line=line, field=field_path(shown) or None)


# -- pydantic errors ------------------------------------------------------------------
def _validation_problems(exc: ValidationError) -> list[Problem]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if part != DATA_FILE_TAG)
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "string_type" and error.get("input") is None:
            message = "empty; text expected"
        elif error["type"] == "string_type" and _looks_like_text(error.get("input")):
            message += "; put it in quotes to make it text"
        if error["type"] == "extra_forbidden":
            message = _extra_field_message(loc)
        problems.append(Problem(loc, message))
    return problems


def _looks_like_text(value: Any) -> bool:
    """A number, boolean or date where text was expected: YAML read it as a value."""
    return isinstance(value, int | float | dt.date)


def _extra_field_message(loc: Loc) -> str:
    known = _fields_at(loc[:-1])
    close = difflib.get_close_matches(str(loc[-1]), known, n=1)
    if close:
        return f"unknown field `{loc[-1]}`; did you mean `{close[0]}`?"
    return f"unknown field `{loc[-1]}`; known: " + ", ".join(known)


def _fields_at(loc: Loc) -> list[str]:
    model: type[BaseModel] | None = JourneyMap
    for part in loc:
        if model is None:
            return []
        if isinstance(part, str):
            info = model.model_fields.get(part)
            model = _model_in(info.annotation) if info is not None else None
    return list(model.model_fields) if model is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


# -- loading --------------------------------------------------------------------------
def _fill_framework(data: dict[str, Any]) -> None:
    """A map with ``framework:`` and no stages takes the preset's stages."""
    framework_id = data.get("framework")
    if data.get("stages") or not isinstance(framework_id, str):
        return
    try:
        framework = get_framework(framework_id)
    except MapError:
        return  # reported by check_references
    data["stages"] = [
        {"id": s.id, "name": s.name, "description": s.description}
        for s in framework.stages
    ]


def _stages_from_framework(data: dict[str, Any]) -> bool:
    """Whether the stages are exactly what ``framework:`` alone would give."""
    preset: dict[str, Any] = {"framework": data.get("framework")}
    _fill_framework(preset)
    filled: list[dict[str, Any]] = preset.get("stages") or []
    if not filled or len(filled) != len(data["stages"]):
        return False
    return all(
        {k: v for k, v in stage.items() if v not in (None, [], ())} == want
        for stage, want in zip(data["stages"], filled, strict=True)
    )


def _analyse(text: str, file: str) -> tuple[JourneyMap | None, Any, list[MapError]]:
    """Parse, validate and cross-check; every problem, in file order."""
    document = _parse_yaml(text, file)
    data = _to_plain(document, file)
    if not isinstance(data, dict):
        kind = "nothing" if data is None else f"a {type(data).__name__}"
        message = f"a journey map is a YAML mapping (`key: value` lines), found {kind}"
        return None, document, [MapError(message, file=file, line=1)]
    _fill_framework(data)
    try:
        journey = JourneyMap.model_validate(data)
    except ValidationError as exc:
        return None, document, _errors(_validation_problems(exc), document, file)
    return journey, document, _errors(check_references(journey), document, file)


def _errors(problems: list[Problem], document: Any, file: str) -> list[MapError]:
    """One error per field (a union mismatch yields several), sorted by line."""
    unique: dict[tuple[int | None, str | None], MapError] = {}
    for problem in problems:
        error = _problem_error(problem, document, file)
        unique.setdefault((error.line, error.field), error)
    return sorted(unique.values(), key=lambda e: e.line or 0)


def _load(text: str, file: str) -> tuple[JourneyMap, Any]:
    journey, document, errors = _analyse(text, file)
    if errors:
        raise errors[0]
    assert journey is not None
    return journey, document


# A journey map is a few hundred lines; anything far larger is the wrong file, and
# reading at most this much keeps /dev/zero or a stray dump from eating the memory.
MAX_MAP_BYTES = 10 * 1024 * 1024


def _read(path: str | Path) -> str:
    try:
        with Path(path).open("rb") as file:
            data = file.read(MAX_MAP_BYTES + 1)
    except OSError as exc:
        raise MapError(f"cannot read: {exc.strerror or exc}", file=str(path)) from None
    if len(data) > MAX_MAP_BYTES:
        raise MapError(
            f"larger than {MAX_MAP_BYTES // (1024 * 1024)} MB; not a journey map",
            file=str(path),
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MapError(f"not UTF-8 text ({exc.reason})", file=str(path)) from None
    # universal newlines, as a text-mode read gave
    return text.replace("\r\n", "\n").replace("\r", "\n")


def loads_map(text: str, *, file: str = "<string>") -> JourneyMap:
    """Load a journey map from YAML text.

    Parameters
    ----------
    text
        The YAML.
    file
        Name used in error messages.

    Returns
    -------
    JourneyMap
        The validated, cross-checked map.

    Raises
    ------
    MapError
        The first problem, in file order, as ``file:line: field: message``.

    Examples
    --------
    >>> loads_map("name: Demo\\nframework: race\\n").stage_ids()
    ['reach', 'act', 'convert', 'engage']
    """
    return _load(text, file)[0]


def load_map(path: str | Path) -> JourneyMap:
    """Load a journey map file; see :func:`loads_map`.

    Parameters
    ----------
    path
        A ``.yaml`` file.

    Returns
    -------
    JourneyMap
        The validated, cross-checked map.
    """
    return loads_map(_read(path), file=str(path))


def load_map_document(path: str | Path) -> tuple[JourneyMap, CommentedMap]:
    """Load a map and keep its YAML document, for saving it back losslessly.

    Parameters
    ----------
    path
        A ``.yaml`` file.

    Returns
    -------
    journey, document
        The map, and the ruamel.yaml round-trip document (comments, key order).
    """
    return loads_map_document(_read(path), file=str(path))


def loads_map_document(
    text: str, *, file: str = "<string>"
) -> tuple[JourneyMap, CommentedMap]:
    """Like :func:`load_map_document`, from text.

    Examples
    --------
    >>> journey, document = loads_map_document("name: Demo  # hi\\n")
    >>> dumps_map_document(document)
    'name: Demo  # hi\\n'
    """
    journey, document = _load(text, file)
    return journey, document


def validate_map_text(text: str, *, file: str = "<string>") -> list[MapError]:
    """Every problem in a map, in file order (empty when the map is valid).

    Field errors and cross-reference problems are not mixed: references are checked
    only once every field is valid.

    Examples
    --------
    >>> [e.one_line() for e in validate_map_text("name: x\\nstate: past\\n")]
    ["<string>:2: state: Input should be 'current' or 'future'"]
    """
    try:
        return _analyse(text, file)[2]
    except MapError as exc:
        return [exc]


def validate_map(path: str | Path) -> list[MapError]:
    """Every problem in a map file, for ``journeymap validate`` to print them all.

    Parameters
    ----------
    path
        A ``.yaml`` file.

    Returns
    -------
    list of MapError
        In file order; empty when the map is valid.
    """
    try:
        text = _read(path)
    except MapError as exc:
        return [exc]
    return validate_map_text(text, file=str(path))


# -- saving ---------------------------------------------------------------------------
def dumps_map_document(document: Any) -> str:
    """The YAML text of a round-trip document (comments and order kept)."""
    stream = io.StringIO()
    _yaml().dump(document, stream)
    return stream.getvalue()


def save_map_document(document: Any, path: str | Path) -> None:
    """Write a round-trip document from :func:`load_map_document` back to a file.

    Parameters
    ----------
    document
        The ruamel.yaml document, possibly edited.
    path
        Where to write; UTF-8.
    """
    Path(path).write_text(dumps_map_document(document), encoding="utf-8")


def dump_map(
    journey: JourneyMap, path: str | Path | None = None, *, original: Any = None
) -> str:
    """Write a map as YAML text, and to ``path`` when given.

    Fields left at their defaults are omitted. With ``original`` (a document from
    :func:`load_map_document`), the map is merged into a copy of it, so comments,
    key order and quoting survive wherever the value did not change.

    Parameters
    ----------
    journey
        The map.
    path
        Optional file to write.
    original
        Optional round-trip document to keep the layout of.

    Returns
    -------
    str
        The YAML text.

    Examples
    --------
    >>> from journeymap.model import JourneyMap
    >>> print(dump_map(JourneyMap(name="Demo", owner="CX")), end="")
    journeymap: 1
    name: Demo
    owner: CX
    """
    full = _python(journey.model_dump(mode="python"))
    minimal = _python(journey.model_dump(mode="python", exclude_defaults=True))
    minimal = {"journeymap": full["journeymap"], **minimal}
    if _stages_from_framework(full):
        minimal.pop("stages", None)  # `framework:` alone says it; see _fill_framework
    if original is None:
        document = _commented(minimal)
    else:
        document = _merge(copy.deepcopy(original), full, minimal)
    text = dumps_map_document(document)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _python(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _python(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_python(v) for v in value]
    return value


def _commented(value: Any) -> Any:
    """Plain data → ruamel nodes; lists of scalars are written inline (``[a, b]``)."""
    if isinstance(value, dict):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = _commented(item)
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_commented(v) for v in value)
        if all(not isinstance(v, dict | list) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _merge(old: Any, full: Any, minimal: Any) -> Any:
    if isinstance(old, CommentedMap) and isinstance(full, dict):
        return _merge_map(old, full, minimal if isinstance(minimal, dict) else {})
    if isinstance(old, CommentedSeq) and isinstance(full, list):
        return _merge_seq(old, full, minimal if isinstance(minimal, list) else full)
    if _same_scalar(old, full) or (isinstance(old, str) and full == [old]):
        return old  # keep the original spelling ('quoted', 4 vs 4.0, one for a list)
    return _commented(minimal if minimal is not None else full)


def _same_scalar(old: Any, new: Any) -> bool:
    if isinstance(old, dict | list) or isinstance(new, dict | list):
        return False
    return isinstance(old, bool) == isinstance(new, bool) and bool(old == new)


def _merge_map(old: CommentedMap, full: dict[str, Any], minimal: dict[str, Any]) -> Any:
    cleared = [k for k in old if k not in full or _cleared(old[k], full[k], minimal, k)]
    for key in cleared:
        del old[key]
    for key in list(old):
        old[key] = _merge(old[key], full[key], minimal.get(key))
    for key, value in minimal.items():
        if key not in old:
            old[key] = _commented(value)
    return old


def _cleared(old: Any, new: Any, minimal: dict[str, Any], key: str) -> bool:
    """A field set back to its default is dropped (an explicit default is kept)."""
    return key not in minimal and _plain(old, _Budget()) != new


def _other_card(old: Any, new: Any) -> bool:
    """A different id at the same position: a new card, not an edit of the old one."""
    return (
        isinstance(old, Mapping)
        and isinstance(new, dict)
        and old.get("id") != new.get("id")
    )


def _merge_seq(old: CommentedSeq, full: list[Any], minimal: list[Any]) -> Any:
    del old[len(full) :]
    for i, value in enumerate(full):
        small = minimal[i] if i < len(minimal) else value
        if i < len(old) and not _other_card(old[i], value):
            old[i] = _merge(old[i], value, small)
        elif i < len(old):
            old[i] = _commented(small)
        else:
            old.append(_commented(small))
    return old


# -- JSON Schema ----------------------------------------------------------------------
_ONE_OR_MANY = (("Match", "event"), ("Match", "channel"), ("Conversion", "event"))


def map_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a journey map file.

    Editors use it for completion and checking (``# yaml-language-server: $schema=``).
    Fields that accept one value or a list (``match.event``) say so.

    Returns
    -------
    dict
        The schema; the same on every call.

    Examples
    --------
    >>> map_json_schema()["title"]
    'journeymap journey map'
    """
    schema = JourneyMap.model_json_schema()
    for model, field in _ONE_OR_MANY:
        prop = schema["$defs"][model]["properties"][field]
        many = {k: prop.pop(k) for k in ("items", "type") if k in prop}
        prop["anyOf"] = [{"type": "string"}, many]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "journeymap journey map",
        "description": (
            "A customer journey map: stages, touchpoints, personas, pain points, "
            "opportunities and KPIs, to be measured against event data. "
            "See docs/reference/journey-file.md."
        ),
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }
