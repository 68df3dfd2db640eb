"""Uploads become Parquet with their ingest report; the map is measured on them, once
per (map version, data version); exports are the CLI's outputs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq

from .conftest import Browserish, Site, make_site

BAD_ROWS = (
    "user,ts,name\n"
    "c1,2026-01-01 10:00:00,visit\n"
    "c1,2026-01-01 10:05:00,purchase\n"
    ",2026-01-01 10:06:00,visit\n"
    'c2,not a time,=HYPERLINK("http://x")\n'
    "c2,2026-01-02 09:00:00,visit\n"
)


def _upload(editor: Browserish, name: str, body: bytes, **columns: str) -> object:
    return editor.post(
        "/data", columns, files={"file": (name, body, "application/octet-stream")}
    )


def test_upload_keeps_parquet_report_and_every_quarantined_row(
    site: Site, editor: Browserish
) -> None:
    page = _upload(
        editor,
        "shop.csv",
        BAD_ROWS.encode(),
        customer_id="user",
        timestamp="ts",
        event="name",
    )
    assert page.status_code == 200, page.text
    assert "download the quarantined rows" in page.text
    dataset = editor.get("/api/data").json()["datasets"][0]
    report = dataset["report"]
    assert (report["read"], report["loaded"], report["quarantined"]) == (5, 3, 2)
    assert (
        report["read"]
        == report["loaded"] + report["quarantined"] + report["duplicates"]
    )
    assert report["uploaded_by"] == "editor" and report["source"] == "shop.csv"
    folder = site.workspace / "data" / dataset["id"]
    assert pq.read_table(folder / "events.parquet").num_rows == 3
    rows = list(
        csv.DictReader(
            io.StringIO(editor.get(f"/data/{dataset['id']}/quarantine.csv").text)
        )
    )
    assert sorted(int(r["row_number"]) for r in rows) == [3, 4]
    assert all(r["reason"] for r in rows)
    # a cell a spreadsheet would run as a formula is neutralised in the download
    assert not any(v.startswith("=") for r in rows for v in r.values())
    # the same bytes again are the same data version
    _upload(
        editor,
        "again.csv",
        BAD_ROWS.encode(),
        customer_id="user",
        timestamp="ts",
        event="name",
    )
    assert len(editor.get("/api/data").json()["datasets"]) == 1


def test_bad_uploads_are_one_clear_line(site: Site, editor: Browserish) -> None:
    wrong_type = _upload(editor, "events.exe", b"MZ")
    assert (
        wrong_type.status_code == 400
        and "unsupported file type .exe" in wrong_type.text
    )
    no_column = _upload(editor, "e.csv", b"a,b\n1,2\n")
    assert no_column.status_code == 400
    assert "Traceback" not in no_column.text
    message = no_column.text.split('role="alert">', 1)[1].split("</p>", 1)[0]
    assert message.startswith("e.csv: ") and "customer_id" in message
    assert "column mapping" in message and "--id" not in message
    assert str(site.workspace) not in no_column.text  # no server path in the message


def test_measured_map_exports_and_cache(
    site: Site, editor: Browserish, demo_files: dict[str, Path]
) -> None:
    assert (
        editor.post(
            "/maps",
            {"name": "demo", "title": "Demo", "framework": "demo"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    plain = editor.get("/maps/demo")
    assert plain.status_code == 200 and "Not measured" in plain.text
    uploaded = _upload(editor, "events.parquet", demo_files["parquet"].read_bytes())
    assert uploaded.status_code == 200, uploaded.text
    view = editor.get("/api/maps/demo").json()
    measured = view["measured"]
    customers = editor.get("/api/data").json()["datasets"][0]["report"]["customers"]
    assert measured["totals"]["customers"] == customers == 300
    assert [s["id"] for s in measured["stages"]] == [
        s["id"] for s in view["journey"]["stages"]
    ]
    page = editor.get("/maps/demo")
    assert "300 customers" in page.text and "<svg" in page.text
    cache = sorted((site.workspace / ".journeymap" / "cache").iterdir())
    assert len(cache) == 1 and cache[0].name.startswith("demo@")
    stamp = (cache[0] / "measured.json").stat().st_mtime_ns
    editor.get("/maps/demo")
    assert (
        cache[0] / "measured.json"
    ).stat().st_mtime_ns == stamp  # not measured again

    from journeymap.web.exports import EXPORTS
    from journeymap.web.maps import EXPORT_FORMATS

    assert set(EXPORT_FORMATS) == set(EXPORTS)  # the page offers what exports writes
    svg = editor.get("/maps/demo/export/svg")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.lstrip().startswith(("<svg", "<?xml"))
    pdf = editor.get("/maps/demo/export/pdf")
    assert pdf.content.startswith(b"%PDF")
    png = editor.get("/maps/demo/export/png")
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    pptx = editor.get("/maps/demo/export/pptx")
    assert pptx.content.startswith(b"PK")
    from pptx import Presentation

    slides = Presentation(io.BytesIO(pptx.content)).slides
    assert len(slides) >= 1
    report = editor.get("/maps/demo/export/report")
    assert report.status_code == 200 and "<html" in report.text.lower()
    exported = json.loads(editor.get("/api/maps/demo/export/json").text)
    assert exported["totals"]["customers"] == 300
    # a card's evidence: the verdict and the two groups it compared
    card = editor.get("/api/maps/demo/cards/payment-friction").json()
    evidence = card["evidence"]
    verdict = next(p for p in measured["pain_points"] if p["id"] == "payment-friction")
    assert evidence["verdict"] == verdict["verdict"]
    assert [g["units"] for g in evidence["groups"]] == [
        verdict["test"]["exposed"]["units"],
        verdict["test"]["comparison"]["units"],
    ]
    # the dashboard: figures as JSON, the interactive report sandboxed in a frame
    dashboard = editor.get("/api/maps/demo/dashboard").json()
    assert dashboard["funnel"][0]["reached"] == 300
    impacts = [p["impact"] or 0.0 for p in dashboard["pain_points"]]
    assert impacts == sorted(impacts, reverse=True)
    page = editor.get("/maps/demo/dashboard")
    assert page.status_code == 200 and 'sandbox="allow-scripts"' in page.text
    framed = editor.get("/maps/demo/dashboard/report.html")
    policy = framed.headers["content-security-policy"]
    assert (
        policy.startswith("sandbox allow-scripts") and "script-src 'self'" not in policy
    )
    assert "plotly" in framed.text.lower()
    # a new map version is a new cache entry; the old one stays for its version
    version = view["version"]
    editor.post("/maps/demo/edit", {"version": version, "name": "Demo 2"})
    editor.get("/maps/demo")
    assert len(list((site.workspace / ".journeymap" / "cache").iterdir())) == 2


def test_filters_narrow_the_measurement(
    editor: Browserish, demo_files: dict[str, Path]
) -> None:
    editor.post("/maps", {"name": "demo", "title": "Demo", "framework": "demo"})
    _upload(editor, "events.parquet", demo_files["parquet"].read_bytes())
    view = editor.get("/api/maps/demo").json()
    events = view["measured"]["totals"]["events"]
    later = editor.get("/api/maps/demo?since=2026-03-01").json()
    assert later["filters"]["since"] == "2026-03-01"
    assert 0 < later["measured"]["totals"]["events"] < events
    unknown = editor.get("/api/maps/demo?persona=nobody")
    assert unknown.status_code == 400 and "nobody" in unknown.json()["detail"]
    department = editor.get("/api/maps/demo?department=nobody")
    assert department.status_code == 400
    assert editor.get("/api/maps/demo?since=yesterday").status_code == 400


def test_department_view(editor: Browserish, demo_files: dict[str, Path]) -> None:
    editor.post("/maps", {"name": "demo", "title": "Demo", "framework": "demo"})
    _upload(editor, "events.parquet", demo_files["parquet"].read_bytes())
    view = editor.get("/api/maps/demo").json()
    department = view["journey"]["departments"][0]["id"]
    narrowed = editor.get(f"/api/maps/demo?department={department}").json()
    kept = [t["id"] for s in narrowed["journey"]["stages"] for t in s["touchpoints"]]
    every = [t["id"] for s in view["journey"]["stages"] for t in s["touchpoints"]]
    assert 0 < len(kept) < len(every)


def test_jsonl_and_xlsx_uploads(editor: Browserish, tmp_path: Path) -> None:
    rows = [
        {"customer_id": "a", "timestamp": "2026-01-01T10:00:00", "event": "visit"},
        {"customer_id": "a", "timestamp": "2026-01-01T10:01:00", "event": "purchase"},
        {"customer_id": "b", "timestamp": "2026-01-02T09:00:00", "event": "visit"},
    ]
    jsonl = "\n".join(json.dumps(r) for r in rows).encode()
    assert _upload(editor, "events.jsonl", jsonl).status_code == 200
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows + [
        {"customer_id": "c", "timestamp": "2026-01-03T08:00:00", "event": "visit"}
    ]:
        sheet.append(list(row.values()))
    book.save(tmp_path / "events.xlsx")
    assert (
        _upload(
            editor, "events.xlsx", (tmp_path / "events.xlsx").read_bytes()
        ).status_code
        == 200
    )
    loaded = sorted(
        (d["report"]["source"], d["report"]["loaded"])
        for d in editor.get("/api/data").json()["datasets"]
    )
    assert loaded == [("events.jsonl", 3), ("events.xlsx", 4)]


def test_maps_are_measured_in_the_background_after_an_upload(
    tmp_path: Path, demo_files: dict[str, Path]
) -> None:
    site = make_site(tmp_path / "ws", measure_after_upload=True)
    editor = Browserish(site.client("editor"))
    editor.post("/maps", {"name": "demo", "title": "Demo", "framework": "demo"})
    (site.workspace / "maps" / "broken.yaml").write_text("name: [unclosed\n")
    page = _upload(editor, "events.parquet", demo_files["parquet"].read_bytes())
    assert "measured in the background" in page.text
    # the single background worker runs in order: this waits for the measuring
    site.app.state.web.background.submit(lambda: None).result(timeout=600)
    cached = list(
        (site.workspace / ".journeymap" / "cache").glob("demo@*/measured.json")
    )
    assert len(cached) == 1  # measured before anyone viewed it; the broken map skipped
    stamp = cached[0].stat().st_mtime_ns
    assert editor.get("/api/maps/demo").json()["measured"]["totals"]["customers"] == 300
    assert cached[0].stat().st_mtime_ns == stamp
