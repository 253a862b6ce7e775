"""The report as one server-rendered HTML page with inline SVG bar charts (no script at all)."""

from __future__ import annotations

from html import escape

from edge.report.compute import Report
from edge.report.render import lift_text, money, pct, rate_text, rpv_text, srm_text
from edge.report.stats import Rate

_STYLE = """body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#222;max-width:72rem}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse}
td,th{padding:.2rem .6rem;white-space:nowrap;border-bottom:1px solid #ddd;text-align:right}
td:first-child,th:first-child{text-align:left}
.stats{display:flex;gap:2rem}.stats div{font-size:1.3rem}.stats small{display:block;font-size:.8rem;color:#666}
svg text{font:12px system-ui,sans-serif}.warn{color:#a00;font-weight:600}"""
_BAR_H, _GAP, _LABEL_W, _PLOT_W = 18, 8, 220, 420
COLOURS = {"personalized": "#2f6fde", "control": "#9aa3ad"}


def bar_chart(title: str, rows: list[tuple[str, Rate, str]]) -> str:
    """Horizontal bars of rates with their 95 % interval as a whisker; scaled to the largest upper bound."""
    if not rows:
        return f"<p>{escape(title)}: no data yet.</p>"
    top = max(r.high for _, r, _ in rows if r.n) if any(r.n for _, r, _ in rows) else 1.0
    top = top or 1.0
    height = len(rows) * (_BAR_H + _GAP) + _GAP
    width = _LABEL_W + _PLOT_W + 150
    parts = [f'<svg role="img" aria-label="{escape(title)}" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for i, (label, r, colour) in enumerate(rows):
        y = _GAP + i * (_BAR_H + _GAP)
        mid = y + _BAR_H / 2
        parts.append(f'<text x="{_LABEL_W - 6}" y="{mid + 4:.1f}" text-anchor="end">{escape(label)}</text>')
        if r.n:
            w, lo, hi = (_PLOT_W * v / top for v in (r.rate, r.low, r.high))
            parts.append(f'<rect x="{_LABEL_W}" y="{y}" width="{w:.1f}" height="{_BAR_H}" fill="{colour}">'
                         f'<title>{escape(label)}: {escape(rate_text(r))}, {r.hits} of {r.n}</title></rect>')
            parts.append(f'<line x1="{_LABEL_W + lo:.1f}" x2="{_LABEL_W + hi:.1f}" y1="{mid}" y2="{mid}" '
                         f'stroke="#111" stroke-width="1.5"/>')
        parts.append(f'<text x="{_LABEL_W + _PLOT_W + 8}" y="{mid + 4:.1f}">'
                     f'{escape(pct(r.rate) if r.n else "-")} (n={r.n})</text>')
    parts.append("</svg>")
    return "".join(parts)


def daily_chart(report: Report) -> str:
    """Impressions and bought lines per UTC day as two rows of columns."""
    days = report.daily[-60:]
    if not days:
        return "<p>Daily series: no data yet.</p>"
    width, col, height = 760, max(4, 720 // max(1, len(days))), 70
    parts = [f'<svg role="img" aria-label="Per day" width="{width}" height="{2 * height + 40}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>Impressions and purchases per day</title>']
    for row, (label, values, colour) in enumerate((
            ("impressions", [d.impressions for d in days], "#2f6fde"),
            ("purchases", [d.purchases for d in days], "#2e9e5b"))):
        top = max(values) or 1
        base = (row + 1) * (height + 20)
        parts.append(f'<text x="0" y="{base - height - 4}">{label} per day (max {top})</text>')
        for i, (d, v) in enumerate(zip(days, values, strict=True)):
            h = height * v / top
            parts.append(f'<rect x="{i * col}" y="{base - h:.1f}" width="{col - 1}" height="{h:.1f}" '
                         f'fill="{colour}"><title>{escape(d.day)}: {v} {label}</title></rect>')
    parts.append("</svg>")
    return "".join(parts)


def page(report: Report, stats: dict[str, str], since: str) -> str:
    cards = "".join(f"<div>{escape(v)}<small>{escape(k)}</small></div>" for k, v in stats.items())
    # One bar per page and slot (rows of one slot in several currencies share the CTR).
    slot_rows = list({(s.page, s.slot): (f"{s.page} / {s.slot}", s.ctr, "#2f6fde") for s in report.slots}.values())
    bucket_rows = [(f"{b.bucket}: {label}", getattr(b, metric), COLOURS.get(b.bucket, "#2f6fde"))
                   for metric, label in (("ctr", "CTR"), ("cart_rate", "add to cart"),
                                         ("purchase_rate", "purchase"))
                   for b in report.buckets]
    table = "".join(
        f"<tr><td>{escape(s.page)}</td><td>{escape(s.slot)}</td><td>{s.impressions}</td><td>{s.clicks}</td>"
        f"<td>{escape(rate_text(s.ctr))}</td><td>{s.carts}</td><td>{s.purchases}</td>"
        f"<td>{escape(rate_text(s.purchase_rate))}</td><td>{escape(money(s.revenue, s.currency))}</td></tr>"
        for s in report.slots)
    buckets = "".join(
        f"<tr><td>{escape(b.bucket)}</td><td>{b.shoppers}</td><td>{b.impressions}</td>"
        f"<td>{escape(rate_text(b.ctr))}</td><td>{escape(rate_text(b.cart_rate))}</td>"
        f"<td>{escape(rate_text(b.purchase_rate))}</td><td>{escape(rpv_text(b))}</td></tr>" for b in report.buckets)
    lifts = "".join(f"<tr><td>{escape(m.replace('_', ' '))}</td><td>{escape(lift_text(f))}</td></tr>"
                    for m, f in report.lift.items())
    lifts += "".join(f"<tr><td>revenue per visitor</td><td>{escape(lift_text(f, c or 'per visitor'))}</td></tr>"
                     for c, f in report.revenue_lift.items())
    lifts = lifts or \
        '<tr><td colspan="2">The lift needs shoppers in both buckets (setting control_share, e.g. 0.1).</td></tr>'
    warnings = "".join(f'<p class="warn">Warning: {escape(w)}</p>' for w in report.warnings)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Skylt dashboard</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>{_STYLE}</style></head>
<body><h1>Skylt dashboard</h1>
<section class="stats">{cards}</section>
<h2>Since {escape(since)}: {report.impressions} impressions, {report.clicks} clicks, {report.events} events,
{report.orders} orders</h2>
{warnings}
<h2>CTR per page and slot (95 % Wilson interval)</h2>
{bar_chart("CTR per page and slot", slot_rows)}
<table><tr><th>page</th><th>slot</th><th>impressions</th><th>clicks</th><th>CTR</th><th>carts</th>
<th>purchases</th><th>purchase rate</th><th>attributed revenue</th></tr>{table}</table>
<h2>Per day</h2>
{daily_chart(report)}
<h2>A/B buckets: rates per shopper (95 % Wilson interval)</h2>
{bar_chart("Rates per bucket", bucket_rows)}
<table><tr><th>bucket</th><th>shoppers</th><th>impressions</th><th>CTR</th><th>add to cart</th><th>conversion</th>
<th>revenue per visitor (95 % t)</th></tr>
{buckets}</table>
<p>{escape(srm_text(report.srm))}</p>
<h2>Lift, personalized minus control</h2>
<table><tr><th>metric</th><th>lift (95 % interval)</th></tr>{lifts}</table>
</body></html>
"""
