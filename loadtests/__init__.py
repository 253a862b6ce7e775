"""Load generation and performance runs against a real server (see README.md here)."""
