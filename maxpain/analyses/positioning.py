"""Fresh positioning inside one snapshot: contracts trading heavily against their open interest.

OI is published once a day (for the previous close), so today's volume is the only sign of new
positions before tomorrow's OI shows them; volume / OI ranks contracts by it (DESIGN "Volume/OI").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from maxpain.analyses._frames import in_expirations
from maxpain.chain import Chain

DEFAULT_MIN_VOLUME = 100


def fresh_positioning(
    chain: Chain,
    *,
    expirations: Sequence[date] | None = None,
    top: int = 10,
    min_volume: int = DEFAULT_MIN_VOLUME,
) -> pl.DataFrame:
    """The contracts with the most volume relative to open interest.

    Parameters
    ----------
    chain
        The snapshot.
    expirations
        Only these expirations (default: all).
    top
        Rows returned.
    min_volume
        Contracts trading fewer contracts are left out (a 5-lot against an OI of 1 is noise, not
        positioning); contracts with no known positive OI are left out too.

    Returns
    -------
    polars.DataFrame
        ``expiration, strike, right, volume, open_interest, volume_oi``, highest ratio first
        (ties: higher volume first).
    """
    frame = chain.frame if expirations is None else in_expirations(chain.frame, expirations)
    return (
        frame.filter((pl.col("volume") >= max(min_volume, 1)) & (pl.col("open_interest") > 0))
        .with_columns(volume_oi=pl.col("volume") / pl.col("open_interest"))
        .sort(["volume_oi", "volume"], descending=True)
        .head(top)
        .select("expiration", "strike", "right", "volume", "open_interest", "volume_oi")
    )
