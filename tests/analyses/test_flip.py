"""The bounded flip search (:func:`maxpain.analyses.flip.bounded_flips`) against the whole sweep it
stands for, and the interval bounds it rests on (:func:`maxpain.pricing.level_bounds`)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maxpain import pricing
from maxpain.analyses import flip
from maxpain.analyses.flip import SWEEP_STEPS, bounded_flips, sweep_grid
from tests import naive

pytestmark = pytest.mark.kernels

RATE = 0.03
#: (strike / spot, years, volatility, signed size): calls and puts of a dealer-short-puts book.
CONTRACT = st.tuples(
    st.floats(0.6, 1.4), st.floats(1 / 365, 1.5), st.floats(0.03, 2.0), st.integers(-20_000, 20_000)
)
#: A chain: its spot, its contracts, and whether every contract also appears with the opposite
#: size (then every total is exactly 0: the search must sweep it whole, where zero runs count).
CHAIN = st.tuples(st.floats(5, 900), st.lists(CONTRACT, min_size=1, max_size=14), st.booleans())


def chains_of(chains: list[tuple[float, list[tuple[float, float, float, int]], bool]]) -> tuple:
    """Spots, offsets and sweep terms of the chains."""
    rows: list[tuple[float, float, float, float]] = []
    sizes = []
    for spot, contracts, mirrored in chains:
        own = [(spot * m, t, v, float(w)) for m, t, v, w in contracts]
        if mirrored:
            own = [r for k, t, v, w in own for r in ((k, t, v, w), (k, t, v, -w))]
        rows += own
        sizes.append(len(own))
    arrays = [np.array([r[i] for r in rows], dtype=np.float64) for i in range(4)]
    terms = pricing.sweep_terms(arrays[0], arrays[1], arrays[2], RATE, arrays[3])
    offsets = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    return np.array([c[0] for c in chains]), offsets, terms


def whole_sweep_flips(spots: np.ndarray, offsets: np.ndarray, terms: tuple) -> np.ndarray:
    """Each chain's nearest crossing read off all 401 levels, evaluated by the same kernel (so the
    totals are the same numbers, summed in the same order)."""
    levels = spots[:, None] * sweep_grid()[None, :]
    totals = pricing.level_bounds.compiled(levels, np.arange(spots.shape[0]), offsets, *terms)[0]
    return pricing.nearest_crossings(levels, totals, spots)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CHAIN, min_size=1, max_size=6))
def test_bounded_flips_equal_the_whole_sweep(
    chains: list[tuple[float, list[tuple[float, float, float, int]], bool]],
) -> None:
    spots, offsets, terms = chains_of(chains)
    levels = spots[:, None] * sweep_grid()[None, :]
    found = bounded_flips(levels, spots, offsets, terms)
    expected = whole_sweep_flips(spots, offsets, terms)
    assert np.array_equal(found, expected, equal_nan=True)


def test_of_several_crossings_the_nearest_is_read() -> None:
    """Short-put walls below and above spot, long gamma between: crossings on both sides, and the
    nearest is the whole sweep's."""
    spot = 100.0
    book = [
        (0.85, 0.05, 0.2, -9000),
        (0.93, 0.05, 0.2, 4000),
        (1.0, 0.05, 0.2, 3000),
        (1.08, 0.05, 0.2, -9000),
    ]
    spots, offsets, terms = chains_of([(spot, book, False)])
    levels = spots[:, None] * sweep_grid()[None, :]
    found = bounded_flips(levels, spots, offsets, terms)
    expected = whole_sweep_flips(spots, offsets, terms)
    assert found[0] == expected[0] and not math.isnan(found[0])
    totals = pricing.level_bounds.compiled(levels, np.arange(1), offsets, *terms)[0][0]
    assert np.count_nonzero(np.diff(np.sign(totals))) >= 2  # more than one crossing to choose from


def test_interval_bounds_hold_inside_their_intervals() -> None:
    """The bounds of each interval between neighbouring levels contain the total (over its level)
    at 40 levels inside it, for real-looking chains of 300 contracts."""
    rng = np.random.default_rng(7)
    for _ in range(8):
        count = 300
        spot = float(rng.uniform(20, 500))
        strikes = spot * rng.uniform(0.6, 1.4, count)
        years = rng.uniform(1 / 365, 1.0, count)
        vols = rng.uniform(0.05, 1.5, count)
        sizes = rng.integers(-5000, 5000, count).astype(np.float64)
        terms = pricing.sweep_terms(strikes, years, vols, RATE, sizes)
        offsets = np.array([0, count], dtype=np.int64)
        edges = spot * sweep_grid()[None, :: SWEEP_STEPS // 20]
        _, low, high, size = pricing.level_bounds.compiled(
            edges, np.zeros(1, dtype=np.int64), offsets, *terms
        )
        for j in range(edges.shape[1] - 1):
            inside = np.linspace(edges[0, j], edges[0, j + 1], 40)[None, :]
            totals = pricing.level_bounds.compiled(inside, np.zeros(1, dtype=np.int64), offsets, *terms)[0][0]
            ratio = totals / inside[0]
            slack = 1e-12 * size[0]
            assert np.all(ratio >= low[0, j] - slack) and np.all(ratio <= high[0, j] + slack)


def test_level_totals_are_the_sweeps_totals() -> None:
    """The search's totals are the GEX re-priced at each level (the definition, one contract at a
    time), and the compiled sweep's."""
    rng = np.random.default_rng(3)
    count, spot = 60, 150.0
    rows = [
        (
            spot * float(rng.uniform(0.7, 1.3)),
            float(rng.uniform(0.01, 1)),
            float(rng.uniform(0.1, 1)),
            float(w),
        )
        for w in rng.integers(-900, 900, count)
    ]
    arrays = [np.array([r[i] for r in rows]) for i in range(4)]
    terms = pricing.sweep_terms(arrays[0], arrays[1], arrays[2], RATE, arrays[3])
    levels = spot * sweep_grid()[None, ::40]
    offsets = np.array([0, count], dtype=np.int64)
    totals = pricing.level_bounds.compiled(levels, np.zeros(1, dtype=np.int64), offsets, *terms)[0][0]
    expected = naive.naive_sweep(list(levels[0]), rows, RATE)
    scale = sum(abs(naive.naive_gex(spot, k, t, v, RATE, w)) for k, t, v, w in rows)
    assert np.allclose(totals, expected, rtol=1e-9, atol=1e-12 * scale)
    swept = pricing.totals_at.compiled(levels[0], np.zeros(levels.shape[1], dtype=np.int64), offsets, *terms)
    assert np.allclose(totals, swept, rtol=1e-13, atol=0.0)


def test_a_chain_without_a_flip_costs_one_round_of_21_levels(monkeypatch: pytest.MonkeyPatch) -> None:
    """Calls only, dealers long: GEX positive everywhere, proven so by the first round's bounds."""
    evaluated: list[tuple[int, ...]] = []
    bounded = pricing.bounded_levels

    def counted(levels: np.ndarray, *args: object) -> tuple:
        evaluated.append(levels.shape)
        return bounded(levels, *args)

    monkeypatch.setattr(pricing, "bounded_levels", counted)
    book = [(m, 0.1, 0.3, 1000) for m in (0.8, 0.9, 1.0, 1.1, 1.2)]
    spots, offsets, terms = chains_of([(50.0, book, False)])
    found = bounded_flips(spots[:, None] * sweep_grid()[None, :], spots, offsets, terms)
    assert np.isnan(found[0])
    assert evaluated == [(1, SWEEP_STEPS // flip.SEARCH_STEPS[1] + 1)]
