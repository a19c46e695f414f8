"""Walls and clusters through the analysis layer, against the naive twins."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maxpain import analyses
from tests import naive
from tests.strategies import CHAIN_ROW, chain_of

CAPTURED = datetime(2025, 12, 4, 21, 0, tzinfo=UTC)

pytestmark = pytest.mark.kernels


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.integers(0, 20), st.integers(0, 100_000)), min_size=0, max_size=80),
    st.sampled_from([0.0, 0.01, 0.05, 0.2]),
)
def test_clusters_match_naive(oi: list[int], min_share: float) -> None:
    strikes = [100.0 + 2.5 * i for i in range(len(oi))]
    by_strike = pl.DataFrame(
        {"strike": strikes, "call_oi": oi, "put_oi": oi},
        schema={"strike": pl.Float64, "call_oi": pl.Int64, "put_oi": pl.Int64},
    )
    found = analyses.find_clusters(by_strike, min_share=min_share).filter(pl.col("side") == "call")
    expected = naive.naive_clusters(strikes, oi, min_share)
    got = sorted(found.drop("side").to_dicts(), key=lambda d: d["peak"])
    expected = sorted(expected, key=lambda d: d["peak"])
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        assert (g["low"], g["high"], g["peak"], g["open_interest"]) == (
            e["low"],
            e["high"],
            e["peak"],
            e["open_interest"],
        )
        assert g["center"] == pytest.approx(e["center"])
        assert g["share"] == pytest.approx(e["share"])
        # bands never overlap and the peak lies inside its band
        assert g["low"] <= g["peak"] <= g["high"]


@settings(max_examples=150, deadline=None)
@given(st.lists(CHAIN_ROW, min_size=1, max_size=80), st.integers(1, 6), st.sampled_from([1, 2, 3, 8]))
def test_walls_of_a_window_match_naive(rows: list, top: int, weeks: int) -> None:
    """Walls, shares, side totals and pooled max pain of a window on a synthetic chain (several
    expirations and roots, zero and unknown OI) equal the naive twins'."""
    chain = chain_of(rows, captured_at=CAPTURED)
    window = analyses.make_window(chain, weeks=weeks)
    result = analyses.find_walls(chain, window, top=top)
    group = chain.frame.filter(pl.col("expiration").is_in(list(window.expirations)))
    contracts = naive.side_contracts(group)
    put_walls, call_walls = naive.naive_walls(contracts, top)
    for got, expected in ((result.put_walls, put_walls), (result.call_walls, call_walls)):
        assert [(r["strike"], r["open_interest"]) for r in got.iter_rows(named=True)] == [
            (k, oi) for k, oi, _ in expected
        ]
        assert got["share"].to_list() == pytest.approx([s for _, _, s in expected])
    totals = naive.naive_strike_totals(contracts)
    assert (result.call_total, result.put_total) == (
        sum(c for c, _ in totals.values()),
        sum(p for _, p in totals.values()),
    )
    expected_pain = naive.naive_max_pain_broadcast(
        group["strike"].to_list(),
        group["right"].cast(pl.String).to_list(),
        group["open_interest"].to_list(),
        group["multiplier"].to_list(),
    )
    assert result.pooled.strike == expected_pain
    if result.pooled.strike is not None and result.put_walls.height:
        assert result.put_walls["distance_to_max_pain"][0] == pytest.approx(put_walls[0][0] - expected_pain)


@settings(max_examples=100, deadline=None)
@given(st.lists(CHAIN_ROW, min_size=1, max_size=80), st.integers(1, 4))
def test_walls_per_expiration_segment_match_naive(rows: list, top: int) -> None:
    """ranked_walls with by=["expiration"]: each expiration ranked on its own."""
    chain = chain_of(rows, captured_at=CAPTURED)
    ranked = analyses.ranked_walls(chain.frame, ["expiration"], top=top)
    for expiration in chain.expirations:
        group = chain.frame.filter(pl.col("expiration") == expiration)
        contracts = naive.side_contracts(group)
        put_walls, call_walls = naive.naive_walls(contracts, top)
        for side, expected in (("put", put_walls), ("call", call_walls)):
            got = ranked.filter((pl.col("expiration") == expiration) & (pl.col("side") == side))
            assert list(zip(got["strike"], got["open_interest"], strict=True)) == [
                (k, oi) for k, oi, _ in expected
            ]
            assert got["rank"].to_list() == list(range(1, len(expected) + 1))


def test_distinct_clusters_leave_out_single_strike_bands_that_are_walls() -> None:
    rows = [
        ("XYZ", date(2025, 12, 19), k, "P", oi)
        for k, oi in ((90.0, 100), (95.0, 5), (100.0, 60), (102.5, 55), (105.0, 1))
    ]
    chain = chain_of(rows, captured_at=CAPTURED)
    walls = analyses.find_walls(chain, analyses.make_window(chain, weeks=4), top=1)
    assert walls.put_walls["strike"].to_list() == [90.0]
    distinct = analyses.distinct_clusters(walls)
    assert (90.0, 90.0) in list(zip(walls.clusters["low"], walls.clusters["high"], strict=True))
    assert (90.0, 90.0) not in list(zip(distinct["low"], distinct["high"], strict=True))  # the wall again
    assert (100.0, 102.5) in list(zip(distinct["low"], distinct["high"], strict=True))  # a band: new
