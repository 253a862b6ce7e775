# Skylt: the demo shop by default; mount your own tables and run `skylt serve` for real use.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    NUMBA_CACHE_DIR=/var/cache/skylt/numba \
    SKYLT_TABLES=/var/lib/skylt/tables

RUN useradd --system --create-home --home-dir /home/skylt --uid 10001 skylt \
 && mkdir -p /var/cache/skylt/numba /var/lib/skylt /app \
 && chown -R skylt:skylt /var/cache/skylt /var/lib/skylt

WORKDIR /app
COPY pyproject.toml README.md ./
COPY edge ./edge
# The demo shop serves the built snippet through a link into snippets/dist.
COPY snippets/dist ./snippets/dist
RUN pip install --no-compile . && rm -rf /app/edge /app/snippets

USER skylt
WORKDIR /home/skylt
# Build the demo snapshot and compile every kernel now, so a container is ready in seconds.
RUN skylt demo --out /var/lib/skylt --build-only

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=2).status != 200)"

CMD ["skylt", "demo", "--out", "/var/lib/skylt", "--host", "0.0.0.0", "--port", "8000"]
