"""Known customers: bounded cross-device profiles keyed by a salted hash of the shop's user id."""
