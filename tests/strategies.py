"""Hypothesis strategies and small builders for synthetic chains, shared by the kernel and analysis tests."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import polars as pl
from hypothesis import strategies as st

from maxpain.chain import Chain
from maxpain.normalize import normalize
from tests import naive

# strikes on a grid with gaps (1, 2.5, 5 and odd steps), including adjusted-style strikes
STRIKES = st.sampled_from(
    [1.0, 2.5, 5.0, 7.5, 10.0, 12.37, 15.0, 20.0, 41.67, 50.0, 100.0, 177.5, 180.0, 1000.0, 4115.0]
)


OPEN_INTEREST = st.one_of(st.none(), st.just(0), st.integers(0, 50), st.integers(0, 2_000_000))


CONTRACT = st.tuples(STRIKES, st.sampled_from(["C", "P"]), OPEN_INTEREST, st.sampled_from([100, 100, 10]))


def unique_contracts(
    draw_list: list[tuple[float, str, int | None, int]],
) -> list[tuple[float, str, int | None, int]]:
    seen = {}
    for contract in draw_list:
        seen[(contract[0], contract[1])] = contract
    return list(seen.values())


def arrays(contracts: list[tuple[float, str, int | None, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ordered = sorted(contracts, key=lambda c: c[0])
    strike = np.array([naive.thousandths(c[0]) for c in ordered], dtype=np.int64)
    call = np.array([(c[2] or 0) * c[3] if c[1] == "C" else 0 for c in ordered], dtype=np.int64)
    put = np.array([(c[2] or 0) * c[3] if c[1] == "P" else 0 for c in ordered], dtype=np.int64)
    return strike, call, put


def frame_of(
    contracts: list[tuple[float, str, int | None, int]], expiration: date = date(2025, 12, 19)
) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "expiration": [expiration] * len(contracts),
            "strike": [c[0] for c in contracts],
            "right": [c[1] for c in contracts],
            "open_interest": [c[2] for c in contracts],
            "multiplier": [c[3] for c in contracts],
            "volume": [1] * len(contracts),
        },
        schema={
            "expiration": pl.Date,
            "strike": pl.Float64,
            "right": pl.String,
            "open_interest": pl.Int64,
            "multiplier": pl.Int32,
            "volume": pl.Int64,
        },
    )


# A synthetic chain: several expirations and roots, strikes with gaps, OI with zeros and unknowns.
EXPIRATIONS = st.sampled_from([date(2025, 12, 5), date(2025, 12, 12), date(2025, 12, 19), date(2026, 1, 16)])
ROOTS = st.sampled_from(["XYZ", "XYZ", "XYZW"])
CHAIN_ROW = st.tuples(ROOTS, EXPIRATIONS, STRIKES, st.sampled_from(["C", "P"]), OPEN_INTEREST)


def chain_of(
    rows: list[tuple[str, date, float, str, int | None]], *, captured_at: datetime, volume: int = 1
) -> Chain:
    """A Chain of unique (root, expiration, strike, right) rows through the normalizer (roots travel
    in OCC symbols, as in real files)."""
    unique = {(r, e, k, x): oi for r, e, k, x, oi in rows}
    frame = pl.DataFrame(
        {
            "expiration": [key[1] for key in unique],
            "strike": [key[2] for key in unique],
            "right": [key[3] for key in unique],
            "open_interest": list(unique.values()),
            "volume": [volume] * len(unique),
            "contract_symbol": [f"{r}{e:%y%m%d}{x}{naive.thousandths(k):08d}" for r, e, k, x in unique],
        },
        schema={
            "expiration": pl.Date,
            "strike": pl.Float64,
            "right": pl.String,
            "open_interest": pl.Int64,
            "volume": pl.Int64,
            "contract_symbol": pl.String,
        },
    )
    return normalize(frame, underlying="XYZ", captured_at=captured_at, spot=100.0)
