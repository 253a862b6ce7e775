"""The HTTP server: the ASGI app and its routes, the response codec and cache, snapshot swaps, warm-up, the
servers that run it and the metrics summed over their workers."""
