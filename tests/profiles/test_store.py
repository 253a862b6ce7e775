"""The profile store: bounded records, cart semantics, hashed keys, a salt made once with 0600."""

import stat

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
