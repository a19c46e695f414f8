"""``maxpain snapshots``: what is stored."""

from __future__ import annotations

import click

from ..options import Settings, with_settings
from ..output import console, emit_json, note, page, show
from ..snapshots import open_store


@click.command(short_help="List stored snapshots.")
@click.argument("ticker", required=False)
@click.option(
    "--verify", is_flag=True, help="Read every file completely, rebuild the catalog, report damage."
)
@click.option(
    "--last",
    type=click.IntRange(min=1),
    default=None,
    help="Only the N most recent snapshots of each ticker.",
)
@with_settings()
def snapshots(settings: Settings, ticker: str | None, verify: bool, last: int | None) -> None:
    """List stored snapshots (all tickers, or TICKER), each checked against its neighbours
    (COPY of the day before, INCOMPLETE). Long histories print as plain rows.

    \b
    Example: maxpain snapshots NVDA --last 20
    """
    import polars as pl

    from maxpain import audit, catalog
    from maxpain.neighbours import checked_listing

    from .. import payloads
    from ..render.formats import count
    from ..render.snapshots import TABLE_ROWS_HINT as TABLE_ROWS
    from ..render.snapshots import plain_rows, snapshots_table

    target = open_store(settings)
    checks = audit.verify(target, ticker) if verify else None
    tickers = [t.upper() for t in [ticker]] if ticker else target.tickers()
    frames = {}
    for name in tickers:
        listing = checked_listing(target, name)
        frames[name] = listing.tail(last) if last else listing
    for reason in target.skipped:
        note(settings, f"warning: {reason}")
    if checks is not None:  # what reading every file found, beside what the footers say
        found = {(s.ticker, s.id): s.damaged for s in checks if s.damaged}
        for name, frame in frames.items():
            deep = [found.get((name, i)) for i in frame["id"].to_list()]
            frames[name] = frame.with_columns(
                damaged=pl.coalesce(pl.col("damaged"), pl.Series(deep, dtype=pl.String))
            ).with_columns(
                warnings=pl.when(pl.col("damaged").is_null()).then("warnings").otherwise(pl.lit([]))
            )
        for line in target.catalog_checks:
            note(settings, line)
    total = sum(f.height for f in frames.values())
    damaged = sum(int(f["damaged"].is_not_null().sum()) for f in frames.values())
    if settings.as_json:
        listed = [info for name, f in frames.items() for info in catalog.infos(f, target.root, name)]
        emit_json(payloads.snapshots(listed))
        return
    if not total:
        note(settings, f"no snapshots{' of ' + ticker.upper() if ticker else ''} in {target.root}")
        return
    width = console(settings).width
    if total <= TABLE_ROWS:
        listed = [info for name, f in frames.items() for info in catalog.infos(f, target.root, name)]
        show(settings, snapshots_table(listed, width))
    else:
        page(settings, plain_rows(frames, width))
    if damaged:
        note(settings, f"{count(damaged, 'damaged file')} skipped: remove them or re-import")
