"""The layer arrows of docs/adr/0003-layers.md, enforced by walking every import (also inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "journeymap"

UPPER = ["journeymap.cli", "journeymap.web"]
L3 = ["journeymap.render", "journeymap.report"]
FORBIDDEN: dict[str, list[str]] = {
    "model": [
        "duckdb",
        "ibis",
        "pandas",
        "pyarrow",
        "jinja2",
        "numpy",
        "journeymap.engine",
        "journeymap.ingest",
        "journeymap.analytics",
        "journeymap.voc",
        "journeymap.attribution",
        "journeymap.layout",
        *L3,
        *UPPER,
    ],
    "engine": [
        "journeymap.ingest",
        "journeymap.analytics",
        "journeymap.voc",
        "journeymap.attribution",
        "journeymap.layout",
        *L3,
        *UPPER,
    ],
    "ingest": [
        "duckdb",
        "journeymap.analytics",
        "journeymap.voc",
        "journeymap.attribution",
        *L3,
        *UPPER,
    ],
    "analytics": [
        "duckdb",
        "journeymap.ingest",
        "journeymap.voc",
        "journeymap.attribution",
        *L3,
        *UPPER,
    ],
    "voc": [
        "duckdb",
        "journeymap.ingest",
        "journeymap.attribution",
        "journeymap.evidence",
        "journeymap.pipeline",
        *L3,
        *UPPER,
    ],
    "attribution": [
        "duckdb",
        "journeymap.ingest",
        "journeymap.voc",
        "journeymap.evidence",
        "journeymap.pipeline",
        *L3,
        *UPPER,
    ],
    "layout": [
        "duckdb",
        "ibis",
        "pandas",
        "jinja2",
        "journeymap.engine",
        "journeymap.ingest",
        "journeymap.analytics",
        "journeymap.voc",
        "journeymap.attribution",
        *L3,
        *UPPER,
    ],
    "render": [
        "duckdb",
        "ibis",
        "journeymap.engine",
        "journeymap.ingest",
        "journeymap.analytics",
        "journeymap.voc",
        "journeymap.attribution",
        *UPPER,
    ],
    "evidence": [
        "duckdb",
        "journeymap.ingest",
        "journeymap.attribution",
        "journeymap.pipeline",
        *L3,
        *UPPER,
    ],
    "pipeline": ["duckdb", *L3, *UPPER],
    "report": ["duckdb", *UPPER],
    "demo": [*L3, *UPPER, "journeymap.engine", "duckdb"],
    # the web app, like the CLI, reaches the layers below through the facade
    "web": [
        "journeymap.cli",
        "duckdb",
        "ibis",
        "journeymap.engine",
        "journeymap.ingest",
        "journeymap.analytics",
        "journeymap.voc",
        "journeymap.evidence",
        "journeymap.attribution",
        "journeymap.pipeline",
    ],
}


def imports_of(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, (
                f"{path}: relative import (use absolute imports, TID252)"
            )
            if node.module:
                found.add(node.module)
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_does_not_import_upward(package: str) -> None:
    for path in sorted((SRC / package).rglob("*.py")):
        bad = {
            m
            for m in imports_of(path)
            for f in FORBIDDEN[package]
            if m == f or m.startswith(f + ".")
        }
        assert not bad, f"{path.relative_to(SRC)} imports {sorted(bad)}"


def test_every_package_is_covered() -> None:
    packages = {
        p.name for p in SRC.iterdir() if p.is_dir() and not p.name.startswith("_")
    }
    assert packages - {"cli"} <= set(FORBIDDEN) | {"__pycache__"}


def test_walker_sees_imports_inside_functions(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "def f():\n    import duckdb\n    from journeymap.engine import x\n"
    )
    assert imports_of(source) == {"duckdb", "journeymap.engine"}


def test_cli_reaches_past_the_facade_only_for_its_own_modules() -> None:
    allowed = (
        "journeymap",
        "journeymap.cli",
        "journeymap.errors",
        "journeymap.settings",
        "journeymap.web",
        "journeymap.demo",
        "journeymap.model",
    )
    for path in sorted((SRC / "cli").rglob("*.py")):
        for module in imports_of(path):
            if module.startswith("journeymap"):
                assert module == "journeymap" or module.startswith(
                    tuple(a + "." for a in allowed[1:]) + allowed[1:]
                ), f"{path.relative_to(SRC)} imports {module}: add it to the facade"
