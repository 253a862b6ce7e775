// Runs the Skylt web pixel (extensions/skylt-pixel/src/index.js) in node with a stand-in for Shopify's sandbox,
// for tests/shopify_extension/test_pixel.py. The real @shopify/web-pixels-extension package is used: its
// register() hands the pixel to the global `shopify.extend`, which this harness provides.
//
// stdin: {"pixel": optional path, "settings": {...}, "customerPrivacy": {...}, "localStorage": {"skylt": "..."},
//         "beacon": true, "steps": [{"event": "product_added_to_cart", "payload": {...}} | {"consent": {...}}]}
// stdout: {"sent": [{"via": "beacon" | "fetch", "url": "...", "body": {...}, "contentType": "..."}],
//          "subscribed": [event names]}
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
      if (!input.beacon) return false;
      sent.push({ via: "beacon", url, body: JSON.parse(body), contentType: "text/plain" });
      return true;
    },
  },
};
globalThis.fetch = async (url, init) => {
  sent.push({ via: "fetch", url, body: JSON.parse(init.body), contentType: init.headers["Content-Type"] });
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
