"""Numba kernels. Plain contiguous arrays and segment offsets in, arrays out; never a DataFrame.

Conventions shared by the kernels:

- A *segment* is a run of rows ``offsets[s]:offsets[s+1]`` (one expiration, or one pooled window),
  sorted by strike inside the segment; several rows may share a strike (a call and a put, or
  several roots).
- Strikes are int64 thousandths of a currency unit (OCC precision, converted once by
  :func:`maxpain.chain.strike_thousandths`), weights are int64
  ``multiplier * open_interest``: the payout arithmetic is exact, so ties are exact ties and the
  lowest strike wins them, as the definition says.
- Each kernel ``foo_python`` is plain Python; ``foo = jit(foo_python)`` is the compiled twin.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from maxpain._numba import BoolArray1D, Float64Array1D, Int64Array1D, jit
from maxpain.limits import EMPTY, EXACT_LIMIT, NO_OPEN_INTEREST, TOO_LARGE

# Below this volatility × sqrt(years) Black–Scholes greeks are a step function; reported as NaN.
MIN_VOL_TIME = 1e-8


def contract_weights_python(
    is_put: npt.NDArray[np.uint32],
    open_interest: Int64Array1D,
    multiplier: Int64Array1D,
) -> tuple[Int64Array1D, Int64Array1D]:
    """Per contract: multiplier × OI on its side (0 on the other, 0 for unknown OI, which is
    negative here)."""
    n = is_put.shape[0]
    call_weight = np.zeros(n, dtype=np.int64)
    put_weight = np.zeros(n, dtype=np.int64)
    for i in range(n):
        if open_interest[i] > 0:
            weight = open_interest[i] * multiplier[i]
            if is_put[i]:
                put_weight[i] = weight
            else:
                call_weight[i] = weight
    return call_weight, put_weight


contract_weights = jit(contract_weights_python)


def side_sums_python(
    values: Int64Array1D, is_put: npt.NDArray[np.uint32], offsets: Int64Array1D
) -> tuple[Int64Array1D, Int64Array1D, Int64Array1D]:
    """Per segment: the sum of ``values`` over calls, over puts, and how many were unknown
    (negative)."""
    segments = offsets.shape[0] - 1
    calls = np.zeros(segments, dtype=np.int64)
    puts = np.zeros(segments, dtype=np.int64)
    unknown = np.zeros(segments, dtype=np.int64)
    for s in range(segments):
        for i in range(offsets[s], offsets[s + 1]):
            value = values[i]
            if value < 0:
                unknown[s] += 1
            elif is_put[i]:
                puts[s] += value
            else:
                calls[s] += value
    return calls, puts, unknown


side_sums = jit(side_sums_python)


def top_k_per_segment_python(
    values: Int64Array1D, offsets: Int64Array1D, k: int
) -> tuple[Int64Array1D, Int64Array1D]:
    """Per segment, the row indices of its ``k`` largest positive values, largest first; ties go
    to the lower index (the lower strike, rows being strike-sorted). Returns (indices, offsets)."""
    segments = offsets.shape[0] - 1
    counts = np.zeros(segments + 1, dtype=np.int64)
    chosen = np.empty((offsets.shape[0] - 1) * k if k > 0 else 0, dtype=np.int64)
    best = np.empty(k, dtype=np.int64)
    filled = 0
    for s in range(segments):
        m = 0
        for i in range(offsets[s], offsets[s + 1]):
            value = values[i]
            if value <= 0:
                continue
            # insertion into the sorted shortlist (strictly greater moves ahead: ties keep order)
            if m < k:
                j = m
                m += 1
            elif value > values[best[k - 1]]:
                j = k - 1
            else:
                continue
            while j > 0 and values[best[j - 1]] < value:
                best[j] = best[j - 1]
                j -= 1
            best[j] = i
        for j in range(m):
            chosen[filled + j] = best[j]
        filled += m
        counts[s + 1] = filled
    return chosen[:filled].copy(), counts


top_k_per_segment = jit(top_k_per_segment_python)


def max_pain_segments_python(
    strike: Int64Array1D, call_weight: Int64Array1D, put_weight: Int64Array1D, offsets: Int64Array1D
) -> tuple[Int64Array1D, Int64Array1D, Int64Array1D]:
    """Max pain of every segment in O(n) with running sums.

    payout(K) = Σ_calls w·max(0, K−k) + Σ_puts w·max(0, k−K). Between two adjacent listed strikes
    the payout is linear with slope (call weight at or below) − (put weight above), so one sweep
    from the lowest strike updates it exactly: payout(k_{j+1}) = payout(k_j) + (k_{j+1}−k_j)·slope_j.

    Returns ``(best_row, best_payout, status)`` per segment: the row index of the first row at the
    max-pain strike (−1 when undefined), the payout there (thousandths × contracts × multiplier),
    and a status (OK, NO_OPEN_INTEREST, EMPTY, TOO_LARGE).
    """
    segments = offsets.shape[0] - 1
    best_row = np.full(segments, -1, dtype=np.int64)
    best_payout = np.zeros(segments, dtype=np.int64)
    status = np.zeros(segments, dtype=np.int64)
    for s in range(segments):
        start = offsets[s]
        end = offsets[s + 1]
        if end <= start:
            status[s] = EMPTY
            continue
        first = strike[start]
        total = 0
        total_put = 0
        for i in range(start, end):
            total += call_weight[i] + put_weight[i]
            total_put += put_weight[i]
        if total == 0:
            status[s] = NO_OPEN_INTEREST
            continue
        # Checked before any multiplication: every payout term is at most total × strike range.
        if float(total) * float(strike[end - 1] - first) > EXACT_LIMIT:
            status[s] = TOO_LARGE
            continue
        # One sweep. At each new strike k the payout moves by (k − previous)·slope, where
        # slope = weight at or below the previous strike − put weight above it
        #       = (call + put weight so far) − total put weight.
        # The sweep tracks payout(k) − payout(first); payout(first) = Σ put w·(k − first) is
        # accumulated on the way.
        at_first = 0
        change = 0
        best_change = 0
        best_i = start
        previous = first
        slope = -total_put
        for i in range(start, end):
            k = strike[i]
            if k != previous:
                change += (k - previous) * slope
                previous = k
                if change < best_change:
                    best_change = change
                    best_i = i
            slope += call_weight[i] + put_weight[i]
            at_first += put_weight[i] * (k - first)
        best_row[s] = best_i
        best_payout[s] = at_first + best_change
    return best_row, best_payout, status


max_pain_segments = jit(max_pain_segments_python)


def payout_at_strikes_python(
    strike: Int64Array1D, call_weight: Int64Array1D, put_weight: Int64Array1D
) -> tuple[Int64Array1D, Int64Array1D, Int64Array1D]:
    """The payout at every distinct strike of one strike-sorted segment, split into the part owed
    to call holders and to put holders: ``(strikes, call_payout, put_payout)``."""
    n = strike.shape[0]
    distinct = 0
    for i in range(n):
        if i == 0 or strike[i] != strike[i - 1]:
            distinct += 1
    strikes = np.empty(distinct, dtype=np.int64)
    call_payout = np.zeros(distinct, dtype=np.int64)
    put_payout = np.zeros(distinct, dtype=np.int64)
    if n == 0:
        return strikes, call_payout, put_payout
    total_put = 0
    put_value = 0
    for i in range(n):
        total_put += put_weight[i]
        put_value += put_weight[i] * (strike[i] - strike[0])
    call_value = 0
    call_at_or_below = 0
    put_at_or_below = 0
    j = 0
    i = 0
    while i < n:
        k = strike[i]
        strikes[j] = k
        call_payout[j] = call_value
        put_payout[j] = put_value
        while i < n and strike[i] == k:
            call_at_or_below += call_weight[i]
            put_at_or_below += put_weight[i]
            i += 1
        if i < n:
            step = strike[i] - k
            call_value += step * call_at_or_below
            put_value -= step * (total_put - put_at_or_below)
        j += 1
    return strikes, call_payout, put_payout


payout_at_strikes = jit(payout_at_strikes_python)


def sum_by_strike_python(
    strike: Int64Array1D, call_oi: Int64Array1D, put_oi: Int64Array1D, offsets: Int64Array1D
) -> tuple[Int64Array1D, Int64Array1D, Int64Array1D, Int64Array1D]:
    """Sum call and put open interest (or any two columns: dealer gamma sums float GEX) by
    distinct strike inside each segment; totals keep the inputs' dtype.

    Returns ``(strikes, call_totals, put_totals, new_offsets)``: one row per distinct strike of
    each segment, in strike order, segments in input order.
    """
    segments = offsets.shape[0] - 1
    new_offsets = np.zeros(segments + 1, dtype=np.int64)
    for s in range(segments):
        distinct = 0
        for i in range(offsets[s], offsets[s + 1]):
            if i == offsets[s] or strike[i] != strike[i - 1]:
                distinct += 1
        new_offsets[s + 1] = new_offsets[s] + distinct
    total = new_offsets[segments]
    strikes = np.empty(total, dtype=np.int64)
    call_totals = np.zeros(total, dtype=call_oi.dtype)
    put_totals = np.zeros(total, dtype=put_oi.dtype)
    for s in range(segments):
        j = new_offsets[s] - 1
        for i in range(offsets[s], offsets[s + 1]):
            if i == offsets[s] or strike[i] != strike[i - 1]:
                j += 1
                strikes[j] = strike[i]
            call_totals[j] += call_oi[i]
            put_totals[j] += put_oi[i]
    return strikes, call_totals, put_totals, new_offsets


sum_by_strike = jit(sum_by_strike_python)


def merge_sorted_keys_python(key_a: Int64Array1D, key_b: Int64Array1D) -> tuple[Int64Array1D, Int64Array1D]:
    """Merge two sorted, distinct key arrays: for every key of the union (in order), its row in A
    and in B, −1 where that side lacks it."""
    na = key_a.shape[0]
    nb = key_b.shape[0]
    index_a = np.empty(na + nb, dtype=np.int64)
    index_b = np.empty(na + nb, dtype=np.int64)
    i = 0
    j = 0
    m = 0
    while i < na or j < nb:
        if j >= nb or (i < na and key_a[i] < key_b[j]):
            index_a[m] = i
            index_b[m] = -1
            i += 1
        elif i >= na or key_b[j] < key_a[i]:
            index_a[m] = -1
            index_b[m] = j
            j += 1
        else:
            index_a[m] = i
            index_b[m] = j
            i += 1
            j += 1
        m += 1
    return index_a[:m].copy(), index_b[:m].copy()


merge_sorted_keys = jit(merge_sorted_keys_python)


def black_scholes_greeks_python(
    spot: Float64Array1D,
    strike: Float64Array1D,
    years: Float64Array1D,
    volatility: Float64Array1D,
    rate: float,
    is_call: BoolArray1D,
) -> tuple[Float64Array1D, Float64Array1D]:
    """Black–Scholes delta and gamma (no dividends). NaN where an input is missing or the model
    does not apply (no time left, no volatility, non-positive prices)."""
    n = spot.shape[0]
    delta = np.full(n, np.nan)
    gamma = np.full(n, np.nan)
    for i in range(n):
        s = spot[i]
        k = strike[i]
        t = years[i]
        v = volatility[i]
        if not (s > 0.0 and k > 0.0 and t > 0.0 and v > 0.0):
            continue
        root_t = math.sqrt(t)
        spread = v * root_t
        if spread < MIN_VOL_TIME:  # no time value left: delta is a step, not a number we report
            continue
        d1 = (math.log(s / k) + (rate + 0.5 * v * v) * t) / spread
        cdf = 0.5 * (1.0 + math.erf(d1 / math.sqrt(2.0)))
        delta[i] = cdf if is_call[i] else cdf - 1.0
        gamma[i] = math.exp(-0.5 * d1 * d1) / math.sqrt(2.0 * math.pi) / (s * v * root_t)
    return delta, gamma


black_scholes_greeks = jit(black_scholes_greeks_python)
