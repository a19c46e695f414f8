"""``maxpain snapshots``: what is stored."""

from __future__ import annotations

import click

from ..options import Settings, with_settings
from ..output import console, emit_json, note, show
from ..snapshots import open_store


@click.command(short_help="List stored snapshots.")
@click.argument("ticker", required=False)
@click.option("--verify", is_flag=True, help="Read every file completely and report damaged ones.")
@with_settings()
def snapshots(settings: Settings, ticker: str | None, verify: bool) -> None:
    """List stored snapshots (all tickers, or TICKER).

    \b
    Example: maxpain snapshots NVDA
    """
    from maxpain.neighbours import check_neighbours

    from .. import payloads
    from ..render.formats import count
    from ..render.snapshots import snapshots_table

    target = open_store(settings)
    listed = check_neighbours(target, target.verify(ticker) if verify else target.snapshots(ticker))
    for reason in target.skipped:
        note(settings, f"warning: {reason}")
    if settings.as_json:
        emit_json(payloads.snapshots(listed))
        return
    if not listed:
        note(settings, f"no snapshots{' of ' + ticker.upper() if ticker else ''} in {target.root}")
        return
    show(settings, snapshots_table(listed, console(settings).width))
    damaged = sum(1 for s in listed if s.damaged)
    if damaged:
        note(settings, f"{count(damaged, 'damaged file')} skipped: remove them or re-import")
