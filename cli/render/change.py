"""OI change between two snapshots: build-ups, unwinds, by expiration, near vs later."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.text import Text

from .common import FittedTable, contract_cells
from .formats import DASH, day, integer, signed, signed_text, strike_text

if TYPE_CHECKING:
    from maxpain.analyses import NearVersusLater, OIChange


def change_tables(change: OIChange, top: int) -> Group:
    parts = []
    for label, frame, colour in (
        ("Top build-ups", change.build_ups(top), "green"),
        ("Top unwinds", change.unwinds(top), "red"),
    ):
        table = FittedTable(label, colour)
        for name, priority in (
            ("expiration", 0),
            ("strike", 0),
            ("right", 0),
            ("OI before", 3),
            ("OI after", 2),
            ("change", 0),
            ("status", 1),
        ):
            table.add_column(name, "left" if name in ("expiration", "right", "status") else "right", priority)
        for row in frame.iter_rows(named=True):
            table.add_row(
                *contract_cells(row),
                integer(row["oi_from"]),
                integer(row["oi_to"]),
                Text(signed(row["change"]), style=colour),
                row["status"],
            )
        if frame.height == 0:
            table.add_row(DASH, "", "", "", "", "none", "")
        parts.append(table)
    return Group(*parts)


def by_expiration_table(change: OIChange, split: NearVersusLater) -> FittedTable:
    near_until = split.near_until
    table = FittedTable("OI change by expiration")
    for name, priority in (
        ("expiration", 0),
        ("calls", 0),
        ("puts", 0),
        ("net", 1),
        ("call OI now", 3),
        ("put OI now", 3),
        ("new", 2),
    ):
        table.add_column(name, "left" if name == "expiration" else "right", priority)
    for row in change.by_expiration.iter_rows(named=True):
        near = row["expiration"] <= near_until
        table.add_row(
            Text(day(row["expiration"]) + (" *" if near else ""), style="bold" if near else ""),
            signed_text(row["call_change"]),
            signed_text(row["put_change"]),
            signed(row["net_change"]),
            integer(row["call_oi_to"]),
            integer(row["put_oi_to"]),
            integer(row["new_contracts"]),
        )
    table.caption = (
        f"* near expirations (through {near_until}); new = contracts absent from the earlier snapshot"
    )
    return table


def concentration_sentence(ticker: str, change: OIChange, split: NearVersusLater) -> Text:
    """The largest build-up, then where the change sits: near expirations against later ones."""
    top = change.largest_build_up()
    lead = ""
    if top is not None:
        side = "call" if top["right"] == "C" else "put"
        lead = f"{ticker}: the largest build-up is the {day(top['expiration'])} {strike_text(top['strike'])} {side} ({signed(top['change'])}). "
    text = (
        f"{lead}Through {split.near_until}: calls {signed(split.near_calls)}, puts {signed(split.near_puts)}; "
        f"later expirations: calls {signed(split.later_calls)}, puts {signed(split.later_puts)}."
    )
    if split.near_share_of_new_calls is not None:
        text += f" The near expirations carry {split.near_share_of_new_calls:.0%} of the net new call OI."
    return Text(text, style="bold")
