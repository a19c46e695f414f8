"""The scan table: one row per ticker, the figures of the single-ticker views side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from .common import FittedTable
from .formats import DASH, price, ratio, strike_text
from .gex import gex_money

if TYPE_CHECKING:
    from maxpain.analyses.scan import Scan


def _pct(value: float | None) -> str:
    return DASH if value is None else f"{value:+.1f}%"


#: The column that shows each sort field (kept on a narrow terminal when the rows are sorted by it).
SORTED_COLUMN = {
    "spot": "spot",
    "monthly_distance_pct": "vs spot",
    "put_call_oi": "P/C",
    "net_gex": "net GEX",
    "flip_distance_pct": "flip",
    "top_build_up": "build-up",
    "put_wall_distance_pct": "put wall",
    "call_wall_distance_pct": "call wall",
}


def scan_table(result: Scan) -> FittedTable:
    """Ticker, spot, monthly max pain and distance, pooled max pain, walls, P/C, build-up, GEX, flip."""
    kept = SORTED_COLUMN.get(result.sort)
    table = FittedTable(f"Scan at {result.at} · GEX {result.convention} convention, USD per 1% move")
    for name, justify, priority in (
        ("ticker", "left", 0),
        ("spot", "right", 0),
        ("monthly", "left", 3),
        ("MP", "right", 0),
        ("vs spot", "right", 1),
        ("pooled MP", "right", 2),
        ("put wall", "right", 1),
        ("call wall", "right", 1),
        ("P/C", "right", 2),
        ("build-up", "left", 4),
        ("net GEX", "right", 1),
        ("flip", "right", 2),
        ("!", "left", 0),
    ):
        table.add_column(name, justify, 0 if name == kept else priority)
    for row in result.rows:
        spot = row["spot"]
        build_up = row["top_build_up"]
        gex = row["net_gex"]
        table.add_row(
            Text(row["ticker"], style="bold"),
            price(spot) if spot is not None else DASH,
            f"{row['monthly_expiration']:%m-%d}" if row["monthly_expiration"] else DASH,
            strike_text(row["monthly_max_pain"]),
            _pct(row["monthly_distance_pct"]),
            strike_text(row["pooled_max_pain"]),
            strike_text(row["put_wall"]),
            strike_text(row["call_wall"]),
            ratio(row["put_call_oi"]),
            f"{build_up['strike']:g}{build_up['right'][0].upper()} {build_up['expiration']:%m-%d} +{build_up['change']:,}"
            if build_up
            else DASH,
            Text(gex_money(gex), style="green" if gex and gex > 0 else "red" if gex and gex < 0 else "")
            if gex is not None
            else DASH,
            price(row["flip"]) if row["flip"] is not None else DASH,
            Text("!", style="bold yellow") if row["warnings"] else "",
        )
    table.caption = (
        "MP = max pain of the nearest monthly expiration; ! = data-quality warnings (listed above)"
    )
    return table
