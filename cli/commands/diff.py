"""``maxpain diff``: OI build-ups and unwinds between two snapshots."""

from __future__ import annotations

from datetime import date

import click

from ..options import Settings, top_option, until_option, with_settings
from ..output import emit_json, show
from ..snapshots import snapshot_pair


@click.command(short_help="OI build-ups and unwinds between two snapshots.")
@click.argument("ticker")
@click.option("--from", "start", default=None, help="Earlier snapshot (default: the one stored before --to).")
@click.option("--to", "end", default="latest", show_default=True, help="Later snapshot.")
@until_option("Only expirations up to this date.")
@click.option(
    "--near",
    "near_weeks",
    type=click.IntRange(min=1, max=52),
    default=4,
    show_default=True,
    help="Weeks that count as near expirations.",
)
@top_option(10, 200, "Rows of build-ups and unwinds.")
@with_settings(exports=True)
def diff(
    settings: Settings,
    ticker: str,
    start: str | None,
    end: str,
    until: date | None,
    near_weeks: int,
    top: int,
) -> None:
    """Open-interest build-ups and unwinds between two snapshots, by contract and by expiration.

    \b
    Example: maxpain diff GOOG --from 2025-12-01 --to 2025-12-05
    """
    from rich.text import Text

    from maxpain import analyses
    from maxpain.snapshot import pair_warnings

    from .. import payloads
    from ..render.change import by_expiration_table, change_tables, concentration_sentence
    from ..render.common import warnings_panel

    before, after = snapshot_pair(settings, ticker, start, end)
    change = analyses.open_interest_change(before.chain, after.chain, until=until)
    split = analyses.split_near_later(change, near_weeks=near_weeks)
    warnings = pair_warnings(before, after, change.warnings)
    if settings.as_json:
        emit_json(payloads.change(before, after, change, split, top, warnings))
        return
    ticker = after.chain.underlying
    show(
        settings,
        Text(f"maxpain diff · {ticker}: {before.label} → {after.label}", style="bold cyan"),
        warnings_panel(warnings),
        concentration_sentence(ticker, change, split),
        change_tables(change, top),
        by_expiration_table(change, split),
    )
