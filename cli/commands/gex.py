"""``maxpain gex``: dealer gamma exposure by strike, the gamma flip, gamma walls, expected move."""

from __future__ import annotations

from datetime import date

import click

from ..options import (
    DATE,
    Settings,
    at_option,
    convention_option,
    csv_option,
    rate_option,
    window_options,
    with_settings,
)
from ..output import emit_csv, emit_json, show
from ..snapshots import snapshot


@click.command(short_help="Dealer gamma: GEX by strike, flip, walls, expected move.")
@click.argument("ticker")
@at_option
@window_options
@click.option("--all", "every", is_flag=True, help="Every listed expiration (default: the 4-week window).")
@convention_option()
@rate_option()
@click.option(
    "--move-expiry",
    type=DATE,
    default=None,
    help="Expected move to this expiration (default: the nearest at least one trading day out).",
)
@click.option(
    "--rows",
    type=click.IntRange(min=5, max=500),
    default=30,
    show_default=True,
    help="At most this many strikes on the board.",
)
@csv_option
@with_settings(exports=True)
def gex(
    settings: Settings,
    ticker: str,
    at: str,
    until: date | None,
    weeks: int | None,
    every: bool,
    convention: str,
    rate: float,
    move_expiry: date | None,
    rows: int,
    as_csv: bool,
) -> None:
    """Dealer gamma exposure (GEX, USD per 1% move) by strike over a window of expirations: net
    GEX, the gamma flip (where total GEX re-priced across 80-120% of spot changes sign), the call
    and put gamma walls, max pain and the expected move, under a stated dealer convention.

    \b
    Example: maxpain gex SPY --weeks 2
             maxpain gex NVDA --convention dealer-short --json
    """
    from maxpain import analyses
    from maxpain.analyses.gamma import gamma_exposure

    from ..payloads import gamma as gamma_payloads

    if as_csv and settings.as_json:
        raise click.UsageError("--csv and --json each print the whole result: choose one")
    opened = snapshot(settings, ticker, at)
    chain = opened.chain
    result = gamma_exposure(
        chain,
        until=until,
        weeks=weeks,
        every=every,
        convention=convention,
        rate=rate,
        move_expiration=move_expiry,
    )
    pooled = analyses.pooled_max_pain(chain, result.window)
    warnings = list(dict.fromkeys([*opened.warnings, *result.notes]))
    if settings.as_json:
        emit_json(gamma_payloads.gex(opened, result, pooled.strike, warnings))
        return
    if as_csv:
        emit_csv(gamma_payloads.gex_csv(result))
        return
    from rich.text import Text

    from ..render.common import snapshot_header, warnings_panel
    from ..render.gex import GexBoard, figures, sentence

    window = result.window
    scope = (
        f"{len(window.expirations)} expirations {window.start} to {window.until}"
        if window.expirations
        else "no expiration in the window"
    )
    if result.settled:
        settled = ", ".join(str(e) for e in result.settled)
        scope += f" ({settled} settled at a close before the capture: no gamma left, not counted)"
    show(
        settings,
        snapshot_header(opened, f"maxpain gex · {chain.underlying}"),
        warnings_panel(warnings),
        Text(
            f"Window: {scope} · convention {convention} · rate {rate:g} · IV {result.iv_source}", style="dim"
        ),
        figures(result, pooled.strike),
        sentence(result),
        GexBoard(result, max_pain=pooled.strike, max_rows=rows),
    )
