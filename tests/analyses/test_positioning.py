"""Fresh positioning (volume / OI) against a direct computation."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from maxpain import analyses
from maxpain.normalize import normalize


def test_fresh_positioning_ranks_by_volume_over_oi_with_a_volume_floor() -> None:
    frame = pl.DataFrame(
        {
            "contractSymbol": [
                "XYZ251219C00100000",
                "XYZ251219C00105000",
                "XYZ251219P00095000",
                "XYZ251219P00090000",
            ],
            "openInterest": [100, 10, 1000, 0],
            "volume": [500, 99, 1500, 900],
        }
    )
    chain = normalize(frame, captured_at=datetime(2025, 12, 5, 21, tzinfo=UTC), spot=100.0)
    got = analyses.fresh_positioning(chain, top=5, min_volume=100)
    # 105C trades 99 (< floor); 90P has OI 0 (no ratio): both left out
    assert got.select("strike", "volume_oi").rows() == [(100.0, 5.0), (95.0, 1.5)]
    assert analyses.fresh_positioning(chain, expirations=[date(2026, 1, 16)]).height == 0
