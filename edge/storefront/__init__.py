"""The demo shop: server-rendered home, category, product and cart pages over the served snapshot, each using the
storefront snippet. Mounted under /storefront/ only when the `storefront` setting is on (`skylt demo` sets it)."""

from edge.storefront.pages import routes

__all__ = ["routes"]
