"""docs/security.md says which test proves each defence: every test it names exists, so the table cannot drift
from the suite."""

import re

from tests.conftest import REPO

DOC = (REPO / "docs" / "security.md").read_text()


def named_tests() -> list[tuple[str, str | None]]:
    """(file, test name or None) for every `path` and `path::name` in the doc; `::name` alone continues the file
    named before it in the same cell."""
    found: list[tuple[str, str | None]] = []
    for row in DOC.splitlines():
        if not row.startswith("|"):
            continue
        last = None
        for ref in re.findall(r"`((?:tests|plugins)/[^`:]+)?(?:::(\w+))?`", row):
            path, name = ref
            last = path or last
            if last:
                found.append((last, name or None))
    return found


def test_every_test_the_security_doc_names_exists():
    named = named_tests()
    assert len(named) > 30
    for path, name in named:
        source = REPO / path
        assert source.exists(), f"docs/security.md names {path}, which does not exist"
        if name is not None:
            text = source.read_text()
            assert re.search(rf"\b(def|function) {name}\b", text), f"docs/security.md names {path}::{name}"
