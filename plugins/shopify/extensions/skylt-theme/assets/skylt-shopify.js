// Skylt on Shopify: applies the shopper's privacy decision to window.SkyltConfig and hands skylt.js what the app
// embed knows about the page (window.SkyltShopify). Deferred, placed before skylt.js: a decision Shopify's
// customer privacy API already knows is in the configuration before the first recommendation request.
(() => {
  "use strict";
  const page = window.SkyltShopify;
  const conf = window.SkyltConfig;
  if (!page || !conf || page.consent === "editor") return; // the theme editor: consent stays false
  // skylt.js runs after this script and before DOMContentLoaded.
  const loaded = new Promise((done) => {
    if (window.Skylt) done();
    else document.addEventListener("DOMContentLoaded", done, { once: true });
  });
  let started = false;
  // The session and the last clicked slot items go into cart attributes, which Shopify copies onto the order
  // (note_attributes of orders/create), so the server's order is attributed to the slot; only with consent, and
  // withdrawn consent empties them. Written only when they change, in a body that carries only `attributes`
  // (the cart drawer's refresh ignores such requests). The leading underscore hides them at checkout.
  const WRITTEN = "skylt:attributes";
  const attribute = (allowed) => {
    let value = { _skylt_session: "", _skylt_touches: "" };
    try {
      const s = allowed && JSON.parse(localStorage.getItem("skylt") || "{}");
      if (s && Array.isArray(s.s)) value._skylt_session = String(s.s[0]);
      const a = s && Array.isArray(s.a) ? s.a.filter((e) => Array.isArray(e) && e.length >= 4) : [];
      if (a.length) value._skylt_touches = JSON.stringify(a.slice(-20).map((e) => [e[0], e[2], e[3]].map(String)));
      const text = JSON.stringify(value);
      if ((localStorage.getItem(WRITTEN) || JSON.stringify({ _skylt_session: "", _skylt_touches: "" })) === text)
        return;
      fetch(((window.Shopify && Shopify.routes && Shopify.routes.root) || "/") + "cart/update.js", {
        method: "POST", credentials: "same-origin", body: JSON.stringify({ attributes: value }),
        headers: { "Content-Type": "application/json", Accept: "application/json" },
      }).then((r) => { if (r.ok) localStorage.setItem(WRITTEN, text); }).catch(() => {});
    } catch (e) { /* storage blocked: no attribution, nothing else changes */ }
  };
  const decide = (allowed) => {
    if (page.consent !== "none") conf.consent = allowed;
    // The customer id goes out only with the shopper's consent, while logged in, and with the token the embed
    // signed for it (skylt.js sends neither without the other).
    const known = allowed && page.customer && page.userToken;
    conf.user = known ? String(page.customer) : undefined;
    conf.userToken = known ? String(page.userToken) : undefined;
    loaded.then(() => {
      const S = window.Skylt;
      if (!S) return;
      if (page.consent !== "none") S.consent(allowed); // remembers it, or deletes what was stored
      attribute(allowed);
      if (started) return;
      started = true;
      // The shop's cart is the truth (no events: the web pixel reports adds).
      S.cart.set((page.cart || []).map(String));
      if (page.product) S.view(page.product); // without consent: kept in memory for this page only
    });
  };
  if (page.consent === "none") return decide(true);
  const privacy = () => window.Shopify && window.Shopify.customerPrivacy;
  const fromShopify = () => {
    const api = privacy();
    decide(!!(api && api.analyticsProcessingAllowed()));
  };
  // A decision made on this page (the banner) arrives as an event.
  document.addEventListener("visitorConsentCollected", (e) => {
    if (privacy()) fromShopify();
    else decide(!!(e.detail && e.detail.analyticsAllowed));
  });
  if (privacy()) fromShopify();
  else if (window.Shopify && window.Shopify.loadFeatures) {
    window.Shopify.loadFeatures([{ name: "consent-tracking-api", version: "0.1" }], (error) => {
      if (error) decide(false);
      else fromShopify();
    });
  } else decide(false); // no privacy API on this page: no consent
})();

// The cart drawer, and the shopper's market: a cart row placed in the theme's drawer (setting cart_drawer) and
// refreshed whenever the cart changes; prices in the market's currency and links under its path.
(() => {
  "use strict";
  const page = window.SkyltShopify;
  if (!page) return;
  const shopify = () => window.Shopify || {};
  // Shopify.routes.root: "/" or a market and language path such as "/en-eu/".
  const root = () => {
    const r = shopify().routes && shopify().routes.root;
    return typeof r === "string" && r.startsWith("/") && !r.startsWith("//") ? r.replace(/\/?$/, "/") : "/";
  };

  // Every answer is adjusted before skylt.js renders it (skylt:data is dispatched, synchronously, first):
  // prices in the shop's currency are converted with the active market's rate, and product links (absolute
  // myshopify or primary-domain addresses) go through Shopify.routes.root with the product's handle.
  const PRODUCT_PATH = /^(?:\/[a-z]{2,3}(?:-[a-z0-9]{2,4})?)?\/products\/([^/?#]+)/i;
  document.addEventListener("skylt:data", (e) => {
    const active = shopify().currency || {};
    const rate = +active.rate;
    const shopCurrency = (window.SkyltConfig || {}).currency;
    const convert = !!active.active && !!shopCurrency && active.active !== shopCurrency && rate > 0 && isFinite(rate);
    for (const s of (e.detail && Array.isArray(e.detail.slots) && e.detail.slots) || []) {
      for (const it of (s && Array.isArray(s.items) && s.items) || []) {
        if (!it || typeof it !== "object") continue;
        if (convert && typeof it.price === "number" && (!it.currency || it.currency === shopCurrency)) {
          it.price = Math.round(it.price * rate * 100) / 100;
          it.currency = active.active;
        }
        let path = null;
        try { path = typeof it.url === "string" && PRODUCT_PATH.exec(new URL(it.url, location.href).pathname); }
        catch (err) { path = null; }
        if (path) it.url = location.origin + root() + "products/" + path[1];
      }
    }
  });

  // The drawer's row, placed again whenever the theme re-renders the drawer (most do on every cart change).
  const mount = () => {
    if (!page.drawer || !page.drawerSlot || page.drawerSlot === "off") return;
    if (document.querySelector("skylt-slot[data-skylt-drawer]")) return;
    let at = null;
    try { at = document.querySelector(page.drawer); } catch (err) { return; } // a bad selector: no row
    if (!at) return;
    const slot = document.createElement("skylt-slot");
    slot.className = "skylt-block skylt-layout-carousel skylt-drawer";
    for (const [k, v] of [["page", "cart"], ["slot", page.drawerSlot], ["n", "4"], ["heading", page.drawerHeading]]) {
      if (v) slot.setAttribute(k, String(v));
    }
    slot.dataset.skyltDrawer = "";
    at.before(slot);
  };
  const start = () => {
    mount();
    new MutationObserver(mount).observe(document.body, { childList: true, subtree: true });
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start, { once: true });
  else start();

  // A cart change: the shop's cart (/cart.js) becomes skylt.js's, and every cart row asks again. Changes that
  // arrive while one refresh runs are folded into one more.
  const fetchFirst = window.fetch;
  let running = false;
  let again = false;
  const refresh = async () => {
    if (running) { again = true; return; }
    running = true;
    try {
      do {
        again = false;
        const r = await fetchFirst.call(window, root() + "cart.js", { credentials: "same-origin",
          headers: { Accept: "application/json" } });
        const cart = r.ok ? await r.json() : null;
        if (window.Skylt && cart && Array.isArray(cart.items)) {
          window.Skylt.cart.set([...new Set(cart.items.map((i) => String(i && i.product_id)))]);
        }
        mount();
        for (const s of document.querySelectorAll('skylt-slot[page="cart"]')) if (s.refresh) s.refresh();
      } while (again);
    } catch (err) { /* the rows keep what they show */ }
    running = false;
  };
  const changed = (source) => {
    document.dispatchEvent(new CustomEvent("skylt:cartchange", { detail: { source } }));
    refresh();
  };
  // Themes that announce cart changes with a DOM event.
  for (const name of ["cart:updated", "cart:update", "cart:change", "cart:refresh", "ajaxProduct:added"]) {
    document.addEventListener(name, () => changed(name));
  }

  // The Ajax Cart API's writes (with or without .js, under any market path). Writes to /cart/update.js that only
  // carry `attributes` are Skylt's own (the session and touches it keeps on the cart) and change no line: ignored.
  const WRITE = /\/cart\/(add|change|update|clear)(?:\.js)?$/;
  const onlyAttributes = (body) => {
    let keys = [];
    if (typeof body === "string") {
      try {
        const o = JSON.parse(body);
        keys = o && typeof o === "object" && !Array.isArray(o) ? Object.keys(o) : [];
      } catch (err) { keys = [...new URLSearchParams(body).keys()]; }
    } else if (body instanceof URLSearchParams || body instanceof FormData) keys = [...body.keys()];
    return keys.length > 0 && keys.every((k) => k === "attributes" || k.startsWith("attributes["));
  };
  // "write", "maybe" (an update whose body cannot be read yet) or null.
  const cartWrite = (url, method, body) => {
    let path = "";
    try { path = new URL(url, location.href).pathname; } catch (err) { return null; }
    const m = WRITE.exec(path);
    if (!m || String(method || "GET").toUpperCase() !== "POST") return null;
    if (m[1] !== "update") return "write";
    if (body === undefined) return "maybe";
    return onlyAttributes(body) ? null : "write";
  };
  window.fetch = function (input, init) {
    let kind = null;
    let copy = null;
    try {
      const req = input instanceof Request ? input : null;
      kind = cartWrite(req ? req.url : String(input), (init && init.method) || (req && req.method),
        init && init.body !== undefined ? init.body : undefined);
      if (kind === "maybe" && req) copy = req.clone();
      else if (kind === "maybe") kind = "write"; // an update without a body
    } catch (err) { kind = null; }
    const answer = fetchFirst.apply(this, arguments);
    if (kind) {
      answer.then(async (r) => {
        if (!r.ok) return;
        if (copy && onlyAttributes(await copy.text())) return;
        changed("fetch");
      }, () => {});
    }
    return answer;
  };
  const xhr = window.XMLHttpRequest && window.XMLHttpRequest.prototype;
  if (xhr) {
    const opened = new WeakMap();
    const open = xhr.open;
    const send = xhr.send;
    xhr.open = function (method, url) {
      opened.set(this, [method, url]);
      return open.apply(this, arguments);
    };
    xhr.send = function (body) {
      const [method, url] = opened.get(this) || [];
      if (url && cartWrite(url, method, body === null || body === undefined ? "" : body)) {
        this.addEventListener("load", () => { if (this.status >= 200 && this.status < 300) changed("xhr"); });
      }
      return send.apply(this, arguments);
    };
  }
})();
