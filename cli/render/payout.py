"""The payout curve as bars of the payout above its minimum."""

from __future__ import annotations

import polars as pl
from rich.table import Table
from rich.text import Text

from maxpain.analyses import curve_rows

from .formats import money, price, strike_text


def payout_bars(
    curve: pl.DataFrame, *, spot: float | None, max_pain: float | None, width: int, max_rows: int = 30
) -> Table:
    """The payout curve as horizontal bars of the payout *above its minimum* (so the bottom of the
    curve is visible), split into what call and put holders are owed; strikes descending."""
    frame = curve_rows(curve, spot=spot, max_pain=max_pain, max_rows=max_rows).sort("strike", descending=True)
    floor = float(curve["total_payout"].min() or 0.0)  # type: ignore[arg-type]
    top = float(frame["total_payout"].max() or 0.0) - floor  # type: ignore[arg-type]
    bar_width = max(10, width - 34)
    table = Table(
        title="Payout to option holders at expiry",
        title_justify="left",
        header_style="bold",
        box=None,
        pad_edge=False,
    )
    table.add_column("strike", justify="right")
    table.add_column("payout", justify="right")
    table.add_column("above the minimum: █ calls ▒ puts", no_wrap=True)
    spot_drawn = spot is None
    for row in frame.iter_rows(named=True):
        if not spot_drawn and row["strike"] < spot:
            table.add_row(
                Text(f"{price(spot)}", style="cyan"), "", Text("─" * bar_width + " spot", style="cyan")
            )
            spot_drawn = True
        excess = row["total_payout"] - floor
        cells = round(bar_width * excess / top) if top > 0 else 0
        call_cells = round(cells * row["call_payout"] / row["total_payout"]) if row["total_payout"] else 0
        bar = Text("█" * call_cells, style="green") + Text("▒" * (cells - call_cells), style="red")
        is_pain = max_pain is not None and row["strike"] == max_pain
        label = Text(strike_text(row["strike"]), style="bold magenta" if is_pain else "")
        if is_pain:
            bar.append("◀ max pain (minimum payout)", style="bold magenta")
        table.add_row(label, money(row["total_payout"]), bar)
    if not spot_drawn:
        table.add_row(Text(price(spot), style="cyan"), "", Text("─" * bar_width + " spot", style="cyan"))
    table.caption = "bar = payout minus the minimum; its colours split it by who is owed"
    table.caption_justify = "left"
    return table
