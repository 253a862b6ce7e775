"""Snapshots shared by many servers: ``skylt publish`` copies a built version to a store, and servers started
with ``--pull`` fetch, verify and swap in every new one (docs/scale-out.md)."""
