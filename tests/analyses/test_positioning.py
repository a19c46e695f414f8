"""Fresh positioning (volume / OI) against a direct computation, with its volume and premium floor."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from maxpain import analyses
from maxpain.normalize import normalize


def test_fresh_positioning_ranks_by_volume_over_oi_above_a_volume_and_premium_floor() -> None:
    frame = pl.DataFrame(
        {
            "contractSymbol": [
                "XYZ251219C00100000",  # 500 traded at 2.00 mid: $100k, ratio 5
                "XYZ251219C00105000",  # 99 traded: under the volume floor
                "XYZ251219P00095000",  # 1,500 traded at 1.00: $150k, ratio 1.5
                "XYZ251219P00090000",  # OI 0: no ratio
                "XYZ251219P00085000",  # 900 traded at 0.05: $4.5k, under the premium floor
                "XYZ251219P00080000",  # no quote, last 0.60: $60k on last, ratio 300
            ],
            "openInterest": [100, 10, 1000, 0, 10, 1],
            "volume": [500, 99, 1500, 900, 900, 300],
            "bid": [1.9, 5.0, 0.95, 1.0, 0.04, 0.0],
            "ask": [2.1, 5.2, 1.05, 1.1, 0.06, 0.0],
            "lastPrice": [2.0, 5.1, 1.0, 1.0, 0.05, 2.0],
        }
    )
    chain = normalize(frame, captured_at=datetime(2025, 12, 5, 21, tzinfo=UTC), spot=100.0)
    got = analyses.fresh_positioning(chain, top=5)
    assert got.select("strike", "volume_oi").rows() == [(80.0, 300.0), (100.0, 5.0), (95.0, 1.5)]
    assert got["premium"].to_list() == pytest.approx([300 * 2.0 * 100, 500 * 2.0 * 100, 1500 * 1.0 * 100])
    # the floors are options
    assert analyses.fresh_positioning(chain, min_premium=0).height == 4
    assert analyses.fresh_positioning(chain, min_volume=1000, min_premium=0).height == 1
    assert analyses.fresh_positioning(chain, expirations=[date(2026, 1, 16)]).height == 0
