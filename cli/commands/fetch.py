"""``maxpain fetch``: a live chain from Yahoo, saved as a snapshot."""

from __future__ import annotations

from datetime import date

import click

from ..options import DATE, Settings, window_options, with_settings
from ..output import emit_json, show
from ..snapshots import fetch_live, open_store, save


@click.command(short_help="Fetch a chain live from Yahoo and save it.")
@click.argument("ticker")
@click.option("--expiry", "expiries", type=DATE, multiple=True, help="Only this expiration (repeatable).")
@window_options
@click.option("--allow-partial", is_flag=True, help="Save even if some expirations fail (marked partial).")
@with_settings()
def fetch(
    settings: Settings,
    ticker: str,
    expiries: tuple[date, ...],
    until: date | None,
    weeks: int | None,
    allow_partial: bool,
) -> None:
    """Fetch TICKER's chain live from Yahoo and save it as a snapshot.

    \b
    Example: maxpain fetch NVDA --weeks 4
    """
    from maxpain.chain import validate_ticker
    from maxpain.errors import InputError

    from .. import payloads
    from ..render.saved import saved_lines

    if until and weeks:
        raise InputError("give either --until or --weeks, not both")
    chain = fetch_live(
        settings,
        validate_ticker(ticker),
        expiries=[e.isoformat() for e in expiries] or None,
        until=until,
        weeks=weeks,
        allow_partial=allow_partial,
    )
    result = save(open_store(settings), chain)
    name = f"Yahoo {chain.underlying}"
    if settings.as_json:
        emit_json([payloads.saved(name, chain.meta, result)])
        return
    show(settings, saved_lines(name, chain.meta, result))
