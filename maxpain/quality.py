"""Data quality across snapshots. Is a snapshot complete? Compared with its stored neighbours (DESIGN: "a snapshot missing far more
contracts than its neighbour is suspicious — warn").

Sources sometimes deliver a thin chain: Yahoo zeroes open interest around half-days, a collector
stops early. Such a snapshot still looks like a chain, and every figure from it is off (PLTR on
2025-11-28: 1,048 open contracts against ~2,200 on the days around it, and a 2025-12-19 max pain of
175 instead of 170). The test: on the expirations both list (still open for the later one), count
the contracts with OI > 0; a snapshot with fewer than :data:`SUSPICIOUS_LOSS` of a neighbour's count
is thin; a snapshot thin against most of its neighbours is marked incomplete (the pairing is
:mod:`maxpain.neighbours`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

# Ordinary days in the corpus keep >= 93% of their neighbour's open contracts; the 2025-11-28
# half-day files keep <= 85%.
SUSPICIOUS_LOSS = 0.90
#: Only snapshots this close in time are compared (chains change over weeks).
NEIGHBOUR_DAYS = 7
#: Below this many common open contracts a comparison says nothing.
MIN_COMMON = 50

OpenContracts = Mapping[date, int]


def open_contracts_by_expiration(frame: pl.DataFrame) -> dict[date, int]:
    """Contracts with open interest above 0, per expiration.

    Parameters
    ----------
    frame
        Chain-shaped rows (``expiration``, ``open_interest``).

    Returns
    -------
    dict
        Expiration → number of contracts with OI > 0.
    """
    counted = frame.filter(pl.col("open_interest") > 0).group_by("expiration").len()
    return dict(zip(counted["expiration"].to_list(), counted["len"].to_list(), strict=True))


@dataclass(frozen=True)
class Comparison:
    """Open contracts of two snapshots on the expirations both list (from ``from_day`` on)."""

    count_a: int
    count_b: int

    @property
    def thin_side(self) -> str | None:
        """``"a"`` or ``"b"`` when that side holds less than :data:`SUSPICIOUS_LOSS` of the other."""
        smaller, larger = sorted((self.count_a, self.count_b))
        if larger < MIN_COMMON or smaller >= SUSPICIOUS_LOSS * larger:
            return None
        return "a" if self.count_a < self.count_b else "b"


def compare_open_contracts(a: OpenContracts, b: OpenContracts, *, from_day: date) -> Comparison:
    """Compare two snapshots' open contracts on the expirations both list, from ``from_day`` on.

    Parameters
    ----------
    a, b
        :func:`open_contracts_by_expiration` of each snapshot.
    from_day
        Expirations before this day are left out (expired for the later snapshot).

    Returns
    -------
    Comparison
    """
    common = {e for e in a.keys() & b.keys() if e >= from_day}
    return Comparison(sum(a[e] for e in common), sum(b[e] for e in common))


def incomplete_message(neighbour_at: datetime, count_a: int, count_b: int) -> str:
    """The warning of a snapshot that lists far fewer open contracts than most of its neighbours
    within :data:`NEIGHBOUR_DAYS` days (not one: chains grow new strikes over days, so a snapshot
    a few days before a busy one can hold fewer open contracts without missing any); the nearest
    such neighbour is named.

    Parameters
    ----------
    neighbour_at
        When the nearest neighbour it is thin against was captured.
    count_a, count_b
        Open contracts of the snapshot and of that neighbour, on the expirations both list.

    Returns
    -------
    str
    """
    return (
        f"incomplete snapshot: it lists far fewer open contracts than the snapshot of "
        f"{neighbour_at:%Y-%m-%d %H:%M} UTC ({count_a:,} vs {count_b:,} on the "
        "expirations both list); a source that zeroes open interest (Yahoo around half-days) or "
        "stopped early: its figures are unreliable"
    )
