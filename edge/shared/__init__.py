"""State that replicas share through a Redis (or Valkey) server, setting ``state_url``.

``client`` wraps the connection and turns its failures into ours; ``profiles``, ``overlay`` and
``shopify`` hold what the local LMDB and SQLite stores hold, with the same methods; ``factory`` is
the one place that picks the local or the shared backend.
"""
