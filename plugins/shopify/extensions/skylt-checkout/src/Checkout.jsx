// purchase.checkout.block.render (Shopify Plus): products bought with the order's, each with an add-to-order button.
import "@shopify/ui-extensions/preact";
import { render } from "preact";

import { Recommendations } from "./Recommendations.jsx";

export default async () => {
  const lines = shopify.lines.value.map((l) => l.merchandise.product.id);
  const apply = shopify.instructions.value.lines.canAddCartLine
    ? (/** @type {any} */ change) => shopify.applyCartLinesChange(change) : undefined;
  render(<Recommendations host={shopify} page="checkout" slot={String(shopify.settings.value.slot || "bought_together")}
    productIds={lines} apply={apply} />, document.body);
};
