"""Fresh positioning: contracts trading heavily against their open interest."""

from __future__ import annotations

import polars as pl
from rich.table import Table

from .common import contract_cells, titled_table
from .formats import DASH, integer, money


def fresh_positioning_table(frame: pl.DataFrame) -> Table:
    """Contracts trading most heavily against their open interest (volume / OI)."""
    table = titled_table("Fresh positioning (volume / OI)")
    for name in ("expiration", "strike", "right", "volume", "OI", "vol/OI", "premium"):
        table.add_column(name, justify="left" if name in ("expiration", "right") else "right")
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
