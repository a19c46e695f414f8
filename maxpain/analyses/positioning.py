"""Fresh positioning inside one snapshot: contracts trading heavily against their open interest.

OI is published once a day (for the previous close), so today's volume is the only sign of new
positions before tomorrow's OI shows them; volume / OI ranks contracts by it (DESIGN "Volume/OI").
A floor keeps noise out: a contract must trade at least ``min_volume`` contracts worth at least
``min_premium`` (volume × price × multiplier, the price being the mid, else the last trade).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from maxpain.analyses._frames import in_expirations
from maxpain.chain import Chain

DEFAULT_MIN_VOLUME = 100
DEFAULT_MIN_PREMIUM = 50_000.0


def traded_premium() -> pl.Expr:
    """Premium traded today: volume × price × multiplier, the price being the mid of a two-sided
    quote, else the last trade (null when neither exists)."""
    quoted = (pl.col("bid") > 0) & (pl.col("ask") >= pl.col("bid"))
    price = (
        pl.when(quoted)
        .then((pl.col("bid") + pl.col("ask")) / 2)
        .when(pl.col("last") > 0)
        .then(pl.col("last"))
    )
    return pl.col("volume") * price * pl.col("multiplier")


def fresh_positioning(
    chain: Chain,
    *,
    expirations: Sequence[date] | None = None,
    top: int = 10,
    min_volume: int = DEFAULT_MIN_VOLUME,
    min_premium: float = DEFAULT_MIN_PREMIUM,
) -> pl.DataFrame:
    """The contracts with the most volume relative to open interest, above a floor.

    Parameters
    ----------
    chain
        The snapshot.
    expirations
        Only these expirations (default: all).
    top
        Rows returned.
    min_volume
        Contracts trading fewer contracts are left out (a 5-lot against an OI of 1 is noise).
    min_premium
        Contracts whose traded premium is below this (currency) are left out, and so are those
        with no price to value it; contracts with no known positive OI are left out too.

    Returns
    -------
    polars.DataFrame
        ``expiration, strike, right, volume, open_interest, volume_oi, premium``, highest ratio
        first (ties: higher volume first).
    """
    frame = chain.frame if expirations is None else in_expirations(chain.frame, expirations)
    return (
        frame.with_columns(premium=traded_premium())
        .filter(
            (pl.col("volume") >= max(min_volume, 1))
            & (pl.col("open_interest") > 0)
            & (pl.col("premium") >= max(min_premium, 0.0))
        )
        .with_columns(volume_oi=pl.col("volume") / pl.col("open_interest"))
        .sort(["volume_oi", "volume"], descending=True)
        .head(top)
        .select("expiration", "strike", "right", "volume", "open_interest", "volume_oi", "premium")
    )
