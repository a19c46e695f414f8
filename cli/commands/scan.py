"""``maxpain scan``: one row per ticker at a date: max pain, walls, P/C, build-up, dealer gamma."""

from __future__ import annotations

from datetime import date

import click

from maxpain.choices import SCAN_SORTABLE

from ..options import (
    DATE,
    Settings,
    convention_option,
    csv_option,
    engine_for,
    engine_options,
    rate_option,
    window_options,
    with_settings,
)
from ..output import emit_csv, emit_json, show
from ..snapshots import open_store


@click.command(short_help="One row per ticker: max pain, walls, P/C, build-up, GEX.")
@click.argument("tickers", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every ticker in the store (the default without TICKERS).")
@click.option(
    "--at",
    "at",
    type=DATE,
    default=None,
    help="The date scanned (each ticker's last snapshot that UTC day; default latest).",
)
@click.option(
    "--sort",
    type=click.Choice(SCAN_SORTABLE),
    default="ticker",
    show_default=True,
    help="Order of the rows (numbers: largest first; distances and GEX by size).",
)
@click.option("--top", type=click.IntRange(min=1), default=None, help="Only the first N rows.")
@window_options
@convention_option()
@rate_option()
@engine_options
@csv_option
@with_settings(exports=True)
def scan(
    settings: Settings,
    tickers: tuple[str, ...],
    every: bool,
    at: date | None,
    sort: str,
    top: int | None,
    until: date | None,
    weeks: int | None,
    convention: str,
    rate: float,
    engine: str,
    scheduler: str | None,
    as_csv: bool,
) -> None:
    """One row per ticker at a date: spot, the nearest monthly's max pain and its distance, the
    window's pooled max pain, put and call walls with their distances, P/C by OI, the largest OI
    build-up since the snapshot before, net GEX and the gamma flip, and each row's data-quality
    flags: the figures report, walls, diff and gex give for that ticker.

    \b
    Examples: maxpain scan --all --at 2026-08-14 --sort net_gex
              maxpain scan NVDA AAPL MSFT --top 2 --sort monthly_distance_pct
    """
    from maxpain.analyses.scan import scan as run_scan
    from maxpain.chain import validate_ticker
    from maxpain.errors import InputError, NotFoundError

    from ..payloads import scan as scan_payloads

    if as_csv and settings.as_json:
        raise click.UsageError("--csv and --json each print the whole result: choose one")
    if every and tickers:
        raise InputError("give TICKERS or --all, not both")
    store = open_store(settings)
    names = [validate_ticker(t) for t in tickers] or store.tickers()
    if not names:
        store.resolve("ANY")  # the one sentence for an empty store
    with engine_for(engine, scheduler) as runner:
        result = run_scan(
            store,
            list(dict.fromkeys(names)),
            at=at.isoformat() if at else "latest",
            until=until,
            weeks=weeks,
            convention=convention,
            rate=rate,
            include_adjusted=settings.include_adjusted,
            sort=sort,
            top=top,
            engine=runner,
        )
    if not result.rows:
        first = result.missing[0][1] if result.missing else "nothing stored"
        raise NotFoundError(f"no ticker has a snapshot at {result.at}: {first}")
    if settings.as_json:
        emit_json(scan_payloads.scan(result))
        return
    if as_csv:
        emit_csv(scan_payloads.scan_csv(result))
        return
    from ..render.common import warnings_panel
    from ..render.scan import scan_table

    show(settings, warnings_panel(scan_payloads.scan_warnings(result)), scan_table(result))
