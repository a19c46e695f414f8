"""Max pain through the analysis layer: the definition's invariants, ties, undefined cases, and
frames from pandas and polars, against the naive twin."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from maxpain import analyses
from maxpain.normalize import normalize
from tests import naive
from tests.strategies import CONTRACT, frame_of, unique_contracts

pytestmark = pytest.mark.kernels


@settings(max_examples=200, deadline=None)
@given(st.lists(CONTRACT, min_size=1, max_size=60), st.randoms(use_true_random=False))
def test_max_pain_invariants(contracts: list[tuple[float, str, int | None, int]], rng: random.Random) -> None:
    contracts = unique_contracts(contracts)
    result = analyses.max_pain_table(frame_of(contracts), ["expiration"]).row(0, named=True)
    assume(result["max_pain"] is not None)
    # max pain is a listed strike
    assert result["max_pain"] in {c[0] for c in contracts}
    # scaling all OI leaves it unchanged
    scaled = [(k, r, None if oi is None else oi * 7, m) for k, r, oi, m in contracts]
    assert analyses.max_pain_table(frame_of(scaled), ["expiration"])["max_pain"][0] == result["max_pain"]
    # row order does not matter
    shuffled = contracts[:]
    rng.shuffle(shuffled)
    assert analyses.max_pain_table(frame_of(shuffled), ["expiration"])["max_pain"][0] == result["max_pain"]


def test_max_pain_ties_go_to_the_lowest_strike() -> None:
    # one call at 10 and one put at 20, same size: payout is flat (10 per unit) between 10 and 20
    contracts = [(10.0, "C", 5, 100), (15.0, "C", 0, 100), (20.0, "P", 5, 100)]
    table = analyses.max_pain_table(frame_of(contracts), ["expiration"])
    assert table["max_pain"][0] == 10.0 == naive.naive_max_pain(contracts)[0]


def test_all_zero_and_unknown_open_interest_are_undefined_with_reasons() -> None:
    zero = analyses.max_pain_table(frame_of([(10.0, "C", 0, 100), (20.0, "P", 0, 100)]), ["expiration"])
    assert zero["max_pain"][0] is None
    assert "zero" in zero["reason"][0]
    unknown = analyses.max_pain_table(
        frame_of([(10.0, "C", None, 100), (20.0, "P", None, 100)]), ["expiration"]
    )
    assert unknown["max_pain"][0] is None
    assert unknown["reason"][0] == "open interest is unknown for every contract"
    assert unknown["unknown_oi"][0] == 2


def test_one_strike_and_thousands_of_strikes() -> None:
    assert analyses.max_pain_table(frame_of([(50.0, "P", 3, 100)]), ["expiration"])["max_pain"][0] == 50.0
    rng = np.random.default_rng(3)
    contracts = [
        (float(k) / 2, "C" if rng.random() < 0.5 else "P", int(rng.integers(0, 10_000)), 100)
        for k in range(1, 5001)
    ]
    expected, _ = naive.naive_max_pain(contracts)
    assert analyses.max_pain_table(frame_of(contracts), ["expiration"])["max_pain"][0] == expected


@pytest.mark.parametrize("library", ["polars", "pandas"])
def test_pandas_and_polars_inputs_agree_with_naive(library: str) -> None:
    rng = np.random.default_rng(11)
    strikes = np.array([90, 95, 100, 105, 110, 120], dtype=float)
    rows = {
        "contractSymbol": [],
        "strike": [],
        "openInterest": [],
        "type": [],
        "expiration": [],
    }
    for k in strikes:
        for right in ("call", "put"):
            rows["contractSymbol"].append(f"XYZ251219{right[0].upper()}{int(k * 1000):08d}")
            rows["strike"].append(k)
            rows["openInterest"].append(float(rng.integers(0, 500)) if rng.random() > 0.1 else float("nan"))
            rows["type"].append(right)
            rows["expiration"].append("2025-12-19")
    raw = pd.DataFrame(rows) if library == "pandas" else pl.DataFrame(rows)
    chain = normalize(raw, captured_at=pd.Timestamp("2025-12-01T20:00Z").to_pydatetime(), spot=100.0)
    contracts = [
        (k, "C" if t == "call" else "P", None if np.isnan(oi) else int(oi), 100)
        for k, t, oi in zip(rows["strike"], rows["type"], rows["openInterest"], strict=True)
    ]
    assert analyses.max_pain_by_expiration(chain)["max_pain"][0] == naive.naive_max_pain(contracts)[0]


def test_payout_curve_too_large_for_exact_arithmetic_is_null_with_a_reason() -> None:
    """Same bound as max pain: the curve is absent with a reason, never a wrapped int64."""
    contracts = [(0.5, "C", 10**12, 10_000), (9_000_000.0, "P", 10**12, 10_000), (100.0, "C", 1, 100)]
    frame = frame_of(contracts).with_columns(
        contract_symbol=pl.lit(None, dtype=pl.String), root=pl.lit("XYZ")
    )
    chain = normalize(frame, underlying="XYZ", captured_at=datetime(2025, 12, 4, tzinfo=UTC), spot=100.0)
    assert analyses.payout_by_strike(chain, chain.expirations) is None
    window = analyses.make_window(chain, until=date(2025, 12, 19))
    study = analyses.pain_study(chain, window)
    assert study.curve is None and study.curve_reason is not None and "too large" in study.curve_reason
    assert study.pooled.strike is None and study.pooled.reason == study.curve_reason
