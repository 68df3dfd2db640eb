"""Maps in the workspace's git repository: create, edit with errors at the field, save
as a commit by the signed-in user, history, diff, restore, conflicts, duplicate."""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import journeymap as jm
from journeymap.web.workspace import Workspace

from .conftest import Browserish, Site


def _git(workspace: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=workspace, capture_output=True, text=True, check=True
    )
    return done.stdout


def _create(editor: Browserish, name: str = "m", framework: str = "5es") -> None:
    response = editor.post(
        "/maps",
        {"name": name, "title": "Test journey", "framework": framework},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_creating_a_map_commits_it_as_the_signed_in_user(
    site: Site, editor: Browserish
) -> None:
    _create(editor)
    path = site.workspace / "maps" / "m.yaml"
    journey = jm.load_map(path)
    assert journey.name == "Test journey"
    assert [s.id for s in journey.stages] == [
        s.id for s in jm.get_framework("5es").stages
    ]
    assert _git(site.workspace, "log", "-1", "--format=%an|%s").strip() == (
        "editor|Create m (5es)"
    )
    listed = editor.get("/api/maps").json()["maps"]
    assert [(m["name"], m["state"], m["owner"]) for m in listed] == [
        ("m", "current", "CX team")
    ]
    assert (
        editor.post(
            "/maps", {"name": "m", "title": "Again", "framework": "5es"}
        ).status_code
        == 400
    )


def test_unknown_framework_gets_a_did_you_mean(editor: Browserish) -> None:
    response = editor.post("/maps", {"name": "m", "title": "T", "framework": "5e"})
    assert response.status_code == 400 and "5es" in response.text


def test_invalid_edit_shows_the_error_at_the_field_and_saves_nothing(
    site: Site, editor: Browserish
) -> None:
    _create(editor)
    before = (site.workspace / "maps" / "m.yaml").read_text()
    commits = _git(site.workspace, "rev-list", "--count", "HEAD")
    version = editor.get("/api/maps/m").json()["version"]
    page = editor.post(
        "/maps/m/edit",
        {
            "version": version,
            "stages.1.emotion": "very happy",
            "stages.0.name": "First",
        },
    )
    assert page.status_code == 400
    # the message sits inside the label of the emotion input of stage 2
    label = page.text.split('name="stages.1.emotion"', 1)[1].split("</label>", 1)[0]
    assert 'class="field-error"' in label and "valid number" in label
    assert 'value="First"' in page.text  # what was typed is kept
    assert (site.workspace / "maps" / "m.yaml").read_text() == before
    assert _git(site.workspace, "rev-list", "--count", "HEAD") == commits


def test_edit_saves_a_commit_keeps_comments_and_shows_in_history(
    site: Site, editor: Browserish
) -> None:
    _create(editor)
    version = editor.get("/api/maps/m").json()["version"]
    saved = editor.post(
        "/maps/m/edit",
        {
            "version": version,
            "stages.0.pain_points.0.text": "Ads feel pushy",
            "stages.2.pain_points.new": "Checkout asks for an account",
            "stages.0.emotion": "-0.4",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    text = (site.workspace / "maps" / "m.yaml").read_text()
    assert "# Stages: the phases of the journey" in text  # comments survive
    journey = jm.load_map(site.workspace / "maps" / "m.yaml")
    assert journey.stages[0].pain_points[0].text == "Ads feel pushy"
    assert journey.stages[0].emotion == -0.4
    added = journey.stages[2].pain_points[-1]
    assert (added.id, added.text) == (
        "checkout-asks-for-an-account",
        "Checkout asks for an account",
    )
    history = editor.get("/api/maps/m/history").json()["versions"]
    assert [(v["author"], v["message"]) for v in history] == [
        ("editor", "Edit m"),
        ("editor", "Create m (5es)"),
    ]
    diff = editor.get(f"/api/maps/m/versions/{history[0]['commit']}").json()["diff"]
    assert "+        text: Ads feel pushy" in diff
    assert "-        text: A problem customers meet here" in diff
    page = editor.get(f"/maps/m/versions/{history[0]['commit']}")
    assert page.status_code == 200 and "Ads feel pushy" in page.text


def test_restore_makes_an_old_version_current_as_a_new_commit(
    site: Site, editor: Browserish
) -> None:
    _create(editor)
    first = (site.workspace / "maps" / "m.yaml").read_text()
    version = editor.get("/api/maps/m").json()["version"]
    editor.post("/maps/m/edit", {"version": version, "name": "Renamed"})
    history = editor.get("/api/maps/m/history").json()["versions"]
    restored = editor.post(
        f"/maps/m/versions/{history[1]['commit']}/restore", follow_redirects=False
    )
    assert restored.status_code == 303
    assert (site.workspace / "maps" / "m.yaml").read_text() == first
    messages = [
        v["message"] for v in editor.get("/api/maps/m/history").json()["versions"]
    ]
    assert (
        messages[0] == f"Restore m to {history[1]['commit'][:10]}"
        and len(messages) == 3
    )


def test_a_stale_form_is_a_conflict_not_a_silent_overwrite(
    site: Site, editor: Browserish
) -> None:
    _create(editor)
    stale = editor.get("/api/maps/m").json()["version"]
    editor.post("/maps/m/edit", {"version": stale, "name": "First save"})
    second = editor.post("/maps/m/edit", {"version": stale, "name": "Second save"})
    assert second.status_code == 400 and "someone saved this map" in second.text
    assert jm.load_map(site.workspace / "maps" / "m.yaml").name == "First save"


def test_yaml_api_validates_and_commits(site: Site) -> None:
    editor = Browserish(site.client("editor"))
    _create(editor)
    client, headers = editor.client, {"X-CSRF-Token": editor.csrf}
    current = client.get("/api/maps/m").json()["version"]
    bad = client.put(
        "/api/maps/m",
        json={"text": "name: X\nstages: 3\n", "version": current},
        headers=headers,
    )
    assert bad.status_code == 422 and "stages" in bad.json()["errors"]
    good = client.put(
        "/api/maps/m",
        json={"text": "name: Small\nframework: aida\n", "version": current},
        headers=headers,
    )
    assert good.status_code == 200, good.text
    assert good.json()["commit"] == _git(site.workspace, "rev-parse", "HEAD").strip()
    conflict = client.put(
        "/api/maps/m",
        json={"text": "name: Late\n", "version": current},
        headers=headers,
    )
    assert conflict.status_code == 409


def test_hand_edits_committed_with_git_show_in_the_history(
    site: Site, editor: Browserish
) -> None:
    _create(editor)
    path = site.workspace / "maps" / "m.yaml"
    path.write_text(path.read_text().replace("name: Test journey", "name: By hand"))
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.org",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.org",
    }
    subprocess.run(
        ["git", "commit", "-qam", "Edited in my editor"],
        cwd=site.workspace,
        env=env,
        check=True,
    )
    history = editor.get("/api/maps/m/history").json()["versions"]
    assert (history[0]["author"], history[0]["message"]) == (
        "Ada",
        "Edited in my editor",
    )
    assert "By hand" in editor.get("/maps").text


def test_duplicate_as_future_state(site: Site, editor: Browserish) -> None:
    _create(editor)
    response = editor.post(
        "/maps/m/duplicate", {"new_name": "m-future"}, follow_redirects=False
    )
    assert response.status_code == 303
    future = jm.load_map(site.workspace / "maps" / "m-future.yaml")
    assert (future.state, future.current_map, future.name) == (
        "future",
        "m.yaml",
        "Test journey (future)",
    )
    bad = editor.post("/maps/m/duplicate", {"new_name": "../x"})
    assert bad.status_code == 400
    # the future map is compared with its current map
    version = editor.get("/api/maps/m-future").json()["version"]
    editor.post(
        "/maps/m-future/edit",
        {"version": version, "stages.1.pain_points.new": "Too many steps"},
    )
    compared = editor.get("/api/maps/m-future/compare").json()
    assert (compared["current"], compared["future"]) == ("m", "m-future")
    assert compared["cards_added"] == ["too-many-steps"]
    assert compared["stages_added"] == compared["stages_removed"] == []
    page = editor.get("/maps/m-future/compare")
    assert page.status_code == 200 and page.text.count("<svg") >= 1
    assert "Future state" in page.text
    assert editor.get("/api/maps/m/compare").status_code == 400  # not a future map


def test_a_hand_broken_map_is_listed_with_its_error_and_editable_as_yaml(
    site: Site, editor: Browserish
) -> None:
    _create(editor)
    (site.workspace / "maps" / "m.yaml").write_text("name: Broken\nstages: [1, 2\n")
    row = editor.get("/api/maps").json()["maps"][0]
    assert row["error"] and row["error"].startswith("maps/m.yaml")
    page = editor.get("/maps/m/edit")
    assert page.status_code == 200 and "stages: [1, 2" in page.text


_SAVER = """
import sys
from pathlib import Path
from journeymap.web.workspace import Workspace
ws = Workspace(Path(sys.argv[1]))
print("ready", flush=True)
n = 0
while True:
    n += 1
    ws.save("m", f"name: Version {n}\\n" + "# padding\\n" * 20000, author="k", message=f"v{n}")
"""


def test_killing_the_server_during_saves_leaves_a_whole_map(
    site: Site, editor: Browserish
) -> None:
    """SIGKILL at arbitrary moments of a save loop: the map file is always one whole
    version (the atomic rename), and git still reads the repository."""
    _create(editor)
    for attempt in range(3):
        saver = subprocess.Popen(
            [sys.executable, "-c", _SAVER, str(site.workspace)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert saver.stdout is not None and saver.stdout.readline().strip() == "ready"
        time.sleep(0.3 + 0.2 * attempt)
        saver.send_signal(signal.SIGKILL)
        saver.wait()
        text = (site.workspace / "maps" / "m.yaml").read_text()
        assert text.startswith(("name: Test journey", "name: Version ")), text[:80]
        if text.startswith("name: Version"):
            assert text.count("# padding\n") == 20000
        jm.loads_map(text)
        # a kill inside `git commit` may leave git's lock: a restart clears it
        Workspace(site.workspace).initialise()
    Workspace(site.workspace).save("m", "name: After\n", author="k", message="after")
    assert jm.load_map(site.workspace / "maps" / "m.yaml").name == "After"


def _serve(workspace: Path) -> tuple[subprocess.Popen[str], str]:
    """`journeymap serve` on a free port of 127.0.0.1, once it listens."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "journeymap",
            "serve",
            "--workspace",
            str(workspace),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return server, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    server.kill()
    raise AssertionError("journeymap serve did not start")


def test_sigkill_of_the_server_during_saves_keeps_the_map_whole(tmp_path: Path) -> None:
    """The issue's crash test, literally: saves through the API while the server gets
    SIGKILL; the map file is one whole version, and a restarted server saves again."""
    import threading

    import httpx

    from journeymap.web.auth import digest
    from journeymap.web.db import ApiToken, User

    from .conftest import make_site

    site = make_site(tmp_path / "ws")
    token = "jm_crash-test-token"
    with site.app.state.web.sessions() as db:
        editor_id = db.query(User).filter_by(username="editor").one().id
        db.add(ApiToken(user_id=editor_id, name="crash", token_hash=digest(token)))
        db.commit()
    headers = {"Authorization": f"Bearer {token}"}
    first = site.client().post(
        "/api/maps",
        json={"name": "m", "title": "Before", "framework": "5es"},
        headers=headers,
    )
    assert first.status_code == 201
    padding = "# padding\n" * 20000
    original = (site.workspace / "maps" / "m.yaml").read_text()
    server, base = _serve(site.workspace)
    saved: list[int] = []
    stop = threading.Event()

    def keep_saving() -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
            while not stop.is_set():
                try:
                    current = client.get("/api/maps/m").json()["version"]
                    name = f"name: Version {len(saved) + 1}"
                    text = original.replace("name: Before", name, 1) + padding
                    response = client.put(
                        "/api/maps/m", json={"text": text, "version": current}
                    )
                    assert response.status_code == 200, response.text
                    saved.append(1)
                except httpx.HTTPError:
                    return  # the server is gone

    saver = threading.Thread(target=keep_saving)
    saver.start()
    deadline = time.monotonic() + 60
    while len(saved) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    server.send_signal(signal.SIGKILL)
    server.wait()
    stop.set()
    saver.join(timeout=60)
    assert len(saved) >= 3
    text = (site.workspace / "maps" / "m.yaml").read_text()
    name = jm.loads_map(text).name
    assert name == "Before" or name.startswith("Version "), name
    if name != "Before":
        assert text.endswith(padding)  # the whole version, not a prefix of it
    restarted, base = _serve(site.workspace)
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            current = client.get("/api/maps/m").json()["version"]
            after = client.put(
                "/api/maps/m",
                json={
                    "text": original.replace("name: Before", "name: After"),
                    "version": current,
                },
            )
            assert after.status_code == 200, after.text
    finally:
        restarted.terminate()
        restarted.wait(timeout=30)
    assert jm.load_map(site.workspace / "maps" / "m.yaml").name == "After"


def test_the_form_edits_touchpoints_and_kpis_and_leaves_the_rest_as_written(
    site: Site, editor: Browserish
) -> None:
    _create(editor)
    before = (site.workspace / "maps" / "m.yaml").read_text()
    page = editor.get("/maps/m/edit").text
    # submit the form exactly as shown, changing one touchpoint and one KPI target
    fields = dict(
        re.findall(r'name="(stages\.[^"]+|name|owner)" value="([^"]*)"', page)
    )
    fields = {k: html.unescape(v) for k, v in fields.items()}
    assert (
        "stages.0.touchpoints.0.name" in fields and "stages.0.kpis.0.target" in fields
    )
    fields["stages.0.touchpoints.0.name"] = "Paid social"
    fields["stages.0.kpis.0.target"] = ">= 0.5"
    version = editor.get("/api/maps/m").json()["version"]
    saved = editor.post(
        "/maps/m/edit", fields | {"version": version}, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text
    journey = jm.load_map(site.workspace / "maps" / "m.yaml")
    assert journey.stages[0].touchpoints[0].name == "Paid social"
    assert journey.stages[0].kpis[0].target == ">= 0.5"
    diff = _git(site.workspace, "diff", "HEAD~1", "--", "maps/m.yaml")
    changed = [
        line
        for line in diff.splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert len(changed) == 4, changed  # two lines out, two in: nothing else rewritten
    assert before != (site.workspace / "maps" / "m.yaml").read_text()
