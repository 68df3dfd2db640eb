"""The JSON API against its own OpenAPI schema: schemathesis generates requests for
every operation (a signed-in admin's token); none may end in a server error."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from journeymap.web.auth import digest
from journeymap.web.db import ApiToken, User

from .conftest import make_site

schemathesis = pytest.importorskip("schemathesis")

TOKEN = "jm_schemathesis-test-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def _schema(tmp_path: Path) -> object:
    site = make_site(tmp_path / "ws")
    with site.app.state.web.sessions() as db:
        admin = db.query(User).filter_by(username="admin").one()
        db.add(ApiToken(user_id=admin.id, name="fuzz", token_hash=digest(TOKEN)))
        db.commit()
    created = site.client().post(
        "/api/maps",
        json={"name": "m", "title": "M", "framework": "5es"},
        headers=HEADERS,
    )
    assert created.status_code == 201
    return schemathesis.openapi.from_asgi(
        "/api/openapi.json", site.app, headers=HEADERS
    )


def test_api_has_no_server_errors(tmp_path: Path) -> None:
    # schemathesis' pytest plugin does not run under pytest 9.2 (it reads a node id
    # field pytest moved), so each operation's strategy is driven with hypothesis here
    schema = _schema(tmp_path)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[attr-defined]
    assert len(operations) >= 20
    failures: list[str] = []
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, suppress_health_check=list(HealthCheck)
        )
        def call(case: object) -> None:
            response = case.call(headers=HEADERS)  # type: ignore[attr-defined]
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(
                    f"{case.operation.label}: {response.status_code} {response.text[:300]}"  # type: ignore[attr-defined]
                )

        call()
    assert failures == []
    assert len(statuses) > 3 * len(operations)  # many requests, and some succeed
    assert any(200 <= status < 300 for status in statuses)


def test_the_schema_lists_every_api_route(tmp_path: Path) -> None:
    site = make_site(tmp_path / "ws")
    paths = site.app.openapi()["paths"]
    assert all(path.startswith("/api/") for path in paths)
    assert {"/api/maps", "/api/maps/{name}", "/api/data", "/api/audit"} <= set(paths)
