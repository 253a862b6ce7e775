"""The published identity test vector, computed in Node (crypto.createHmac) by the code docs/snippet.md gives shops,
in both of the token's spellings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

from tests.conftest import REPO
from tests.requires import missing

SECRET, USER, EXPIRY = "skylt-test-vector-secret", "4711", 1893456000
TOKEN = "v1.1893456000.NQjgjxqJ832xUCrKrXdHiHlCX4WXrrsKa5vPwIyUHdg"
HEX_TOKEN = "v1.1893456000.3508e08f1a89f37db1502acaad77478879425f8597aebb0a6b9bcfc08c941dd8"


def _doc_node_code() -> str:
    doc = (REPO / "docs" / "snippet.md").read_text()
    section = doc.split("## Signed identity", 1)[1].split("\n## ", 1)[0]
    assert f"| `{SECRET}` | `{USER}` | `{EXPIRY}` | `{TOKEN}` |" in section and HEX_TOKEN in section
    [code] = [b for b in re.findall(r"```js\n(.*?)```", section, re.S) if "createHmac" in b]
    return code


def _node(code: str) -> str:
    node = shutil.which("node")
    if node is None:
        missing("node", "apt-get install nodejs")
    return subprocess.run([node, "-e", code], capture_output=True, text=True, timeout=60, check=True).stdout


def test_the_node_code_in_the_docs_gives_the_published_token() -> None:
    args = f"{json.dumps(SECRET)}, {json.dumps(USER)}, {EXPIRY}"
    assert _node(f"{_doc_node_code()}\nprocess.stdout.write(skyltUserToken({args}));") == TOKEN


def test_the_hex_spelling_is_the_same_mac() -> None:
    """What Liquid's hmac_sha256 gives (the Shopify embed's form) is the same mac as hex digits."""
    code = (f"const {{ createHmac }} = require('node:crypto');"
            f"process.stdout.write(createHmac('sha256', {json.dumps(SECRET)})"
            f".update('v1.{EXPIRY}.{USER}').digest('hex'));")
    assert f"v1.{EXPIRY}.{_node(code)}" == HEX_TOKEN
