"""State that replicas share through a Redis (or Valkey) server, setting ``state_url``.

``client`` wraps the connection and turns its failures into ours; ``factory`` is the one place
that picks the local (LMDB) or the shared backend of the profiles and the catalog overlay.
"""
