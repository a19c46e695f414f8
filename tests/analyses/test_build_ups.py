"""Matching the contracts of many tickers' two snapshots at once (build_ups.match_rows) against
a dictionary lookup: packed keys with or without root ranks, rows in contract order or not, and
fields too large to pack (the two-key join)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maxpain.analyses.build_ups import _packed_keys, match_rows
from maxpain.chain import RIGHT_DTYPE

pytestmark = pytest.mark.kernels

CONTRACT = st.tuples(
    st.integers(0, 3),  # ticker number
    st.sampled_from(["X", "XW", "Y"]),  # root
    st.integers(0, 3),  # expiration, days after the first
    st.sampled_from([0, 500, 1_000, 2_500, 100_000]),  # strike units
    st.sampled_from(["C", "P"]),
)


def side(contracts: list[tuple], offset: int, *, ordered: bool) -> pl.DataFrame:
    """One snapshot's rows of every ticker, distinct contracts, ticker after ticker (each in
    contract order, as stored, when ``ordered``)."""
    unique = sorted(set(contracts), key=lambda c: (c[0], c[2], c[3], c[4], c[1]))
    if not ordered:  # tickers still together, but contracts shuffled within them
        unique = sorted(unique, key=lambda c: (c[0], -hash(c) % 97))
    return pl.DataFrame(
        {
            "index": [c[0] for c in unique],
            "root": [c[1] for c in unique],
            "expiration": [date(2026, 1, 2) + timedelta(days=7 * c[2]) for c in unique],
            "units": [c[3] for c in unique],
            "right": [c[4] for c in unique],
            "open_interest": [offset + k for k in range(len(unique))],
            "strike": [c[3] / 1000 for c in unique],
        },
        schema={
            "index": pl.Int64,
            "root": pl.String,
            "expiration": pl.Date,
            "units": pl.Int64,
            "right": RIGHT_DTYPE,
            "open_interest": pl.Int64,
            "strike": pl.Float64,
        },
    )


def looked_up(a: pl.DataFrame, b: pl.DataFrame) -> list[tuple]:
    fields = ["index", "root", "expiration", "units", "right"]
    held = {tuple(r[f] for f in fields): (r["open_interest"], r["strike"]) for r in a.iter_rows(named=True)}
    out = []
    for row in b.iter_rows(named=True):
        found = held.get(tuple(row[f] for f in fields))
        out.append((found is not None, *(found or (None, None))))
    return out


def matched(a: pl.DataFrame, b: pl.DataFrame) -> list[tuple]:
    in_a, oi_from, strike_a = match_rows(a, b)
    return list(zip(in_a.to_list(), oi_from.to_list(), strike_a.to_list(), strict=True))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(CONTRACT, max_size=40),
    st.lists(CONTRACT, max_size=40),
    st.booleans(),
    st.booleans(),
)
def test_matches_equal_a_lookup(a: list[tuple], b: list[tuple], ordered_a: bool, ordered_b: bool) -> None:
    side_a, side_b = side(a, 0, ordered=ordered_a), side(b, 1_000, ordered=ordered_b)
    assert matched(side_a, side_b) == looked_up(side_a, side_b)


def test_fields_too_large_to_pack_are_joined() -> None:
    a = side([(0, "X", 0, 500, "C"), (1, "Y", 1, 1_000, "P")], 0, ordered=True)
    b = side([(1, "Y", 1, 1_000, "P"), (0, "X", 0, 700, "C")], 10, ordered=True)
    huge = {"units": pl.col("units") * 2**52, "strike": pl.col("strike") * 2**52}
    a, b = a.with_columns(**huge), b.with_columns(**huge)
    assert _packed_keys(a, b) is None
    assert matched(a, b) == looked_up(a, b) == [(False, None, None), (True, 1, 2.0**52)]


def test_one_root_per_ticker_packs_without_root_bits_yet_tells_roots_apart() -> None:
    # ticker 0 lists X in A and Y in B (each side one root): the same strike does not match
    a = side([(0, "X", 0, 500, "C"), (1, "Y", 0, 500, "C")], 0, ordered=True)
    b = side([(0, "Y", 0, 500, "C"), (1, "Y", 0, 500, "C")], 10, ordered=True)
    assert matched(a, b) == looked_up(a, b) == [(False, None, None), (True, 1, 0.5)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-5, 40), max_size=60), st.booleans())
def test_keys_are_counted_as_np_unique_counts_them(keys: list[int], ordered: bool) -> None:
    """Open contracts per (ticker, expiration) are counted over runs of stored rows, or by sorting
    rows in any other order: the same distinct keys and counts either way."""
    from maxpain.analyses.build_ups import _counted

    values = np.array(sorted(keys) if ordered else keys, dtype=np.int64)
    found = _counted(values)
    expected = np.unique(values, return_counts=True)
    assert np.array_equal(found[0], expected[0]) and np.array_equal(found[1], expected[1])
