"""An S3 server for the store tests: moto's, on 127.0.0.1, with a bucket per test session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import free_port

BUCKET = "skylt-snapshots"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}


@pytest.fixture(scope="session")
def s3() -> Iterator[dict[str, Any]]:
    """The endpoint and the fsspec options that reach it, with an empty bucket."""
    import s3fs
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    options = {"endpoint_url": endpoint, "key": "testing", "secret": "testing"}
    try:
        s3fs.S3FileSystem(**options).mkdir(BUCKET)
        yield {"endpoint": endpoint, "options": options, "bucket": BUCKET}
    finally:
        server.stop()
