// One row of Skylt recommendations drawn with checkout's own components (s-*), shared by the checkout block (with
// an add-to-order button) and the thank-you and order-status blocks (links to the product only). Nothing is drawn
// until the server answered; on any error or after 800 ms nothing is drawn at all.
import { useEffect, useState } from "preact/hooks";

import { addToOrder, apiBase, click, defaultVariant, impressions, NOTHING, recommend, send } from "./logic.js";

/**
 * What the block needs of its target's API: every target's `shopify` provides these (tsc checks each entry).
 * @typedef {{
 *   settings: {value: Record<string, unknown>},
 *   lines?: {value: Array<{merchandise: {product: {id: string}}}>},
 *   query: (query: string, options?: {variables?: Record<string, unknown>}) => Promise<{data?: any}>,
 *   localization: {country: {value?: {isoCode: string}}},
 *   i18n: {formatCurrency: (n: number, options?: {currency?: string}) => string, translate: (key: string) => string},
 *   customerPrivacy: {value: {visitorConsent: {analytics?: boolean}}},
 * }} Host
 * @typedef {(change: {type: "addCartLine", merchandiseId: string, quantity: number}) => Promise<{type: string}>} Apply
 * @typedef {import("./logic.js").Item & {variant?: {id: string, amount: number, currency: string} | null}} Card
 */

const session = `co-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;

/**
 * @param {{host: Host, page: "checkout", slot: string, productIds: string[], apply?: Apply}} props
 */
export function Recommendations({ host, page, slot, productIds, apply }) {
  const settings = host.settings.value;
  const api = apiBase(settings.api_url);
  const key = String(settings.public_key ?? "").trim();
  const n = Math.min(Math.max(Number(settings.items) || 3, 1), 6);
  const [answer, setAnswer] = useState(NOTHING);
  /** @type {[Card[], (cards: Card[]) => void]} */
  const [cards, setCards] = useState(/** @type {Card[]} */ ([]));
  /** @type {[string, (id: string) => void]} */
  const [adding, setAdding] = useState("");
  const target = { api, key, session, fetch: globalThis.fetch.bind(globalThis),
    allowed: host.customerPrivacy.value.visitorConsent.analytics === true };

  useEffect(() => {
    let live = true;
    (async () => {
      const got = await recommend({ api, page, cart: productIds, slots: [slot], n, fetch: target.fetch });
      const items = got.slots.length ? got.slots[0].items : [];
      const country = host.localization.country.value?.isoCode;
      const found = await Promise.all(items.map(async (i) => ({ ...i,
        variant: await defaultVariant(host.query, i.id, country) })));
      if (!live) return;
      const sellable = found.filter((c) => c.variant);
      setAnswer(got);
      setCards(sellable);
      if (sellable.length) send(target, impressions({ requestId: got.requestId, slots: [{ slot, items: sellable }] },
        page));
    })();
    return () => { live = false; };
  }, [api, slot, productIds.join(",")]);

  if (!cards.length) return null;
  const heading = String(settings.heading ?? "").trim() || host.i18n.translate(`slots.${slot}`);
  return (
    <s-section heading={heading}>
      <s-stack gap="base">
        {cards.map((c) => (
          <s-stack key={c.id} direction="inline" gap="base" alignItems="center">
            {c.image ? <s-product-thumbnail src={c.image} /> : null}
            <s-stack gap="small-300">
              <s-text type="strong">{c.title ?? c.id}</s-text>
              {c.variant && Number.isFinite(c.variant.amount) ? (
                <s-text>{host.i18n.formatCurrency(c.variant.amount, { currency: c.variant.currency })}</s-text>
              ) : null}
            </s-stack>
            {apply && c.variant ? (
              <s-button variant="secondary" loading={adding === c.id} disabled={adding !== ""}
                onClick={async () => {
                  const variant = c.variant;
                  if (!variant) return;
                  setAdding(c.id);
                  send(target, [click(c.id, answer.requestId, slot)]);
                  await addToOrder(apply, variant.id);
                  setAdding("");
                }}>
                {host.i18n.translate("add")}
              </s-button>
            ) : null}
          </s-stack>
        ))}
      </s-stack>
    </s-section>
  );
}
