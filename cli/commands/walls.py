"""``maxpain walls``: put and call walls and OI clusters over a window."""

from __future__ import annotations

from datetime import date

import click

from ..options import Settings, at_option, top_option, window_options, with_settings
from ..output import emit_json, show
from ..snapshots import snapshot


@click.command(short_help="Put and call walls and OI clusters over a window.")
@click.argument("ticker")
@at_option
@window_options
@top_option(5, 100, "Walls per side.")
@click.option(
    "--min-share",
    type=click.FloatRange(min=0.0, max=1.0),
    default=0.05,
    show_default=True,
    help="Cluster peaks hold at least this share of the side's OI.",
)
@with_settings(exports=True)
def walls(
    settings: Settings,
    ticker: str,
    at: str,
    until: date | None,
    weeks: int | None,
    top: int,
    min_share: float,
) -> None:
    """Put and call walls and OI clusters over a window, against spot and pooled max pain.

    \b
    Example: maxpain walls NVDA --until 2025-12-26 --top 5
    """
    from rich.columns import Columns
    from rich.text import Text

    from maxpain import analyses

    from .. import payloads
    from ..render.common import snapshot_header, warnings_panel
    from ..render.walls import clusters_table, walls_sentence, walls_tables

    opened = snapshot(settings, ticker, at)
    chain = opened.chain
    window = analyses.make_window(chain, until=until, weeks=weeks)
    result = analyses.find_walls(chain, window, top=top, min_share=min_share)
    warnings = opened.warnings + result.notes
    if settings.as_json:
        emit_json({**payloads.walls(opened, result), "warnings": warnings})
        return
    summary = Text(
        f"Window {window.start} to {window.until}: {len(window.expirations)} expirations, "
        f"put OI {result.put_total:,}, call OI {result.call_total:,}, P/C {result.put_call_oi_ratio or 0:.2f}",
        style="dim",
    )
    show(
        settings,
        snapshot_header(opened, f"maxpain walls · {chain.underlying}"),
        warnings_panel(warnings),
        walls_sentence(chain.underlying, result),
        summary,
        Columns(walls_tables(result), padding=(0, 3)),
        clusters_table(result.clusters, chain.meta.spot),
    )
