"""Walls, clusters and the analyst's sentence about them."""

from __future__ import annotations

import polars as pl
from rich.console import Group
from rich.table import Table
from rich.text import Text

from maxpain.analyses import OIWalls

from .common import titled_table
from .formats import DASH, distance, integer, price, share, strike_text


def walls_tables(result: OIWalls) -> Group:
    parts = []
    for label, frame, colour in (
        ("Put walls", result.put_walls, "red"),
        ("Call walls", result.call_walls, "green"),
    ):
        table = titled_table(label, colour)
        for name, justify in (
            ("strike", "right"),
            ("OI", "right"),
            ("share", "right"),
            ("vs spot", "right"),
            ("vs max pain", "right"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
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
        parts.append(table)
    return Group(*parts)


def clusters_table(clusters: pl.DataFrame, spot: float | None) -> Table:
    table = titled_table("Open-interest clusters")
    for name in ("side", "band", "peak", "centre", "OI", "share", "centre vs spot"):
        table.add_column(name, justify="left" if name in ("side", "band") else "right")
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
        text = f"largest {side} OI through {until} sits at {strike_text(top['strike'])} ({integer(top['open_interest'])} contracts)"
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
