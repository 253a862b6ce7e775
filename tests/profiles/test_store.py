"""The profile store: bounded records, cart semantics, hashed keys, a salt made once with 0600; expiry, the
cap on profiles, a full map and private files."""

import os
import stat

import lmdb
import msgspec
import pytest

from edge.errors import StorageFullError
from edge.profiles import store as store_module
from edge.profiles.salt import SALT_BYTES, hash_id, load_salt
from edge.profiles.store import MAX_VIEWS, Profile, ProfileStore, apply


def test_views_move_to_the_end_and_keep_the_newest_fifty():
    profile = Profile()
    for i in range(MAX_VIEWS + 10):
        apply(profile, "view", f"i{i}")
    apply(profile, "click", "i20")
    assert len(profile.views) == MAX_VIEWS
    assert profile.views[0] == "i10" and profile.views[-1] == "i20"
    assert profile.views.count("i20") == 1


def test_cart_follows_cart_remove_and_purchase():
    profile = Profile()
    for kind, item in [("cart", "A"), ("cart", "B"), ("cart", "C"), ("remove", "B"), ("remove", "Z"),
                       ("purchase", "A"), ("impression", "Q")]:
        apply(profile, kind, item)
    assert profile.cart == ["C"]
    assert profile.purchases == ["A"]
    assert profile.views == []


def test_updates_from_one_batch_land_together_and_erase_removes_them(tmp_path):
    store = ProfileStore(tmp_path / "p")
    u, v = store.key("alice"), store.key("bob")
    assert store.update([(u, "view", "A"), (v, "cart", "X"), (u, "view", "B"), (u, "cart", "C")]) == 2
    assert store.get(u) == Profile(views=["A", "B"], cart=["C"])
    assert store.get(v) == Profile(cart=["X"])
    assert store.erase(u) == 1 and store.erase(u) == 0
    assert store.get(u) is None and store.count() == 1
    store.close()


def test_the_salt_is_made_once_private_and_reused(tmp_path):
    salt = load_salt(tmp_path)
    assert len(salt) == SALT_BYTES
    assert stat.S_IMODE((tmp_path / "salt").stat().st_mode) == 0o600
    assert load_salt(tmp_path) == salt
    assert [p.name for p in tmp_path.iterdir()] == ["salt"]  # the scratch file is gone
    assert hash_id(salt, "alice") == hash_id(salt, "alice") != hash_id(load_salt(tmp_path / "other"), "alice")
    assert "alice" not in hash_id(salt, "alice") and len(hash_id(salt, "alice")) == 32


def test_the_key_never_holds_the_raw_id(tmp_path):
    store = ProfileStore(tmp_path)
    store.update([(store.key("alice@example.com"), "view", "A")])
    store.close()
    assert not any(b"alice" in p.read_bytes() for p in (tmp_path / "lmdb").iterdir())


# -- bounded state: expiry, the cap, a full map, private files --------------------------------

DAY = 86400.0


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_profile_not_updated_for_the_ttl_is_not_served_deleted_on_write_and_starts_over(tmp_path):
    clock = Clock()
    store = ProfileStore(tmp_path, ttl_days=2, clock=clock)
    u, v = store.key("alice"), store.key("bob")
    store.update([(u, "view", "A")])
    clock.now += 2 * DAY - 1
    assert store.get(u) == Profile(views=["A"])
    clock.now += 2
    assert store.raw(u) is None and store.get(u) is None  # what the request path reads
    assert store.count() == 1  # not swept yet
    store.update([(v, "view", "B")])  # any write deletes some expired profiles
    assert store.count() == 1 and store.get(v) == Profile(views=["B"])
    store.update([(u, "view", "C")])
    assert store.get(u) == Profile(views=["C"])  # nothing of the expired profile comes back
    store.close()


def test_an_update_keeps_a_profile_alive(tmp_path):
    clock = Clock()
    store = ProfileStore(tmp_path, ttl_days=2, clock=clock)
    u = store.key("alice")
    store.update([(u, "view", "A")])
    clock.now += 1.5 * DAY
    store.update([(u, "cart", "B")])
    clock.now += 1.5 * DAY
    assert store.get(u) == Profile(views=["A"], cart=["B"])
    assert store.sweep() == 0
    store.close()


def test_the_sweep_deletes_every_expired_profile_in_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "SWEEP_BATCH", 3)
    clock = Clock()
    store = ProfileStore(tmp_path, ttl_days=1, clock=clock)
    store.update([(store.key(f"old{i}"), "view", "A") for i in range(10)])
    clock.now += 0.5 * DAY
    store.update([(store.key("recent"), "view", "A")])
    clock.now += 0.6 * DAY
    assert store.count() == 11
    assert store.sweep() == 10
    assert store.count() == 1 and store.get(store.key("recent")) is not None
    assert store.sweep() == 0
    store.close()


def test_beyond_max_profiles_the_least_recently_updated_are_evicted(tmp_path):
    clock = Clock()
    store = ProfileStore(tmp_path, max_profiles=3, clock=clock)
    a, b, c, d, e = (store.key(x) for x in "abcde")
    for user in (a, b, c):
        clock.now += 1
        store.update([(user, "view", "X")])
    clock.now += 1
    store.update([(a, "view", "Y")])  # a is now the most recently updated
    clock.now += 1
    store.update([(d, "view", "X")])
    assert store.count() == 3
    assert store.get(b) is None and all(store.get(x) is not None for x in (a, c, d))
    clock.now += 1
    store.update([(e, "view", "X"), (a, "view", "Z")])  # one batch: c, the oldest, makes room
    assert store.get(c) is None and all(store.get(x) is not None for x in (a, d, e))
    assert store.erase(d) == 1 and store.count() == 2
    store.close()


def test_a_store_made_before_expiry_is_stamped_when_opened_and_keeps_its_records(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "SWEEP_BATCH", 2)  # several migration batches
    ProfileStore(tmp_path).close()  # the salt
    salt = load_salt(tmp_path)
    env = lmdb.open(str(tmp_path / "lmdb"), max_dbs=1, subdir=True)  # the record layout before stamps
    with env.begin(db=env.open_db(b"profiles"), write=True) as txn:
        for i in range(5):
            txn.put(hash_id(salt, f"user{i}").encode(), msgspec.msgpack.encode([[f"i{i}"], [], []]))
    env.close()
    clock = Clock()
    store = ProfileStore(tmp_path, ttl_days=1, clock=clock)
    assert [store.get(store.key(f"user{i}")) for i in range(5)] == [Profile(views=[f"i{i}"]) for i in range(5)]
    clock.now += DAY + 1  # a day after the upgrade
    assert store.get(store.key("user0")) is None and store.sweep() == 5
    store.close()


def test_a_full_store_says_so_before_a_write_and_a_write_that_does_not_fit_keeps_nothing(tmp_path):
    store = ProfileStore(tmp_path / "checked", map_size=1 << 20)
    long_items = [f"item-{j:0100d}" for j in range(MAX_VIEWS)]
    users = 0
    with pytest.raises(StorageFullError):
        for users in range(1000):  # bounded: 1 MiB holds a few hundred such profiles
            store.check_room()
            store.update([(store.key(f"u{users}"), "view", item) for item in long_items])
    assert 50 < users < 1000 and store.count() == users
    store.close()
    # Without the room check, the write that overflows the map raises ours, and keeps nothing of itself.
    store = ProfileStore(tmp_path / "unchecked", map_size=1 << 20, room=0)
    with pytest.raises(StorageFullError) as raised:
        for users in range(1000):
            store.update([(store.key(f"u{users}"), "view", item) for item in long_items])
    assert isinstance(raised.value.__cause__, lmdb.MapFullError)
    assert store.get(store.key(f"u{users}")) is None and store.count() == users
    assert store.get(store.key(f"u{users - 1}")) == Profile(views=long_items)
    store.close()


def test_the_store_is_private_whatever_the_umask(tmp_path):
    old = os.umask(0)
    try:
        ProfileStore(tmp_path / "new").close()
        legacy = tmp_path / "legacy"
        legacy.mkdir()  # an older Skylt: 0777, 0755 and 0644 under this umask
        lmdb.open(str(legacy / "lmdb"), max_dbs=1, subdir=True).close()
        assert stat.S_IMODE((legacy / "lmdb" / "data.mdb").stat().st_mode) == 0o644
        ProfileStore(legacy).close()
    finally:
        os.umask(old)
    for root in (tmp_path / "new", tmp_path / "legacy"):
        for path in (root, root / "lmdb"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
        for path in (root / "salt", root / "lmdb" / "data.mdb", root / "lmdb" / "lock.mdb"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
