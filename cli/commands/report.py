"""``maxpain report``: one screen about one snapshot."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from ..options import Settings, at_option, stack, top_option, window_options, with_settings
from ..output import emit_json, show
from ..snapshots import snapshot

if TYPE_CHECKING:
    from maxpain.analyses.gamma import GammaExposure
    from maxpain.chain import Chain

positioning_floor = stack(
    click.option(
        "--min-volume",
        type=click.IntRange(min=1),
        default=100,
        show_default=True,
        help="Fresh positioning: contracts traded at least.",
    ),
    click.option(
        "--min-premium",
        type=click.FloatRange(min=0),
        default=50_000,
        show_default=True,
        help="Fresh positioning: premium traded at least ($).",
    ),
)


def report_gamma(
    chain: Chain, *, until: date | None, weeks: int | None
) -> tuple[GammaExposure | None, str | None]:
    """The window's dealer gamma under the default convention, or why there is none."""
    from maxpain.analyses.gamma import gamma_exposure
    from maxpain.errors import InputError

    try:
        return gamma_exposure(chain, until=until, weeks=weeks), None
    except InputError as error:
        return None, str(error)


@click.command(short_help="One screen: max pain, walls, positioning, GEX, heatmap.")
@click.argument("ticker")
@at_option
@window_options
@top_option(3, 50, "Walls per side.")
@click.option(
    "--all", "all_expirations", is_flag=True, help="List every expiration (default: window + monthlies)."
)
@positioning_floor
@with_settings(exports=True)
def report(
    settings: Settings,
    ticker: str,
    at: str,
    until: date | None,
    weeks: int | None,
    top: int,
    all_expirations: bool,
    min_volume: int,
    min_premium: float,
) -> None:
    """One screen: spot, max pain by expiry, walls and clusters, dealer gamma, a heatmap, warnings.

    \b
    Example: maxpain report NVDA --until 2025-12-26
    """
    from rich.columns import Columns
    from rich.console import Group

    from maxpain import analyses

    from .. import payloads
    from ..payloads.gamma import gex_line
    from ..render.common import snapshot_header, warnings_panel
    from ..render.expirations import expiration_table
    from ..render.gex import gamma_line
    from ..render.heatmap import Heatmap
    from ..render.positioning import fresh_positioning_table
    from ..render.walls import clusters_table, walls_sentence, walls_tables

    opened = snapshot(settings, ticker, at)
    chain = opened.chain
    window = analyses.make_window(chain, until=until, weeks=weeks)
    table = analyses.max_pain_by_expiration(chain)
    walls = analyses.find_walls(chain, window, top=top)
    fresh = analyses.fresh_positioning(
        chain, expirations=window.expirations, top=5, min_volume=min_volume, min_premium=min_premium
    )
    gamma, gamma_reason = report_gamma(chain, until=until, weeks=weeks)
    # the GEX caveats (contracts without IV) lead report's one GEX line rather than the panel
    warnings = opened.warnings + walls.notes + analyses.one_sided_warnings(table)
    if settings.as_json:
        emit_json(
            {
                **payloads.report(opened, walls, table, fresh, warnings),
                "gex": gex_line(gamma, gamma_reason),
            }
        )
        return
    listed = (
        table if all_expirations else analyses.rows_of(table, analyses.summary_expirations(chain, window))
    )
    span = analyses.report_span(chain, window, walls)
    clusters = analyses.distinct_clusters(walls)
    heatmap = Heatmap(
        analyses.oi_grid(chain, "oi", span.expirations),
        title="Open interest (calls + puts) by strike and expiration",
        spot=chain.meta.spot,
        max_pain=analyses.max_pain_by_column(table),
        focus=span.focus,
        keep=span.anchors,
        max_rows=9,  # with the GEX line the 160 × 50 screen holds 9 strikes
        flagged=analyses.one_sided_notes(table),
    )
    # side by side where the terminal is wide enough (160 columns: one screen), stacked otherwise
    show(
        settings,
        snapshot_header(opened, f"maxpain report · {chain.underlying}"),
        warnings_panel(warnings),
        Columns(
            [
                expiration_table(listed, chain.meta.spot, window, hidden=table.height - listed.height),
                Group(
                    fresh_positioning_table(fresh),
                    *([clusters_table(clusters, chain.meta.spot)] if clusters.height else []),
                ),
            ],
            padding=(0, 3),
        ),
        walls_sentence(chain.underlying, walls),
        gamma_line(gamma, gamma_reason),
        Columns(walls_tables(walls), padding=(0, 3)),
        heatmap,
    )
