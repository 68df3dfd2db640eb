"""journeymap: customer journey maps as code, measured against real data."""

from __future__ import annotations

__version__ = "0.1.0"
