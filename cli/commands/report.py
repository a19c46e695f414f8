"""``maxpain report``: one screen about one snapshot."""

from __future__ import annotations

from datetime import date

import click

from ..options import Settings, at_option, top_option, window_options, with_settings
from ..output import emit_json, show
from ..snapshots import snapshot


@click.command()
@click.argument("ticker")
@at_option
@window_options
@top_option(3, 50, "Walls per side.")
@with_settings(exports=True)
def report(settings: Settings, ticker: str, at: str, until: date | None, weeks: int | None, top: int) -> None:
    """One screen: spot, max pain by expiry, walls and clusters, a heatmap, warnings.

    \b
    Example: maxpain report NVDA --until 2025-12-26
    """
    from rich.columns import Columns

    from maxpain import analyses

    from .. import payloads
    from ..render.common import snapshot_header, warnings_panel
    from ..render.expirations import expiration_table
    from ..render.heatmap import Heatmap
    from ..render.positioning import fresh_positioning_table
    from ..render.walls import clusters_table, walls_sentence, walls_tables

    opened = snapshot(settings, ticker, at)
    chain = opened.chain
    window = analyses.make_window(chain, until=until, weeks=weeks)
    table = analyses.max_pain_by_expiration(chain)
    walls = analyses.find_walls(chain, window, top=top)
    fresh = analyses.fresh_positioning(chain, expirations=window.expirations, top=5)
    warnings = opened.warnings + walls.notes + analyses.one_sided_warnings(table)
    if settings.as_json:
        emit_json(payloads.report(opened, walls, table, fresh, warnings))
        return
    span = analyses.report_span(chain, window, walls)
    heatmap = Heatmap(
        analyses.oi_grid(chain, "oi", span.expirations),
        title="Open interest (calls + puts) by strike and expiration",
        spot=chain.meta.spot,
        max_pain=analyses.max_pain_by_column(table),
        focus=span.focus,
        max_rows=18,
    )
    show(
        settings,
        snapshot_header(opened, f"maxpain report · {chain.underlying}"),
        warnings_panel(warnings),
        expiration_table(table, chain.meta.spot, window),
        walls_sentence(chain.underlying, walls),
        Columns(
            [
                walls_tables(walls),
                clusters_table(walls.clusters, chain.meta.spot),
                fresh_positioning_table(fresh),
            ],
            padding=(0, 3),
        ),
        heatmap,
    )
