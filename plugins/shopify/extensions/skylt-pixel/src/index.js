// Skylt web pixel: add-to-cart becomes a `cart` event and, with the setting purchases = "pixel", a completed
// checkout one `purchase` event per line (by default the server's orders/create webhook records purchases; both
// would count each order twice). Sent to POST {apiUrl}/v1/events?key={publicKey}. Runs in Shopify's strict
// sandbox (a worker: no DOM).
// Item ids are Shopify's numeric product ids, as the catalog sync and the webhooks store them.
import { register } from "@shopify/web-pixels-extension";

const SESSION_IDLE = 30 * 60e3; // skylt.js starts a new session after 30 minutes without activity

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
  const url = `${api}/v1/events?key=${encodeURIComponent(key)}`;

  // Consent can change while the page is open; every event checks the latest decision.
  let privacy = init.customerPrivacy || {};
  customerPrivacy.subscribe("visitorConsentCollected", (event) => {
    privacy = event.customerPrivacy || {};
  });
  const allowed = () => privacy.analyticsProcessingAllowed === true;

  // The storefront snippet's session when it is still fresh (so cart and purchase join the shopper's views),
  // else Shopify's own client id.
  const session = async (event) => {
    try {
      const stored = JSON.parse((await browser.localStorage.getItem("skylt")) || "{}");
      if (Array.isArray(stored.s) && typeof stored.s[0] == "string" && Date.now() - stored.s[1] < SESSION_IDLE) {
        return stored.s[0];
      }
    } catch (e) { /* unreadable: fall back */ }
    return event.clientId;
  };

  // A beacon survives the navigation that usually follows; its text/plain body needs no CORS preflight.
  const send = async (events) => {
    if (!events.length || !allowed()) return;
    const body = JSON.stringify({ events });
    try {
      if (await browser.sendBeacon(url, body)) return;
    } catch (e) { /* fall through to fetch */ }
    try {
      await fetch(url, { method: "POST", body, keepalive: true, headers: { "Content-Type": "text/plain" } });
    } catch (e) { /* best effort, like every storefront event */ }
  };

  analytics.subscribe("product_added_to_cart", async (event) => {
    if (!allowed()) return;
    const e = cartEvent(event, await session(event));
    if (e) await send([e]);
  });
  if (settings.purchases === "pixel") {
    analytics.subscribe("checkout_completed", async (event) => {
      if (!allowed()) return;
      await send(purchaseEvents(event, await session(event)));
    });
  }
});
