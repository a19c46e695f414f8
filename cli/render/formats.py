"""One number format per kind (strikes, prices, money, counts, dates) for every view."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

from rich.text import Text

from maxpain.market import NEW_YORK

DASH = "—"


def integer(value: float | int | None) -> str:
    return DASH if value is None else f"{int(value):,}"


def signed(value: float | int | None) -> str:
    return DASH if value is None else f"{int(value):+,}"


def price(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return f"{value:,.{digits}f}"


def strike_text(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value:g}" if value < 1e6 else f"{value:,.0f}"


def distance(value: float | None) -> str:
    return DASH if value is None else f"{value:+,.2f}"


def signed_text(value: float | int | None) -> Text:
    """A signed count, green when positive, red when negative."""
    style = "green" if (value or 0) > 0 else "red" if (value or 0) < 0 else ""
    return Text(signed(value), style=style)


def ratio(value: float | None) -> str:
    return DASH if value is None else f"{value:.2f}"


def share(value: float | None) -> str:
    return DASH if value is None else f"{value:.1%}"


def money(value: float | None) -> str:
    if value is None:
        return DASH
    size = abs(value)
    sign = "-" if value < 0 else ""
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            return f"{sign}${size / limit:,.2f}{suffix}"
    return f"{sign}${size:,.0f}"


def compact(value: float | int | None, plus: bool = False) -> str:
    """Short numbers for heatmap cells: 950, 12.3k, 1.2M, 3.5B."""
    if value is None:
        return ""
    size = abs(value)
    sign = "-" if value < 0 else ("+" if plus and value > 0 else "")
    if size >= 1e9:
        return f"{sign}{size / 1e9:.1f}B"
    if size >= 1e6:
        return f"{sign}{size / 1e6:.1f}M"
    if size >= 1e4:
        return f"{sign}{size / 1e3:.0f}k"
    if size >= 1e3:
        return f"{sign}{size / 1e3:.1f}k"
    return f"{sign}{int(size)}"


def day(value: date | None) -> str:
    return DASH if value is None else value.isoformat()


def count(value: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun agreeing: 1 contract, 2 contracts, 1,048 contracts."""
    return f"{value:,} {noun if value == 1 else plural or noun + 's'}"


def new_york(moment: datetime) -> str:
    """A UTC moment as traders read it: New York time, with the UTC time beside it."""
    local = moment.astimezone(NEW_YORK)
    zone = local.tzname() or "ET"
    return f"{local:%Y-%m-%d %H:%M} {zone} ({moment.astimezone(UTC):%H:%M} UTC)"
