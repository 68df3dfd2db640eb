"""Auth on every route, roles, CSRF, escaping, names that try to leave the workspace,
the upload limit, cookies and headers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from starlette.routing import Mount

from journeymap.web.auth import digest
from journeymap.web.workspace import Workspace, WorkspaceError, check_map_name

from .conftest import Browserish, Site, csrf_of, make_site

# the only routes anyone may reach without signing in: the sign-in page itself, the
# one-time sign-in links, share links (they carry their own secret) and static files
PUBLIC = {
    ("GET", "/signin"),
    ("POST", "/signin"),
    ("GET", "/signin/link/{secret}"),
    ("GET", "/share/{secret}"),
}
SAMPLE = {"name": "demo", "commit": "0" * 40, "data_id": "0" * 16, "fmt": "svg"}


def _routes(site: Site) -> list[tuple[str, str]]:
    return sorted(_walk(site.app.routes))


def _walk(routes: list[Any]) -> list[tuple[str, str]]:
    """(method, path) of every route, also inside included routers (FastAPI >= 0.16x
    keeps them as lazy branches; the app's routers have no prefix)."""
    found = []
    for route in routes:
        if isinstance(route, APIRoute):
            found += [(method, route.path) for method in sorted(route.methods)]
        elif hasattr(route, "original_router"):
            found += _walk(route.original_router.routes)
        else:
            assert isinstance(route, Mount) and route.path == "/static", route
    return found


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), "1"), path)


def test_every_route_but_the_public_ones_refuses_anonymous_requests(site: Site) -> None:
    client = site.client()
    routes = _routes(site)
    assert len(routes) > 40  # the enumeration sees the app's routes
    assert PUBLIC <= set(routes)
    for method, path in routes:
        if (method, path) in PUBLIC:
            continue
        response = client.request(method, _url(path), follow_redirects=False)
        assert response.status_code in (401, 403), (method, path, response.status_code)


def test_anonymous_html_gets_the_sign_in_page_and_api_gets_json(site: Site) -> None:
    client = site.client()
    page = client.get("/maps")
    assert page.status_code == 401 and 'action="/signin"' in page.text
    api = client.get("/api/maps")
    assert api.status_code == 401 and api.json()["detail"].startswith("sign in")
    assert client.get("/api/openapi.json").status_code == 401
    assert client.get("/static/app.css").status_code == 200


def test_viewer_reads_but_cannot_change(site: Site, editor: Browserish) -> None:
    assert (
        editor.post(
            "/maps", {"name": "m", "title": "M", "framework": "5es"}
        ).status_code
        == 200
    )
    viewer = Browserish(site.client("viewer"))
    assert viewer.get("/maps/m").status_code == 200
    assert "/maps/m/edit" not in viewer.get("/maps/m").text  # no Edit button
    assert viewer.get("/maps/m/edit").status_code == 403
    attempts = [
        ("/maps", {"name": "n", "title": "N", "framework": "5es"}),
        ("/maps/m/edit", {"name": "Changed"}),
        ("/maps/m/share", {}),
        ("/maps/m/duplicate", {"new_name": "m2"}),
        ("/users", {"username": "x", "role": "admin"}),
    ]
    for url, data in attempts:
        assert viewer.post(url, data).status_code == 403, url
    assert viewer.get("/audit").status_code == 403
    assert site.workspace.joinpath("maps").is_dir()
    assert Workspace(site.workspace).map_names() == ["m"]


def test_editor_is_not_an_admin(site: Site, editor: Browserish) -> None:
    assert editor.get("/users").status_code == 403
    assert editor.get("/api/audit").status_code == 403
    response = editor.post("/users", {"username": "eve", "role": "admin"})
    assert response.status_code == 403


def test_changes_need_the_csrf_token(site: Site) -> None:
    client = site.client("editor")
    data = {"name": "m", "title": "M", "framework": "5es"}
    assert client.post("/maps", data=data).status_code == 403
    assert client.post("/maps", data=data | {"csrf_token": "forged"}).status_code == 403
    assert (
        client.post("/maps", data=data, headers={"X-CSRF-Token": "x"}).status_code
        == 403
    )
    assert (
        client.put("/api/maps/m", json={"text": "", "version": ""}).status_code == 403
    )
    assert Workspace(site.workspace).map_names() == []
    token = csrf_of(client.get("/maps").text)
    ok = client.post("/maps", data=data | {"csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303
    # the sign-in form is protected too (no login CSRF)
    anonymous = site.client()
    form = {"username": "editor", "password": "correct horse battery staple"}
    assert anonymous.post("/signin", data=form).status_code == 403


def test_api_tokens_need_no_csrf_and_can_be_revoked(
    tmp_path: Path, db_url: str | None
) -> None:
    site = make_site(tmp_path / "ws", db_url)
    editor = Browserish(site.client("editor"))
    page = editor.post("/account/tokens", {"name": "script"})
    token = re.search(r'id="new-token">([^<]+)<', page.text).group(1)
    assert token.startswith("jm_")
    script = site.client()
    headers = {"Authorization": f"Bearer {token}"}
    created = script.post(
        "/api/maps",
        json={"name": "api-map", "title": "API", "framework": "aida"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    with site.app.state.web.sessions() as db:
        from sqlalchemy import select

        from journeymap.web.db import ApiToken

        stored = db.scalars(select(ApiToken)).one()
        assert stored.token_hash == digest(token) and token not in stored.token_hash
    token_id = editor.get("/api/account").json()["tokens"][0]["id"]
    assert editor.post(f"/account/tokens/{token_id}/revoke").status_code == 200
    assert script.get("/api/maps", headers=headers).status_code == 401
    assert (
        script.get(
            "/api/maps", headers={"Authorization": "Bearer jm_wrong"}
        ).status_code
        == 401
    )


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_user_text_is_escaped_everywhere(site: Site, editor: Browserish) -> None:
    editor.post("/maps", {"name": "m", "title": XSS, "framework": "5es"})
    version = editor.get("/api/maps/m").json()["version"]
    saved = editor.post(
        "/maps/m/edit",
        {"version": version, "stages.0.pain_points.0.text": XSS, "owner": XSS},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    editor.post("/maps/m/cards/example-pain-point/comments", {"body": XSS})
    pages = [
        "/maps",
        "/maps/m",
        "/maps/m/edit",
        "/maps/m/history",
        "/maps/m/cards/example-pain-point",
        "/reviews",
    ]
    for url in pages:
        html = editor.get(url).text
        assert "<script>alert" not in html and "<img src=x" not in html, url
    assert "&lt;script&gt;alert(" in editor.get("/maps/m").text
    assert "&lt;script&gt;" in editor.get("/maps/m/cards/example-pain-point").text
    admin = site.client("admin")
    assert "<script>alert" not in admin.get("/audit").text


@pytest.mark.parametrize(
    "name",
    ["..", "../../etc/passwd", ".git", "-rf", "a/b", "UPPER", "x" * 64, "", "a.yaml"],
)
def test_map_names_cannot_leave_the_maps_folder(name: str) -> None:
    with pytest.raises(WorkspaceError):
        check_map_name(name)


def test_traversal_in_urls_is_refused(site: Site, editor: Browserish) -> None:
    editor.post("/maps", {"name": "m", "title": "M", "framework": "5es"})
    for url in [
        "/maps/..%2F..%2Fetc%2Fpasswd",
        "/api/maps/..%2F.git%2Fconfig",
        "/maps/.git/history",
        "/api/maps/m/versions/--output=x",
        "/api/maps/m/versions/HEAD",
        "/data/..%2F..%2F.journeymap",
        "/data/0123456789abcdef/quarantine.csv",
        "/api/maps/m/export/..%2Fsecret",
    ]:
        response = editor.get(url)
        assert response.status_code in (404, 400), (url, response.status_code)
        assert "root:" not in response.text
    created = editor.post(
        "/maps", {"name": "../evil", "title": "E", "framework": "5es"}
    )
    assert created.status_code == 400
    assert not (site.workspace / "evil.yaml").exists()
    assert not (site.workspace.parent / "evil.yaml").exists()


def test_uploads_over_the_limit_are_refused_with_a_clear_message(
    tmp_path: Path,
) -> None:
    site = make_site(tmp_path / "ws", max_upload_bytes=4096)
    editor = Browserish(site.client("editor"))
    body = b"customer_id,timestamp,event\n" + b"c1,2026-01-01T00:00:00,visit\n" * 400
    response = editor.post("/data", files={"file": ("big.csv", body, "text/csv")})
    assert response.status_code == 413
    assert "larger than the limit of 4096 bytes" in response.text
    api = editor.client.post(
        "/api/data",
        files={"file": ("big.csv", body, "text/csv")},
        headers={"X-CSRF-Token": editor.csrf},
    )
    assert api.status_code == 413 and "limit" in api.json()["detail"]
    assert [
        p.name
        for p in (site.workspace / "data").iterdir()
        if not p.name.startswith(".")
    ] == []


def test_session_cookie_and_headers(site: Site) -> None:
    client = site.client()
    page = client.get("/signin")
    cookie = page.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"


def test_wrong_password_and_open_redirects(site: Site) -> None:
    client = site.client()
    token = csrf_of(client.get("/signin").text)
    wrong = client.post(
        "/signin", data={"username": "admin", "password": "nope", "csrf_token": token}
    )
    assert wrong.status_code == 401 and "wrong name or password" in wrong.text
    token = csrf_of(wrong.text)
    right = client.post(
        "/signin",
        data={
            "username": "admin",
            "password": "correct horse battery staple",
            "csrf_token": token,
            "next": "//evil.example/steal",
        },
        follow_redirects=False,
    )
    assert right.status_code == 303 and right.headers["location"] == "/maps"


def test_first_start_link_signs_in_once(tmp_path: Path) -> None:
    from journeymap.web.app import bootstrap_admin, create_app
    from journeymap.web.settings import WebSettings

    app = create_app(WebSettings(workspace=tmp_path / "ws"))
    secret = bootstrap_admin(app)
    assert secret is not None and bootstrap_admin(app) is None
    from fastapi.testclient import TestClient

    first = TestClient(app).get(f"/signin/link/{secret}", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/account")
    again = TestClient(app).get(f"/signin/link/{secret}")
    assert again.status_code == 403


def test_a_new_password_ends_other_sessions(site: Site) -> None:
    laptop = Browserish(site.client("editor"))
    phone = site.client("editor")
    assert phone.get("/api/account").status_code == 200
    changed = laptop.post(
        "/account/password",
        {"password": "a brand new password"},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert laptop.get("/api/account").status_code == 200  # this session goes on
    assert phone.get("/api/account").status_code == 401  # the other one is over


def test_repeated_wrong_passwords_are_throttled(site: Site) -> None:
    client = site.client()
    token = csrf_of(client.get("/signin").text)
    form = {"username": "viewer", "csrf_token": token}
    statuses = [
        client.post("/signin", data=form | {"password": f"guess {n}"}).status_code
        for n in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    right = client.post(
        "/signin", data=form | {"password": "correct horse battery staple"}
    )
    assert right.status_code == 429  # even the right password waits


def test_admin_changes_roles_and_deactivates_but_not_themselves(site: Site) -> None:
    admin = Browserish(site.client("admin"))
    editor = site.client("editor")
    users = {u["username"]: u["id"] for u in admin.get("/api/users").json()["users"]}
    demoted = admin.post(
        f"/users/{users['editor']}", {"role": "viewer", "active": "on"}
    )
    assert demoted.status_code == 200
    made = editor.post(
        "/api/maps", json={"name": "x", "title": "X"}, headers={"X-CSRF-Token": "x"}
    )
    assert made.status_code == 403
    admin.post(f"/users/{users['editor']}", {"role": "viewer"})  # unchecked: inactive
    assert editor.get("/api/maps").status_code == 401
    assert admin.post(f"/users/{users['admin']}", {"role": "viewer"}).status_code == 403
    actions = [e["action"] for e in admin.get("/api/audit").json()["entries"]]
    assert actions.count("user.change") == 2


def test_a_bug_is_one_line_not_a_traceback(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    from journeymap.web import maps

    def broken(*_args: object) -> None:
        raise RuntimeError("secret detail /srv/path")

    monkeypatch.setattr(maps, "map_summary", broken)
    site.client("viewer")  # a valid user exists; sign in on a non-raising client
    client = TestClient(site.app, raise_server_exceptions=False)
    page = client.get("/signin")
    client.post(
        "/signin",
        data={
            "username": "viewer",
            "password": "correct horse battery staple",
            "csrf_token": csrf_of(page.text),
        },
    )
    Workspace(site.workspace).save("m", "name: M\n", author="t", message="m")
    response = client.get("/maps")
    assert response.status_code == 500
    assert "internal error (RuntimeError)" in response.text
    assert "secret detail" not in response.text and "Traceback" not in response.text
    api = client.get("/api/maps")
    assert api.status_code == 500 and api.json()["detail"].startswith("internal error")
