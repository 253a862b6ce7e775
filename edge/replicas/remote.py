"""The one place that opens a store URL (fsspec: a local path, ``file://``, ``s3://`` with s3fs, ...).

Credentials and endpoints come the usual fsspec way: the provider's own environment (``AWS_*`` for S3) or
``FSSPEC_<PROTOCOL>_<OPTION>`` variables such as ``FSSPEC_S3_ENDPOINT_URL`` for an S3-compatible store.
"""

from __future__ import annotations

from typing import Any

from edge.replicas.release import StoreError


def open_store(url: str, storage_options: dict[str, Any] | None = None) -> tuple[Any, str]:
    """(filesystem, root path without a trailing slash)."""
    import fsspec

    try:
        fs, root = fsspec.core.url_to_fs(url, **(storage_options or {}))
    except (ImportError, ValueError, TypeError) as exc:  # e.g. s3:// without s3fs installed
        raise StoreError(f"{url}: cannot open this store: {exc}") from exc
    return fs, str(root).rstrip("/")
