"""The report as rich tables for the terminal."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table

from edge.report.compute import BucketRow, Report
from edge.report.stats import Lift, Mean, Rate, Srm


def pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def rate_text(r: Rate) -> str:
    return f"{pct(r.rate)} [{pct(r.low)}, {pct(r.high)}]" if r.n else "-"


def money(amount: float, currency: str | None) -> str:
    return f"{amount:,.2f} {currency or ''}".rstrip()


def mean_text(m: Mean, currency: str | None) -> str:
    return f"{money(m.mean, currency)} [{m.low:,.2f}, {m.high:,.2f}]" if m.n > 1 else "-"


def lift_text(found: Lift, unit: str = "pp") -> str:
    relative = f" ({found.relative * 100:+.1f} % relative)" if found.relative is not None else ""
    scale = 100 if unit == "pp" else 1
    return (f"{found.diff * scale:+,.2f} {unit} [{found.low * scale:+,.2f}, {found.high * scale:+,.2f}]"
            f"{relative}")


def rpv_text(b: BucketRow) -> str:
    return "; ".join(mean_text(r.per_visitor, r.currency) for r in b.revenue) or "-"


def srm_text(split: Srm | None) -> str:
    if split is None:
        return "split check: no shoppers yet"
    verdict = "BROKEN" if split.broken else "ok"
    return (f"split check: {verdict}, {pct(split.observed_control_share)} of {split.control + split.personalized} "
            f"shoppers in control, {pct(split.expected_control_share)} expected (p = {split.p_value:.3g})")


def render(report: Report) -> Group:
    slots = Table(title="Slots: rates per impression with 95 % Wilson interval", title_justify="left")
    for name in ("page", "slot", "impressions", "clicks", "CTR", "carts", "purchases", "purchase rate", "revenue"):
        slots.add_column(name, justify="left" if name in ("page", "slot") else "right")
    for row in report.slots:
        slots.add_row(row.page, row.slot, str(row.impressions), str(row.clicks), rate_text(row.ctr), str(row.carts),
                      str(row.purchases), rate_text(row.purchase_rate), money(row.revenue, row.currency))
    buckets = Table(title="A/B buckets: rates per shopper (95 % Wilson), revenue per visitor (95 % t)",
                    title_justify="left")
    for name in ("bucket", "shoppers", "impressions", "CTR", "add-to-cart rate", "conversion", "revenue per visitor"):
        buckets.add_column(name, justify="left" if name == "bucket" else "right")
    for b in report.buckets:
        buckets.add_row(b.bucket, str(b.shoppers), str(b.impressions), rate_text(b.ctr), rate_text(b.cart_rate),
                        rate_text(b.purchase_rate), rpv_text(b))
    lifts = Table(title="Lift, personalized minus control (95 % interval; Welch for revenue)", title_justify="left")
    lifts.add_column("metric")
    lifts.add_column("lift", justify="right")
    for metric, found in report.lift.items():
        lifts.add_row(metric.replace("_", " "), lift_text(found))
    for currency, found in report.revenue_lift.items():
        lifts.add_row("revenue per visitor", lift_text(found, currency or "per visitor"))
    if not report.lift:
        lifts.add_row("-", "needs shoppers in both buckets (setting control_share, e.g. 0.1)")
    summary = (f"{report.impressions} impressions, {report.clicks} clicks, {report.events} events, "
               f"{report.orders} orders")
    return Group(summary, slots, buckets, lifts, srm_text(report.srm), *(f"warning: {w}" for w in report.warnings))
