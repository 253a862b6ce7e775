"""Numba's cache stays true across the kernels' files: a cached caller is stamped with every kernel
source, so a change to a helper in another file compiles it again (edge/scoring/cache.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from edge.scoring import cache, page, splice
from edge.scoring.cache import HERE, KernelInTreeCacheLocator, KernelUserCacheLocator, sources_stamp


def test_every_kernel_takes_the_package_wide_stamp() -> None:
    for kernel in (page.plan, page.plan_page, splice.page_items, splice.splice_items):
        locator = kernel._cache._impl.locator
        assert isinstance(locator, KernelInTreeCacheLocator | KernelUserCacheLocator)
        assert locator.get_source_stamp() == cache.STAMP == sources_stamp(HERE)


def test_a_change_to_any_kernel_file_changes_the_stamp(tmp_path: Path) -> None:
    copy = tmp_path / "scoring"
    shutil.copytree(HERE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = sources_stamp(copy)
    assert before == cache.STAMP
    helper = copy / "topk.py"  # called by rank.py and page.py, never edited with them
    helper.write_text(helper.read_text() + "\n# changed\n")
    assert sources_stamp(copy) != before


def test_kernels_elsewhere_keep_numbas_own_locator() -> None:
    from edge.build.tables import content

    assert not isinstance(content._knn_rows._cache._impl.locator, KernelInTreeCacheLocator | KernelUserCacheLocator)
