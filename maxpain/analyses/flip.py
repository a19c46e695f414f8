"""The gamma flip (DESIGN "Definitions", Dealer gamma): the spot level where the total GEX of a
chain re-priced at that level changes sign, nearest the current spot, over 401 levels from 80% to
120% of spot (linearly interpolated between neighbouring levels).

:func:`nearest_flip` reads it off a full sweep (what ``gex`` shows, sweep included);
:func:`segment_gamma` finds it for many chains at once, evaluating only the levels that can hold
the nearest crossing, with the same result.
"""

from __future__ import annotations

import itertools

import numpy as np

from maxpain import pricing
from maxpain.limits import jit_threshold

#: The flip sweep: spot levels from 80% to 120% of spot in 400 equal steps.
SWEEP_LOW = 0.8
SWEEP_HIGH = 1.2
SWEEP_STEPS = 400


def nearest_flip(
    levels: np.ndarray, totals: np.ndarray, spot: float, convention: str, counted: int
) -> tuple[float | None, str | None]:
    """The zero crossing of the swept total GEX nearest spot (the lower one on a tie), or None
    and why (``counted``: contracts in the sweep)."""
    if counted == 0:
        return None, "no contract in the window has open interest and a usable IV"
    flip = pricing.nearest_crossings(levels[None, :], totals[None, :], np.array([spot]))[0]
    if np.isnan(flip):
        sign = "positive" if np.nanmean(totals) > 0 else "negative"
        why = (
            " (under dealer-short every contract counts negative, so it never changes sign)"
            if convention == "dealer-short"
            else ""
        )
        return None, (
            f"total GEX stays {sign} from {SWEEP_LOW:.0%} to {SWEEP_HIGH:.0%} of spot: no flip in range{why}"
        )
    return float(flip), None


def sweep_grid() -> np.ndarray:
    """The flip sweep's levels as fractions of spot."""
    return np.linspace(SWEEP_LOW, SWEEP_HIGH, SWEEP_STEPS + 1)


#: The flip search's interval widths, in sweep steps: the sweep cut into intervals of 20 steps,
#: those not proven single-signed into 4, those into single steps (each divides the one before).
SEARCH_STEPS = (SWEEP_STEPS, 20, 4, 1)
#: An interval is proven single-signed only when its bound clears ``Σ |weight|`` by this fraction,
#: far above the rounding of any sum of a chain's terms (≈ contracts × 1e-16).
BOUND_MARGIN = 1e-9


def segment_gamma(
    spots: np.ndarray,
    offsets: np.ndarray,
    strikes: np.ndarray,
    years: np.ndarray,
    volatility: np.ndarray,
    rate: float,
    weight: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Net GEX at spot and the gamma flip of many chains at once: for each segment of counted
    contracts (rows ``offsets[s]:offsets[s+1]``, priced as :func:`maxpain.analyses.gamma.price_contracts` prices them),
    the total GEX at its spot, and the zero crossing of its total GEX over the sweep's levels
    nearest its spot: what :func:`maxpain.analyses.gamma.gamma_exposure` gives (the flip NaN where it gives None).

    Few contracts and chains (fewer contracts, and fewer levels of all the sweeps, than
    :func:`maxpain.limits.jit_threshold`): :func:`outward_flips`, uncompiled. More:
    :func:`bounded_flips`, compiled.
    """
    count = spots.shape[0]
    levels = spots[:, None] * sweep_grid()[None, :]
    terms = pricing.sweep_terms(strikes, years, volatility, float(rate), weight)
    active = np.flatnonzero(np.diff(offsets) > 0)  # no counted contract: no flip
    # the whole sweep uncompiled costs a numpy expression per (level, chain): numba's start-up pays
    # from as many pairs (or contracts) as the other kernels need
    compiled = max(strikes.shape[0], active.shape[0] * (SWEEP_STEPS + 1)) >= jit_threshold()
    net = pricing.swept_totals(spots, np.arange(count, dtype=np.int64), offsets, terms, compiled)
    # (the chains between two active ones hold no rows: the active ones' offsets, and the end)
    flips = np.full(count, np.nan)
    if compiled:
        flips[active] = bounded_flips(levels[active], spots[active], offsets[np.append(active, count)], terms)
    elif active.shape[0]:
        flips[active] = outward_flips(levels[active], spots[active], offsets[np.append(active, count)], terms)
    return net, flips


def _swept(
    levels: np.ndarray,
    chains: np.ndarray,
    offsets: np.ndarray,
    terms: tuple[np.ndarray, np.ndarray, np.ndarray],
    compiled: bool,
) -> np.ndarray:
    """The whole sweep of ``chains`` (rows of ``levels``), one row each."""
    pairs = np.repeat(chains, levels.shape[1])
    grid = np.tile(np.arange(levels.shape[1]), chains.shape[0])
    totals = pricing.swept_totals(levels[pairs, grid], pairs, offsets, terms, compiled)
    return totals.reshape(chains.shape[0], levels.shape[1])


#: Levels each side of spot evaluated by each round of :func:`outward_flips`.
SEARCH_RADII = (10, 40, 100, SWEEP_STEPS // 2)


def outward_flips(
    levels: np.ndarray,
    spots: np.ndarray,
    offsets: np.ndarray,
    terms: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """:func:`bounded_flips` for few chains, uncompiled: levels are evaluated outward from spot in
    rounds (:data:`SEARCH_RADII`). A crossing found nearer spot than the evaluated band's nearer
    edge is the nearest of the whole sweep (any crossing outside the band lies at least that far
    away), so most chains settle after a tenth of the levels; the rest are searched further, the
    last round over the whole sweep."""
    count = levels.shape[0]
    center = SWEEP_STEPS // 2
    totals = np.full(levels.shape, np.nan)
    flips = np.full(count, np.nan)
    active = np.arange(count)
    done = -1
    for radius in SEARCH_RADII:
        if active.shape[0] == 0:
            break
        ring = np.array([i for i in range(center - radius, center + radius + 1) if abs(i - center) > done])
        chain = np.repeat(active, ring.shape[0])
        index = np.tile(ring, active.shape[0])
        totals[chain, index] = pricing.swept_totals(levels[chain, index], chain, offsets, terms, False)
        band = slice(center - radius, center + radius + 1)  # the levels evaluated so far
        found = pricing.nearest_crossings(levels[active, band], totals[active, band], spots[active])
        if radius >= center:
            settled = np.ones(active.shape[0], dtype=bool)
        else:
            reach = np.minimum(
                spots[active] - levels[active, center - radius],
                levels[active, center + radius] - spots[active],
            )
            with np.errstate(invalid="ignore"):
                settled = np.abs(found - spots[active]) < reach
        flips[active[settled]] = found[settled]
        active = active[~settled]
        done = radius
    return flips


def bounded_flips(
    levels: np.ndarray,
    spots: np.ndarray,
    offsets: np.ndarray,
    terms: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """:func:`maxpain.pricing.nearest_crossings` of each chain's whole sweep (``levels[c]``;
    contracts ``offsets[c]:offsets[c+1]``, ``terms`` of :func:`maxpain.pricing.sweep_terms`)
    without evaluating it whole, compiled.

    The sweep is cut into intervals (:data:`SEARCH_STEPS`); each round evaluates the ends of the
    intervals still open with :func:`maxpain.pricing.level_bounds`, which also bounds the total
    over each interval from its contracts' values at the ends. An interval whose bound keeps one
    sign (by :data:`BOUND_MARGIN`) holds no crossing and is closed; so is one lying farther from
    spot than the far end of an interval whose ends differ in sign (a nearer crossing exists).
    The others are cut further, down to single steps, where the crossings are read. So every
    crossing that can be the nearest is read with the totals the whole sweep has there. A chain
    with a total of exactly 0 (or NaN) at an evaluated level is swept whole (where zeros count,
    the levels beside them matter).
    """
    count = levels.shape[0]
    whole = np.zeros(count, dtype=bool)
    nearest = np.full(count, np.inf)  # the far end of the nearest interval known to hold a crossing
    chain, start = np.arange(count), np.zeros(count, dtype=np.int64)  # the open intervals
    last: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    for width, step in itertools.pairwise(SEARCH_STEPS):
        keep = ~whole[chain]
        chain, start = chain[keep], start[keep]
        if chain.shape[0] == 0:
            break
        index = start[:, None] + np.arange(0, width + 1, step)[None, :]  # the levels evaluated
        at = levels[chain[:, None], index]
        totals, low, high, size = pricing.bounded_levels(at, chain, offsets, terms, True)
        odd = ~np.all(np.isfinite(totals) & (totals != 0.0), axis=1)
        whole[chain[odd]] = True
        if step == 1:
            last = (chain[~odd], at[~odd], totals[~odd])
            break
        spot = spots[chain][:, None]
        near = np.maximum(0.0, np.maximum(at[:, :-1] - spot, spot - at[:, 1:]))
        far = np.maximum(np.abs(at[:, :-1] - spot), np.abs(at[:, 1:] - spot))
        crossing = (totals[:, :-1] < 0.0) != (totals[:, 1:] < 0.0)  # (rows with a 0: swept whole)
        np.minimum.at(nearest, chain, np.min(np.where(crossing, far, np.inf), axis=1))
        margin = BOUND_MARGIN * size[:, None]
        open_ = ~((low > margin) | (high < -margin)) & ~(near > nearest[chain][:, None])
        row, column = np.nonzero(open_)
        chain, start = chain[row], index[row, column]
    flips = np.full(count, np.nan)
    if last is not None and last[0].shape[0]:
        chain, at, totals = last
        found = pricing.nearest_crossings(at, totals, spots[chain])
        hit = ~np.isnan(found)
        chain, found = chain[hit], found[hit]
        order = np.lexsort((found, np.abs(found - spots[chain]), chain))  # nearest, then lower
        first = order[np.unique(chain[order], return_index=True)[1]]
        flips[chain[first]] = found[first]
    swept = np.flatnonzero(whole)
    if swept.shape[0]:
        flips[swept] = pricing.nearest_crossings(
            levels[swept], _swept(levels, swept, offsets, terms, True), spots[swept]
        )
    return flips
