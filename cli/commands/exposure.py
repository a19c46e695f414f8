"""``maxpain exposure``: what a position amounts to."""

from __future__ import annotations

from datetime import date

import click

from ..options import DATE, Settings, at_option, rate_option, with_settings
from ..output import emit_json, show
from ..snapshots import snapshot


@click.command(short_help="What a position amounts to: notional, premium, delta.")
@click.argument("ticker")
@click.option("--strike", type=float, required=True, help="Strike of the contract.")
@click.option(
    "--right",
    type=click.Choice(["put", "call", "p", "c"], case_sensitive=False),
    required=True,
    help="put or call (P/C).",
)
@click.option("--expiry", type=DATE, required=True, help="Expiration date YYYY-MM-DD.")
@click.option("--contracts", type=click.IntRange(min=1), required=True, help="Number of contracts.")
@at_option
@rate_option("delta")
@with_settings(exports=True)
def exposure(
    settings: Settings,
    ticker: str,
    strike: float,
    right: str,
    expiry: date,
    contracts: int,
    at: str,
    rate: float,
) -> None:
    """What a position amounts to: shares, notional, premium, delta-adjusted notional.

    \b
    Example: maxpain exposure PLTR --strike 50 --right put \\
               --expiry 2027-01-15 --contracts 50000
    """
    from maxpain import analyses

    from .. import payloads
    from ..render.common import snapshot_header, warnings_panel
    from ..render.exposure import exposure_panel

    opened = snapshot(settings, ticker, at)
    result = analyses.position_exposure(
        opened.chain, strike=strike, right=right, expiration=expiry, contracts=contracts, rate=rate
    )
    warnings = opened.warnings
    if settings.as_json:
        emit_json(payloads.exposure(result, warnings))
        return
    show(
        settings,
        snapshot_header(opened, f"maxpain exposure · {opened.chain.underlying}"),
        warnings_panel(warnings),
        exposure_panel(result),
    )
