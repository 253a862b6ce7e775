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
