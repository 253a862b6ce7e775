"""Recommendations beyond the storefront: triggers from stored behaviour, sent to Klaviyo or any ESP (docs/email.md)."""
