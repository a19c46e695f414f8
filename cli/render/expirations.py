"""The per-expiration max-pain table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
from rich.text import Text

from .common import FittedTable
from .formats import day, distance, integer, ratio, strike_text

if TYPE_CHECKING:
    from maxpain.analyses import Window


def expiration_table(
    table: pl.DataFrame, spot: float | None, window: Window | None = None, *, hidden: int = 0
) -> FittedTable:
    grid = FittedTable("Max pain by expiration")
    for name, justify, priority in (
        ("expiration", "left", 0),
        ("max pain", "right", 0),
        ("vs spot", "right", 2),
        ("call OI", "right", 1),
        ("put OI", "right", 1),
        ("P/C OI", "right", 3),
        ("P/C vol", "right", 4),
    ):
        grid.add_column(name, justify, priority)
    for row in table.iter_rows(named=True):
        in_window = window is not None and row["expiration"] in window.expirations
        style = "bold" if in_window else None
        pain: str | Text = (
            strike_text(row["max_pain"]) if row["max_pain"] is not None else Text("undefined", style="yellow")
        )
        grid.add_row(
            day(row["expiration"]) + (" *" if in_window else ""),
            pain,
            distance(row["distance_to_spot"]),
            integer(row["call_oi"]),
            integer(row["put_oi"]),
            ratio(row["put_call_oi_ratio"]),
            ratio(row["put_call_volume_ratio"]),
            style=style,
        )
    captions = [f"* window through {window.until}"] if window is not None else []
    if hidden:
        captions.append(f"{hidden} more: --all")
    grid.caption = "; ".join(captions) or None
    return grid
