"""What a position amounts to, as a table and a sentence."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text

from .formats import DASH, integer, money, price, share, strike_text

if TYPE_CHECKING:
    from maxpain.analyses import PositionExposure


def exposure_panel(result: PositionExposure) -> Group:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_column(style="dim")
    spot_note = " (estimated)" if result.spot_estimated else ""
    rows = [
        ("multiplier", f"{result.multiplier}", "shares per contract"),
        ("shares controlled", integer(result.shares), "contracts × multiplier"),
        ("spot", price(result.spot) + spot_note, ""),
        (
            "notional at spot",
            money(result.notional_at_spot),
            result.reasons.get("notional_at_spot", "shares × spot"),
        ),
        ("notional at strike", money(result.notional_at_strike), "shares × strike"),
        ("option price", price(result.price), result.price_basis or result.reasons.get("premium", "")),
        ("premium", money(result.premium), "shares × price: what the position cost"),
        (
            "implied volatility",
            share(result.implied_volatility) if result.implied_volatility else DASH,
            "from the chain",
        ),
        (
            "delta",
            f"{result.delta:+.3f}" if result.delta is not None else DASH,
            result.reasons.get(
                "delta", f"Black-Scholes, rate {result.rate:.2%}, {result.years_to_expiry:.2f} y"
            ),
        ),
        ("delta-adjusted notional", money(result.delta_adjusted_notional), "delta × shares × spot"),
        ("open interest", integer(result.open_interest), "of this contract in the snapshot"),
        (
            "notional / premium",
            f"{result.notional_to_premium:,.0f}×" if result.notional_to_premium else DASH,
            "",
        ),
    ]
    for label, value, note in rows:
        table.add_row(label, value, note)
    position = Text(
        f"{result.contracts:,} × {result.ticker} {result.expiration} {strike_text(result.strike)} {result.right}",
        style="bold",
    )
    return Group(position, table, Text(""), exposure_sentence(result))


def exposure_sentence(result: PositionExposure) -> Text:
    side = result.right
    text = f"{result.contracts:,} {result.ticker} {strike_text(result.strike)}-strike {side}s ({result.multiplier} shares each) control {result.shares:,} shares"
    if result.notional_at_spot is not None:
        text += f", a headline {money(result.notional_at_spot)} at spot"
    if result.premium is not None:
        text += f", yet the position cost about {money(result.premium)} in premium"
        if result.notional_to_premium:
            text += f" ({result.notional_to_premium:,.0f}× less)"
    if result.delta_adjusted_notional is not None and result.delta is not None:
        direction = "short" if result.delta_adjusted_notional < 0 else "long"
        equivalent = result.delta_shares or 0.0
        text += f"; its delta of {result.delta:+.2f} makes it behave like being {direction} about {equivalent:,.0f} shares ({money(abs(result.delta_adjusted_notional))}) today"
    return Text(text + ".", style="bold")
