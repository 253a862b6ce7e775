// What the checkout, thank-you and order-status blocks do, apart from drawing: ask Skylt for recommendations
// (failing closed to none on any error or after 800 ms), find each product's default variant through the
// Storefront API, add one to the order, and send impressions and clicks. Kept free of Preact and of Shopify's
// globals so that tests/shopify_extension/test_checkout.py runs it in Node against stand-ins.

export const TIMEOUT_MS = 800;

/**
 * @typedef {{id: string, title?: string, image?: string, price?: number}} Item
 * @typedef {{slot: string, items: Item[]}} Slot
 * @typedef {{requestId: string, slots: Slot[]}} Answer
 * @typedef {(url: string, init?: RequestInit) => Promise<Response>} Fetch
 */

/** @type {Answer} */
export const NOTHING = { requestId: "", slots: [] };

/** "gid://shopify/Product/42" or 42 -> "42"; anything else -> null. */
export const numericId = (/** @type {unknown} */ value) => {
  const match = /^(?:gid:\/\/shopify\/\w+\/)?(\d+)$/.exec(String(value ?? ""));
  return match ? match[1] : null;
};

/** The server's address from the block's setting: https only (checkout pages refuse anything else). */
export const apiBase = (/** @type {unknown} */ value) => {
  const text = String(value ?? "").trim().replace(/\/+$/, "");
  return /^https:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(text) ? text : "";
};

/**
 * GET {api}/v1/recommend for a page and the products in the order; NOTHING on any error or after `timeoutMs`.
 * @param {{api: string, page: string, cart: string[], slots: string[], n: number, fetch: Fetch,
 *          timeoutMs?: number}} request
 * @returns {Promise<Answer>}
 */
export async function recommend({ api, page, cart, slots, n, fetch, timeoutMs = TIMEOUT_MS }) {
  if (!api || !slots.length) return NOTHING;
  const query = new URLSearchParams({ page, slots: slots.join(","), n: String(n) });
  const ids = [...new Set(cart.map(numericId).filter((x) => x !== null))].sort();
  if (ids.length) query.set("cart", ids.join(","));
  const abort = new AbortController();
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const late = new Promise((done) => {
    timer = setTimeout(() => { abort.abort(); done(NOTHING); }, timeoutMs);
  });
  const ask = (async () => {
    try {
      const response = await fetch(`${api}/v1/recommend?${query}`, { signal: abort.signal, credentials: "omit" });
      if (!response.ok) return NOTHING;
      return parse(await response.json());
    } catch (error) {
      return NOTHING;
    }
  })();
  try {
    return /** @type {Answer} */ (await Promise.race([ask, late]));
  } finally {
    clearTimeout(timer);
  }
}

/** The answer's usable slots and items (ids as text, no item twice), or NOTHING. */
export function parse(/** @type {any} */ body) {
  if (!body || typeof body !== "object" || !Array.isArray(body.slots)) return NOTHING;
  /** @type {Slot[]} */
  const slots = [];
  for (const s of body.slots) {
    if (!s || typeof s !== "object" || !Array.isArray(s.items)) continue;
    const items = s.items.filter((/** @type {any} */ i) => i && numericId(i.id) !== null).map(
      (/** @type {any} */ i) => ({ id: String(numericId(i.id)), title: typeof i.title === "string" ? i.title : undefined,
        image: typeof i.image === "string" && i.image.startsWith("https://") ? i.image : undefined,
        price: typeof i.price === "number" && Number.isFinite(i.price) ? i.price : undefined }));
    if (items.length) slots.push({ slot: String(s.slot), items });
  }
  return { requestId: String(body.request_id ?? ""), slots };
}

export const VARIANT_QUERY = `query SkyltVariant($id: ID!, $country: CountryCode) @inContext(country: $country) {
  product(id: $id) { variants(first: 1) { nodes { id availableForSale price { amount currencyCode } } } } }`;

/**
 * The product's default (first) variant, in the buyer's country's currency; null when none can be sold.
 * @param {(query: string, options?: {variables?: Record<string, unknown>}) => Promise<{data?: any}>} query
 * @param {string} productId
 * @param {string | undefined} country
 * @returns {Promise<{id: string, amount: number, currency: string} | null>}
 */
export async function defaultVariant(query, productId, country) {
  try {
    const { data } = await query(VARIANT_QUERY, { variables: { id: `gid://shopify/Product/${productId}`,
      country: country || null } });
    const node = data && data.product && data.product.variants && data.product.variants.nodes[0];
    if (!node || !node.availableForSale || typeof node.id !== "string") return null;
    return { id: node.id, amount: Number(node.price && node.price.amount), currency: String(node.price &&
      node.price.currencyCode) };
  } catch (error) {
    return null;
  }
}

/**
 * Add one of a variant to the order; true when checkout applied it.
 * @param {(change: {type: "addCartLine", merchandiseId: string, quantity: number}) => Promise<{type: string}>} apply
 * @param {string} variantId
 */
export async function addToOrder(apply, variantId) {
  if (!/^gid:\/\/shopify\/ProductVariant\/\d+$/.test(variantId)) return false;
  try {
    const result = await apply({ type: "addCartLine", merchandiseId: variantId, quantity: 1 });
    return result.type === "success";
  } catch (error) {
    return false;
  }
}

/**
 * Impressions and clicks to POST {api}/v1/events, the key in a header; only with the buyer's analytics consent.
 * Never throws.
 * @param {{api: string, key: string, allowed: boolean, session: string, fetch: Fetch}} target
 * @param {Array<Record<string, unknown>>} events
 */
export async function send({ api, key, allowed, session, fetch }, events) {
  if (!api || !key || !allowed || !events.length) return false;
  try {
    const response = await fetch(`${api}/v1/events`, { method: "POST", keepalive: true, credentials: "omit",
      headers: { "Content-Type": "application/json", "X-Skylt-Key": key },
      body: JSON.stringify({ events: events.map((e) => ({ ...e, session })) }) });
    return response.ok;
  } catch (error) {
    return false;
  }
}

/** One impression per slot shown (the denominator of click-through in `skylt report`). */
export const impressions = (/** @type {Answer} */ answer, /** @type {string} */ page) =>
  answer.slots.map((s) => ({ type: "impression", request_id: answer.requestId, slot: s.slot, page,
    items: s.items.map((i) => i.id) }));

export const click = (/** @type {string} */ item, /** @type {string} */ requestId, /** @type {string} */ slot) =>
  ({ type: "click", item, request_id: requestId, slot });
