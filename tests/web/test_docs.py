"""The web app's reference page lists every setting and every JSON route."""

from __future__ import annotations

import re
from pathlib import Path

from journeymap.web.settings import setting_names

DOC = Path(__file__).resolve().parents[2] / "docs" / "reference" / "web.md"


def test_every_setting_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in setting_names() if f"| `{name}` |" not in text]
    assert missing == []


def test_every_api_route_is_documented(tmp_path: Path) -> None:
    from .conftest import make_site

    text = DOC.read_text(encoding="utf-8")
    schema = make_site(tmp_path / "ws").app.openapi()
    documented = set()
    for path in schema["paths"]:
        pattern = re.sub(
            r"\{\w+\}",
            "[A-Z]+",
            re.escape(path).replace(r"\{", "{").replace(r"\}", "}"),
        )
        shortened = path.rsplit("/", 1)[-1]
        if re.search(pattern, text) or f"…/{shortened}" in text:
            documented.add(path)
    assert sorted(set(schema["paths"]) - documented) == []
