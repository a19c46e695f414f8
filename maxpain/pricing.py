"""Black–Scholes kernels for dealer gamma (no dividends): prices, implied volatility, each
contract's GEX at spot and the spot sweep behind the gamma flip (GEX by strike sums with
:func:`maxpain.kernels.sum_by_strike`).

Same conventions as :mod:`maxpain.kernels` (``foo_python`` is the plain body, ``foo`` its
size-dispatching compiled twin; segments are strike-sorted row runs). Volatilities are fractions,
times are ACT/365 years, rates are continuously compounded fractions. An input the model cannot
price (no time left, no volatility, a non-positive price) gives NaN, or weight 0 in a sum.

*Dollar gamma per 1% move* of a contract is ``Γ × S² × 0.01`` per share (the change in its dollar
delta when the underlying moves 1%); times ``sign × open interest × multiplier`` it is the contract's
GEX. Since ``Γ = φ(d1) / (S σ √t)``, ``Γ S² = S φ(d1) / (σ √t)``: the sweep precomputes each
contract's ``1 / (σ √t)`` and ``ln K − (r + σ²/2) t`` once and then needs one exponential per
(level, contract).
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import numpy.typing as npt

from maxpain._numba import BoolArray1D, Float64Array1D, Int64Array1D, jit
from maxpain.kernels import MIN_VOL_TIME

#: 1 / √(2π), the standard normal density's constant.
INV_ROOT_TWO_PI = 1.0 / math.sqrt(2.0 * math.pi)
#: Dollar gamma is quoted per 1% move of the underlying.
ONE_PERCENT = 0.01
#: Implied volatilities are searched in (MIN_IV, MAX_IV).
MIN_IV = 1e-4
MAX_IV = 10.0


def black_scholes_price_python(
    spot: Float64Array1D,
    strike: Float64Array1D,
    years: Float64Array1D,
    volatility: Float64Array1D,
    rate: float,
    is_call: BoolArray1D,
) -> Float64Array1D:
    """Black–Scholes prices per share (no dividends); NaN where the model does not apply."""
    n = spot.shape[0]
    out = np.full(n, np.nan)
    for i in range(n):
        s = spot[i]
        k = strike[i]
        t = years[i]
        v = volatility[i]
        if not (s > 0.0 and k > 0.0 and t > 0.0 and v > 0.0):
            continue
        spread = v * math.sqrt(t)
        if spread < MIN_VOL_TIME:
            continue
        d1 = (math.log(s / k) + (rate + 0.5 * v * v) * t) / spread
        d2 = d1 - spread
        discount = k * math.exp(-rate * t)
        n1 = 0.5 * (1.0 + math.erf(d1 / math.sqrt(2.0)))
        n2 = 0.5 * (1.0 + math.erf(d2 / math.sqrt(2.0)))
        call = s * n1 - discount * n2
        out[i] = call if is_call[i] else call - s + discount  # put-call parity
    return out


black_scholes_price = jit(black_scholes_price_python)


def implied_volatility_python(
    price: Float64Array1D,
    spot: Float64Array1D,
    strike: Float64Array1D,
    years: Float64Array1D,
    rate: float,
    is_call: BoolArray1D,
    tolerance: float,
) -> Float64Array1D:
    """The volatility at which Black–Scholes gives ``price``, per contract, to ``tolerance`` in
    volatility: Newton steps kept inside a bisection bracket on (MIN_IV, MAX_IV), so it always
    converges. NaN when the price lies outside the no-arbitrage bounds (below intrinsic value
    discounted, above the spot for a call or the discounted strike for a put) or an input is
    missing."""
    n = price.shape[0]
    out = np.full(n, np.nan)
    root_two = math.sqrt(2.0)
    for i in range(n):
        p = price[i]
        s = spot[i]
        k = strike[i]
        t = years[i]
        if not (p > 0.0 and s > 0.0 and k > 0.0 and t > 0.0):
            continue
        discount = k * math.exp(-rate * t)
        call_side = is_call[i]
        lower = max(s - discount, 0.0) if call_side else max(discount - s, 0.0)
        upper = s if call_side else discount
        if not (lower < p < upper):
            continue
        root_t = math.sqrt(t)
        low = MIN_IV
        high = MAX_IV
        v = 0.3
        for _ in range(100):
            spread = v * root_t
            d1 = (math.log(s / k) + (rate + 0.5 * v * v) * t) / spread
            d2 = d1 - spread
            call = s * 0.5 * (1.0 + math.erf(d1 / root_two)) - discount * 0.5 * (
                1.0 + math.erf(d2 / root_two)
            )
            value = call if call_side else call - s + discount
            error = value - p
            if error > 0.0:  # price rises with volatility: the root is below v
                high = v
            else:
                low = v
            vega = s * math.exp(-0.5 * d1 * d1) * INV_ROOT_TWO_PI * root_t
            step = v - error / vega if vega > 1e-12 * s else -1.0
            following = step if low < step < high else 0.5 * (low + high)
            if abs(following - v) < tolerance or high - low < tolerance:
                v = following
                break
            v = following
        if MIN_IV < v < MAX_IV:
            out[i] = v
    return out


implied_volatility = jit(implied_volatility_python)


def dollar_gamma_python(
    spot: float,
    strike: Float64Array1D,
    years: Float64Array1D,
    volatility: Float64Array1D,
    rate: float,
    weight: Float64Array1D,
) -> Float64Array1D:
    """Each contract's GEX at ``spot``: ``weight × Γ × spot² × 0.01`` with ``weight`` = sign ×
    open interest × multiplier; 0 where the model does not apply (callers count those apart)."""
    out = np.zeros(strike.shape[0])
    if not spot > 0.0:
        return out
    # vector expressions (numba fuses them; plain Python runs them as numpy): one chain in ~1 ms
    spread = volatility * np.sqrt(np.maximum(years, 0.0))
    rows = np.flatnonzero((strike > 0.0) & (years > 0.0) & (volatility > 0.0) & (spread >= MIN_VOL_TIME))
    k = strike[rows]
    t = years[rows]
    v = volatility[rows]
    root = spread[rows]
    d1 = (np.log(spot / k) + (rate + 0.5 * v * v) * t) / root
    out[rows] = weight[rows] * np.exp(-0.5 * d1 * d1) * INV_ROOT_TWO_PI * spot / root * ONE_PERCENT
    return out


dollar_gamma = jit(dollar_gamma_python)


def sweep_terms(
    strike: Float64Array1D,
    years: Float64Array1D,
    volatility: Float64Array1D,
    rate: float,
    weight: Float64Array1D,
) -> tuple[Float64Array1D, Float64Array1D, Float64Array1D]:
    """Each contract's ``1/(σ√t)``, ``ln K − (r + σ²/2)t`` and ``weight / (σ√t) × 0.01 / √(2π)``:
    what re-pricing its GEX at any spot level needs (see :func:`totals_at`); a contract the model
    cannot price weighs 0. Vector expressions: numpy runs them near compiled speed."""
    n = strike.shape[0]
    with np.errstate(invalid="ignore"):
        spread = volatility * np.sqrt(np.maximum(years, 0.0))
        priced = (strike > 0.0) & (years > 0.0) & (volatility > 0.0) & (spread >= MIN_VOL_TIME)
    if bool(priced.all()):  # the usual case: the same expressions, without gathering rows
        return (
            1.0 / spread,
            np.log(strike) - (rate + 0.5 * volatility * volatility) * years,
            weight * INV_ROOT_TWO_PI * ONE_PERCENT / spread,
        )
    inv_spread = np.zeros(n)
    shift = np.zeros(n)
    scaled = np.zeros(n)
    rows = np.flatnonzero(priced)
    v = volatility[rows]
    inv_spread[rows] = 1.0 / spread[rows]
    shift[rows] = np.log(strike[rows]) - (rate + 0.5 * v * v) * years[rows]
    scaled[rows] = weight[rows] * INV_ROOT_TWO_PI * ONE_PERCENT / spread[rows]
    return inv_spread, shift, scaled


def totals_at_python(
    levels: Float64Array1D,
    segment: Int64Array1D,
    offsets: Int64Array1D,
    inv_spread: Float64Array1D,
    shift: Float64Array1D,
    scaled: Float64Array1D,
) -> Float64Array1D:
    """Total GEX of one segment of contracts re-priced at a spot level, for each (level,
    segment) pair: ``out[j] = Σ_{i in segment[j]} weight_i × Γ_i(levels[j]) × levels[j]² × 0.01``
    from :func:`sweep_terms` (contracts of segment ``s`` are rows ``offsets[s]:offsets[s+1]``).

    Each pair is one vector expression over its segment's contracts, which numba fuses into a
    single loop and plain Python runs as numpy operations, so the uncompiled body is fast enough
    for one chain.
    """
    out = np.zeros(levels.shape[0])
    for j in range(levels.shape[0]):
        level = levels[j]
        if not level > 0.0:
            out[j] = np.nan
            continue
        a = offsets[segment[j]]
        b = offsets[segment[j] + 1]
        d1 = (math.log(level) - shift[a:b]) * inv_spread[a:b]
        out[j] = level * np.sum(scaled[a:b] * np.exp(-0.5 * d1 * d1))
    return out


totals_at = jit(totals_at_python)


def level_bounds_python(
    levels: npt.NDArray[np.float64],
    segment: Int64Array1D,
    offsets: Int64Array1D,
    inv_spread: Float64Array1D,
    shift: Float64Array1D,
    scaled: Float64Array1D,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], Float64Array1D]:
    """For each row ``r`` of ascending positive spot levels (``levels[r]``, of segment
    ``segment[r]``): the total GEX at each level (``level × Σ scaled × φ``, summed in contract
    order as compiled :func:`totals_at` sums it), over each interval between neighbouring levels a
    lower and an upper bound of ``Σ scaled × φ`` (the total divided by the level: its sign
    anywhere inside), and the row's ``Σ |scaled|``.

    ``φ = exp(−d1²/2)`` with ``d1`` increasing in the level: over an interval a contract's ``φ`` is
    smallest at one of the interval's ends, and largest at one of them unless ``d1`` changes sign
    inside (then 1).

    Scalar loops, one pass over a segment's contracts per row: fast compiled only (the flip search
    calls it compiled; see :func:`maxpain.analyses.flip.segment_gamma`).
    """
    rows, m = levels.shape
    totals = np.zeros((rows, m))
    low = np.zeros((rows, m - 1))
    high = np.zeros((rows, m - 1))
    size = np.zeros(rows)
    logs = np.zeros(m)
    d1 = np.zeros(m)
    phi = np.zeros(m)
    for r in range(rows):
        for j in range(m):
            logs[j] = math.log(levels[r, j])
        for i in range(offsets[segment[r]], offsets[segment[r] + 1]):
            weight = scaled[i]
            size[r] += abs(weight)
            for j in range(m):
                d1[j] = (logs[j] - shift[i]) * inv_spread[i]
                phi[j] = math.exp(-0.5 * d1[j] * d1[j])
                totals[r, j] += weight * phi[j]
            for j in range(m - 1):
                least = min(phi[j], phi[j + 1])
                most = 1.0 if d1[j] < 0.0 < d1[j + 1] else max(phi[j], phi[j + 1])
                if weight > 0.0:
                    low[r, j] += weight * least
                    high[r, j] += weight * most
                else:
                    low[r, j] += weight * most
                    high[r, j] += weight * least
        for j in range(m):
            totals[r, j] = levels[r, j] * totals[r, j]
    return totals, low, high, size


level_bounds = jit(level_bounds_python)


def _across_cores(
    kernel: Any, compiled: bool, per_row: tuple[np.ndarray, ...], shared: tuple[Any, ...]
) -> list[Any]:
    """``kernel(*per_row, *shared)``: compiled (it releases the GIL), the rows split across the
    cores, one thread each, with each part's results in row order; else one plain call."""
    rows = per_row[0].shape[0]
    workers = min(os.cpu_count() or 1, rows)
    if not compiled or workers <= 1:
        function = kernel.compiled if compiled else kernel.python
        return [function(*per_row, *shared)]
    function = kernel.compiled
    with ThreadPoolExecutor(workers) as pool:
        return list(
            pool.map(
                lambda part: function(*(a[part] for a in per_row), *shared),
                np.array_split(np.arange(rows), workers),
            )
        )


def swept_totals(
    levels: Float64Array1D,
    segment: Int64Array1D,
    offsets: Int64Array1D,
    terms: tuple[Float64Array1D, Float64Array1D, Float64Array1D],
    compiled: bool | None = None,
) -> Float64Array1D:
    """:func:`totals_at` of every (level, segment) pair; compiled (``compiled``, by default for
    many pairs: the plain body's cost is per pair, each a numpy expression, and numba's start-up
    pays only past tens of thousands of them) the pairs are split across the cores."""
    if compiled is None:
        compiled = totals_at.runs_compiled(levels)  # type: ignore[attr-defined]
    return np.concatenate(_across_cores(totals_at, compiled, (levels, segment), (offsets, *terms)))


def bounded_levels(
    levels: npt.NDArray[np.float64],
    segment: Int64Array1D,
    offsets: Int64Array1D,
    terms: tuple[Float64Array1D, Float64Array1D, Float64Array1D],
    compiled: bool,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64], Float64Array1D]:
    """:func:`level_bounds` of every row, split across the cores when ``compiled``."""
    parts = _across_cores(level_bounds, compiled, (levels, segment), (offsets, *terms))
    totals, low, high, size = (np.concatenate([part[k] for part in parts]) for k in range(4))
    return totals, low, high, size


def swept_gex(
    levels: Float64Array1D,
    strike: Float64Array1D,
    years: Float64Array1D,
    volatility: Float64Array1D,
    rate: float,
    weight: Float64Array1D,
) -> Float64Array1D:
    """Total GEX of the contracts re-priced at each spot level (each with its own volatility and
    time): ``out[j] = Σ_i weight_i × Γ_i(levels[j]) × levels[j]² × 0.01``."""
    terms = sweep_terms(strike, years, volatility, float(rate), weight)
    segment = np.zeros(levels.shape[0], dtype=np.int64)
    return swept_totals(levels, segment, np.array([0, strike.shape[0]], dtype=np.int64), terms)


def nearest_crossings(levels: np.ndarray, totals: np.ndarray, spots: np.ndarray) -> np.ndarray:
    """Per row, the zero crossing of ``totals`` over ``levels`` nearest the row's spot (the lower
    one on a tie); NaN where there is none.

    A crossing is a sign change between neighbouring levels, linearly interpolated, or a level
    where the total is exactly 0 (a run of zeros counts once, at its first level). Pairs with a
    NaN total (a level not evaluated) are passed over.

    Parameters
    ----------
    levels, totals
        Arrays of shape (rows, levels), levels ascending along each row.
    spots
        Shape (rows,).
    """
    a, b = totals[:, :-1], totals[:, 1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        interpolated = levels[:, :-1] + (levels[:, 1:] - levels[:, :-1]) * a / (a - b)
    before = np.concatenate([np.full((totals.shape[0], 1), np.nan), totals[:, :-2]], axis=1)
    first_zero = (a == 0.0) & ~(before == 0.0) & ~np.isnan(b)
    changes = ((a < 0.0) & (b > 0.0)) | ((b < 0.0) & (a > 0.0))
    found = np.where(first_zero, levels[:, :-1], np.where(changes, interpolated, np.nan))
    last = (totals[:, -1] == 0.0) & ~(totals[:, -2] == 0.0) if totals.shape[1] > 1 else totals[:, -1] == 0.0
    found = np.concatenate([found, np.where(last, levels[:, -1], np.nan)[:, None]], axis=1)
    distance = np.abs(found - spots[:, None])
    has = ~np.all(np.isnan(distance), axis=1)
    pick = np.argmin(np.where(np.isnan(distance), np.inf, distance), axis=1)
    return np.where(has, found[np.arange(found.shape[0]), pick], np.nan)
