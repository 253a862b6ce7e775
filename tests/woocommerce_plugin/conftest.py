"""Session fixtures: one MariaDB server; each test module that needs a site builds its own database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.woocommerce_plugin.wordpress import MariaDB


@pytest.fixture(scope="session")
def mariadb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MariaDB]:
    db = MariaDB(Path(tmp_path_factory.mktemp("mariadb")))
    try:
        yield db
    finally:
        db.stop()
