"""The per-expiration max-pain table."""

from __future__ import annotations

import polars as pl
from rich.table import Table
from rich.text import Text

from maxpain.analyses import Window

from .common import titled_table
from .formats import day, distance, integer, ratio, strike_text


def expiration_table(
    table: pl.DataFrame, spot: float | None, window: Window | None = None, *, hidden: int = 0
) -> Table:
    grid = titled_table("Max pain by expiration")
    grid.add_column("expiration")
    grid.add_column("max pain", justify="right")
    grid.add_column("vs spot", justify="right")
    grid.add_column("call OI", justify="right")
    grid.add_column("put OI", justify="right")
    grid.add_column("P/C OI", justify="right")
    grid.add_column("P/C vol", justify="right")
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
    if captions:
        grid.caption = "; ".join(captions)
        grid.caption_justify = "left"
    return grid
