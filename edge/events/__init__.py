"""Behaviour in: validated storefront events appended to a durable log the builder reads."""
