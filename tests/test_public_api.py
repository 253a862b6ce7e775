from importlib.metadata import version

import edge


def test_public_names_are_pinned():
    # Adding or removing a public name is an API change: update this test on purpose.
    assert sorted(edge.__all__) == sorted(["Snapshot", "SnapshotDir", "SkyltError", "__version__", "open_snapshot"])
    for name in edge.__all__:
        assert hasattr(edge, name)


def test_version_matches_the_distribution():
    assert edge.__version__ == version("skylt")
