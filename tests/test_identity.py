"""Signed identity tokens: the format, expiry, rotation, and the published test vector in every language
docs/api.md shows code for (Python, PHP, Node; Liquid's hex form is the vector's hex spelling)."""

import json
import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from edge.cli import main
from edge.identity import MAX_TOKEN_LENGTH, sign, verify
from tests.conftest import REPO
from tests.requires import missing

SECRET, USER, EXPIRY = "skylt-test-vector-secret", "4711", 1893456000
TOKEN = "v1.1893456000.NQjgjxqJ832xUCrKrXdHiHlCX4WXrrsKa5vPwIyUHdg"
HEX_TOKEN = "v1.1893456000.3508e08f1a89f37db1502acaad77478879425f8597aebb0a6b9bcfc08c941dd8"
DOC = (REPO / "docs" / "api.md").read_text()


def doc_code(language: str) -> str:
    """The code block of ``language`` in docs/api.md's signed-identity section: what shops copy."""
    section = DOC.split("## Signed identity", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(rf"```{language}\n(.*?)```", section, re.S)
    assert blocks, f"docs/api.md shows no {language} code for signed identity"
    return blocks[0]


def test_the_published_vector_is_what_sign_makes_and_the_docs_show():
    assert sign(SECRET, USER, EXPIRY) == TOKEN
    row = f"| `{SECRET}` | `{USER}` | `{EXPIRY}` | `{TOKEN}` |"
    assert row in DOC and HEX_TOKEN in DOC


def test_a_token_verifies_only_for_its_user_secret_and_time():
    assert verify(TOKEN, USER, [SECRET], now=EXPIRY - 1)
    assert verify(HEX_TOKEN, USER, [SECRET], now=EXPIRY - 1)
    assert verify(TOKEN, USER, ["old-secret-being-rotated", SECRET], now=EXPIRY)  # two while rotating
    assert not verify(TOKEN, USER, [SECRET], now=EXPIRY + 1)  # expired
    assert not verify(TOKEN, "4712", [SECRET], now=0)  # another customer's token
    assert not verify(TOKEN, USER + " ", [SECRET], now=0)  # the id exactly as signed
    assert not verify(TOKEN, USER, ["another-shops-secret"], now=0)
    assert not verify(TOKEN, USER, [], now=0)  # no secret configured: nothing verifies
    forever = sign(SECRET, USER)
    assert forever.startswith("v1.0.") and verify(forever, USER, [SECRET], now=4e9)


@pytest.mark.parametrize("token", [
    None, "", "v1", "v1.0.", "v2.0." + TOKEN[-43:], "v1.-1." + TOKEN[-43:], "v1.01." + TOKEN[-43:],
    TOKEN[:-1], TOKEN + "A", TOKEN.replace("NQ", "nq"), "v1.1893456000." + "g" * 64, HEX_TOKEN.upper(),
    TOKEN + "=", "v1.1893456000.NQjgjxqJ832xUCrKrXdHiHlCX4WXrrsKa5vPwIyUHd\u00e9", "x" * (MAX_TOKEN_LENGTH + 1),
    "v1.99999999999999999999." + TOKEN[-43:],
])
def test_malformed_and_altered_tokens_never_verify(token):
    assert not verify(token, USER, [SECRET], now=0)


def test_the_python_code_in_the_docs_gives_the_vector():
    scope: dict[str, object] = {}
    exec(doc_code("python"), scope)  # the documentation's own snippet
    assert scope["skylt_user_token"](SECRET, USER, EXPIRY) == TOKEN  # type: ignore[operator]


def test_the_php_code_in_the_docs_gives_the_vector(tmp_path):
    if shutil.which("php") is None:
        missing("php", "apt-get install php-cli")
    script = tmp_path / "token.php"
    script.write_text(f"<?php\n{doc_code('php')}\necho skylt_user_token({json.dumps(SECRET)}, "
                      f"{json.dumps(USER)}, {EXPIRY});\n")
    out = subprocess.run(["php", str(script)], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout == TOKEN


def test_the_node_code_in_the_docs_gives_the_vector():
    if shutil.which("node") is None:
        missing("node", "apt-get install nodejs")
    call = f"skyltUserToken({json.dumps(SECRET)}, {json.dumps(USER)}, {EXPIRY})"
    code = f"{doc_code('js')}\nprocess.stdout.write({call});"
    out = subprocess.run(["node", "-e", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout == TOKEN


def test_skylt_user_token_prints_a_token_for_the_configured_secret(monkeypatch):
    monkeypatch.setenv("SKYLT_IDENTITY_SECRETS", f"{SECRET},second-secret-rotating-in")
    result = CliRunner().invoke(main, ["user-token", USER])
    assert result.exit_code == 0 and result.output == sign(SECRET, USER) + "\n"
    timed = CliRunner().invoke(main, ["user-token", USER, "--ttl", "3600"]).output.strip()
    expiry = int(timed.split(".")[1])
    assert verify(timed, USER, [SECRET], now=expiry - 3600) and not verify(timed, USER, [SECRET], now=expiry + 1)


def test_skylt_user_token_without_a_secret_is_one_clear_line(monkeypatch):
    monkeypatch.delenv("SKYLT_IDENTITY_SECRETS", raising=False)
    monkeypatch.delenv("SKYLT_CONFIG", raising=False)
    result = CliRunner().invoke(main, ["user-token", USER])
    assert result.exit_code == 1
    assert result.output.strip() == ("skylt: error: no identity secret is set (setting identity_secrets, "
                                     "SKYLT_IDENTITY_SECRETS)")
