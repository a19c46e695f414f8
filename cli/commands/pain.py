"""``maxpain pain``: max pain by expiration, the window's pooled max pain, the payout curve."""

from __future__ import annotations

from datetime import date

import click

from ..options import DATE, Settings, at_option, window_options, with_settings
from ..output import console, emit_json, show
from ..snapshots import snapshot


@click.command(short_help="Max pain by expiration and the payout curve.")
@click.argument("ticker")
@at_option
@click.option(
    "--expiry", "expiries", type=DATE, multiple=True, help="Curve of this expiration (repeatable: pooled)."
)
@window_options
@with_settings(exports=True)
def pain(
    settings: Settings,
    ticker: str,
    at: str,
    expiries: tuple[date, ...],
    until: date | None,
    weeks: int | None,
) -> None:
    """Max pain by expiration, the window's pooled max pain, and the payout curve.

    \b
    The curve is for the --expiry given (several: pooled), else for the window.
    Example: maxpain pain NVDA --expiry 2025-12-19
    """
    from rich.console import RenderableType
    from rich.text import Text

    from maxpain import analyses

    from .. import payloads
    from ..render.common import snapshot_header, warnings_panel
    from ..render.expirations import expiration_table
    from ..render.formats import price, strike_text
    from ..render.payout import payout_bars

    opened = snapshot(settings, ticker, at)
    chain = opened.chain
    window = analyses.make_window(chain, until=until, weeks=weeks)
    study = analyses.pain_study(chain, window, expiries)
    warnings = [*opened.neighbour_warnings, *study.warnings]
    if settings.as_json:
        emit_json(payloads.pain(opened, study, warnings))
        return
    pooled = study.pooled
    pooled_line = Text(
        f"Pooled max pain of the window through {window.until} ({len(window.expirations)} expirations): "
        + (strike_text(pooled.strike) if pooled.strike is not None else f"undefined: {pooled.reason}")
        + (f", spot {price(chain.meta.spot)}" if chain.meta.spot is not None else ""),
        style="bold",
    )
    curve: RenderableType | None = None
    curve_pain = study.curve_max_pain
    if study.curve is not None and curve_pain is not None and curve_pain.strike is not None:
        bars = payout_bars(
            study.curve, spot=chain.meta.spot, max_pain=curve_pain.strike, width=console(settings).width
        )
        bars.title = f"Payout to option holders at expiry · {study.curve_label} · max pain {strike_text(curve_pain.strike)}"
        curve = bars
    elif study.curve_window is not None:
        reason = study.curve_reason or (curve_pain.reason if curve_pain else None) or "no expirations"
        curve = Text(f"No payout curve for {study.curve_label}: {reason}", style="yellow")
    show(
        settings,
        snapshot_header(opened, f"maxpain pain · {chain.underlying}"),
        warnings_panel(warnings),
        expiration_table(study.expirations, chain.meta.spot, None if expiries else window),
        pooled_line,
        curve,
    )
