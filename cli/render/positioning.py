"""Fresh positioning: contracts trading heavily against their open interest."""

from __future__ import annotations

import polars as pl

from .common import FittedTable, contract_cells
from .formats import DASH, integer, money


def fresh_positioning_table(frame: pl.DataFrame) -> FittedTable:
    """Contracts trading most heavily against their open interest (volume / OI)."""
    table = FittedTable("Fresh positioning (volume / OI)")
    for name, priority in (
        ("expiration", 0),
        ("strike", 0),
        ("right", 0),
        ("volume", 2),
        ("OI", 3),
        ("vol/OI", 0),
        ("premium", 1),
    ):
        table.add_column(name, "left" if name in ("expiration", "right") else "right", priority)
    for row in frame.iter_rows(named=True):
        table.add_row(
            *contract_cells(row),
            integer(row["volume"]),
            integer(row["open_interest"]),
            f"{row['volume_oi']:.2f}",
            money(row["premium"]),
        )
    if frame.height == 0:
        table.add_row(DASH, "", "", "", "", "", "")
    return table
