"""Data quality across snapshots. Is a snapshot complete? Compared with its stored neighbours (DESIGN: "a snapshot missing far more
contracts than its neighbour is suspicious — warn").

Sources sometimes deliver a thin chain: Yahoo zeroes open interest around half-days, a collector
stops early. Such a snapshot still looks like a chain, and every figure from it is off (PLTR on
2025-11-28: 1,048 open contracts against ~2,200 on the days around it, and a 2025-12-19 max pain of
175 instead of 170). The test: on the expirations both list (still open for the later one), count
the contracts with OI > 0; a snapshot with fewer than :data:`SUSPICIOUS_LOSS` of a neighbour's count
is marked incomplete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import polars as pl

from maxpain.market import trading_day

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


@dataclass(frozen=True)
class Neighbour:
    """A stored snapshot near the one being checked."""

    captured_at: datetime
    open_contracts: OpenContracts


def incomplete_warning(
    captured_at: datetime, counts: OpenContracts, neighbours: Sequence[Neighbour]
) -> str | None:
    """A warning when the snapshot looks incomplete next to a neighbour, else None.

    Parameters
    ----------
    captured_at
        The snapshot's capture time.
    counts
        Its :func:`open_contracts_by_expiration`.
    neighbours
        Stored snapshots of the same underlying; only those within :data:`NEIGHBOUR_DAYS` days
        are compared. The snapshot is incomplete when it holds less than :data:`SUSPICIOUS_LOSS`
        of the open contracts of most of them (named: the nearest such).

    Returns
    -------
    str or None
    """
    nearest: tuple[timedelta, Neighbour, Comparison] | None = None
    compared = thin = 0
    for neighbour in neighbours:
        apart = abs(neighbour.captured_at - captured_at)
        if apart > timedelta(days=NEIGHBOUR_DAYS):
            continue
        later = max(captured_at, neighbour.captured_at)
        comparison = compare_open_contracts(counts, neighbour.open_contracts, from_day=trading_day(later))
        if max(comparison.count_a, comparison.count_b) < MIN_COMMON:
            continue
        compared += 1
        if comparison.thin_side == "a":
            thin += 1
            if nearest is None or apart < nearest[0]:
                nearest = (apart, neighbour, comparison)
    # thin next to most of its neighbours, not one: chains grow new strikes over days, so a
    # snapshot a few days before a busy one can hold fewer open contracts without missing any
    if nearest is None or 2 * thin <= compared:
        return None
    _, neighbour, comparison = nearest
    return (
        f"incomplete snapshot: it lists far fewer open contracts than the snapshot of "
        f"{neighbour.captured_at:%Y-%m-%d %H:%M} UTC ({comparison.count_a:,} vs {comparison.count_b:,} on the "
        "expirations both list); a source that zeroes open interest (Yahoo around half-days) or "
        "stopped early: its figures are unreliable"
    )
