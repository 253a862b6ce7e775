"""The warm-up prepares what a shopper's first request would otherwise pay for."""

from edge.config import Settings
from edge.serve.warm import warm
from edge.slots.served import serve
from edge.store import open_snapshot


def test_warm_builds_the_id_table_before_any_request(demo_tables):
    with open_snapshot(demo_tables) as snap:
        assert snap._id_table is None
        warm(serve(snap, Settings()))
        assert snap._id_table is not None and snap._id_table.nbytes > 0
