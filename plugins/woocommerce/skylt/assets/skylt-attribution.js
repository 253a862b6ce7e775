/*! Skylt for WooCommerce: attribution | Apache-2.0 | plugins/woocommerce/README.md */
// Runs after the snippet. With the shopper's consent it keeps the cookie `skylt_attr` (the snippet's session and
// its last clicked slot items), which the plugin stores on the order at checkout; and it sends a `cart` event for
// every add to cart: classic form and AJAX adds as the shop reports them in the cookie `skylt_added`, Store API adds
// (cart and product blocks) from the cart the API answers with; the snippet adds the slot the item was clicked in.
// Without consent both cookies are deleted.
(() => {
  "use strict";
  const ATTR = "skylt_attr";
  const ADDED = "skylt_added";
  const read = (name) => {
    const m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    try { return m ? decodeURIComponent(m[1]) : null; } catch (e) { return null; }
  };
  const write = (name, value, days) => {
    document.cookie = name + "=" + encodeURIComponent(value) + "; path=/; SameSite=Lax; max-age="
      + Math.round(days * 86400) + (location.protocol === "https:" ? "; Secure" : "");
  };
  const sync = () => {
    const S = window.Skylt;
    if (!S) return;
    if (!S.consented()) {
      if (read(ATTR) !== null) write(ATTR, "", 0);
      if (read(ADDED) !== null) write(ADDED, "", 0);
      return;
    }
    const added = read(ADDED);
    if (added !== null) {
      write(ADDED, "", 0);
      try {
        for (const [item, quantity, price] of JSON.parse(added)) {
          S.cart.add(String(item), { quantity: +quantity || 1, price: typeof price == "number" ? price : undefined });
        }
      } catch (e) { /* malformed: nothing to send */ }
    }
    let s = {};
    try { s = JSON.parse(localStorage.getItem("skylt") || "{}") || {}; } catch (e) { /* blocked */ }
    const touches = (Array.isArray(s.a) ? s.a : []).filter((e) => Array.isArray(e) && e.length >= 4).slice(-20)
      .map((e) => [e[0], e[2], e[3]].map(String));
    const value = JSON.stringify({ session: Array.isArray(s.s) ? String(s.s[0]) : "", touches });
    if (read(ATTR) !== value) write(ATTR, value, 30);
  };
  // A consent withdrawn on this page deletes both cookies at once (the snippet deletes its storage then too).
  const S = window.Skylt;
  if (S && typeof S.consent == "function") {
    const consent = S.consent;
    S.consent = function (...args) {
      const answer = consent.apply(this, args);
      sync();
      return answer;
    };
  }
  sync();
  // Adds without a page load: classic AJAX (jQuery's added_to_cart), the blocks' event, and any Store API call.
  if (window.jQuery) window.jQuery(document.body).on("added_to_cart", sync);
  document.body.addEventListener("wc-blocks_added_to_cart", sync);
  // Store API adds (the blocks' buttons): the answer is the cart, whose line names the item by SKU, else by id.
  const storeAdd = (body, cart) => {
    const S = window.Skylt;
    if (!S || !S.consented() || !body || !cart || !Array.isArray(cart.items)) return;
    const line = cart.items.find((i) => String(i.id) === String(body.id));
    if (!line) return;
    const prices = line.prices || {};
    const price = +prices.price / 10 ** (+prices.currency_minor_unit || 0);
    S.cart.add(String(line.sku || line.id), { quantity: +body.quantity || 1, price: price >= 0 ? price : undefined });
  };
  const original = window.fetch;
  if (original) {
    window.fetch = function (...args) {
      const done = original.apply(this, args);
      const url = String((args[0] && args[0].url) || args[0]);
      // /wp-json/wc/store/..., or ?rest_route=%2Fwc%2Fstore%2F... without pretty permalinks
      if (/wc(\/|%2F)store(\/|%2F)v1(\/|%2F)cart(\/|%2F)add-item/i.test(url)) {
        let body = null;
        try { body = JSON.parse((args[1] && args[1].body) || "null"); } catch (e) { /* not JSON */ }
        done.then((r) => (r.ok ? r.clone().json() : null)).then((cart) => storeAdd(body, cart), () => {});
      }
      return done;
    };
  }
  addEventListener("pagehide", sync); // touches clicked on this page reach the cookie before the next request
})();
