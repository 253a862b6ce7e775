"""The app's lifespan: what a worker does once it is ready and when it stops."""

import gc

import pytest

from tests.serve.routes.conftest import overlay_client


@pytest.mark.parametrize("freeze", [True, False])
def test_a_ready_worker_keeps_its_startup_objects_out_of_full_collections(demo_tables, tmp_path, freeze):
    assert gc.get_freeze_count() == 0
    with overlay_client(demo_tables, tmp_path, gc_freeze=freeze) as c:
        assert c.get("/readyz").status_code == 200
        # Modules, compiled kernels and the snapshot: tens of thousands of objects, never walked again.
        assert (gc.get_freeze_count() > 10_000) is freeze
    assert gc.get_freeze_count() == 0  # a stopped app gives them back to the collector
