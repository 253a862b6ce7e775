/*! Skylt for WooCommerce: cart sync and shop prices | Apache-2.0 | plugins/woocommerce/README.md */
// Loaded (deferred) after the snippet on pages with a slot. window.SkyltWoo holds the shop's money format, the cart's
// Skylt item ids as the page was built, the Store API cart URL and the namespace of the plugin's cart data there.
// - The cart: the Cart and Checkout blocks change it through the Store API without reloading, and the Mini-Cart and
//   classic AJAX add-to-cart buttons do too; each change puts the new ids into the snippet's cart and the slots'
//   `cart` attributes, and slots of the cart, checkout and mini-cart ask again.
// - The mini-cart's slot element is made only once its drawer or widget shows.
// - Prices: cards show prices in the shop's own format (symbol, its position, decimals and separators), not the
//   browser's, so a card's price reads as the shop's.
(() => {
  "use strict";
  const shop = window.SkyltWoo || {};
  let last = (shop.cart || []).join(",");

  const apply = (ids) => {
    if (!Array.isArray(ids)) return;
    const key = ids.map(String).sort().join(",");
    if (key === last) return;
    last = key;
    if (window.Skylt) window.Skylt.cart.set(key ? key.split(",") : []);
    for (const slot of document.querySelectorAll("skylt-slot")) {
      if (slot.hasAttribute("cart")) slot.setAttribute("cart", key);
      const page = slot.getAttribute("page");
      if ((page === "cart" || page === "checkout") && slot.dataset.state && slot.refresh) slot.refresh();
    }
  };
  const fromCart = (cart) => {
    const data = cart && cart.extensions && cart.extensions[shop.ns];
    if (data) apply(data.items);
  };
  const fetchCart = () => {
    if (!shop.cartUrl) return;
    fetch(shop.cartUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : null)).then(fromCart).catch(() => {});
  };

  // Block cart and checkout: the Store API cart store, after every change it applies.
  let watching = false;
  const watch = () => {
    const wp = window.wp;
    if (watching || !(window.wc && window.wc.wcBlocksData && wp && wp.data)) return;
    watching = true;
    const store = window.wc.wcBlocksData.cartStore || window.wc.wcBlocksData.CART_STORE_KEY || "wc/store/cart";
    wp.data.subscribe(() => fromCart(wp.data.select(store).getCartData()));
  };
  // The Mini-Cart block and the classic AJAX buttons announce their changes as events.
  for (const name of ["wc-blocks_added_to_cart", "wc-blocks_removed_from_cart"]) {
    document.body.addEventListener(name, () => { watch(); fetchCart(); });
  }
  if (window.jQuery) {
    window.jQuery(document.body).on("added_to_cart removed_from_cart updated_cart_totals", fetchCart);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();

  // The mini-cart's slot: a placeholder (data-skylt-slot) until its drawer or widget is shown, so a closed drawer,
  // on every page, asks for nothing. A closed Mini-Cart drawer (and its server-rendered source) is in an overlay
  // marked hidden.
  const HIDDEN = ".wc-block-components-drawer__screen-overlay--is-hidden";
  const materialize = () => {
    for (const host of document.querySelectorAll("[data-skylt-slot]")) {
      if (host.firstElementChild || host.closest(HIDDEN)) continue;
      let attrs;
      try { attrs = JSON.parse(host.getAttribute("data-skylt-slot")); } catch (e) { continue; }
      const slot = document.createElement("skylt-slot");
      for (const name of Object.keys(attrs || {})) slot.setAttribute(name, String(attrs[name]));
      host.append(slot);
    }
  };
  new MutationObserver(materialize).observe(document.body,
    { childList: true, subtree: true, attributes: true, attributeFilter: ["class"] });
  materialize();

  const money = (value) => {
    const p = shop.price;
    const parts = Math.abs(value).toFixed(Math.max(0, Math.min(8, p.decimals | 0))).split(".");
    const number = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, p.thousand) + (parts[1] ? p.decimal + parts[1] : "");
    const sign = value < 0 ? "-" : "";
    const nbsp = "\u00a0";
    switch (p.position) {
      case "right": return sign + number + p.symbol;
      case "left_space": return sign + p.symbol + nbsp + number;
      case "right_space": return sign + number + nbsp + p.symbol;
      default: return sign + p.symbol + number;
    }
  };
  // Cards follow the response's items in order (the snippet skips items without an id, and so does this).
  document.addEventListener("skylt:rendered", (e) => {
    if (!shop.price || !e.detail || !Array.isArray(e.detail.slots)) return;
    for (const section of e.target.querySelectorAll("section.skylt")) {
      const slot = e.detail.slots.find((s) => s && String(s.slot) === section.dataset.slot);
      const items = slot && Array.isArray(slot.items) ? slot.items.filter((i) => i && i.id != null) : [];
      section.querySelectorAll(".skylt-card").forEach((card, i) => {
        const item = items[i];
        const price = card.querySelector(".skylt-price");
        const ours = item && (!item.currency || item.currency === shop.price.currency);
        if (price && ours && typeof item.price === "number") price.textContent = money(item.price);
      });
    }
  });
})();
