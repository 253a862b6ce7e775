import pytest

from tests.conftest import assert_problem


def test_health_and_readiness(app_client, demo_snapshot):
    assert app_client.get("/healthz").json()["status"] == "ok"
    ready = app_client.get("/readyz").json()
    assert ready["status"] == "ready"
    assert ready["version"] == demo_snapshot.version
    assert ready["items"] == demo_snapshot.n_items


def test_metrics_count_requests_per_page_and_slot(app_client, demo_snapshot):
    app_client.get("/v1/recommend", params={"page": "product", "item": demo_snapshot.external_id(0),
                                            "history": "NOT-AN-ITEM"})
    text = app_client.get("/metrics").text
    assert 'skylt_requests_total{page="product",status="200"}' in text
    assert 'skylt_slot_seconds_bucket{le="0.001",page="product",slot="similar"}' in text
    assert f'skylt_snapshot_info{{version="{demo_snapshot.version}"}} 1.0' in text
    assert "skylt_unknown_ids_total" in text
    assert "skylt_snapshot_age_seconds" in text


def test_not_ready_without_a_snapshot(tmp_path):
    from starlette.testclient import TestClient

    from edge.config import Settings
    from edge.serve.app import create_app

    app = create_app(Settings.load(tables=str(tmp_path / "empty"), poll_seconds=3600.0))
    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert_problem(client.get("/readyz"), 503)
        assert_problem(client.get("/v1/recommend", params={"page": "home"}), 503)


@pytest.mark.parametrize("path", ["/openapi.json", "/docs"])
def test_docs_are_served(app_client, path):
    assert app_client.get(path).status_code == 200


def test_openapi_comes_from_the_structs(app_client):
    spec = app_client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    request = spec["components"]["schemas"]["RecommendRequest"]
    assert request["properties"]["n"]["maximum"] == 50
    assert set(request["properties"]) >= {"page", "item", "cart", "history", "free_shipping_gap"}
    assert "RecommendResponse" in spec["components"]["schemas"]
    assert "EventBatch" in spec["components"]["schemas"]
    assert spec["paths"]["/v1/events"]["post"]["requestBody"]["required"] is True
    assert {"put"} == set(spec["paths"]["/v1/catalog/items"])
    assert "CatalogBatch" in spec["components"]["schemas"]


def test_every_api_route_and_method_is_in_the_openapi_document(app_client):
    from starlette.routing import Route

    spec = app_client.get("/openapi.json").json()
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops}
    served = {(route.path.replace(":path}", "}"), method.lower())
              for route in app_client.app.routes if isinstance(route, Route) and route.methods
              for method in route.methods - {"HEAD"}
              if route.path not in ("/openapi.json", "/docs")}
    assert served - documented == set()


def test_cors_allows_listed_shop_origins_only(demo_tables):
    from starlette.testclient import TestClient

    from edge.config import Settings
    from edge.serve.app import create_app

    app = create_app(Settings.load(tables=str(demo_tables), poll_seconds=3600.0, cors_origins="https://shop.example"))
    with TestClient(app) as client:
        preflight = {"Access-Control-Request-Method": "GET"}
        ok = client.options("/v1/recommend", headers={"Origin": "https://shop.example", **preflight})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == "https://shop.example"
        assert_problem(client.options("/v1/recommend", headers={"Origin": "https://evil.example", **preflight}),
                       400, "origin")
        r = client.get("/v1/recommend", params={"page": "home"}, headers={"Origin": "https://shop.example"})
        assert r.headers["access-control-allow-origin"] == "https://shop.example"
        assert "etag" in r.headers["access-control-expose-headers"].lower()
        other = client.get("/v1/recommend", params={"page": "home"}, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


METRICS_KEY = "metrics-scraper-key-0001"


def test_metrics_keys_require_a_bearer_key_compared_in_constant_time(demo_tables, tmp_path, monkeypatch):
    import hmac

    from starlette.testclient import TestClient

    from edge.config import Settings
    from edge.serve.app import create_app

    settings = Settings.load(tables=str(demo_tables), poll_seconds=3600.0, event_log=str(tmp_path / "events"),
                             catalog_overlay=str(tmp_path / "overlay"),
                             metrics_keys=f"metrics-rotated-key-0002,{METRICS_KEY}",
                             admin_keys="admin-key-not-for-metrics")
    calls = []
    compare = hmac.compare_digest
    monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append((a, b)) or compare(a, b))
    with TestClient(create_app(settings)) as client:
        for header in (None, "Bearer", f"Basic {METRICS_KEY}", "Bearer wrong-key-0000000000",
                       "Bearer admin-key-not-for-metrics"):
            denied = assert_problem(client.get("/metrics", headers={"Authorization": header} if header else {}),
                                    401, "authorization")
            assert "Bearer <metrics key>" in denied["detail"] and METRICS_KEY not in denied["detail"]
        assert calls[:2] == [(b"wrong-key-0000000000", b"metrics-rotated-key-0002"),
                             (b"wrong-key-0000000000", METRICS_KEY.encode())]  # every key, no early exit
        scraped = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_KEY}"})
        assert scraped.status_code == 200 and "skylt_requests_total" in scraped.text
