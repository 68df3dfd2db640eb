"""Lazy imports of optional, heavy libraries with an actionable install hint."""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

from journeymap.errors import MissingExtraError


def _import(module: str, extra: str, *, name: str | None = None) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f'{name or module} is not installed; run: pip install "journeymap[{extra}]"'
        ) from exc


def import_weasyprint() -> ModuleType:
    return _import("weasyprint", "pdf")


def import_pypdfium2() -> ModuleType:
    return _import("pypdfium2", "png")


def import_pptx() -> ModuleType:
    return _import("pptx", "pptx")


def import_plotly() -> ModuleType:
    return _import("plotly", "report")


def import_openpyxl() -> ModuleType:
    return _import("openpyxl", "excel")


def import_pyspark() -> ModuleType:
    return _import("pyspark", "spark")


def import_sklearn() -> ModuleType:
    return _import("sklearn", "clusters", name="scikit-learn")


def has_sklearn() -> bool:
    """Whether the ``clusters`` extra is installed (without importing it)."""
    try:
        return importlib.util.find_spec("sklearn") is not None
    except (ImportError, ValueError):  # a broken or half-removed install
        return False


def import_psycopg() -> ModuleType:
    return _import("psycopg", "postgres")
