"""``maxpain pinning``: did expiration-day closes move toward max pain, against a placebo?"""

from __future__ import annotations

from datetime import date

import click

from ..options import DATE, Settings, csv_option, engine_for, engine_options, with_settings
from ..output import emit_csv, emit_json, show
from ..snapshots import open_store


@click.command(short_help="Did the close move toward max pain? (with a placebo)")
@click.argument("tickers", nargs=-1)
@click.option(
    "--lag",
    type=click.IntRange(min=1, max=30),
    default=1,
    show_default=True,
    help="Trading sessions between the snapshot whose max pain is tested and expiration day.",
)
@click.option("--from", "start", type=DATE, default=None, help="Only expiration days from this date.")
@click.option("--to", "end", type=DATE, default=None, help="Only expiration days up to this date.")
@engine_options
@csv_option
@with_settings(exports=True)
def pinning(
    settings: Settings,
    tickers: tuple[str, ...],
    lag: int,
    start: date | None,
    end: date | None,
    engine: str,
    scheduler: str | None,
    as_csv: bool,
) -> None:
    """For every stored expiration day E with a snapshot at its close and one LAG sessions
    earlier: did the close move toward that earlier snapshot's max pain of E, and more often than
    toward a placebo (the max pain of the next expiration, which does not expire that day)?
    Every ticker in the store unless TICKERS are given.

    \b
    Example: maxpain pinning NVDA SPY --lag 1
    """
    from maxpain.analyses.pinning import study, study_on
    from maxpain.errors import InputError
    from maxpain.timeline import load_timelines

    from .. import payloads

    if as_csv and settings.as_json:
        raise click.UsageError("--csv and --json each print the whole result: choose one")
    if start and end and end < start:
        raise InputError(f"--to {end} is before --from {start}; swap them", parameter="to")
    store = open_store(settings)
    names = [t.upper() for t in tickers] or store.tickers()
    if not names:
        store.resolve("ANY")  # the one sentence for an empty store
    names = list(dict.fromkeys(names))
    with engine_for(engine, scheduler) as runner:
        if runner is None:
            result = study(load_timelines(store, names), lag=lag, start=start, end=end)
        else:
            result = study_on(runner, str(store.root), names, lag=lag, start=start, end=end)
    if settings.as_json:
        emit_json(payloads.pinning(result))
        return
    if as_csv:
        emit_csv(payloads.pinning_csv(result))
        return
    from ..render.common import warnings_panel
    from ..render.pinning import by_ticker_table, header, pooled_table, quality_lines, verdict

    show(
        settings,
        header(result),
        warnings_panel(quality_lines(result)),
        verdict(result),
        pooled_table(result),
        by_ticker_table(result),
    )
