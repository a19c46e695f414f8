"""The gamma flip (DESIGN "Definitions", Dealer gamma): the spot level where the total GEX of a
chain re-priced at that level changes sign, nearest the current spot, over 401 levels from 80% to
120% of spot (linearly interpolated between neighbouring levels).

:func:`nearest_flip` reads it off a full sweep (what ``gex`` shows, sweep included);
:func:`segment_gamma` finds it for many chains at once by evaluating levels outward from each spot
and stopping early, with the same result.
"""

from __future__ import annotations

import numpy as np

from maxpain import pricing

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


#: Levels each side of spot evaluated by each round of :func:`segment_gamma`.
SEARCH_RADII = (10, 40, 100, SWEEP_STEPS // 2)


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

    Levels are evaluated outward from spot in rounds (:data:`SEARCH_RADII`): a crossing found
    nearer spot than the evaluated band's nearer edge is the nearest of the whole sweep (any
    crossing outside the band lies at least that far away), so most chains settle after a tenth
    of the levels; the rest are searched further, the last round over the whole sweep.
    """
    count = spots.shape[0]
    levels = spots[:, None] * sweep_grid()[None, :]
    center = SWEEP_STEPS // 2
    totals = np.full(levels.shape, np.nan)
    flips = np.full(count, np.nan)
    active = np.flatnonzero(np.diff(offsets) > 0)  # no counted contract: no flip
    terms = pricing.sweep_terms(strikes, years, volatility, float(rate), weight)
    net = pricing.swept_totals(spots, np.arange(count, dtype=np.int64), offsets, terms)
    done = -1
    for radius in SEARCH_RADII:
        if active.shape[0] == 0:
            break
        ring = np.array([i for i in range(center - radius, center + radius + 1) if abs(i - center) > done])
        segment = np.repeat(active, ring.shape[0])
        index = np.tile(ring, active.shape[0])
        totals[segment, index] = pricing.swept_totals(levels[segment, index], segment, offsets, terms)
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
    return net, flips
