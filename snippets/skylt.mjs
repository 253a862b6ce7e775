/*! Skylt for frameworks | Apache-2.0 | docs/snippet.md */
// recommend(context) -> Promise<response>. Rejects on network error, non-2xx, bad JSON or timeout, so the caller
// decides what a failure looks like. When skylt.js is on the page too, its stored history and cart fill in
// whatever the context leaves out. query() follows the same rules as skylt.js (a test compares them), so both
// send identical, cacheable URLs. A `user` goes only with its `userToken` (in the X-Skylt-User-Token header) and,
// when skylt.js is on the page, only while the shopper's consent is given; otherwise the request is anonymous.

const FIELDS = ["page", "item", "cart", "history", "purchased", "user", "session", "region", "segment", "slots", "n",
  "price_min", "price_max", "category", "exclude", "free_shipping_gap", "control"];

/** The query string of GET /v1/recommend: fields in a fixed order, the cart sorted. Same rules as skylt.js. */
export function query(context) {
  const q = new URLSearchParams();
  for (const f of FIELDS) {
    let v = context[f];
    if (Array.isArray(v)) v = (f === "cart" ? v.slice().sort() : v).filter((x) => x !== "" && x != null).join(",");
    if (v !== undefined && v !== null && v !== "") q.append(f, String(v));
  }
  return q.toString();
}

/**
 * Recommendations for one page view.
 * context: the API fields (page, item, cart, history, slots, n, user, ...) plus optional `api` (base URL),
 * `userToken` (the signed token for `user`), `timeout` (ms, default 800) and `signal` (an AbortSignal).
 * `api`, `timeout`, `user` and `userToken` default to window.SkyltConfig.
 */
export async function recommend(context = {}) {
  const g = typeof window == "undefined" ? {} : window;
  const conf = g.SkyltConfig || {};
  const { api = conf.api, timeout = conf.timeout || 800, signal, user = conf.user, userToken = conf.userToken,
    ...fields } = context;
  if (!api) throw new Error("Skylt: no API base URL (context.api or SkyltConfig.api)");
  const skylt = g.Skylt;
  if (skylt) {
    if (fields.history === undefined) fields.history = skylt.history();
    if (fields.cart === undefined) fields.cart = skylt.cart.items();
  }
  const headers = {};
  if (user && userToken && (!skylt || (skylt.consented && skylt.consented()))) {
    fields.user = String(user);
    headers["X-Skylt-User-Token"] = String(userToken);
  }
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), timeout);
  if (signal?.aborted) ctrl.abort();
  signal?.addEventListener("abort", () => ctrl.abort(), { once: true });
  try {
    const url = String(api).replace(/\/+$/, "") + "/v1/recommend?" + query(fields);
    const response = await fetch(url, { signal: ctrl.signal, credentials: "omit", headers });
    if (!response.ok) throw new Error(`Skylt: HTTP ${response.status}`);
    const data = await response.json();
    if (!data || !Array.isArray(data.slots)) throw new Error("Skylt: unexpected response");
    return data;
  } finally {
    clearTimeout(timer);
  }
}
