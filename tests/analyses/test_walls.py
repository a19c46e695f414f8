"""Walls and clusters through the analysis layer, against the naive twins."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maxpain import analyses
from tests import naive

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
