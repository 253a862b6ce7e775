"""GET /dashboard: admin key by Bearer or Basic prompt, server-rendered SVG charts, no script."""

import base64
import re
from xml.etree import ElementTree

import pytest
from starlette.testclient import TestClient

from edge.config import Settings
from edge.serve.app import create_app
from tests.conftest import assert_problem

INGEST = {"X-Skylt-Key": "shop-ingest-key-0001"}


@pytest.fixture
def client(tmp_path, demo_tables):
    settings = Settings.load(tables=str(demo_tables), event_log=str(tmp_path / "events"), poll_seconds=3600.0,
                             ingest_keys="shop-ingest-key-0001", admin_keys="admin-secret-key-0001",
                             catalog_overlay=str(tmp_path / "overlay"))
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


def basic(password, user="staff"):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_without_the_admin_key_the_browser_is_asked_for_it(client):
    r = client.get("/dashboard")
    assert_problem(r, 401, "authorization")
    assert r.headers["www-authenticate"].startswith("Basic realm=")
    assert_problem(client.get("/dashboard", headers=basic("shop-ingest-key-0001")), 401, "authorization")
    assert_problem(client.get("/dashboard", headers={"Authorization": "Basic !!"}), 401, "authorization")
    assert_problem(client.get("/dashboard?key=admin-secret-key-0001"), 401, "authorization")  # never in a URL


def test_the_dashboard_shows_the_report_as_svg_charts_and_snapshot_stats(client):
    client.post("/v1/events", headers=INGEST, json={"events": [
        {"type": "impression", "request_id": "r1", "slot": "for_you", "page": "home", "bucket": "personalized",
         "items": ["85123A"], "session": "s1"},
        {"type": "impression", "request_id": "r2", "slot": "for_you", "page": "home", "bucket": "control",
         "items": ["22423"], "session": "s2"},
        {"type": "click", "item": "85123A", "request_id": "r1", "slot": "for_you", "session": "s1"},
        {"type": "cart", "item": "85123A", "request_id": "r1", "slot": "for_you", "session": "s1"}]})
    for headers in ({"Authorization": "Bearer admin-secret-key-0001"}, basic("admin-secret-key-0001")):
        r = client.get("/dashboard", headers=headers)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/html")
        assert "script-src" not in r.headers["content-security-policy"] and "<script" not in r.text
        assert r.headers["cache-control"] == "no-store"
    html = r.text
    snap = client.app.state.holder.current
    assert f"{snap.manifest.n_items:,}" in html and snap.version in html and "build age" in html
    assert "2 impressions, 1 clicks, 2 events" in html
    svgs = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    assert len(svgs) == 3  # CTR per slot, the daily series, rates per bucket
    for svg in svgs:
        ElementTree.fromstring(svg)  # well-formed
    # CTR per slot: one bar of 50 %; buckets: personalized CTR 100 %, control 0 %.
    assert "home / for_you: 50.0 %" in svgs[0]
    assert "2 impressions" in svgs[1]
    assert "personalized: CTR: 100.0 %" in svgs[2] and "control: CTR: 0.0 %" in svgs[2]
    assert "ctr" in html.lower() and "lift" in html.lower()


def test_a_bad_since_is_a_422(client):
    assert_problem(client.get("/dashboard?since=lately", headers={"Authorization": "Bearer admin-secret-key-0001"}),
                   422,
                   "since")
