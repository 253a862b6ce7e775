// The `shopify` global of each target, as `shopify app dev` declares it, so tsc checks every entry against the
// API of the target it is registered for in shopify.extension.toml.
import "@shopify/ui-extensions";

//@ts-ignore
declare module "./src/Checkout.jsx" {
  const shopify: import("@shopify/ui-extensions/purchase.checkout.block.render").Api;
  const globalThis: { shopify: typeof shopify };
}

//@ts-ignore
declare module "./src/ThankYou.jsx" {
  const shopify: import("@shopify/ui-extensions/purchase.thank-you.block.render").Api;
  const globalThis: { shopify: typeof shopify };
}

//@ts-ignore
declare module "./src/OrderStatus.jsx" {
  const shopify: import("@shopify/ui-extensions/customer-account.order-status.block.render").Api;
  const globalThis: { shopify: typeof shopify };
}
