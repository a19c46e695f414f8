"""Every kernel against its naive twin (tests/naive.py), on hypothesis-generated inputs. Run twice in
CI: JIT on, and NUMBA_DISABLE_JIT=1."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maxpain import kernels, limits
from maxpain.chain import strike_thousandths
from tests import naive
from tests.strategies import CONTRACT, OPEN_INTEREST, STRIKES, arrays, unique_contracts

pytestmark = pytest.mark.kernels


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
            assert status[s] in (limits.NO_OPEN_INTEREST, limits.EMPTY)
        else:
            assert status[s] == limits.OK
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
    assert status[0] == limits.TOO_LARGE


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
