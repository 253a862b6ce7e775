// Runs the Skylt web pixel (extensions/skylt-pixel/src/index.js) in node with a stand-in for Shopify's sandbox,
// for tests/shopify_extension/test_pixel.py. The real @shopify/web-pixels-extension package is used: its
// register() hands the pixel to the global `shopify.extend`, which this harness provides.
//
// stdin: {"pixel": optional path, "settings": {...}, "customerPrivacy": {...}, "localStorage": {"skylt": "..."},
//         "steps": [{"event": "product_added_to_cart", "payload": {...}} | {"consent": {...}}]}
// stdout: {"sent": [{"via": "beacon" | "fetch", "url": "...", "body": {...}, "contentType": "...", "key": "...",
//                    "method": "...", "keepalive": bool, "bytes": n, "inFlight": n}], "subscribed": [...]}
// A beacon is recorded (and reported as sent) so that a pixel using one would show it: it cannot carry a header.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const PIXEL = join(dirname(fileURLToPath(import.meta.url)), "..", "extensions", "skylt-pixel", "src", "index.js");
const input = JSON.parse(readFileSync(0, "utf8"));

const sent = [];
const handlers = {};
const privacyHandlers = [];
const api = {
  settings: input.settings,
  init: { context: {}, data: { customer: null, cart: null, shop: {} }, customerPrivacy: input.customerPrivacy },
  analytics: {
    subscribe(name, callback) { (handlers[name] ||= []).push(callback); return () => true; },
  },
  customerPrivacy: {
    subscribe(name, callback) { if (name === "visitorConsentCollected") privacyHandlers.push(callback); },
  },
  browser: {
    localStorage: { getItem: async (k) => (input.localStorage || {})[k] ?? null },
    sendBeacon: async (url, body) => {
      sent.push({ via: "beacon", url, body: JSON.parse(body), contentType: "text/plain" });
      return true;
    },
  },
};
let inFlight = 0; // requests started and not yet answered: what keepalive's 64 KB budget counts
globalThis.fetch = async (url, init) => {
  const headers = init.headers || {};
  sent.push({ via: "fetch", url, body: JSON.parse(init.body), contentType: headers["Content-Type"],
    key: headers["X-Skylt-Key"], method: init.method, keepalive: init.keepalive === true,
    bytes: Buffer.byteLength(init.body), inFlight });
  inFlight += 1;
  await new Promise((answered) => setTimeout(answered, 1));
  inFlight -= 1;
  return { ok: true, status: 200 };
};
let extensions = 0;
globalThis.shopify = {
  extend(point, extend) {
    if (point !== "WebPixel::Render") throw new Error(`unexpected extension point ${point}`);
    extensions += 1;
    extend(api);
  },
};

// "pixel": another file to run instead, e.g. the bundle `shopify app build` wrote.
await import(pathToFileURL(input.pixel || PIXEL).href);
if (extensions !== 1) throw new Error(`the pixel registered ${extensions} times`);
for (const step of input.steps) {
  if (step.consent) for (const h of privacyHandlers) await h({ customerPrivacy: step.consent });
  else for (const h of handlers[step.event] || []) await h(step.payload);
}
process.stdout.write(JSON.stringify({ sent, subscribed: Object.keys(handlers).sort() }));
