"""The ``skylt`` command line. Each command is a thin shell over a library function."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from edge.console import clean_errors, console, err_console, progress
from edge.errors import SkyltError
from edge.notify.cli import notify
from edge.report.cli import report
from edge.shopify.cli import shopify
from edge.woocommerce.cli import woocommerce

if TYPE_CHECKING:
    from edge.shared.factory import Overrides

def parse_now(value: str | None) -> int | None:
    if value is None:
        return None
    if value.isdigit():
        return int(value) // 1000 if int(value) > 10**11 else int(value)
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter(f"cannot parse {value!r} as ISO-8601 or Unix seconds") from exc
    return int((dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp())


@click.group()
@click.version_option(package_name="skylt")
def main() -> None:
    """Skylt: precomputed, edge-served recommendations for web shops."""


@main.command()
@click.option("--events", "events", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Events file (CSV, JSON Lines, optionally .gz, or Parquet). Repeatable.")
@click.option("--events-dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Event log directory written by POST /v1/events: every complete line of its segments.")
@click.option("--events-archive", metavar="URL",
              help="Event archive (setting event_archive): every replica's shipped segments. Segments also in "
                   "--events-dir are read once.")
@click.option("--catalog", type=click.Path(exists=True, path_type=Path), help="Catalog file (optional).")
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Tables directory to publish into.")
@click.option("--now", help="Reference time for decays (ISO-8601 or Unix seconds); default: the latest event.")
@click.option("-k", "--neighbours", "k", default=50, show_default=True, help="Neighbours kept per item and table.")
@click.option("--half-life-days", default=30.0, show_default=True, help="Bestseller half-life.")
@click.option("--keep", default=3, show_default=True, help="Published versions kept on disk.")
@click.option("--engine", type=click.Choice(["single-node", "spark"]), default="single-node", show_default=True,
              help="Who reads and counts: this process, or Apache Spark (pip install 'skylt[spark]'). Both give "
                   "the same snapshot.")
@click.option("--spark-master", metavar="URL",
              help="Spark master for --engine spark (default local[2], bound to 127.0.0.1); a cluster's own "
                   "settings apply.")
@click.option("--tune/--no-tune", default=True, show_default=True,
              help="Choose this shop's recipe weights on a validation window cut from the end of the data, in at "
                   "most the build's own time again (either engine).")
@click.option("--quiet", is_flag=True, help="No progress output.")
def build(events: tuple[Path, ...], events_dir: Path | None, events_archive: str | None, catalog: Path | None,
          out: Path, now: str | None, k: int, half_life_days: float, keep: int, engine: str,
          spark_master: str | None, tune: bool, quiet: bool) -> None:
    """Build a snapshot from shop data and make it current."""
    import tempfile

    from edge.build.pipeline import BuildParams
    from edge.build.pipeline import build as run_build
    from edge.events.segments import stable_segments

    if not events and events_dir is None and events_archive is None:
        raise click.UsageError("give --events, --events-dir, --events-archive or several")
    if spark_master is not None and engine != "spark":
        raise click.UsageError("--spark-master needs --engine spark")
    params = BuildParams(k=k, half_life_days=half_life_days, keep=keep)
    with tempfile.TemporaryDirectory(prefix="skylt-events-") as scratch:
        paths = list(events)
        logged: list[Path] = []
        if events_dir is not None:
            view = stable_segments(events_dir, Path(scratch))
            logged = view.paths
            if view.torn:
                # A crash (or a write in flight) can leave at most one partial last line per segment.
                click.echo(f"skylt: warning: skipped an incomplete last line in {view.torn} segment(s) "
                           f"of {events_dir}", err=True)
        if events_archive is not None:
            from edge.replicas.archive import Archive

            fetched = Path(scratch) / "archive"
            fetched.mkdir()
            with clean_errors():
                shipped = Archive(events_archive).fetch(fetched)
            local = {p.name for p in logged}
            logged += [p for p in shipped if p.name not in local]  # this replica's own are read from its log
        paths += logged
        if not paths:
            where = events_dir if events_dir is not None else events_archive
            click.echo(f"skylt: error: {where}: no complete events in the event log", err=True)
            sys.exit(2)
        with clean_errors(), progress(not quiet and err_console.is_terminal) as say:
            if engine == "spark":
                from edge.build.spark.session import require_pyspark

                require_pyspark()  # before anything else: one line, not a traceback
                from edge.build.spark.build import build_spark

                result = build_spark(paths, out, catalog_path=catalog, now=parse_now(now), params=params,
                                     progress=say, master=spark_master, tune=tune)
            else:
                result = run_build(paths, out, catalog_path=catalog, now=parse_now(now), params=params,
                                   progress=say, tune=tune)
    print_summary(result)


def print_summary(result: Any) -> None:
    m = result.manifest
    table = Table(title=f"snapshot {m.version}", show_header=False)
    table.add_row("path", str(result.path))
    table.add_row("items", f"{m.n_items:,}")
    table.add_row("events", f"{m.n_events:,}")
    for key, value in m.counts.items():
        table.add_row(key, f"{value:,}")
    if m.tune is not None:
        chosen = "; ".join(f"{recipe}: " + ", ".join(f"{t} {w:g}" for t, w in tables.items())
                           for recipe, tables in m.tune.weights.items())
        table.add_row("tuned", chosen or "the defaults stand")
    table.add_row("seconds", f"{result.seconds:.1f}")
    console.print(table)


@main.group("import")
def import_() -> None:
    """Convert public datasets into Skylt's event and catalog formats."""


def _importer(name: str, help_text: str) -> None:
    """One ``skylt import NAME SOURCE --out DIR`` command per module in edge.build.importers."""
    @import_.command(name, help=help_text)
    @click.argument("source", type=click.Path(exists=True, path_type=Path))
    @click.option("--out", required=True, type=click.Path(path_type=Path))
    def command(source: Path, out: Path) -> None:
        import importlib

        module = importlib.import_module(f"edge.build.importers.{name}")
        with clean_errors():
            written = module.write(source, out)
        for path in written:
            console.print(str(path))


_importer("uci", "UCI Online Retail (online_retail.csv.gz) -> events.csv.gz + catalog.csv.")
_importer("otto", "OTTO sessions (JSON Lines) -> events.csv.gz.")
_importer("yoochoose", "YOOCHOOSE clicks (SessionId/ItemId/Time TSV) -> events.csv.gz.")
_importer("wootables", "A WooCommerce shop's order tables (folder of CSVs) -> events.csv.gz + catalog.csv.")
main.add_command(woocommerce)
main.add_command(shopify)
main.add_command(report)
main.add_command(notify)


@main.command()
@click.option("--events", "events", multiple=True, required=True, type=click.Path(exists=True, path_type=Path),
              help="Events file(s), as for build.")
@click.option("--catalog", type=click.Path(exists=True, path_type=Path))
@click.option("--train-share", default=0.8, show_default=True, help="Share of sessions (by start time) to train on.")
@click.option("--max-cases", default=50_000, show_default=True, help="Cases sampled per protocol.")
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Also write the report as JSON here.")
@click.option("--test-days", type=float, help="Test on the last DAYS of the data instead (overrides --train-share).")
@click.option("--seed", default=0, show_default=True)
@click.option("--baselines", is_flag=True, help="Also implicit's cosine, BM25 and TF-IDF item-kNN (pip install "
                                                 "'skylt[eval]'), and 'skylt or implicit': per case, skylt's answer "
                                                 "if it holds the target, else the best of them.")
@click.option("--tune/--no-tune", default=True, show_default=True,
              help="Also the weights a build would tune on the training data ('skylt (tuned)').")
def evaluate(events: tuple[Path, ...], catalog: Path | None, train_share: float, max_cases: int,
             json_out: Path | None, test_days: float | None, seed: int, baselines: bool, tune: bool) -> None:
    """Offline evaluation: time split, next-item and basket-completion protocols through the served planner,
    beside popularity (and implicit's item-kNN with --baselines)."""
    import msgspec

    from edge.evaluate.run import evaluate as run_evaluate
    from edge.evaluate.run import report_table

    with clean_errors(), progress(err_console.is_terminal) as say:
        report = run_evaluate(list(events), catalog, train_share=train_share, test_days=test_days,
                              max_cases=max_cases, seed=seed, baselines=baselines, tune=tune, progress=say)
    table = Table(title=f"trained before {report.cutoff}: {report.train_events:,} events; "
                        f"tested on {report.test_events:,}")
    for column in ("protocol", "model", "cases", f"HR@{report.k}", f"MRR@{report.k}", f"NDCG@{report.k}",
                   "coverage"):
        table.add_column(column, justify="left" if column in ("protocol", "model") else "right")
    for protocol, model, s in report_table(report):
        table.add_row(protocol, model, f"{s.cases:,}", f"{s.hr:.4f}", f"{s.mrr:.4f}", f"{s.ndcg:.4f}",
                      f"{s.coverage:.3f}")
    console.print(table)
    if json_out:
        json_out.write_bytes(msgspec.json.format(msgspec.json.encode(report), indent=2))
        console.print(f"wrote {json_out}")


@main.command()
@click.option("--tables", required=True, type=click.Path(path_type=Path), help="Tables directory to serve.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=1, show_default=True, help="Worker processes; they share the memory map.")
@click.option("--access-log/--no-access-log", default=False, show_default=True)
@click.option("--pull", "pull_url", metavar="URL",
              help="Keep TABLES a verified copy of the newest version in this snapshot store (`skylt publish`).")
@click.option("--server", type=click.Choice(["uvicorn", "granian"]), default=None,
              help="HTTP server (setting server); default: the setting.")
def serve(tables: Path, host: str, port: int, workers: int, access_log: bool, pull_url: str | None,
          server: str | None) -> None:
    """Serve recommendations over HTTP from the snapshot TABLES/current points to."""
    import os

    if pull_url:
        os.environ["SKYLT_PULL_URL"] = pull_url  # workers are separate processes
    if server:
        os.environ["SKYLT_SERVER"] = server
    run_server(tables, host, port, workers, access_log)


@main.command("publish")
@click.option("--tables", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Tables directory written by `skylt build`.")
@click.option("--to", "url", required=True, metavar="URL",
              help="Snapshot store: a directory or an fsspec URL such as s3://bucket/skylt.")
@click.option("--version", "version", help="Version to publish; default: the one `current` points to.")
def publish_(tables: Path, url: str, version: str | None) -> None:
    """Copy a built snapshot to a store, for servers started with `skylt serve --pull URL`."""
    from edge.replicas.publish import publish

    with clean_errors():
        release = publish(tables, url, version)
    size = sum(f.size for f in release.files)
    console.print(f"published {release.version} ({size:,} bytes) to {url}", highlight=False)


def run_server(tables: Path, host: str, port: int, workers: int, access_log: bool) -> None:
    import os

    from edge.auth import check_key_settings
    from edge.config import Settings
    from edge.serve.servers import check_server, run

    # Workers are separate processes: settings reach them through the environment.
    os.environ["SKYLT_TABLES"] = str(tables.resolve())
    with clean_errors():  # once, here: from the workers it would be a traceback each
        settings = Settings.load()
        check_key_settings(settings)
        check_server(settings.server)
    run(settings.server, host, port, workers, access_log)


@main.command("user-token")
@click.argument("user_id")
@click.option("--ttl", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seconds until the token expires; 0: it never does.")
def user_token(user_id: str, ttl: int) -> None:
    """Print USER_ID's signed identity (docs/api.md#signed-identity) under the first of the configured
    identity_secrets (SKYLT_IDENTITY_SECRETS or the SKYLT_CONFIG file)."""
    import time

    from edge.config import Settings
    from edge.identity import sign

    with clean_errors():
        secrets = Settings.load().identity_secrets
        if not secrets:
            raise SkyltError("no identity secret is set (setting identity_secrets, SKYLT_IDENTITY_SECRETS)")
    click.echo(sign(secrets[0], user_id, int(time.time()) + ttl if ttl else 0))


@main.group()
def overlay() -> None:
    """The catalog overlay written by PUT/DELETE /v1/catalog/items."""


_overlay_dir = click.option("--dir", "path", default=Path("overlay"), show_default=True,
                            type=click.Path(file_okay=False, path_type=Path),
                            help="The overlay directory (setting catalog_overlay).")


_state_url = click.option("--state-url", default=None,
                          help="The shared state store that holds the overlay (setting state_url); default: the "
                               "setting, and without one the directory.")


@contextmanager
def _overlay_store(path: Path, state_url: str | None) -> Iterator[tuple[str, Overrides | None]]:
    """Where the overlay is, and its store (None: there is none), chosen as the servers choose it."""
    from edge.config import Settings
    from edge.shared.client import redacted
    from edge.shared.factory import overlay_opener

    with clean_errors():
        settings = Settings.load(catalog_overlay=str(path), state_url=state_url)
        store = overlay_opener(settings)(path, False)
        try:
            yield redacted(settings.state_url) if settings.state_url else str(path), store
        finally:
            if store is not None:
                store.close()


@overlay.command("status")
@_overlay_dir
@_state_url
def overlay_status(path: Path, state_url: str | None) -> None:
    """How many items the overlay overrides, and its generation; then each merchandising rule."""
    from edge.rules.schemas import rules_decoder

    with _overlay_store(path, state_url) as (where, store):
        if store is None:
            click.echo(f"{where}: no catalog overlay")
            return
        generation, items = store.load()
        rules_generation, encoded = store.rules()
    hidden = sum(o.deleted or o.in_stock is False for o in items.values())
    click.echo(f"{where}: generation {generation}, {len(items)} items overridden, {hidden} hidden")
    rules = rules_decoder.decode(encoded)
    click.echo(f"{len(rules)} merchandising rules" + (f" (generation {rules_generation})" if rules else ""))
    for rule in rules:
        click.echo(f"  {rule.id}: {type(rule).__name__.lower()} on {rule.page}/{rule.slot or '*'}")


@overlay.command("clear")
@_overlay_dir
@_state_url
def overlay_clear(path: Path, state_url: str | None) -> None:
    """Drop every override, e.g. once a build holds the updated catalog; servers follow within a second."""
    with _overlay_store(path, state_url) as (where, store):
        if store is None:
            click.echo(f"{where}: no catalog overlay")
            return
        dropped = len(store.load()[1])
        generation = store.clear()
    click.echo(f"{where}: cleared {dropped} overrides (generation {generation})")


DEMO_INGEST_KEY = "skylt-demo-public-key"  # public by design: an ingest key only allows appending events


@main.command()
@click.option("--out", default=Path("skylt-data"), show_default=True, type=click.Path(path_type=Path),
              help="Where the demo's tables are built.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--build-only", is_flag=True, help="Build (and warm) the demo snapshot, then exit.")
def demo(out: Path, host: str, port: int, build_only: bool) -> None:
    """Build the embedded demo shop (UCI Online Retail sample) if needed and serve it."""
    from edge.build.demo import demo_files
    from edge.build.pipeline import build as run_build
    from edge.store import SnapshotDir

    tables = out / "tables"
    if SnapshotDir(tables).current_version() is None:
        events, catalog = demo_files()
        with clean_errors(), progress(err_console.is_terminal) as say:
            result = run_build(events, tables, catalog_path=catalog, progress=say)
        print_summary(result)
    if build_only:
        from edge.config import Settings
        from edge.serve.warm import warm
        from edge.slots.served import serve
        from edge.store import open_snapshot

        with open_snapshot(tables) as snap:
            warm(serve(snap, Settings.load(tables=str(tables))))
        console.print(f"demo snapshot ready under {tables}")
        return
    import os
    import secrets

    # The demo shop and its event ingest; settings the user gave in the environment win. The server key (the demo
    # shop's checkout reports orders with it) and the admin key are new on every start, so none is ever published.
    os.environ.setdefault("SKYLT_STOREFRONT", "true")
    os.environ.setdefault("SKYLT_INGEST_KEYS", DEMO_INGEST_KEY)
    os.environ.setdefault("SKYLT_SERVER_KEYS", "demo-server-" + secrets.token_hex(16))
    admin = None if os.environ.get("SKYLT_ADMIN_KEYS") else "demo-admin-" + secrets.token_hex(16)
    if admin:
        os.environ["SKYLT_ADMIN_KEYS"] = admin
    os.environ.setdefault("SKYLT_EVENT_LOG", str((out / "events").resolve()))
    base = f"http://{host}:{port}"
    how = (f"any user name, password {admin}" if admin else "any user name, one of your SKYLT_ADMIN_KEYS")
    console.print(f"Skylt demo on {base}\n"
                  f"  demo shop:      {base}/storefront/\n"
                  f"  API page:       {base}/docs\n"
                  f"  home slots:     {base}/v1/recommend?page=home\n"
                  f"  product slots:  {base}/v1/recommend?page=product&item=85123A\n"
                  f"  cart slots:     {base}/v1/recommend?page=cart&cart=85123A,22423\n"
                  f"  readiness:      {base}/readyz\n"
                  f"  dashboard:      {base}/dashboard ({how})\n"
                  f"  report:         skylt report --events-dir {os.environ['SKYLT_EVENT_LOG']}", highlight=False)
    run_server(tables, host, port, 1, access_log=False)
