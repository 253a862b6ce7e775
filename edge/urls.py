"""Which catalog links may be served: one rule for every way a ``url`` or ``image`` comes in.

A link is an absolute http(s) URL with a host, or a path on the shop's own site (``/products/x``,
and ``//cdn.example/x``, which takes the page's scheme). Anything else (``javascript:``, ``data:``,
``vbscript:``, a control character a browser would strip before reading the scheme) is never served:
the snippet checks again, but other API consumers need not.
"""

from __future__ import annotations

import re

# One pattern for Python's re (fullmatch) and pyarrow's RE2 (anchored), so both ways in apply the same rule.
WEB_URL = r"(?:[Hh][Tt][Tt][Pp][Ss]?://[^\x00-\x20/?#\\]|/)[^\x00-\x1f\x7f]*"
_WEB_URL = re.compile(WEB_URL)
UNSAFE_URL = "only http(s) URLs and paths on the shop's site (starting with '/') are served"


def web_url(value: str | None) -> bool:
    """True for a link that may be served; None (no link) is fine too."""
    return value is None or _WEB_URL.fullmatch(value) is not None


def served_url(value: object) -> str | None:
    """``value`` if it is a link that may be served, else None: for importers, which drop what a shop's API
    hands them rather than stop an import over one image."""
    return value if isinstance(value, str) and web_url(value) else None
