// purchase.thank-you.block.render (every plan): products bought with the ones just ordered.
import "@shopify/ui-extensions/preact";
import { render } from "preact";

import { Recommendations } from "./Recommendations.jsx";

export default async () => {
  const lines = shopify.lines.value.map((l) => l.merchandise.product.id);
  render(<Recommendations host={shopify} page="checkout" slot={String(shopify.settings.value.slot || "bought_together")}
    productIds={lines} />, document.body);
};
