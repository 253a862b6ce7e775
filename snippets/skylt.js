/*! Skylt storefront snippet | Apache-2.0 | docs/snippet.md */
// Loaded with `defer`. Defines <skylt-slot> and window.Skylt. Never breaks the page: every failure hides the slot,
// warns once and leaves the rest of the document alone. Catalog text only ever reaches the DOM as text.
(() => {
  "use strict";
  if (window.Skylt) return; // loaded twice: the first copy stays in charge

  const STORE = "skylt";
  const CONSENT = "skylt:consent";
  const MAX_VIEWS = 20;
  const MAX_CART = 50;
  const TTL = 30 * 864e5; // stored items expire after 30 days
  const SESSION_IDLE = 30 * 6e4; // a new session after 30 minutes without activity
  const BATCH = 20;
  const FLUSH_MS = 2000;
  const KEEPALIVE = 65536; // bytes of keepalive bodies a page may have in flight
  const MAX_BODY = 16384; // bytes of events per body: several fit that budget, and under 500 events (the server's cap)

  const conf = () => Object.assign({ api: "", key: "", consent: "required", timeout: 800, renderer: "default" },
    window.SkyltConfig);
  const api = () => String(conf().api || "").replace(/\/+$/, "");
  let warned = false;
  const warn = (msg) => { if (!warned) { warned = true; console.warn("Skylt: " + msg); } };

  // Consent: "required" (the default: nothing stored or sent, no identity, until Skylt.consent(true)), true (the
  // shop collected it elsewhere), false (never). Skylt.consent(false) overrides both for the page.
  let granted = null;
  const allowed = () => {
    const c = conf().consent;
    if (c === false) return false;
    if (granted !== null) return granted;
    if (c === true) return true;
    try { return localStorage.getItem(CONSENT) === "1"; } catch (e) { return false; }
  };
  // A signed-in shopper, only with consent and the token the shop's backend signed: never `user` alone.
  const identity = () => {
    const c = conf();
    return allowed() && c.user && c.userToken ? { user: String(c.user), user_token: String(c.userToken) } : {};
  };

  // State: recently viewed [[id, ms]] (most recent last), cart [[id, ms]], session [id, last-active ms],
  // clicked from a slot [[id, ms, request_id, slot]] (so a later add to cart is attributed to that slot).
  // Without consent it lives in memory for this page only.
  let mem = { v: [], c: [], s: null, a: [] };
  const load = () => {
    if (!allowed()) return mem;
    try {
      const s = JSON.parse(localStorage.getItem(STORE) || "{}");
      const fresh = (l) => (Array.isArray(l) ? l : []).filter((e) => Array.isArray(e) && typeof e[0] == "string"
        && Date.now() - e[1] < TTL);
      return { v: fresh(s.v).slice(-MAX_VIEWS), c: fresh(s.c).slice(-MAX_CART), s: Array.isArray(s.s) ? s.s : null,
        a: fresh(s.a).slice(-MAX_VIEWS) };
    } catch (e) { return mem; }
  };
  const save = (s) => {
    mem = s;
    if (!allowed()) return;
    try { localStorage.setItem(STORE, JSON.stringify(s)); } catch (e) { /* full or blocked: keep it in memory */ }
  };
  const ids = (l) => l.map((e) => e[0]);
  const put = (l, id, max) => l.filter((e) => e[0] !== id).concat([[id, Date.now()]]).slice(-max);
  const session = () => {
    const s = load();
    const now = Date.now();
    if (!s.s || now - s.s[1] > SESSION_IDLE) {
      const r = crypto.getRandomValues(new Uint8Array(12));
      s.s = [Array.from(r, (b) => b.toString(16).padStart(2, "0")).join(""), now];
    }
    s.s[1] = now;
    save(s);
    return s.s[0];
  };

  // Events: batched, each body sent with a keepalive fetch (it outlives the page) and the key in a header, never in
  // the URL. Keepalive bodies in flight share a 64 KB budget; past it a body goes as a plain fetch.
  let queue = [];
  let timer = 0;
  let inflight = 0;
  const record = (type, item, extra) => {
    if (!allowed() || !conf().key || !api() || (!item && type !== "impression")) return;
    const e = { type, session: session(), ts: Date.now() };
    if (item) e.item = String(item);
    queue.push(Object.assign(e, identity(), extra));
    if (queue.length >= BATCH) flush();
    else if (!timer) timer = setTimeout(flush, FLUSH_MS);
  };
  const size = (text) => new Blob([text]).size;
  const post = (events) => {
    const body = JSON.stringify({ events });
    const n = size(body);
    const keepalive = inflight + n <= KEEPALIVE;
    if (keepalive) inflight += n;
    fetch(api() + "/v1/events", { method: "POST", keepalive, body,
      headers: { "Content-Type": "application/json", "X-Skylt-Key": String(conf().key) } })
      .catch(() => {}) // events are best effort
      .then(() => { if (keepalive) inflight -= n; });
  };
  const flush = () => {
    clearTimeout(timer);
    timer = 0;
    let batch = [];
    let bytes = 0;
    for (const e of queue.splice(0)) {
      const n = size(JSON.stringify(e)) + 1;
      if (batch.length && bytes + n > MAX_BODY) { post(batch); batch = []; bytes = 0; }
      batch.push(e);
      bytes += n;
    }
    if (batch.length) post(batch);
  };
  addEventListener("pagehide", flush);
  addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") flush(); });

  // The request: fields in a fixed order and the cart sorted, so equal contexts share cache entries.
  const FIELDS = ["page", "item", "cart", "history", "purchased", "user", "session", "region", "segment", "slots", "n",
    "price_min", "price_max", "category", "exclude", "free_shipping_gap", "control"];
  const query = (ctx) => {
    const q = new URLSearchParams();
    for (const f of FIELDS) {
      let v = ctx[f];
      if (Array.isArray(v)) v = (f === "cart" ? v.slice().sort() : v).filter((x) => x !== "" && x != null).join(",");
      if (v !== undefined && v !== null && v !== "") q.append(f, String(v));
    }
    return q.toString();
  };
  // The one way out for requests: the user goes only with consent and its token, the token in a header (out of URLs
  // and CDN logs); without them the request is anonymous.
  const get = async (ctx) => {
    const id = identity();
    ctx = Object.assign({}, ctx, { user: id.user });
    const ctrl = new AbortController();
    const t = setTimeout(() => ctrl.abort(), +conf().timeout || 800);
    try {
      const r = await fetch(api() + "/v1/recommend?" + query(ctx), { signal: ctrl.signal, credentials: "omit",
        headers: id.user ? { "X-Skylt-User-Token": id.user_token } : {} });
      if (!r.ok) throw new Error("HTTP " + r.status);
      const data = await r.json();
      if (!data || !Array.isArray(data.slots)) throw new Error("unexpected response");
      return data;
    } finally { clearTimeout(t); }
  };

  // Rendering: only http(s) links and images; text through textContent.
  const safeUrl = (u) => {
    if (typeof u != "string" || !u) return null;
    try {
      const p = new URL(u, location.href);
      return p.protocol === "https:" || p.protocol === "http:" ? p.href : null;
    } catch (e) { return null; }
  };
  const fmts = {};
  const price = (v, cur) => {
    const c = cur || conf().currency || "USD";
    const l = conf().locale || undefined;
    try {
      return (fmts[c + l] ||= new Intl.NumberFormat(l, { style: "currency", currency: c })).format(v);
    } catch (e) { return (+v).toFixed(2); }
  };
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = "skylt-" + cls;
    if (text != null) e.textContent = String(text);
    return e;
  };
  const CSS = ":where(.skylt){font:inherit;color:var(--skylt-color,inherit);margin:var(--skylt-margin,1.5rem 0)}"
    + ":where(.skylt-heading){font-size:var(--skylt-heading-size,1.25rem);margin:0 0 .75rem}"
    + ":where(.skylt-row){display:grid;grid-auto-flow:column;grid-auto-columns:var(--skylt-card-width,10rem);"
    + "gap:var(--skylt-gap,1rem);overflow-x:auto;scroll-snap-type:x mandatory;list-style:none;margin:0;padding:0 0 .5rem}"
    + ":where(.skylt-card){scroll-snap-align:start;display:flex;flex-direction:column;gap:.25rem;"
    + "background:var(--skylt-card-bg,transparent);border:var(--skylt-card-border,1px solid #0002);"
    + "border-radius:var(--skylt-radius,.5rem);padding:var(--skylt-card-padding,.5rem)}"
    + ":where(.skylt-link){color:var(--skylt-link-color,inherit);text-decoration:none;display:flex;"
    + "flex-direction:column;gap:.25rem}:where(.skylt-link:focus-visible){outline:2px solid var(--skylt-accent,#06c)}"
    + ":where(.skylt-img){width:100%;aspect-ratio:var(--skylt-image-ratio,1);object-fit:cover;"
    + "border-radius:var(--skylt-radius,.5rem);background:var(--skylt-image-bg,#0001);display:grid;place-items:center;"
    + "font-size:2rem;color:var(--skylt-accent,#06c)}"
    + ":where(.skylt-name){font-weight:600;overflow-wrap:anywhere}"
    + ":where(.skylt-price){color:var(--skylt-price-color,inherit);font-weight:700}"
    + ":where(.skylt-rating){color:var(--skylt-rating-color,#b8860b)}"
    + ":where(.skylt-reason){font-size:.85em;color:var(--skylt-muted,#555)}";
  let styled = false;
  const style = () => {
    if (styled) return;
    styled = true;
    try {
      const s = new CSSStyleSheet();
      s.replaceSync(CSS);
      document.adoptedStyleSheets = [...document.adoptedStyleSheets, s];
    } catch (e) { document.head.append(el("style", null, CSS)); }
  };
  const card = (it, slot, rid, link) => {
    const li = el("li", "card");
    const href = safeUrl(it.url) || (link ? safeUrl(link.replace("{id}", encodeURIComponent(it.id))) : null);
    const a = href ? el("a", "link") : el("div", "link");
    if (href) {
      a.setAttribute("href", href);
      a.addEventListener("click", () => click(it.id, rid, slot));
    }
    const src = safeUrl(it.image);
    const img = el(src ? "img" : "div", "img");
    if (src) { img.setAttribute("src", src); img.setAttribute("alt", ""); img.setAttribute("loading", "lazy"); }
    else { img.textContent = String(it.title || it.id).slice(0, 1); img.setAttribute("aria-hidden", "true"); }
    a.append(img, el("span", "name", it.title == null ? it.id : it.title));
    li.append(a);
    if (typeof it.price == "number") li.append(el("span", "price", price(it.price, it.currency)));
    if (typeof it.rating == "number") {
      const r = el("span", "rating", "★ " + it.rating.toFixed(1)
        + (typeof it.review_count == "number" ? " (" + it.review_count + ")" : ""));
      r.setAttribute("aria-label", "Rated " + it.rating.toFixed(1) + " out of 5");
      li.append(r);
    }
    if (it.reason) li.append(el("span", "reason", it.reason));
    return li;
  };
  const render = (host, data, heading) => {
    style();
    const out = [];
    for (const s of data.slots) {
      const items = s && Array.isArray(s.items) ? s.items.filter((i) => i && i.id != null) : [];
      if (!items.length) continue;
      const sec = el("section", "");
      sec.className = "skylt";
      sec.dataset.slot = String(s.slot);
      const h = el("h2", "heading", heading || s.title || s.slot);
      h.id = "skylt-" + Math.random().toString(36).slice(2);
      sec.setAttribute("aria-labelledby", h.id);
      const ul = el("ul", "row");
      ul.setAttribute("role", "list");
      ul.append(...items.map((i) => card(i, String(s.slot), String(data.request_id), conf().itemUrl)));
      sec.append(h, ul);
      out.push(sec);
    }
    host.replaceChildren(...out);
    return out.length > 0;
  };

  // The element: reads data-* or plain attributes, fetches when near the viewport.
  const attr = (e, n) => e.getAttribute(n) ?? e.getAttribute("data-" + n);
  const list = (v) => (v ? v.split(",").map((x) => x.trim()).filter(Boolean) : undefined);
  const viewed = new Set();
  const slots = new Set();
  const emit = (e, name, detail, cancelable) =>
    e.dispatchEvent(new CustomEvent(name, { bubbles: true, cancelable, detail }));

  class SkyltSlot extends HTMLElement {
    connectedCallback() {
      slots.add(this);
      const item = attr(this, "item");
      const cart = attr(this, "cart");
      if (cart !== null) setCart(list(cart) || []);
      if (attr(this, "page") === "product" && item && !this.hasAttribute("noview") && !viewed.has(item)) {
        viewed.add(item);
        view(item);
      }
      if (this.io || this.state) return;
      if (!window.IntersectionObserver) return void this.load();
      this.io = new IntersectionObserver((es) => {
        if (es.some((x) => x.isIntersecting)) { this.io.disconnect(); this.load(); }
      }, { rootMargin: attr(this, "margin") || "300px" });
      this.io.observe(this);
    }
    disconnectedCallback() { slots.delete(this); }
    context() {
      const s = load();
      return { page: attr(this, "page") || "home", item: attr(this, "item") || undefined, cart: ids(s.c),
        history: ids(s.v), session: conf().experiment && allowed() ? session() : undefined,
        region: conf().region, segment: conf().segment,
        slots: list(attr(this, "slot") || attr(this, "slots")), n: attr(this, "n") || undefined,
        category: attr(this, "category") || undefined, exclude: list(attr(this, "exclude")),
        price_min: attr(this, "price-min") || undefined, price_max: attr(this, "price-max") || undefined,
        control: attr(this, "replaces") ? "shop" : undefined };
    }
    async load() {
      this.state = "loading";
      this.dataset.state = "loading";
      try {
        if (!api()) throw new Error("SkyltConfig.api is not set");
        const data = await get(this.context());
        const go = emit(this, "skylt:data", data, true);
        impressions(data);
        if (conf().renderer !== "event" && go) {
          if (render(this, data, attr(this, "heading"))) this.replace();
          else this.hide();
        }
        this.dataset.state = "ready";
        emit(this, "skylt:rendered", data, false);
      } catch (e) {
        this.hide();
        this.dataset.state = "error";
        warn("recommendations unavailable (" + (e && e.name === "AbortError" ? "timeout" : e && e.message) + ")");
        emit(this, "skylt:error", { error: String(e && e.message || e) }, false);
      }
      this.state = "done";
    }
    // Inline display too: a theme rule like `skylt-slot { display: block }` would otherwise beat [hidden].
    hide() { this.hidden = true; this.style.display = "none"; }
    // The shop's own block (replaces="<selector>") stays unless ours rendered: a failure or the control bucket keeps it.
    replace() {
      try { for (const e of document.querySelectorAll(attr(this, "replaces") || ":not(*)")) e.style.display = "none"; }
      catch (e) { warn("bad replaces selector"); }
    }
    refresh() { this.state = ""; this.hidden = false; this.style.display = ""; return this.load(); }
  }

  // One impression per slot shown: the denominator of click-through in `skylt report`.
  const impressions = (data) => {
    for (const s of data.slots) {
      const items = s && Array.isArray(s.items) ? s.items.filter((i) => i && i.id != null) : [];
      if (items.length) record("impression", null, { request_id: String(data.request_id), slot: String(s.slot),
        page: data.page, bucket: data.bucket, items: items.slice(0, 50).map((i) => String(i.id)) });
    }
  };
  const click = (id, rid, slot) => {
    id = String(id);
    const s = load();
    s.a = s.a.filter((e) => e[0] !== id).concat([[id, Date.now(), String(rid), String(slot)]]).slice(-MAX_VIEWS);
    save(s);
    record("click", id, { request_id: String(rid), slot: String(slot) });
  };
  // The slot a cart or purchase line came from, if the shopper clicked it there.
  const from = (id) => {
    const hit = load().a.find((e) => e[0] === id);
    return hit ? { request_id: hit[2], slot: hit[3] } : {};
  };

  const view = (id) => {
    id = String(id);
    const s = load();
    s.v = put(s.v, id, MAX_VIEWS);
    save(s);
    record("view", id);
  };
  const setCart = (list) => {
    const s = load();
    const known = new Map(s.c);
    s.c = list.map(String).slice(-MAX_CART).map((id) => [id, known.get(id) || Date.now()]);
    save(s);
  };

  window.Skylt = {
    version: "1",
    view,
    cart: {
      add(id, o) { id = String(id); const s = load(); s.c = put(s.c, id, MAX_CART); save(s);
        record("cart", id, Object.assign(from(id), o && { quantity: o.quantity, price: o.price })); },
      remove(id) { id = String(id); const s = load(); s.c = s.c.filter((e) => e[0] !== id); save(s);
        record("remove", id); },
      set: setCart,
      items: () => ids(load().c),
    },
    purchase(order, items) {
      for (const i of items || []) record("purchase", i.id, Object.assign(from(String(i.id)), { order: String(order),
        quantity: i.quantity, price: i.price }));
      setCart([]);
      flush();
    },
    click,
    impressions,
    history: () => ids(load().v),
    // consent(true) gives it (remembered), consent(false) withdraws it: unsent events are dropped and what was
    // stored is deleted at once. consented() says whether it is given now.
    consent(yes) {
      granted = !!yes;
      if (!yes) { queue = []; mem = { v: [], c: [], s: null, a: [] }; }
      try {
        if (allowed()) { localStorage.setItem(CONSENT, "1"); save(mem); }
        else { localStorage.removeItem(CONSENT); localStorage.removeItem(STORE); }
      } catch (e) { /* storage blocked: consent holds for this page */ }
      return allowed();
    },
    consented: allowed,
    query,
    recommend: (ctx) => get(Object.assign({ history: ids(load().v), cart: ids(load().c) }, ctx)),
    refresh: () => Promise.all([...slots].map((s) => s.refresh())),
    flush,
  };
  if (!customElements.get("skylt-slot")) customElements.define("skylt-slot", SkyltSlot);
  // A landing from an email's item link (?skylt=<item>&skylt=<request_id>&skylt=<slot>, docs/email.md): a click.
  const landed = new URLSearchParams(location.search).getAll("skylt");
  if (landed[2]) click(...landed);
})();
