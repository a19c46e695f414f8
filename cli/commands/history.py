"""``maxpain history``: max pain, walls and open interest over the stored history of a ticker."""

from __future__ import annotations

from datetime import date

import click

from ..options import DATE, Settings, csv_option, engine_for, engine_options, window_options, with_settings
from ..output import emit_csv, emit_json, show
from ..snapshots import open_store


@click.command(short_help="Max pain, walls and spot over the stored history.")
@click.argument("ticker")
@click.option(
    "--expiry",
    "expiries",
    type=DATE,
    multiple=True,
    help="Follow this expiration's max pain (repeatable; default: the nearest monthly at the last snapshot).",
)
@window_options
@click.option(
    "--from", "start", default=None, help="First snapshot: a date, an id or its prefix (default: the first)."
)
@click.option(
    "--to", "end", default=None, help="Last snapshot: a date, latest, an id or its prefix (default: latest)."
)
@click.option(
    "--rows",
    type=click.IntRange(min=5, max=100_000),
    default=70,
    show_default=True,
    help="At most this many table rows (past it: the last snapshot of each day, latest first kept).",
)
@engine_options
@csv_option
@with_settings(exports=True)
def history(
    settings: Settings,
    ticker: str,
    expiries: tuple[date, ...],
    until: date | None,
    weeks: int | None,
    start: str | None,
    end: str | None,
    rows: int,
    engine: str,
    scheduler: str | None,
    as_csv: bool,
) -> None:
    """One row per stored snapshot: spot, max pain of the followed expiration(s), the window's
    pooled max pain, put and call walls with their OI, P/C by OI and total OI, with every
    snapshot's data-quality flags. Read from the store's catalog and strike profiles: no snapshot
    is opened.

    \b
    Example: maxpain history NVDA --from 2026-05-25 --to 2026-08-21
    """
    from maxpain.analyses.history import history as history_of
    from maxpain.analyses.history import history_on
    from maxpain.timeline import load_timeline

    from .. import payloads

    if as_csv and settings.as_json:
        raise click.UsageError("--csv and --json each print the whole result: choose one")
    store = open_store(settings)
    with engine_for(engine, scheduler) as runner:
        if runner is None:
            timeline = load_timeline(store, ticker.upper(), start=start, end=end)
            result = history_of(timeline, expirations=expiries, until=until, weeks=weeks)
        else:
            result = history_on(
                runner,
                store,
                ticker.upper(),
                expirations=expiries,
                until=until,
                weeks=weeks,
                start=start,
                end=end,
            )
    if settings.as_json:
        emit_json(payloads.history(result))
        return
    if as_csv:
        emit_csv(payloads.history_csv(result))
        return
    from ..render.common import warnings_panel
    from ..render.history import chart, header, quality_lines, table

    show(settings, header(result), warnings_panel(quality_lines(result)), chart(result), table(result, rows))
