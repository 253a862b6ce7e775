"""The report as rich tables for the terminal."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table

from edge.report.compute import Lift, Rate, Report


def pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def rate_text(r: Rate) -> str:
    return f"{pct(r.rate)} [{pct(r.low)}, {pct(r.high)}]" if r.n else "-"


def lift_text(found: Lift) -> str:
    relative = f" ({found.relative * 100:+.1f} % relative)" if found.relative is not None else ""
    return f"{found.diff * 100:+.2f} pp [{found.low * 100:+.2f}, {found.high * 100:+.2f}]{relative}"


def render(report: Report) -> Group:
    slots = Table(title="Slots: CTR with 95 % Wilson interval", title_justify="left")
    for name in ("page", "slot", "impressions", "CTR", "clicked", "attributed carts", "attributed purchases"):
        slots.add_column(name, justify="left" if name in ("page", "slot") else "right")
    for row in report.slots:
        slots.add_row(row.page, row.slot, str(row.impressions), rate_text(row.ctr), str(row.ctr.hits),
                      str(row.carts), str(row.purchases))
    buckets = Table(title="A/B buckets: rates per shopper with 95 % Wilson interval", title_justify="left")
    for name in ("bucket", "shoppers", "impressions", "CTR", "add-to-cart rate", "purchase rate"):
        buckets.add_column(name, justify="left" if name == "bucket" else "right")
    for b in report.buckets:
        buckets.add_row(b.bucket, str(b.shoppers), str(b.impressions), rate_text(b.ctr), rate_text(b.cart_rate),
                        rate_text(b.purchase_rate))
    lifts = Table(title="Lift, personalized minus control (95 % interval, normal approximation)",
                  title_justify="left")
    lifts.add_column("metric")
    lifts.add_column("lift", justify="right")
    for metric, found in report.lift.items():
        lifts.add_row(metric.replace("_", " "), lift_text(found))
    if not report.lift:
        lifts.add_row("-", "needs shoppers in both buckets (setting control_share, e.g. 0.1)")
    summary = f"{report.impressions} impressions, {report.clicks} clicks, {report.events} events"
    return Group(summary, slots, buckets, lifts)
