"""Which triggers are due, from a customer's trigger times and profile; quiet hours in the shop's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from edge.config import Settings
from edge.errors import SkyltError
from edge.notify.state import Customer
from edge.notify.triggers import HOUR, QuietHours, due_triggers
from edge.profiles.store import Profile

NOW = 1_800_000_000.0
SETTINGS = Settings.load()


def kinds(c: Customer, p: Profile | None, now: float = NOW, **overrides: object) -> list[str]:
    settings = Settings.load(**overrides) if overrides else SETTINGS
    return [t.kind for t in due_triggers(c, p, now, settings)]


def customer(**times: object) -> Customer:
    return Customer(user="u", sealed=b"", since=0.0, **times)  # type: ignore[arg-type]


def test_a_cart_is_due_after_its_hours_until_it_expires_and_not_once_bought():
    p = Profile(views=["a"], cart=["b"])
    assert kinds(customer(cart_at=NOW - 23 * HOUR), p) == []
    assert kinds(customer(cart_at=NOW - 25 * HOUR), p) == ["cart"]
    assert kinds(customer(cart_at=NOW - 25 * HOUR), p, notify_cart_hours=26) == []
    assert kinds(customer(cart_at=NOW - (24 + 73) * HOUR), p) == []  # past notify_expire_hours
    assert kinds(customer(cart_at=NOW - 25 * HOUR, order_at=NOW - 24 * HOUR), p) == []
    assert kinds(customer(cart_at=NOW - 25 * HOUR), Profile(views=["a"])) == []  # emptied since
    assert kinds(customer(cart_at=NOW - 25 * HOUR), None) == []  # profile expired


def test_views_are_due_without_a_cart_since_and_give_way_to_a_cart_message():
    p = Profile(views=["a", "b"])
    assert kinds(customer(view_at=NOW - 25 * HOUR), p) == ["viewed"]
    assert kinds(customer(view_at=NOW - 25 * HOUR, cart_at=NOW - 23 * HOUR), Profile(views=["a"], cart=["b"])) == []
    both = customer(cart_at=NOW - 26 * HOUR, view_at=NOW - 25 * HOUR)
    assert kinds(both, Profile(views=["a"], cart=["b"])) == ["cart"]


def test_an_order_is_due_after_its_days_with_its_lines():
    c = customer(order_at=NOW - 7.1 * 24 * HOUR, order_id="o", order_items=["x", "y"])
    [t] = due_triggers(c, None, NOW, SETTINGS)
    assert (t.kind, t.context) == ("order", ["x", "y"])
    assert t.key == f"u:order:{int(c.order_at * 1000)}"  # type: ignore[operator]
    assert kinds(customer(order_at=NOW - 6 * 24 * HOUR, order_id="o", order_items=["x"]), None) == []


def test_quiet_hours_across_midnight_in_the_shops_time_zone():
    zone = ZoneInfo("Europe/Stockholm")
    quiet = QuietHours.of(Settings.load(notify_quiet_hours="21:00-08:00", notify_timezone="Europe/Stockholm"))
    at = lambda h, m=0: datetime(2026, 12, 7, h, m, tzinfo=zone).timestamp()  # noqa: E731
    assert quiet.quiet(at(21)) and quiet.quiet(at(23, 59)) and quiet.quiet(at(3)) and quiet.quiet(at(7, 59))
    assert not quiet.quiet(at(8)) and not quiet.quiet(at(12)) and not quiet.quiet(at(20, 59))
    day = QuietHours.of(Settings.load(notify_quiet_hours="12:00-13:00"))
    assert not QuietHours.of(SETTINGS).quiet(at(3))
    assert day.quiet(datetime(2026, 12, 7, 12, 30, tzinfo=ZoneInfo("UTC")).timestamp())


@pytest.mark.parametrize("bad", [{"notify_quiet_hours": "9-17"}, {"notify_quiet_hours": "25:00-08:00"},
                                 {"notify_timezone": "Mars/Olympus"}])
def test_a_bad_quiet_hours_setting_stops_the_run(bad: dict[str, str]):
    with pytest.raises(SkyltError):
        QuietHours.of(Settings.load(**bad))


@pytest.mark.parametrize("bad", [{"notify_items": "0"}, {"notify_items": "51"}, {"notify_cap": "-1"},
                                 {"notify_cart_hours": "-2"}])
def test_settings_out_of_range_stop_the_run(bad: dict[str, str]):
    from edge.notify.cli import check

    with pytest.raises(SkyltError):
        check(Settings.load(secret_key="x" * 32, **bad))
