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
