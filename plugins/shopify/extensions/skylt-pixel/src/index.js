// Skylt web pixel: add-to-cart becomes a `cart` event and, with the setting purchases = "pixel", a completed
// checkout one `purchase` event per line (by default the server's orders/create webhook records purchases; both
// would count each order twice). Sent to POST {apiUrl}/v1/events by a keepalive fetch with the public key in the
// X-Skylt-Key header, never in the URL. Runs in Shopify's strict sandbox (a worker: no DOM) whose origin is opaque:
// the server's cors_origins must list "null" (README.md).
// Item ids are Shopify's numeric product ids, as the catalog sync and the webhooks store them.
import { register } from "@shopify/web-pixels-extension";

const SESSION_IDLE = 30 * 60e3; // skylt.js starts a new session after 30 minutes without activity
const MAX_BODY = 16384; // bytes of events per request

/** "gid://shopify/Product/42" or 42 -> "42"; anything else -> null. */
const numericId = (value) => {
  const match = /(\d+)$/.exec(String(value ?? ""));
  return match ? match[1] : null;
};

const amount = (money) => (money && Number.isFinite(+money.amount) && +money.amount >= 0 ? +money.amount : undefined);
const round = (x) => (x === undefined ? undefined : Math.round(x * 100) / 100);

/** The event for a product_added_to_cart payload, or null when it names no product. */
const cartEvent = (event, session) => {
  const line = event.data && event.data.cartLine;
  const item = line && line.merchandise && numericId(line.merchandise.product && line.merchandise.product.id);
  if (!item) return null;
  return { type: "cart", item, session, ts: event.timestamp, quantity: line.quantity,
    price: round(amount(line.merchandise.price)) };
};

/** One purchase event per line of a checkout_completed payload (lines without a product are left out). */
const purchaseEvents = (event, session) => {
  const checkout = event.data && event.data.checkout;
  if (!checkout) return [];
  const order = numericId(checkout.order && checkout.order.id) || checkout.token;
  if (!order) return [];
  const out = [];
  for (const line of checkout.lineItems || []) {
    const variant = line && line.variant;
    const item = variant && numericId(variant.product && variant.product.id);
    if (!item) continue;
    const paid = amount(line.finalLinePrice);
    const price = paid !== undefined && line.quantity > 0 ? paid / line.quantity : amount(variant.price);
    out.push({ type: "purchase", item, order: String(order), session, ts: event.timestamp,
      quantity: line.quantity, price: round(price) });
  }
  return out;
};

register(({ analytics, browser, init, settings, customerPrivacy }) => {
  const api = String(settings.apiUrl || "").trim().replace(/\/+$/, "");
  const key = String(settings.publicKey || "").trim();
  if (!api || !key) return;
  const url = `${api}/v1/events`;

  // Consent can change while the page is open; every event checks the latest decision.
  let privacy = init.customerPrivacy || {};
  customerPrivacy.subscribe("visitorConsentCollected", (event) => {
    privacy = event.customerPrivacy || {};
  });
  const allowed = () => privacy.analyticsProcessingAllowed === true;

  // The storefront snippet's session when it is still fresh (so cart and purchase join the shopper's views),
  // else Shopify's own client id.
  // Also the slot each item was clicked in (the snippet's [[id, ms, request_id, slot]]), so cart and checkout
  // events carry the touch as the snippet's own do.
  const stored = async () => {
    try { return JSON.parse((await browser.localStorage.getItem("skylt")) || "{}") || {}; }
    catch (e) { return {}; }
  };
  const session = (s, event) => (Array.isArray(s.s) && typeof s.s[0] == "string" && Date.now() - s.s[1] < SESSION_IDLE
    ? s.s[0] : event.clientId);
  const touched = (s, events) => {
    const touches = Array.isArray(s.a) ? s.a : [];
    for (const e of events) {
      const hit = touches.find((t) => Array.isArray(t) && t.length >= 4 && String(t[0]) === e.item);
      if (hit) Object.assign(e, { request_id: String(hit[2]), slot: String(hit[3]) });
    }
    return events;
  };

  // keepalive: the request outlives the navigation that usually follows an add to cart or a checkout.
  const post = async (events) => {
    try {
      await fetch(url, { method: "POST", keepalive: true, body: JSON.stringify({ events }),
        headers: { "Content-Type": "application/json", "X-Skylt-Key": key } });
    } catch (e) { /* best effort, like every storefront event */ }
  };
  // One body at a time, so what is in flight stays within keepalive's 64 KB however large the order.
  const send = async (events) => {
    if (!events.length || !allowed()) return;
    let batch = [];
    let bytes = 0;
    for (const e of events) {
      const n = new TextEncoder().encode(JSON.stringify(e)).length + 1;
      if (batch.length && bytes + n > MAX_BODY) { await post(batch); batch = []; bytes = 0; }
      batch.push(e);
      bytes += n;
    }
    await post(batch);
  };

  analytics.subscribe("product_added_to_cart", async (event) => {
    if (!allowed()) return;
    const s = await stored();
    const e = cartEvent(event, session(s, event));
    if (e) await send(touched(s, [e]));
  });
  if (settings.purchases === "pixel") {
    analytics.subscribe("checkout_completed", async (event) => {
      if (!allowed()) return;
      const s = await stored();
      await send(touched(s, purchaseEvents(event, session(s, event))));
    });
  }
});
