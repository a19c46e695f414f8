"""``maxpain heatmap``: the strike × expiration board of OI, calls, puts, net or change."""

from __future__ import annotations

from datetime import date

import click

from maxpain.choices import HEATMAP_METRICS

from ..options import (
    Settings,
    StrikeRange,
    at_option,
    convention_option,
    rate_option,
    until_option,
    weeks_option,
    with_settings,
)
from ..output import emit_json, show
from ..snapshots import snapshot, snapshot_pair


@click.command(short_help="Strike × expiration heatmap of OI, net or change.")
@click.argument("ticker")
@at_option
@click.option(
    "--metric",
    type=click.Choice(HEATMAP_METRICS),
    default="oi",
    show_default=True,
    help="What the cells show.",
)
@click.option(
    "--from",
    "start",
    default=None,
    help="For --metric change: the earlier snapshot (default: the one before --to).",
)
@click.option("--to", "end", default=None, help="For --metric change: the later snapshot (default: --at).")
@until_option("Only expirations up to this date.")
@weeks_option("Only expirations within N weeks of the capture date.")
@click.option(
    "--strikes", type=StrikeRange(), default=None, help="Strike range LO:HI (default: around spot)."
)
@click.option(
    "--rows",
    type=click.IntRange(min=5, max=500),
    default=40,
    show_default=True,
    help="At most this many strikes.",
)
@convention_option(when="--metric gex")
@rate_option(when="--metric gex")
@with_settings(exports=True)
def heatmap(
    settings: Settings,
    ticker: str,
    at: str,
    metric: str,
    start: str | None,
    end: str | None,
    until: date | None,
    weeks: int | None,
    strikes: tuple[float, float] | None,
    rows: int,
    convention: str | None,
    rate: float | None,
) -> None:
    """Strike × expiration heatmap of OI, calls, puts, net (calls − puts), change, or net dealer
    gamma (gex, USD per 1% move, under --convention).

    \b
    Examples: maxpain heatmap NVDA --until 2026-01-16
              maxpain heatmap GOOG --metric change --from 2025-12-01
              maxpain heatmap SPY --metric gex --weeks 2
    """
    from maxpain import analyses
    from maxpain.errors import InputError
    from maxpain.snapshot import pair_warnings

    from .. import payloads
    from ..render.common import snapshot_header, warnings_panel
    from ..render.heatmap import Heatmap, board_title

    warnings: list[str] = []
    before = None
    gamma: dict[str, object] | None = None
    if metric != "gex" and (convention is not None or rate is not None):
        raise InputError("--convention and --rate go with --metric gex")
    if metric == "change":
        before, opened = snapshot_pair(settings, ticker, start, end or at)
        until = analyses.requested_until(opened.chain, until=until, weeks=weeks)
        change = analyses.open_interest_change(before.chain, opened.chain, until=until)
        grid = analyses.change_grid(change)
        warnings = pair_warnings(before, opened, change.warnings)
    else:
        if start or end:
            raise InputError("--from/--to go with --metric change; use --at to pick the snapshot")
        opened = snapshot(settings, ticker, at)
        until = analyses.requested_until(opened.chain, until=until, weeks=weeks)
        columns = analyses.open_expirations(opened.chain, until=until)
        if metric == "gex":
            from maxpain.analyses.gamma import DEFAULT_RATE, UNIT
            from maxpain.analyses.grid import gex_grid

            convention = convention or "naive"
            rate = DEFAULT_RATE if rate is None else rate
            grid, gamma_notes = gex_grid(opened.chain, columns, convention=convention, rate=rate)
            warnings.extend(gamma_notes)
            gamma = {"convention": convention, "rate": rate, "unit": UNIT}
        else:
            grid = analyses.oi_grid(opened.chain, metric, columns)
    chain = opened.chain
    table = analyses.max_pain_by_expiration(chain)
    pain = analyses.max_pain_by_column(table)
    warnings = list(dict.fromkeys([*warnings, *opened.warnings, *analyses.one_sided_warnings(table)]))
    if settings.as_json:
        emit_json(payloads.heatmap(opened, metric, grid, pain, warnings, before, gamma))
        return
    span = analyses.heatmap_span(chain, sorted(set(grid["expiration"].to_list())), pain)
    show(
        settings,
        snapshot_header(opened, f"maxpain heatmap · {chain.underlying}"),
        warnings_panel(warnings),
        Heatmap(
            grid,
            title=board_title(metric, before, opened, convention or "naive"),
            spot=chain.meta.spot,
            max_pain=pain,
            diverging=metric in analyses.SIGNED_METRICS,
            strikes=strikes,
            max_rows=rows,
            focus=span.focus,
            keep=span.anchors,
            flagged=analyses.one_sided_notes(table),
        ),
    )
