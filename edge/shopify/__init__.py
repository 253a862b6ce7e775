"""Shopify shops: signed webhooks for real-time catalog and order updates, and the Admin GraphQL sync."""
