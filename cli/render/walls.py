"""Walls, clusters and the analyst's sentence about them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
from rich.text import Text

from .common import FittedTable
from .formats import DASH, count, distance, integer, price, share, strike_text

if TYPE_CHECKING:
    from maxpain.analyses import OIWalls


def wall_table(label: str, frame: pl.DataFrame, colour: str) -> FittedTable:
    """One side's walls: strike, OI, share, distance to spot and to the pooled max pain."""
    table = FittedTable(label, colour)
    for name, priority in (("strike", 0), ("OI", 0), ("share", 2), ("vs spot", 1), ("vs max pain", 3)):
        table.add_column(name, "right", priority)
    for row in frame.iter_rows(named=True):
        table.add_row(
            strike_text(row["strike"]),
            integer(row["open_interest"]),
            share(row["share"]),
            distance(row["distance_to_spot"]),
            distance(row["distance_to_max_pain"]),
        )
    if frame.height == 0:
        table.add_row(DASH, DASH, DASH, DASH, DASH)
    return table


def walls_tables(result: OIWalls) -> list[FittedTable]:
    """The put walls and the call walls, as two tables (side by side where they fit)."""
    return [
        wall_table("Put walls", result.put_walls, "red"),
        wall_table("Call walls", result.call_walls, "green"),
    ]


def clusters_table(clusters: pl.DataFrame, spot: float | None) -> FittedTable:
    table = FittedTable("Open-interest clusters")
    for name, priority in (
        ("side", 0),
        ("band", 0),
        ("peak", 2),
        ("centre", 3),
        ("OI", 0),
        ("share", 1),
        ("centre vs spot", 4),
    ):
        table.add_column(name, "left" if name in ("side", "band") else "right", priority)
    for row in clusters.iter_rows(named=True):
        band = (
            strike_text(row["low"])
            if row["low"] == row["high"]
            else f"{strike_text(row['low'])}-{strike_text(row['high'])}"
        )
        table.add_row(
            Text(row["side"], style="red" if row["side"] == "put" else "green"),
            band,
            strike_text(row["peak"]),
            price(row["center"]),
            integer(row["open_interest"]),
            share(row["share"]),
            distance(row["center"] - spot) if spot is not None else DASH,
        )
    if clusters.height == 0:
        table.add_row(DASH, "no strike holds the minimum share", "", "", "", "", "")
    return table


def walls_sentence(ticker: str, result: OIWalls) -> Text:
    """One line in the style of an analyst's note."""
    until = result.window.until
    pain = result.pooled.strike
    parts = []
    for side, frame in (("put", result.put_walls), ("call", result.call_walls)):
        if frame.height == 0:
            continue
        top = frame.row(0, named=True)
        text = f"largest {side} OI through {until} sits at {strike_text(top['strike'])} ({count(int(top['open_interest']), 'contract')})"
        if pain is not None:
            gap = top["strike"] - pain
            where = "at" if gap == 0 else ("below" if gap < 0 else "above")
            amount = "" if gap == 0 else f"{abs(gap):g} "
            text += f", {amount}{where} the pooled max pain of {strike_text(pain)}"
        parts.append(text)
    if not parts:
        return Text(f"{ticker}: no open interest in the window through {until}.", style="yellow")
    sentence = f"{ticker}: " + "; ".join(parts) + "."
    return Text(sentence[0].upper() + sentence[1:] if sentence[0].islower() else sentence, style="bold")
