// Runs the checkout blocks' logic (extensions/skylt-checkout/src/logic.js) against stand-ins for fetch, the
// Storefront API and applyCartLinesChange, for tests/shopify_extension/test_checkout.py.
// stdout: one JSON object: {"<case>": <what happened>, ...}.
import { addToOrder, click, defaultVariant, impressions, NOTHING, recommend, send } from
  "../extensions/skylt-checkout/src/logic.js";

const API = "https://reco.shop.example";
const answer = { request_id: "r-1", page: "checkout", slots: [{ slot: "bought_together", items: [
  { id: "7002", title: "Hat", price: 10, image: "https://cdn.example/hat.jpg" },
  { id: "gid://shopify/Product/7003", title: "Scarf", image: "javascript:alert(1)" }, { id: "no-number" }] }] };
const json = (body, status = 200) => new Response(JSON.stringify(body), { status,
  headers: { "Content-Type": "application/json" } });
const out = {};

// The request, and its answer made safe.
const seen = [];
out.request = await recommend({ api: API, page: "checkout", cart: ["gid://shopify/Product/7001", "7004", "7001"],
  slots: ["bought_together"], n: 3, fetch: async (url, init) => { seen.push({ url, credentials: init.credentials });
    return json(answer); } });
out.requested = seen;

// Fail closed: an error status, a body that is no answer, a network error, and a server that never answers.
const failing = { error: async () => json({ detail: "x" }, 503), garbage: async () => new Response("<html>"),
  thrown: async () => { throw new TypeError("Failed to fetch"); } };
for (const [name, fetch] of Object.entries(failing)) {
  out[name] = await recommend({ api: API, page: "checkout", cart: [], slots: ["addons"], n: 3, fetch });
}
let aborted = false;
const started = performance.now();
out.hanging = await recommend({ api: API, page: "checkout", cart: [], slots: ["addons"], n: 3,
  fetch: (url, init) => new Promise(() => { init.signal.addEventListener("abort", () => { aborted = true; }); }) });
out.hangingMs = performance.now() - started;
out.hangingAborted = aborted;
out.noApi = await recommend({ api: "", page: "checkout", cart: [], slots: ["addons"], n: 3,
  fetch: () => { throw new Error("must not be called"); } });
out.nothing = NOTHING;

// The default variant, asked in the buyer's country.
const queries = [];
const storefront = (node) => async (query, options) => { queries.push(options.variables);
  return { data: { product: { variants: { nodes: node ? [node] : [] } } } }; };
out.variant = await defaultVariant(storefront({ id: "gid://shopify/ProductVariant/41", availableForSale: true,
  price: { amount: "12.50", currencyCode: "EUR" } }), "7002", "DE");
out.soldOut = await defaultVariant(storefront({ id: "gid://shopify/ProductVariant/42", availableForSale: false,
  price: { amount: "1.0", currencyCode: "EUR" } }), "7003", "DE");
out.noVariant = await defaultVariant(storefront(null), "7004", undefined);
out.queryFails = await defaultVariant(async () => { throw new Error("no api access"); }, "7005", "SE");
out.queries = queries;

// Add to order.
const changes = [];
out.added = await addToOrder(async (change) => { changes.push(change); return { type: "success" }; },
  "gid://shopify/ProductVariant/41");
out.refused = await addToOrder(async () => ({ type: "error", message: "Out of stock" }),
  "gid://shopify/ProductVariant/41");
out.throws = await addToOrder(async () => { throw new Error("not allowed"); }, "gid://shopify/ProductVariant/41");
out.badVariant = await addToOrder(async (change) => { changes.push(change); return { type: "success" }; },
  "gid://shopify/Product/1");
out.changes = changes;

// Impressions and clicks: only with consent, the key in a header, never in the address.
const posts = [];
const post = async (url, init) => { posts.push({ url, headers: init.headers, body: JSON.parse(init.body),
  keepalive: init.keepalive }); return new Response("{}"); };
const events = [...impressions(out.request, "checkout"), click("7002", out.request.requestId, "bought_together")];
out.withoutConsent = await send({ api: API, key: "pk-checkout-0001", allowed: false, session: "co-1", fetch: post },
  events);
out.withConsent = await send({ api: API, key: "pk-checkout-0001", allowed: true, session: "co-1", fetch: post },
  events);
out.posts = posts;

process.stdout.write(JSON.stringify(out));
