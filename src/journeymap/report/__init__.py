"""L3 report: a measured map as one self-contained HTML page (or its PDF print)."""

from __future__ import annotations

from journeymap.report.page import render_report, save_report

__all__ = ["render_report", "save_report"]
