"""The ``history`` view: a line chart of spot, max pain and walls over time above a compact
table, one row per snapshot (flagged snapshots marked, and left off the chart)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
from rich.panel import Panel
from rich.text import Text

from maxpain.analyses.history import table_rows
from maxpain.market import NEW_YORK

from .chart import LineChart, Series
from .common import FittedTable
from .formats import DASH, compact, count, price, ratio, strike_text

if TYPE_CHECKING:
    from maxpain.analyses.history import History

#: Flagged snapshots named one by one in the data-quality panel; more are counted.
SHOWN_WARNINGS = 8


def header(result: History) -> Panel:
    """Ticker, range, how many snapshots, which expirations and which window."""
    rows = result.rows
    first, last = str(rows["day"].min()), str(rows["day"].max())
    lines = Text()
    lines.append(f"{result.ticker} · {first} → {last} · {count(rows.height, 'snapshot')}", style="bold")
    followed = ", ".join(e.isoformat() for e in result.expirations) or "none listed"
    how = f" ({result.chosen})" if result.chosen else ""
    lines.append(f"\nmax pain of {followed}{how}", style="dim")
    lines.append(
        f"\npooled max pain, walls and P/C over {result.window_label} from each snapshot", style="dim"
    )
    return Panel(
        lines,
        title=f"maxpain history · {result.ticker}",
        title_align="left",
        border_style="cyan",
        expand=False,
    )


def quality_lines(result: History) -> list[str]:
    """The data-quality warnings, each snapshot's prefixed with its day; a long list is cut."""
    flagged = result.rows.filter(pl.col("warnings").list.len() > 0)
    lines = []
    for day, warnings in flagged.select("day", "warnings").iter_rows():
        for warning in warnings:
            lines.append(f"{day}: {warning}")
    if len(lines) > SHOWN_WARNINGS:
        hidden = len(lines) - SHOWN_WARNINGS
        lines = [*lines[:SHOWN_WARNINGS], f"… and {hidden:,} more (see --json)"]
    marked = int(result.rows["flagged"].sum())
    if marked:
        lines.append(f"{count(marked, 'flagged snapshot')} left off the chart (marked ! in the table)")
    return lines


def chart(result: History) -> LineChart:
    """Spot, max pain of the followed expiration(s), pooled max pain and the walls."""
    rows = result.rows
    keep = [not f for f in rows["flagged"].to_list()]

    def masked(values: list[float | None]) -> list[float | None]:
        return [v if k else None for v, k in zip(values, keep, strict=True)]

    series = [Series("spot", "bold white", masked(rows["spot"].to_list()))]
    colours = ["magenta", "bright_magenta", "orchid"]
    for i, expiration in enumerate(result.expirations):
        values = result.max_pain.filter(result.max_pain["expiration"] == expiration).sort("position")[
            "max_pain"
        ]
        series.append(
            Series(f"max pain {expiration:%m-%d}", colours[i % len(colours)], masked(values.to_list()))
        )
    series.append(Series("pooled max pain", "cyan", masked(rows["pooled_max_pain"].to_list())))
    series.append(Series("put wall", "red", masked(rows["put_wall"].to_list())))
    series.append(Series("call wall", "green", masked(rows["call_wall"].to_list())))
    return LineChart(rows["day"].to_list(), series, height=14)


def table(result: History, max_rows: int = 70) -> FittedTable:
    """One row per snapshot (or per day, when they do not fit in ``max_rows``): spot, max pain,
    pooled max pain, walls with OI, P/C, total OI."""
    intraday = result.rows["day"].n_unique() < result.rows.height
    rows, thinned = table_rows(result.rows, max_rows)
    out = FittedTable(f"{result.ticker} by snapshot")
    out.add_column("captured" if intraday else "day", justify="left")
    out.add_column("spot")
    for expiration in result.expirations:
        out.add_column(f"MP {expiration:%m-%d}")
    out.add_column("pooled MP")
    out.add_column("put wall")
    out.add_column("put OI", priority=2)
    out.add_column("call wall")
    out.add_column("call OI", priority=2)
    out.add_column("P/C", priority=1)
    out.add_column("OI", priority=3)
    out.add_column("", justify="left")
    by_position: dict[int, list[float | None]] = {}
    for position, value in (
        result.max_pain.sort("position", "expiration").select("position", "max_pain").iter_rows()
    ):
        by_position.setdefault(position, []).append(value)
    for row in rows.iter_rows(named=True):
        when = (
            f"{row['captured_at'].astimezone(NEW_YORK):%Y-%m-%d %H:%M}"
            if intraday
            else row["day"].isoformat()
        )
        spot = price(row["spot"]) + ("~" if row["spot_estimated"] else "")
        cells = [
            when,
            spot,
            *(strike_text(v) for v in by_position.get(row["position"], [])),
            strike_text(row["pooled_max_pain"]),
            strike_text(row["put_wall"]),
            compact(row["put_wall_oi"]) if row["put_wall_oi"] is not None else DASH,
            strike_text(row["call_wall"]),
            compact(row["call_wall_oi"]) if row["call_wall_oi"] is not None else DASH,
            ratio(row["put_call_oi"]),
            compact(row["total_oi"]),
            Text("!", style="bold yellow") if row["flagged"] else "",
        ]
        out.add_row(*cells, style="dim" if row["flagged"] else None)
    notes = [thinned] if thinned else []
    if rows["spot_estimated"].any():
        notes.append("~ spot estimated from the chain")
    if rows["flagged"].any():
        notes.append("! flagged (see data quality): left off the chart")
    out.caption = "; ".join(notes) or None
    return out
