"""Real-time catalog overlay: per-item overrides applied on top of the served snapshot.

``store`` keeps the overrides in a small writable LMDB environment shared by every worker;
``resolve`` turns them into dense-id form for one snapshot; ``watch`` keeps each worker's
copy current.
"""

from edge.overlay.resolve import Overlay, resolve
from edge.overlay.schemas import CatalogBatch, ItemUpdate, Override
from edge.overlay.store import OverlayStore

__all__ = ["CatalogBatch", "ItemUpdate", "Overlay", "OverlayStore", "Override", "resolve"]
