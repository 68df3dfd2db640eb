"""Comments, share links, reviews and the audit log — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from sqlalchemy import update

from journeymap.web.db import ShareLink

from .conftest import Browserish, make_site


def test_comments_share_links_reviews_and_audit(
    tmp_path: Path, db_url: str | None
) -> None:
    site = make_site(tmp_path / "ws", db_url)
    editor = Browserish(site.client("editor"))
    viewer = Browserish(site.client("viewer"))
    editor.post("/maps", {"name": "m", "title": "Shared map", "framework": "5es"})

    # every role may comment; comments come back oldest first with their author
    panel = viewer.post(
        "/maps/m/cards/example-pain-point/comments", {"body": "Seen in calls"}
    )
    assert panel.status_code == 200 and "Seen in calls" in panel.text
    editor.post("/maps/m/cards/example-pain-point/comments", {"body": "Agreed"})
    card = editor.get("/api/maps/m/cards/example-pain-point").json()
    assert [(c["author"], c["body"]) for c in card["comments"]] == [
        ("viewer", "Seen in calls"),
        ("editor", "Agreed"),
    ]
    assert card["kind"] == "pain point" and card["evidence"] is None
    assert editor.get("/api/maps/m/cards/nope").status_code == 404

    # a share link shows the map to anyone who has it, until it expires
    shared = editor.post("/maps/m/share")
    url = re.search(r'href="(/share/[^"]+)"', shared.text).group(1)
    anonymous = site.client()
    page = anonymous.get(url)
    assert page.status_code == 200 and "Shared map" in page.text and "<svg" in page.text
    assert anonymous.get("/maps/m").status_code == 401  # only the shared view
    assert anonymous.get(url + "x").status_code == 403
    # editors see the working links and can revoke one
    second = editor.post("/maps/m/share")
    url2 = re.search(r'href="(/share/[^"]+)"', second.text).group(1)
    shares = editor.get("/api/maps/m/shares").json()["shares"]
    assert [s["by"] for s in shares] == ["editor", "editor"]
    assert "revoke" in editor.get("/maps/m/shares").text
    revoked = editor.post(
        f"/maps/m/shares/{shares[1]['id']}/revoke", follow_redirects=False
    )
    assert revoked.status_code == 303
    assert anonymous.get(url2).status_code == 403
    assert anonymous.get(url).status_code == 200
    assert viewer.get("/api/maps/m/shares").status_code == 403
    with site.app.state.web.sessions() as db:
        yesterday = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=1)
        db.execute(update(ShareLink).values(expires_at=yesterday))
        db.commit()
    assert anonymous.get(url).status_code == 403

    # reviews: the 5Es template says every 90 days without a last date → not listed;
    # a map reviewed long ago is overdue
    version = editor.get("/api/maps/m").json()["version"]
    text = (site.workspace / "maps" / "m.yaml").read_text()
    text = text.replace(
        "review: {every_days: 90}", "review: {every_days: 30, last: 2020-01-01}"
    )
    put = editor.client.put(
        "/api/maps/m",
        json={"text": text, "version": version},
        headers={"X-CSRF-Token": editor.csrf},
    )
    assert put.status_code == 200, put.text
    reviews = editor.get("/api/reviews").json()
    assert [(m["name"], m["review_due"]) for m in reviews["overdue"]] == [
        ("m", "2020-01-31")
    ]
    assert "2020-01-31" in editor.get("/reviews").text

    # the audit log saw all of it, newest first
    admin = site.client("admin")
    actions = [e["action"] for e in admin.get("/api/audit").json()["entries"]]
    for expected in (
        "map.create",
        "comment.add",
        "share.create",
        "share.revoke",
        "map.save",
        "signin",
    ):
        assert expected in actions
    assert actions.index("map.save") < actions.index("map.create")
    assert admin.get("/audit").status_code == 200


def test_admin_adds_a_user_who_signs_in_with_the_link(
    tmp_path: Path, db_url: str | None
) -> None:
    site = make_site(tmp_path / "ws", db_url)
    admin = Browserish(site.client("admin"))
    page = admin.post("/users", {"username": "new.person", "role": "editor"})
    link = re.search(r'id="signin-link">[^<]*?(/signin/link/[^<]+)<', page.text).group(
        1
    )
    newcomer = site.client()
    assert newcomer.get(link, follow_redirects=False).status_code == 303
    account = newcomer.get("/api/account").json()
    assert account["account"]["role"] == "editor" and not account["has_password"]
    token = Browserish(newcomer).csrf
    short = newcomer.post(
        "/account/password", data={"password": "short", "csrf_token": token}
    )
    assert short.status_code == 400 and "at least 10" in short.text
    newcomer.post(
        "/account/password",
        data={"password": "a long enough secret", "csrf_token": token},
    )
    assert newcomer.get("/api/account").json()["has_password"]
    bad = admin.post("/users", {"username": "Bad Name!", "role": "editor"})
    assert bad.status_code == 400
    assert [u["username"] for u in admin.get("/api/users").json()["users"]] == [
        "admin",
        "editor",
        "new.person",
        "viewer",
    ]
