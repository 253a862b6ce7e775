"""Skylt: an edge-served personalization engine for web shops."""

__version__ = "0.1.0"
