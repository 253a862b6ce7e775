"""The Admin GraphQL documents the sync sends: paged queries, and the same selections as bulk queries.

Page sizes keep a page's requested cost (about first x (1 + nested first)) well under the 1,000-point
single-query limit. Bulk queries have no page arguments: Shopify walks every connection itself and writes
nested nodes as lines of their own carrying ``__parentId``.
"""

from __future__ import annotations

PRODUCT_FIELDS = """id handle title status vendor productType onlineStoreUrl createdAt updatedAt
      totalInventory tracksInventory
      featuredMedia { preview { image { url } } }
      priceRangeV2 { minVariantPrice { amount currencyCode } }"""
VARIANT_FIELDS = "id inventoryPolicy inventoryQuantity inventoryItem { id tracked }"
ORDER_FIELDS = """id createdAt updatedAt cancelledAt test
      customer { id }
      shippingAddress { countryCodeV2 }
      billingAddress { countryCodeV2 }"""
LINE_FIELDS = "id quantity product { id } originalUnitPriceSet { shopMoney { amount currencyCode } }"
# The customer's marketing consent (scope read_customers), asked for only when the sync records it.
CONSENT_FIELDS = "customer { id emailMarketingConsent { marketingState } smsMarketingConsent { marketingState } }"


def order_fields(consent: bool) -> str:
    return ORDER_FIELDS.replace("customer { id }", CONSENT_FIELDS) if consent else ORDER_FIELDS


def orders_page(consent: bool = False) -> str:
    return f"""query SkyltOrders($first: Int!, $after: String, $query: String) {{
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      {order_fields(consent)}
      lineItems(first: 50) {{ nodes {{ {LINE_FIELDS} }} }}
    }}
  }}
}}"""


PRODUCTS_PAGE = f"""query SkyltProducts($first: Int!, $after: String, $query: String) {{
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {{
    pageInfo {{ hasNextPage endCursor }}
    nodes {{
      {PRODUCT_FIELDS}
      variants(first: 20) {{ nodes {{ {VARIANT_FIELDS} }} }}
    }}
  }}
}}"""

ORDERS_PAGE = orders_page()

RUN_BULK = """mutation SkyltBulk($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message }
  }
}"""

POLL_BULK = """query SkyltBulkStatus($id: ID!) {
  node(id: $id) { ... on BulkOperation { id status errorCode objectCount url partialDataUrl } }
}"""


def _search(query: str | None) -> str:
    return f'(query: "{query}")' if query else ""


def bulk_products(query: str | None) -> str:
    return f"""{{
  products{_search(query)} {{ edges {{ node {{
    {PRODUCT_FIELDS}
    variants {{ edges {{ node {{ {VARIANT_FIELDS} }} }} }}
  }} }} }}
}}"""


def bulk_orders(query: str | None, consent: bool = False) -> str:
    return f"""{{
  orders{_search(query)} {{ edges {{ node {{
    {order_fields(consent)}
    lineItems {{ edges {{ node {{ {LINE_FIELDS} }} }} }}
  }} }} }}
}}"""
