"""The Black–Scholes kernels of dealer gamma against the definition (tests/naive.py, built on the
standard library's NormalDist), on hypothesis-generated inputs. Run twice in CI: JIT on, and
NUMBA_DISABLE_JIT=1."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maxpain import kernels, pricing
from tests import naive

pytestmark = pytest.mark.kernels

SPOT = st.floats(1, 5000)
VOL = st.floats(0.01, 3)
YEARS = st.floats(1 / 365, 3)
RATE = st.floats(-0.02, 0.1)
MONEYNESS = st.floats(0.5, 2.0)


def one(value: float) -> np.ndarray:
    return np.array([value], dtype=np.float64)


@settings(max_examples=300, deadline=None)
@given(SPOT, MONEYNESS, st.floats(0, 3), st.floats(0, 3), RATE, st.booleans())
def test_price_matches_naive(
    spot: float, moneyness: float, years: float, vol: float, rate: float, call: bool
) -> None:
    strike = spot * moneyness
    price = pricing.black_scholes_price(one(spot), one(strike), one(years), one(vol), rate, np.array([call]))[
        0
    ]
    expected = naive.naive_black_scholes_price(spot, strike, years, vol, rate, call)
    if math.isnan(expected):
        assert math.isnan(price)
    else:
        assert price == pytest.approx(expected, rel=1e-9, abs=1e-9 * spot)


@settings(max_examples=300, deadline=None)
@given(SPOT, MONEYNESS, YEARS, VOL, RATE)
def test_put_and_call_gamma_are_equal(
    spot: float, moneyness: float, years: float, vol: float, rate: float
) -> None:
    args = (np.full(2, spot), np.full(2, spot * moneyness), np.full(2, years), np.full(2, vol))
    _, gamma = kernels.black_scholes_greeks(*args, rate, np.array([True, False]))
    assert gamma[0] == gamma[1]


@settings(max_examples=300, deadline=None)
@given(SPOT, MONEYNESS, YEARS, VOL, RATE, st.integers(-100_000, 100_000), st.integers(1, 50))
def test_dollar_gamma_matches_definition_and_scales_with_open_interest(
    spot: float, moneyness: float, years: float, vol: float, rate: float, size: int, factor: int
) -> None:
    strike = spot * moneyness
    weights = np.array([size, size * factor], dtype=np.float64)
    gex = pricing.dollar_gamma(spot, np.full(2, strike), np.full(2, years), np.full(2, vol), rate, weights)
    expected = naive.naive_gex(spot, strike, years, vol, rate, size)
    assert gex[0] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert gex[1] == pytest.approx(gex[0] * factor, rel=1e-12, abs=1e-12)


def test_dollar_gamma_is_zero_where_the_model_does_not_apply() -> None:
    gex = pricing.dollar_gamma(
        100.0,
        np.array([100.0, 100.0, 100.0, -5.0]),
        np.array([0.0, 1.0, 1.0, 1.0]),
        np.array([0.3, 0.0, np.nan, 0.3]),
        0.04,
        np.full(4, 100.0),
    )
    assert (gex == 0).all()


@settings(max_examples=300, deadline=None)
@given(SPOT, st.floats(0.7, 1.4), st.floats(7 / 365, 2), st.floats(0.05, 2), RATE, st.booleans())
def test_implied_volatility_recovers_the_volatility(
    spot: float, moneyness: float, years: float, vol: float, rate: float, call: bool
) -> None:
    strike = spot * moneyness
    price = naive.naive_black_scholes_price(spot, strike, years, vol, rate, call)
    _, gamma = naive.naive_black_scholes(spot, strike, years, vol, rate, call)
    vega = gamma * spot * spot * vol * years  # vega = S φ(d1) √t = Γ S² σ t
    intrinsic = (
        max(spot - strike * math.exp(-rate * years), 0)
        if call
        else max(strike * math.exp(-rate * years) - spot, 0)
    )
    # a price within a few ulps of intrinsic value (or of zero) carries no volatility to recover
    if vega < 1e-6 * spot or price - intrinsic < 1e-9 * spot:
        return
    solved = pricing.implied_volatility(
        one(price), one(spot), one(strike), one(years), rate, np.array([call]), 1e-10
    )[0]
    assert solved == pytest.approx(vol, abs=1e-6)
    repriced = naive.naive_black_scholes_price(spot, strike, years, solved, rate, call)
    assert repriced == pytest.approx(price, rel=1e-7, abs=1e-9 * spot)


def test_implied_volatility_outside_no_arbitrage_bounds_is_nan() -> None:
    spot, strike, years, rate = 100.0, 90.0, 0.5, 0.04
    below_intrinsic = spot - strike * math.exp(-rate * years) - 0.5
    solved = pricing.implied_volatility(
        np.array([below_intrinsic, 120.0, -1.0, 5.0]),
        np.full(4, spot),
        np.full(4, strike),
        np.array([years, years, years, 0.0]),
        rate,
        np.array([True, True, True, True]),
        1e-8,
    )
    assert np.isnan(solved).all()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.floats(20, 2000),
    st.lists(
        st.tuples(MONEYNESS, st.floats(0, 2), st.floats(0, 2), st.integers(-50_000, 50_000)),
        min_size=0,
        max_size=25,
    ),
    RATE,
)
def test_sweep_matches_naive(
    spot: float, contracts: list[tuple[float, float, float, int]], rate: float
) -> None:
    rows = [(spot * m, t, v, float(w)) for m, t, v, w in contracts]
    levels = spot * np.linspace(0.8, 1.2, 41)
    arrays = [np.array([r[i] for r in rows], dtype=np.float64) for i in range(4)]
    totals = pricing.swept_gex(levels, arrays[0], arrays[1], arrays[2], rate, arrays[3])
    expected = naive.naive_sweep(list(levels), rows, rate)
    scale = (
        sum(abs(naive.naive_gex(level, k, t, v, rate, w)) for k, t, v, w in rows for level in levels[::10])
        + 1.0
    )
    assert np.allclose(totals, expected, rtol=1e-9, atol=1e-12 * scale)
    terms = pricing.sweep_terms(arrays[0], arrays[1], arrays[2], rate, arrays[3])
    segment = np.zeros(levels.shape[0], dtype=np.int64)
    offsets = np.array([0, len(rows)], dtype=np.int64)
    plain = pricing.totals_at.python(levels, segment, offsets, *terms)
    compiled = pricing.totals_at.compiled(levels, segment, offsets, *terms)
    assert np.allclose(plain, expected, rtol=1e-9, atol=1e-12 * scale)
    assert np.allclose(compiled, plain, rtol=1e-12, atol=1e-12 * scale)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from([-3.0, -1.0, -0.5, 0.0, 0.0, 0.25, 2.0]), min_size=2, max_size=30),
    st.floats(0, 1),
)
def test_nearest_crossing_matches_naive(totals: list[float], where: float) -> None:
    levels = np.arange(len(totals), dtype=np.float64) * 0.5 + 10
    spot = 10 + where * 0.5 * (len(totals) - 1)
    found = pricing.nearest_crossings(levels[None, :], np.array([totals], dtype=np.float64), np.array([spot]))
    crossings = naive.naive_crossings(list(levels), totals)
    if not crossings:
        assert np.isnan(found[0])
    else:
        assert found[0] == pytest.approx(min(crossings, key=lambda c: (abs(c - spot), c)))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.lists(st.tuples(st.integers(1, 40), st.floats(-1e6, 1e6), st.floats(-1e6, 1e6)), max_size=20),
        min_size=1,
        max_size=5,
    )
)
def test_sum_by_strike_sums_float_columns_too(segments: list[list[tuple[int, float, float]]]) -> None:
    ordered = [sorted(s, key=lambda r: r[0]) for s in segments]
    flat = [r for s in ordered for r in s]
    offsets = np.concatenate(([0], np.cumsum([len(s) for s in ordered]))).astype(np.int64)
    strikes, first, second, new_offsets = kernels.sum_by_strike(
        np.array([r[0] * 500 for r in flat], dtype=np.int64),
        np.array([r[1] for r in flat], dtype=np.float64),
        np.array([r[2] for r in flat], dtype=np.float64),
        offsets,
    )
    for s, rows in enumerate(ordered):
        sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for k, a, b in rows:
            sums[k * 500][0] += a
            sums[k * 500][1] += b
        part = slice(new_offsets[s], new_offsets[s + 1])
        assert strikes[part].tolist() == sorted(sums)
        assert first[part].tolist() == pytest.approx([sums[k][0] for k in sorted(sums)])
        assert second[part].tolist() == pytest.approx([sums[k][1] for k in sorted(sums)])


def test_sweep_terms_of_a_contract_do_not_depend_on_the_others() -> None:
    """A chain whose every contract is priceable takes the shorter path: its terms are the ones
    the same contracts get beside contracts the model cannot price (which weigh 0)."""
    rng = np.random.default_rng(11)
    count = 500
    strike, years = rng.uniform(1, 300, count), rng.uniform(1 / 365, 2, count)
    vol, weight = rng.uniform(0.05, 1.5, count), rng.uniform(-9e5, 9e5, count)
    plain = pricing.sweep_terms(strike, years, vol, 0.04, weight)
    broken = vol.copy()
    broken[::7] = 0.0  # no volatility: not priceable
    mixed = pricing.sweep_terms(strike, years, broken, 0.04, weight)
    kept = np.ones(count, dtype=bool)
    kept[::7] = False
    for whole, part in zip(plain, mixed, strict=True):
        assert np.array_equal(whole[kept], part[kept])
        assert np.all(part[~kept] == 0.0)
