"""Max pain of segments of rows (DESIGN "Definitions"): the engine under every max-pain figure.

payout(K) = Σ_calls mult·OI·max(0, K−k) + Σ_puts mult·OI·max(0, k−K) over the listed strikes K;
max pain = argmin, ties to the lowest strike. Unknown OI is left out and counted; all-zero OI is
undefined (null with a reason), never a made-up strike. A segment is any key: one expiration, a
window, a ticker × expiration of a whole market, a snapshot of a history. Two exact paths that agree
row for row: one polars query (small inputs, no numba) and the numba kernels (large ones).
:mod:`maxpain.analyses.max_pain` builds a chain's figures on these.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from maxpain.chain import STRIKE_SCALE, strike_thousandths, strikes_of_units
from maxpain.limits import EMPTY, EXACT_LIMIT, NO_OPEN_INTEREST, OK, TOO_LARGE, jit_threshold

if TYPE_CHECKING:
    from maxpain.analyses._frames import Segments

REASONS = {
    NO_OPEN_INTEREST: "all known open interest is zero (Yahoo reports 0 before the open)",
    EMPTY: "no contracts",
    TOO_LARGE: "open interest × strike range too large for exact arithmetic",
}
ALL_UNKNOWN = "open interest is unknown for every contract"
COUNTS = ("call_oi", "put_oi", "call_volume", "put_volume", "contracts", "unknown_oi")


def max_pain_table(
    frame: pl.DataFrame,
    by: Sequence[str],
    *,
    segments: Segments | None = None,
    compiled: bool | None = None,
) -> pl.DataFrame:
    """Max pain of every segment of ``frame``, one row per segment in key order.

    Below :func:`maxpain.limits.jit_threshold` rows (one ticker's chain, a few snapshots) this is
    one polars query (:func:`max_pain_query`); from it on, or when ``segments`` are given, the numba
    kernels sweep the segments. Both are exact and agree row for row (tested).

    Parameters
    ----------
    frame
        Chain-shaped rows: ``strike, right, open_interest, multiplier, volume`` and the ``by`` columns.
    by
        Segment keys (see :func:`~maxpain.analyses._frames.segment`): ``["expiration"]`` for max
        pain per expiration, ``[]`` for one pooled figure, ``["ticker", "expiration"]`` for many
        underlyings at once.
    segments
        The already-segmented ``frame``, to share one sort between analyses (kernel path).
    compiled
        Force the kernel path (True) or the polars query (False); default: by size.

    Returns
    -------
    polars.DataFrame
        The ``by`` keys, then ``call_oi, put_oi, call_volume, put_volume`` (known values summed),
        ``contracts`` (rows), ``unknown_oi`` (rows with unknown OI), ``max_pain`` (strike, null when
        undefined), ``min_payout`` (the payout at max pain, in currency) and ``reason`` (why it is
        undefined, else null).
    """
    if compiled is None:
        compiled = segments is not None or frame.height >= jit_threshold()
    if not compiled:
        return max_pain_query(frame, by)
    return _max_pain_kernels(frame, by, segments)


def max_pain_query(frame: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """:func:`max_pain_table` as one polars query (no numpy): see :func:`segment_query`."""
    return collected(segment_query(frame, by).select(*by, *COUNTS, "max_pain", "min_payout", "reason"))


def _ranked_by_side(top: int) -> list[pl.Expr]:
    """With ``top``: per segment, the ``top`` strikes by call (put) OI, largest first, ties to the
    lower strike, at OCC precision (``top_call_units``, ``top_call_oi``, ``top_put_…``); strikes
    without open interest are dropped afterwards (:func:`ranked_lists`)."""
    if not top:
        return []
    out = []
    for side in ("call", "put"):
        oi = pl.col(f"{side}_oi").fill_null(0)
        by = [oi, pl.col("units")]
        out.append(pl.col("units").sort_by(by, descending=[True, False]).head(top).alias(f"top_{side}_units"))
        out.append(oi.sort_by(by, descending=[True, False]).head(top).alias(f"top_{side}_oi"))
    return out


def ranked_lists(table: pl.DataFrame) -> pl.DataFrame:
    """The ``top_*`` columns of a :func:`segment_query` with ``top``: strikes in currency units and
    their OI, strikes without open interest left out (one small table, in Python)."""
    columns: dict[str, list[list[float]] | list[list[int]]] = {}
    for side in ("call", "put"):
        strikes: list[list[float]] = []
        counts: list[list[int]] = []
        for units, oi in zip(
            table[f"top_{side}_units"].to_list(), table[f"top_{side}_oi"].to_list(), strict=True
        ):
            kept = [(u / STRIKE_SCALE, o) for u, o in zip(units, oi, strict=True) if o > 0]
            strikes.append([k for k, _ in kept])
            counts.append([o for _, o in kept])
        columns[f"top_{side}_strikes"] = strikes
        columns[f"top_{side}_oi"] = counts
    return table.drop("top_call_units", "top_put_units", "top_call_oi", "top_put_oi").with_columns(
        pl.Series(f"top_{side}_{what}", columns[f"top_{side}_{what}"], dtype=pl.List(dtype))
        for side in ("call", "put")
        for what, dtype in (("strikes", pl.Float64), ("oi", pl.Int64))
    )


def collected(query: pl.LazyFrame) -> pl.DataFrame:
    """Run a :func:`segment_query` (in memory: small inputs need no streaming set-up) and turn
    its payouts from thousandths into currency, one true division each (polars divides a column
    by a number as a product with its reciprocal, a unit in the last place off the kernels')."""
    table = query.collect(engine="in-memory")
    payouts = [None if v is None else v / STRIKE_SCALE for v in table.get_column("min_payout").to_list()]
    return table.with_columns(min_payout=pl.Series(payouts, dtype=pl.Float64))


def segment_query(frame: pl.DataFrame, by: Sequence[str], *, top: int = 0) -> pl.LazyFrame:
    """Max pain and the side counts of every segment of ``frame``, as one lazy polars query.

    Contracts are first summed into distinct strikes ``k_0 < k_1 < …`` per segment, with call and
    put weights ``w = multiplier × OI`` (OI > 0) and strike distances ``x = k − k_0`` in
    thousandths. Then ``payout(k_j) = Σ_{i≤j} wc_i (x_j − x_i) + Σ_{i≥j} wp_i (x_i − x_j)`` from
    running sums: every term is at most Σ w × range, which the :data:`~maxpain.limits.EXACT_LIMIT`
    check keeps inside int64, so the payouts are exact and ties are exact ties (the lowest strike
    wins).

    Returns
    -------
    polars.LazyFrame
        The :func:`max_pain_table` columns plus ``calls_listed``, ``puts_listed`` and
        ``open_contracts`` (contracts with OI > 0), in key order; ``min_payout`` still in thousandths
        (:func:`_collected` turns it into currency).
    """
    keys = list(by) or ["__segment"]
    oi, volume = pl.col("open_interest"), pl.col("volume")
    put = pl.col("right").cast(pl.String) == "P"
    weight = pl.when(oi > 0).then(oi * pl.col("multiplier").cast(pl.Int64)).otherwise(0)
    lazy = frame.lazy() if by else frame.lazy().with_columns(__segment=pl.lit(0))
    per_strike = (
        lazy.group_by([*keys, strike_thousandths(pl.col("strike")).alias("units")])
        .agg(
            strike=pl.col("strike").min(),
            wc=weight.filter(~put).sum(),
            wp=weight.filter(put).sum(),
            call_oi=oi.filter(~put).sum(),
            put_oi=oi.filter(put).sum(),
            call_volume=volume.filter(~put).sum(),
            put_volume=volume.filter(put).sum(),
            contracts=pl.len(),
            unknown_oi=oi.is_null().sum(),
            calls_listed=(~put).sum(),
            puts_listed=put.sum(),
            open_contracts=(oi > 0).sum(),
        )
        .sort([*keys, "units"])
    )
    counts = (*COUNTS, "calls_listed", "puts_listed", "open_contracts")
    return _best_strikes(per_strike, by, counts, top=top)


def _best_strikes(
    per_strike: pl.LazyFrame, by: Sequence[str], counts: Sequence[str], *, top: int = 0
) -> pl.LazyFrame:
    """The second half of :func:`segment_query`: from rows of distinct strikes per segment
    (``units``, ``strike``, weights ``wc``, ``wp`` and the ``counts`` columns, sorted by keys and
    strike) to max pain and the summed counts of each segment."""
    keys = list(by) or ["__segment"]
    x = pl.col("units") - pl.col("units").first()
    wc, wp = pl.col("wc"), pl.col("wp")
    # (x·Σwc − Σwc·x) + (Σwp·x − x·Σwp): each half lies in [0, Σw × range] (no int64 overflow)
    payout = (x * wc.cum_sum() - (wc * x).cum_sum()) + (
        (wp * x).cum_sum(reverse=True) - x * wp.cum_sum(reverse=True)
    )
    segments = per_strike.group_by(keys, maintain_order=True).agg(
        *_ranked_by_side(top),
        *(pl.col(name).sum().cast(pl.Int64) for name in counts),
        total=(wc + wp).sum(),
        span=pl.col("units").last() - pl.col("units").first(),
        best_strike=pl.col("strike").sort_by(payout, "units").first(),
        best_payout=payout.min(),
    )
    status = (
        pl.when(pl.col("total") == 0)
        .then(NO_OPEN_INTEREST)
        .when(pl.col("total").cast(pl.Float64) * pl.col("span").cast(pl.Float64) > EXACT_LIMIT)
        .then(TOO_LARGE)
        .otherwise(OK)
    )
    reason = (
        pl.when((pl.col("unknown_oi") == pl.col("contracts")) & (pl.col("contracts") > 0))
        .then(pl.lit(ALL_UNKNOWN))
        .when(pl.col("status") == NO_OPEN_INTEREST)
        .then(pl.lit(REASONS[NO_OPEN_INTEREST]))
        .when(pl.col("status") == TOO_LARGE)
        .then(pl.lit(REASONS[TOO_LARGE]))
    )
    defined = pl.col("status") == OK
    table = (
        segments.with_columns(status=status)
        .with_columns(
            max_pain=pl.when(defined).then(pl.col("best_strike")).cast(pl.Float64),
            min_payout=pl.when(defined).then(pl.col("best_payout")),  # thousandths: see _collected
            reason=reason.cast(pl.String),
        )
        .drop("total", "span", "best_strike", "best_payout", "status")
    )
    if by:
        return table
    # one pooled figure, even of nothing
    nothing = pl.LazyFrame(
        {
            "__segment": [0],
            **{name: [0] for name in counts},
            "max_pain": [None],
            "min_payout": [None],
            "reason": [REASONS[EMPTY]],
        },
        schema=table.collect_schema(),
    )
    return pl.concat([table, nothing]).head(1).drop("__segment")


def _max_pain_kernels(frame: pl.DataFrame, by: Sequence[str], segments: Segments | None) -> pl.DataFrame:
    """:func:`max_pain_table` through the numba kernels (large inputs, shared segments)."""
    import numpy as np

    from maxpain import kernels
    from maxpain.analyses._frames import contract_arrays, from_thousandths, segment

    segments = segments or segment(frame, by)
    offsets = segments.offsets
    arrays = contract_arrays(segments.frame)
    call_weight, put_weight = kernels.contract_weights(arrays.is_put, arrays.open_interest, arrays.multiplier)
    best_row, best_payout, status = kernels.max_pain_segments(
        arrays.strike_units, call_weight, put_weight, offsets
    )
    defined = best_row >= 0
    max_pain = (
        np.where(defined, arrays.strike[np.where(defined, best_row, 0)], np.nan)
        if len(best_row)
        else np.zeros(0)
    )
    call_oi, put_oi, unknown_oi = kernels.side_sums(arrays.open_interest, arrays.is_put, offsets)
    call_volume, put_volume, _ = kernels.side_sums(arrays.volume, arrays.is_put, offsets)
    contracts = np.diff(offsets)
    sums = dict(zip(COUNTS, (call_oi, put_oi, call_volume, put_volume, contracts, unknown_oi), strict=True))
    reasons = [
        ALL_UNKNOWN if (unknown == count and count > 0) else (None if code == OK else REASONS[int(code)])
        for code, unknown, count in zip(status, unknown_oi, contracts, strict=True)
    ]
    result = pl.DataFrame(
        {
            **{name: pl.Series(sums[name], dtype=pl.Int64) for name in COUNTS},
            "max_pain": pl.Series(max_pain, dtype=pl.Float64).fill_nan(None),
            "min_payout": pl.Series(
                np.where(defined, from_thousandths(best_payout), np.nan), dtype=pl.Float64
            ).fill_nan(None),
            "reason": pl.Series(reasons, dtype=pl.String),
        }
    )
    return pl.concat([segments.keys, result], how="horizontal")


def max_pain_of_strikes(strikes: pl.DataFrame, by: Sequence[str]) -> pl.DataFrame:
    """Max pain of every segment of rows that are already strikes, not contracts: the strike
    profiles of :mod:`maxpain.profiles` summed over a window (one segment per snapshot, say).

    Same definition and exact arithmetic as :func:`max_pain_table`: the polars query below
    :func:`~maxpain.limits.jit_threshold` rows, the kernels from it on (tested equal to each other
    and to max pain of the contracts).

    Parameters
    ----------
    strikes
        ``by`` keys, ``units`` (strike in thousandths), ``call_weight``, ``put_weight`` (Σ
        multiplier × OI over OI > 0), ``contracts`` and ``unknown_oi``; a key may list a strike
        more than once.
    by
        Segment keys (at least one).

    Returns
    -------
    polars.DataFrame
        ``by`` keys, ``max_pain``, ``min_payout``, ``reason``, in key order.
    """
    keys = list(by)
    if strikes.height < jit_threshold() or strikes.height == 0:  # no rows: no segment (the query)
        per_strike = (
            strikes.lazy()
            .group_by([*keys, "units"])
            .agg(
                wc=pl.col("call_weight").sum(),
                wp=pl.col("put_weight").sum(),
                contracts=pl.col("contracts").sum(),
                unknown_oi=pl.col("unknown_oi").sum(),
            )
            .with_columns(strike="units")  # thousandths, turned into currency exactly below
            .sort([*keys, "units"])
        )
        query = _best_strikes(per_strike, keys, ("contracts", "unknown_oi"))
        table = collected(query.select(*keys, "max_pain", "min_payout", "reason"))
        return table.with_columns(strikes_of_units(table["max_pain"], "max_pain"))
    import numpy as np

    from maxpain import kernels
    from maxpain.analyses._frames import from_thousandths, segment

    segments = segment(strikes.with_columns(strike=pl.col("units")), keys)
    ordered = segments.frame
    units = np.ascontiguousarray(ordered.get_column("units").to_numpy(), dtype=np.int64)
    best_row, best_payout, status = kernels.max_pain_segments(
        units,
        np.ascontiguousarray(ordered.get_column("call_weight").to_numpy(), dtype=np.int64),
        np.ascontiguousarray(ordered.get_column("put_weight").to_numpy(), dtype=np.int64),
        segments.offsets,
    )
    defined = best_row >= 0
    sums = ordered.group_by(keys, maintain_order=True).agg(
        pl.col("contracts").sum(), pl.col("unknown_oi").sum()
    )
    reasons = [
        ALL_UNKNOWN if (unknown == count and count > 0) else (None if code == OK else REASONS[int(code)])
        for code, unknown, count in zip(status, sums["unknown_oi"], sums["contracts"], strict=True)
    ]
    result = pl.DataFrame(
        {
            "max_pain": pl.Series(
                np.where(defined, from_thousandths(units[np.where(defined, best_row, 0)]), np.nan)
                if len(best_row)
                else np.zeros(0),
                dtype=pl.Float64,
            ).fill_nan(None),
            "min_payout": pl.Series(
                np.where(defined, from_thousandths(best_payout), np.nan), dtype=pl.Float64
            ).fill_nan(None),
            "reason": pl.Series(reasons, dtype=pl.String),
        }
    )
    return pl.concat([segments.keys, result], how="horizontal")
