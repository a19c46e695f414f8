"""Naive twins of every fast function, written straight from the definitions in DESIGN.md with
obvious loops and exact arithmetic (Python ints, Fractions). Slow on purpose: they are the oracle.
"""

from __future__ import annotations

import math
from collections import defaultdict
from fractions import Fraction
from statistics import NormalDist
from typing import Any


def thousandths(strike: float) -> int:
    return round(strike * 1000)


def naive_max_pain(
    contracts: list[tuple[float, str, int | None, int]],
) -> tuple[float | None, Fraction | None]:
    """Max pain of one expiration (or a pooled window).

    ``contracts``: (strike, right 'C'/'P', open interest or None, multiplier).
    Candidates are the listed strikes; payout(K) = Σ_calls m·OI·max(0, K−k) + Σ_puts m·OI·max(0, k−K);
    the argmin, ties to the lowest strike. Unknown OI is left out; all OI zero → undefined.
    """
    if not contracts:
        return None, None
    known = [(thousandths(k), r, oi, m) for k, r, oi, m in contracts if oi is not None]
    if sum(oi * m for _, _, oi, m in known) == 0:
        return None, None
    candidates = sorted({thousandths(k) for k, _, _, _ in contracts})
    best_strike = None
    best_payout = None
    for K in candidates:
        payout = 0
        for k, r, oi, m in known:
            if r == "C":
                payout += m * oi * max(0, K - k)
            else:
                payout += m * oi * max(0, k - K)
        if best_payout is None or payout < best_payout:
            best_strike, best_payout = K, payout
    assert best_strike is not None and best_payout is not None
    return best_strike / 1000, Fraction(best_payout, 1000)


def naive_payout_curve(
    contracts: list[tuple[float, str, int | None, int]],
) -> list[tuple[float, Fraction, Fraction]]:
    out = []
    for K in sorted({thousandths(k) for k, _, _, _ in contracts}):
        calls = sum(m * (oi or 0) * max(0, K - thousandths(k)) for k, r, oi, m in contracts if r == "C")
        puts = sum(m * (oi or 0) * max(0, thousandths(k) - K) for k, r, oi, m in contracts if r == "P")
        out.append((K / 1000, Fraction(calls, 1000), Fraction(puts, 1000)))
    return out


def naive_strike_totals(contracts: list[tuple[float, str, int | None]]) -> dict[float, tuple[int, int]]:
    """OI by strike and side (unknown OI counts as nothing)."""
    totals: dict[float, list[int]] = defaultdict(lambda: [0, 0])
    for strike, right, oi in contracts:
        totals[strike][0 if right == "C" else 1] += oi or 0
    return {k: (v[0], v[1]) for k, v in sorted(totals.items())}


def naive_walls(
    contracts: list[tuple[float, str, int | None]], top: int
) -> tuple[list[tuple[float, int, float]], list[tuple[float, int, float]]]:
    """(put walls, call walls): strikes ranked by OI summed over the window (ties: lower strike),
    with share = strike OI / side total."""
    totals = naive_strike_totals(contracts)
    out = []
    for side in (1, 0):
        side_total = sum(v[side] for v in totals.values())
        ranked = sorted(
            ((k, v[side]) for k, v in totals.items() if v[side] > 0), key=lambda kv: (-kv[1], kv[0])
        )
        out.append([(k, oi, oi / side_total) for k, oi in ranked[:top]])
    return out[0], out[1]


def naive_clusters(strikes: list[float], oi: list[int], min_share: float) -> list[dict[str, Any]]:
    """Clusters as DESIGN.md defines them (see maxpain.analyses.walls.cluster_bands for the tie rules)."""
    n = len(oi)
    total = sum(oi)
    if total <= 0:
        return []
    peaks = []
    for i in range(n):
        left_lower = i == 0 or oi[i - 1] < oi[i]
        right_not_higher = i == n - 1 or oi[i + 1] <= oi[i]
        if oi[i] > 0 and oi[i] >= min_share * total and left_lower and right_not_higher:
            peaks.append(i)
    peaks.sort(key=lambda i: (-oi[i], i))
    owner = [None] * n
    bands = []
    for p in peaks:
        if owner[p] is not None:
            continue
        lo = p
        while lo - 1 >= 0 and owner[lo - 1] is None and 2 * oi[lo - 1] >= oi[p]:
            lo -= 1
        hi = p
        while hi + 1 < n and owner[hi + 1] is None and 2 * oi[hi + 1] >= oi[p]:
            hi += 1
        for i in range(lo, hi + 1):
            owner[i] = len(bands)
        band_oi = sum(oi[lo : hi + 1])
        bands.append(
            {
                "low": strikes[lo],
                "high": strikes[hi],
                "peak": strikes[p],
                "center": sum(strikes[i] * oi[i] for i in range(lo, hi + 1)) / band_oi,
                "open_interest": band_oi,
                "share": band_oi / total,
            }
        )
    return bands


def naive_oi_change(
    a: list[tuple[str, Any, float, str, int | None]], b: list[tuple[str, Any, float, str, int | None]]
) -> dict[tuple[str, Any, float, str], tuple[int | None, int | None, int | None, str]]:
    """Contracts keyed (root, expiration, strike, right) → (oi_from, oi_to, change, status);
    absent on one side = 0 there, marked new/closed."""
    side_a = {(r, e, k, x): oi for r, e, k, x, oi in a}
    side_b = {(r, e, k, x): oi for r, e, k, x, oi in b}
    out = {}
    for key in set(side_a) | set(side_b):
        oi_from = side_a.get(key, 0) if key in side_a else 0
        oi_to = side_b.get(key, 0) if key in side_b else 0
        if oi_from is None or oi_to is None:
            out[key] = (oi_from, oi_to, None, "unknown")
            continue
        change = oi_to - oi_from
        if key not in side_a:
            status = "new"
        elif key not in side_b:
            status = "closed"
        else:
            status = "up" if change > 0 else "down" if change < 0 else "unchanged"
        out[key] = (oi_from, oi_to, change, status)
    return out


def naive_match(keys_a: list[int], keys_b: list[int]) -> list[tuple[int, int]]:
    position_a = {k: i for i, k in enumerate(keys_a)}
    position_b = {k: i for i, k in enumerate(keys_b)}
    return [(position_a.get(k, -1), position_b.get(k, -1)) for k in sorted(set(keys_a) | set(keys_b))]


def naive_black_scholes(
    spot: float, strike: float, years: float, vol: float, rate: float, is_call: bool
) -> tuple[float, float]:
    if not (spot > 0 and strike > 0 and years > 0 and vol > 0) or vol * math.sqrt(years) < 1e-8:
        return math.nan, math.nan
    d1 = (math.log(spot / strike) + (rate + vol * vol / 2) * years) / (vol * math.sqrt(years))
    normal = NormalDist()
    delta = normal.cdf(d1) if is_call else normal.cdf(d1) - 1
    gamma = normal.pdf(d1) / (spot * vol * math.sqrt(years))
    return delta, gamma


def naive_max_pain_broadcast(
    strike: list[float], right: list[str], oi: list[int | None], multiplier: list[int]
) -> float | None:
    """The same definition evaluated as one O(n²) int64 payout matrix (every candidate × every
    contract): fast enough to sweep the whole corpus, checked against naive_max_pain."""
    import numpy as np

    k = np.array([thousandths(s) for s in strike], dtype=np.int64)
    known = np.array([o is not None for o in oi])
    weight = np.array([(o or 0) * m for o, m in zip(oi, multiplier, strict=True)], dtype=np.int64)
    if len(k) == 0 or weight[known].sum() == 0:
        return None
    is_call = np.array([r == "C" for r in right])
    candidates = np.unique(k)
    gap = candidates[:, None] - k[None, :]  # K − k
    payout = (np.where(is_call, np.maximum(gap, 0), np.maximum(-gap, 0)) * weight[None, :]).sum(axis=1)
    return float(candidates[int(np.argmin(payout))]) / 1000  # argmin returns the first (lowest) minimum


def naive_top_k(values: list[int], k: int) -> list[int]:
    """Positions of the k largest positive values, largest first, ties to the earlier position."""
    positive = [(v, i) for i, v in enumerate(values) if v > 0]
    positive.sort(key=lambda vi: (-vi[0], vi[1]))
    return [i for _, i in positive[:k]]


def side_contracts(frame: Any) -> list[tuple[float, str, int | None]]:
    """(strike, C/P, OI) of every row of a chain-shaped polars frame: the naive twins' input."""
    return list(
        zip(
            frame["strike"].to_list(),
            frame["right"].cast(str).to_list(),
            frame["open_interest"].to_list(),
            strict=True,
        )
    )


def keyed_contracts(frame: Any) -> list[tuple[str, Any, float, str, int | None]]:
    """(root, expiration, strike, C/P, OI) of every row: the input of :func:`naive_oi_change`."""
    return list(
        zip(
            frame["root"].to_list(),
            frame["expiration"].to_list(),
            frame["strike"].to_list(),
            frame["right"].cast(str).to_list(),
            frame["open_interest"].to_list(),
            strict=True,
        )
    )


def engine_changes(
    changes: Any,
) -> dict[tuple[str, Any, float, str], tuple[int | None, int | None, int | None, str]]:
    """The engine's OI-change rows in :func:`naive_oi_change`'s shape, to compare the two."""
    return {
        (r["root"], r["expiration"], r["strike"], r["right"]): (
            r["oi_from"],
            r["oi_to"],
            r["change"],
            r["status"],
        )
        for r in changes.iter_rows(named=True)
    }


def naive_black_scholes_price(
    spot: float, strike: float, years: float, vol: float, rate: float, is_call: bool
) -> float:
    """The textbook formula, with the standard library's normal distribution."""
    if not (spot > 0 and strike > 0 and years > 0 and vol > 0) or vol * math.sqrt(years) < 1e-8:
        return math.nan
    root = vol * math.sqrt(years)
    d1 = (math.log(spot / strike) + (rate + vol * vol / 2) * years) / root
    d2 = d1 - root
    normal = NormalDist()
    if is_call:
        return spot * normal.cdf(d1) - strike * math.exp(-rate * years) * normal.cdf(d2)
    return strike * math.exp(-rate * years) * normal.cdf(-d2) - spot * normal.cdf(-d1)


def naive_gex(spot: float, strike: float, years: float, vol: float, rate: float, signed_size: float) -> float:
    """One contract's GEX from the definition: sign × OI × multiplier × Γ × S² × 0.01 (0 where
    Black–Scholes does not apply)."""
    _, gamma = naive_black_scholes(spot, strike, years, vol, rate, True)
    return 0.0 if math.isnan(gamma) else signed_size * gamma * spot * spot * 0.01


def naive_sweep(
    levels: list[float], contracts: list[tuple[float, float, float, float]], rate: float
) -> list[float]:
    """Total GEX at each level, one contract at a time: contracts are (strike, years, vol, signed size)."""
    return [sum(naive_gex(level, k, t, v, rate, w) for k, t, v, w in contracts) for level in levels]


def naive_crossings(levels: list[float], totals: list[float]) -> list[float]:
    """Where the totals change sign between neighbours, interpolated; exact zeros once."""
    found: list[float] = []
    for j in range(len(levels)):
        if totals[j] == 0 and (j == 0 or totals[j - 1] != 0):
            found.append(levels[j])
        elif j > 0 and totals[j - 1] * totals[j] < 0:
            a, b = totals[j - 1], totals[j]
            found.append(levels[j - 1] + (levels[j] - levels[j - 1]) * a / (a - b))
    return found
