// The demo shop's own script: tells the Skylt snippet about cart changes made by the shop's forms.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const action = form.dataset && form.dataset.skyltCart;
  const field = form.elements && form.elements.namedItem("item"); // elements.item is a method
  const item = field && field.value;
  if (!window.Skylt || !item) return;
  if (action === "add") window.Skylt.cart.add(item);
  else if (action === "remove") window.Skylt.cart.remove(item);
});
// Place order: hand the shop's server the shopper's session and the slots items were clicked in (the snippet's
// storage, only kept with consent), as a shop's checkout stores them on the order and reports them with it.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.hasAttribute || !form.hasAttribute("data-skylt-order")) return;
  try {
    const s = window.Skylt && window.Skylt.consented() ? JSON.parse(localStorage.getItem("skylt") || "{}") : {};
    if (Array.isArray(s.s)) form.elements.namedItem("session").value = String(s.s[0]);
    const a = Array.isArray(s.a) ? s.a.filter((e) => Array.isArray(e) && e.length >= 4) : [];
    form.elements.namedItem("touches").value = JSON.stringify(a.map((e) => [e[0], e[2], e[3]].map(String)));
  } catch (e) { /* storage blocked: the order is placed unattributed */ }
});
