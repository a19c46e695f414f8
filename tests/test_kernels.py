"""Every kernel against its naive twin (tests/naive.py), on hypothesis-generated chains, plus the
invariants of the definitions. Run twice in CI: JIT on, and NUMBA_DISABLE_JIT=1."""

from __future__ import annotations

import random
from datetime import date
from fractions import Fraction

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from maxpain import analyses, kernels
from maxpain.chain import strike_thousandths
from maxpain.normalize import normalize
from tests import naive

pytestmark = pytest.mark.kernels

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


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CONTRACT, min_size=0, max_size=40), min_size=1, max_size=6))
def test_max_pain_segments_matches_naive(segments: list[list[tuple[float, str, int | None, int]]]) -> None:
    segments = [unique_contracts(s) for s in segments]
    parts = [arrays(s) for s in segments]
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(p[0]) for p in parts])
    strike = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
    call = np.concatenate([p[1] for p in parts])
    put = np.concatenate([p[2] for p in parts])
    best_row, best_payout, status = kernels.max_pain_segments(strike, call, put, offsets)
    for s, contracts in enumerate(segments):
        expected_strike, expected_payout = naive.naive_max_pain(contracts)
        if expected_strike is None:
            assert best_row[s] == -1
            assert status[s] in (kernels.NO_OPEN_INTEREST, kernels.EMPTY)
        else:
            assert status[s] == kernels.OK
            assert strike[best_row[s]] / 1000 == expected_strike
            assert Fraction(int(best_payout[s]), 1000) == expected_payout


@settings(max_examples=200, deadline=None)
@given(st.lists(CONTRACT, min_size=1, max_size=60))
def test_payout_curve_matches_naive(contracts: list[tuple[float, str, int | None, int]]) -> None:
    contracts = unique_contracts(contracts)
    strikes, calls, puts = kernels.payout_at_strikes(*arrays(contracts))
    expected = naive.naive_payout_curve(contracts)
    assert [s / 1000 for s in strikes] == [e[0] for e in expected]
    assert [Fraction(int(c), 1000) for c in calls] == [e[1] for e in expected]
    assert [Fraction(int(p), 1000) for p in puts] == [e[2] for e in expected]


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


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(STRIKES, st.sampled_from(["C", "P"]), OPEN_INTEREST), max_size=30),
        min_size=1,
        max_size=5,
    )
)
def test_strike_totals_matches_naive(segments: list[list[tuple[float, str, int | None]]]) -> None:
    parts = []
    for contracts in segments:
        ordered = sorted(contracts, key=lambda c: c[0])
        parts.append(ordered)
    flat = [c for part in parts for c in part]
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(p) for p in parts])
    strike = np.array([naive.thousandths(c[0]) for c in flat], dtype=np.int64)
    call = np.array([(c[2] or 0) if c[1] == "C" else 0 for c in flat], dtype=np.int64)
    put = np.array([(c[2] or 0) if c[1] == "P" else 0 for c in flat], dtype=np.int64)
    strikes, calls, puts, new_offsets = kernels.sum_by_strike(strike, call, put, offsets)
    for s, contracts in enumerate(parts):
        expected = naive.naive_strike_totals(contracts)
        lo, hi = new_offsets[s], new_offsets[s + 1]
        got = {strikes[i] / 1000: (int(calls[i]), int(puts[i])) for i in range(lo, hi)}
        assert got == expected
        assert list(strikes[lo:hi]) == sorted(strikes[lo:hi])


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


@settings(max_examples=300, deadline=None)
@given(st.sets(st.integers(-(2**40), 2**40), max_size=50), st.sets(st.integers(-(2**40), 2**40), max_size=50))
def test_match_keys_matches_naive(a: set[int], b: set[int]) -> None:
    keys_a = np.array(sorted(a), dtype=np.int64)
    keys_b = np.array(sorted(b), dtype=np.int64)
    index_a, index_b = kernels.merge_sorted_keys(keys_a, keys_b)
    assert list(zip(index_a.tolist(), index_b.tolist(), strict=True)) == naive.naive_match(
        sorted(a), sorted(b)
    )


@settings(max_examples=300, deadline=None)
@given(
    st.floats(1, 5000),
    st.floats(1, 5000),
    st.floats(0, 3),
    st.floats(0, 5),
    st.floats(-0.02, 0.1),
    st.booleans(),
)
def test_black_scholes_matches_naive(
    spot: float, strike: float, years: float, vol: float, rate: float, is_call: bool
) -> None:
    delta, gamma = kernels.black_scholes_greeks(
        np.array([spot]), np.array([strike]), np.array([years]), np.array([vol]), rate, np.array([is_call])
    )
    expected_delta, expected_gamma = naive.naive_black_scholes(spot, strike, years, vol, rate, is_call)
    if np.isnan(expected_delta):
        assert np.isnan(delta[0]) and np.isnan(gamma[0])
    else:
        assert delta[0] == pytest.approx(expected_delta, abs=1e-12)
        assert gamma[0] == pytest.approx(expected_gamma, rel=1e-9, abs=1e-15)
        assert (0 <= delta[0] <= 1) if is_call else (-1 <= delta[0] <= 0)


def test_black_scholes_missing_inputs_are_nan() -> None:
    delta, gamma = kernels.black_scholes_greeks(
        np.array([100.0, np.nan, 100.0]),
        np.array([100.0, 100.0, 100.0]),
        np.array([0.0, 1.0, 1.0]),
        np.array([0.3, 0.3, np.nan]),
        0.04,
        np.array([True, True, False]),
    )
    assert np.isnan(delta).all() and np.isnan(gamma).all()


def test_too_large_for_exact_arithmetic_is_reported() -> None:
    strike = np.array([1_000, 30_000_000], dtype=np.int64)
    weight = np.array([10**12, 10**12], dtype=np.int64)
    _, _, status = kernels.max_pain_segments(strike, weight, weight, np.array([0, 2], dtype=np.int64))
    assert status[0] == kernels.TOO_LARGE


@settings(max_examples=200, deadline=None)
@given(st.lists(CONTRACT, min_size=0, max_size=50))
def test_broadcast_twin_agrees_with_loop_twin(contracts: list[tuple[float, str, int | None, int]]) -> None:
    contracts = unique_contracts(contracts)
    columns = list(zip(*contracts, strict=True)) if contracts else [[], [], [], []]
    assert naive.naive_max_pain_broadcast(*columns) == naive.naive_max_pain(contracts)[0]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.integers(-3, 40), max_size=25), min_size=1, max_size=6), st.integers(1, 6))
def test_top_k_segments_matches_naive(segments: list[list[int]], k: int) -> None:
    values = np.array([v for part in segments for v in part], dtype=np.int64)
    offsets = np.zeros(len(segments) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(p) for p in segments])
    chosen, counts = kernels.top_k_per_segment(values, offsets, k)
    for s, part in enumerate(segments):
        expected = naive.naive_top_k(part, k)
        got = [int(i) - int(offsets[s]) for i in chosen[counts[s] : counts[s + 1]]]
        assert got == expected


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            STRIKES,
            st.sampled_from(["C", "P"]),
            OPEN_INTEREST,
            st.sampled_from([100, 10]),
            st.one_of(st.none(), st.integers(0, 500)),
        ),
        max_size=40,
    )
)
def test_contract_weights_and_side_sums_match_naive(
    rows: list[tuple[float, str, int | None, int, int | None]],
) -> None:
    strike = np.array([r[0] for r in rows], dtype=np.float64)
    is_put = np.array([r[1] == "P" for r in rows], dtype=np.uint32)
    oi = np.array([-1 if r[2] is None else r[2] for r in rows], dtype=np.int64)
    multiplier = np.array([r[3] for r in rows], dtype=np.int64)
    calls, puts = kernels.contract_weights(is_put, oi, multiplier)
    units = pl.select(strike_thousandths(pl.lit(pl.Series(strike, dtype=pl.Float64)))).to_series()
    assert units.to_list() == [naive.thousandths(r[0]) for r in rows]
    assert calls.tolist() == [(r[2] or 0) * r[3] if r[1] == "C" else 0 for r in rows]
    assert puts.tolist() == [(r[2] or 0) * r[3] if r[1] == "P" else 0 for r in rows]
    offsets = np.array([0, len(rows)], dtype=np.int64)
    call_sum, put_sum, unknown = kernels.side_sums(oi, is_put, offsets)
    assert call_sum[0] == sum(r[2] or 0 for r in rows if r[1] == "C")
    assert put_sum[0] == sum(r[2] or 0 for r in rows if r[1] == "P")
    assert unknown[0] == sum(1 for r in rows if r[2] is None)


def test_python_and_compiled_paths_agree_and_dispatch_by_size(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(5)
    n = 3000
    strike = np.sort(rng.integers(1, 400, n)).astype(np.int64) * 500
    call = rng.integers(0, 1000, n).astype(np.int64) * (rng.random(n) < 0.5)
    put = rng.integers(0, 1000, n).astype(np.int64) * (rng.random(n) < 0.5)
    offsets = np.array([0, 700, 700, 1900, n], dtype=np.int64)
    for kernel, args in (
        (kernels.max_pain_segments, (strike, call, put, offsets)),
        (kernels.sum_by_strike, (strike, call, put, offsets)),
        (kernels.top_k_per_segment, (call, offsets, 4)),
        (kernels.side_sums, (call - 1, (put > 0).astype(np.uint32), offsets)),
    ):
        for got, expected in zip(kernel.compiled(*args), kernel.python(*args), strict=True):  # type: ignore[attr-defined]
            assert np.array_equal(got, expected)
    calls: list[str] = []
    original_python = kernels.max_pain_segments.python  # type: ignore[attr-defined]
    monkeypatch.setattr(
        kernels.max_pain_segments, "python", lambda *a: calls.append("python") or original_python(*a)
    )
    monkeypatch.setenv("MAXPAIN_JIT_THRESHOLD", str(n + 1))
    kernels.max_pain_segments(strike, call, put, offsets)
    monkeypatch.setenv("MAXPAIN_JIT_THRESHOLD", str(n))
    kernels.max_pain_segments(strike, call, put, offsets)
    assert calls == ["python"]
