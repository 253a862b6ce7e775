"""Keys: short or shared keys stop the server at start-up, naming the setting and never the key."""

import os
import subprocess
import sys

import pytest

from edge.auth import KEY_SETTINGS, MIN_KEY_LENGTH, bearer
from edge.cli import DEMO_INGEST_KEY
from edge.config import Settings
from edge.errors import SkyltError
from edge.serve.app import create_app

GOOD = {name: f"{name.replace('_', '-')}-0123456789" for name in KEY_SETTINGS}


def settings(tmp_path, **keys):
    return Settings.load(tables=str(tmp_path / "tables"), event_log=str(tmp_path / "events"),
                         catalog_overlay=str(tmp_path / "overlay"), shopify_state=str(tmp_path / "shopify"), **keys)


def test_long_distinct_keys_in_every_tier_are_accepted(tmp_path):
    create_app(settings(tmp_path, **GOOD))


@pytest.mark.parametrize("name", KEY_SETTINGS)
def test_a_short_key_in_any_tier_stops_the_app(tmp_path, name):
    short = "s" * (MIN_KEY_LENGTH - 1)
    with pytest.raises(SkyltError, match=f"setting {name}: a key has 15 characters") as raised:
        create_app(settings(tmp_path, **{**GOOD, name: f"{GOOD[name]},{short}"}))
    assert short not in str(raised.value)


@pytest.mark.parametrize(("first", "second"), [("ingest_keys", "admin_keys"), ("server_keys", "identity_secrets"),
                                               ("metrics_keys", "shopify_webhook_secrets")])
def test_a_key_shared_by_two_tiers_stops_the_app(tmp_path, first, second):
    shared = "one-key-for-two-tiers-000"
    with pytest.raises(SkyltError, match=f"settings {first} and {second} share a key") as raised:
        create_app(settings(tmp_path, **{**GOOD, first: shared, second: f"{GOOD[second]},{shared}"}))
    assert shared not in str(raised.value)


def test_the_demo_key_meets_the_rule():
    assert len(DEMO_INGEST_KEY) >= MIN_KEY_LENGTH


@pytest.mark.parametrize(("env", "setting"), [({"SKYLT_ADMIN_KEYS": "admin"}, "admin_keys"),
                                              ({"SKYLT_INGEST_KEYS": "shared-key-0123456789",
                                                "SKYLT_METRICS_KEYS": "shared-key-0123456789"}, "metrics_keys")])
def test_skylt_serve_exits_with_one_line(tmp_path, env, setting):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SKYLT_")}
    result = subprocess.run([sys.executable, "-m", "edge", "serve", "--tables", str(tmp_path / "tables"),
                             "--port", "9"], env={**clean, **env}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("skylt: error: setting") and setting in lines[0], result.stderr
    assert "admin" not in lines[0].replace("admin_keys", "") and "shared-key" not in lines[0]


@pytest.mark.parametrize(("header", "token"), [(None, None), ("", None), ("Bearer", None), ("Bearer  ", None),
                                               ("Basic abc", None), ("bearer  abc ", "abc"), ("Bearer a b", "a b")])
def test_bearer_reads_only_bearer_tokens(header, token):
    assert bearer(header) == token
