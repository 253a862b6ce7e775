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
