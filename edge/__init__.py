"""Skylt: an edge-served personalization engine for web shops.

The public surface is small on purpose: open a snapshot, and the error tree. Building,
serving and evaluating are reached through the ``skylt`` command or their own modules.
"""

from edge.errors import SkyltError
from edge.store import Snapshot, SnapshotDir, open_snapshot

__version__ = "0.1.0"

__all__ = ["SkyltError", "Snapshot", "SnapshotDir", "__version__", "open_snapshot"]
