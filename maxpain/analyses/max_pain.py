"""Max pain (DESIGN "Definitions"): per expiration, pooled over a window, and the payout curve.

payout(K) = Σ_calls mult·OI·max(0, K−k) + Σ_puts mult·OI·max(0, k−K) over the listed strikes K;
max pain = argmin, ties to the lowest strike. Unknown OI is left out and counted; all-zero OI is
undefined (null with a reason), never a made-up strike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from maxpain.analyses._frames import in_expirations, ratio
from maxpain.analyses.window import Window, require_listed
from maxpain.chain import STRIKE_SCALE, Chain, strike_thousandths, strikes_of_units
from maxpain.limits import EMPTY, EXACT_LIMIT, NO_OPEN_INTEREST, OK, TOO_LARGE, jit_threshold

if TYPE_CHECKING:
    from maxpain.analyses._frames import Segments

REASONS = {
    NO_OPEN_INTEREST: "all known open interest is zero (Yahoo reports 0 before the open)",
    EMPTY: "no contracts",
    TOO_LARGE: "open interest × strike range too large for exact arithmetic",
}
ALL_UNKNOWN = "open interest is unknown for every contract"
NO_PUTS = "no puts listed (the source listed calls only): max pain undefined"
NO_CALLS = "no calls listed (the source listed puts only): max pain undefined"
_COUNTS = ("call_oi", "put_oi", "call_volume", "put_volume", "contracts", "unknown_oi")


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
    return _collected(segment_query(frame, by).select(*by, *_COUNTS, "max_pain", "min_payout", "reason"))


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


def _collected(query: pl.LazyFrame) -> pl.DataFrame:
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
    counts = (*_COUNTS, "calls_listed", "puts_listed", "open_contracts")
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
    sums = dict(zip(_COUNTS, (call_oi, put_oi, call_volume, put_volume, contracts, unknown_oi), strict=True))
    reasons = [
        ALL_UNKNOWN if (unknown == count and count > 0) else (None if code == OK else REASONS[int(code)])
        for code, unknown, count in zip(status, unknown_oi, contracts, strict=True)
    ]
    result = pl.DataFrame(
        {
            **{name: pl.Series(sums[name], dtype=pl.Int64) for name in _COUNTS},
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
    if strikes.height < jit_threshold():
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
        table = _collected(query.select(*keys, "max_pain", "min_payout", "reason"))
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


def expiration_table(
    frame: pl.DataFrame, by: Sequence[str] = (), *, top: int = 0, compiled: bool | None = None
) -> pl.DataFrame:
    """Max pain of every expiration (of every ``by`` key) with the one-sided rule applied.

    Parameters
    ----------
    frame
        Chain-shaped rows (one chain, or many keyed by ``by``: snapshots, tickers).
    by
        Keys above the expiration.
    compiled
        As :func:`max_pain_table`.

    Returns
    -------
    polars.DataFrame
        :func:`max_pain_table` by ``[*by, "expiration"]``, plus ``calls_listed``, ``puts_listed``,
        ``open_contracts`` (OI > 0) and ``note`` (set when the source listed only calls or only puts for that expiration: its
        max pain is then null, with the note as its ``reason``).
    """
    keys = [*by, "expiration"]
    if not (frame.height >= jit_threshold() if compiled is None else compiled):
        table = _collected(segment_query(frame, keys, top=top))
        if top:
            table = ranked_lists(table)
    else:
        table = max_pain_table(frame, keys, compiled=True).join(
            frame.group_by(keys).agg(
                calls_listed=(pl.col("right") == "C").sum().cast(pl.Int64),
                puts_listed=(pl.col("right") == "P").sum().cast(pl.Int64),
                open_contracts=(pl.col("open_interest") > 0).sum().cast(pl.Int64),
            ),
            on=keys,
            how="left",
            maintain_order="left",
        )
    return table.with_columns(note=one_sided_note()).with_columns(
        max_pain=pl.when(pl.col("note").is_null()).then(pl.col("max_pain")),
        min_payout=pl.when(pl.col("note").is_null()).then(pl.col("min_payout")),
        reason=pl.coalesce(pl.col("note"), pl.col("reason")),
    )


def one_sided_note() -> pl.Expr:
    """Why an expiration has no max pain when its source listed only calls or only puts (from
    ``calls_listed`` and ``puts_listed``), else null. An expiration listing one side is a source
    defect (a collector that wrote the calls twice and the puts never): max pain over half a chain
    is not max pain, so it is undefined."""
    return (
        pl.when(pl.col("puts_listed") == 0)
        .then(pl.lit(NO_PUTS))
        .when(pl.col("calls_listed") == 0)
        .then(pl.lit(NO_CALLS))
        .otherwise(None)
    )


def max_pain_by_expiration(chain: Chain) -> pl.DataFrame:
    """Max pain of every expiration of ``chain`` with what a trader reads beside it.

    Parameters
    ----------
    chain
        The snapshot.

    Returns
    -------
    polars.DataFrame
        :func:`max_pain_table` by ``expiration``, plus ``distance_to_spot`` (max pain − spot),
        ``put_call_oi_ratio``, ``put_call_volume_ratio`` and ``note`` (see :func:`expiration_table`).
    """
    table = expiration_table(chain.frame)
    spot = chain.meta.spot
    return table.with_columns(
        distance_to_spot=(pl.col("max_pain") - spot) if spot is not None else pl.lit(None, dtype=pl.Float64),
        put_call_oi_ratio=ratio("put_oi", "call_oi"),
        put_call_volume_ratio=ratio("put_volume", "call_volume"),
    ).select(
        "expiration",
        *_COUNTS,
        "max_pain",
        "min_payout",
        "reason",
        "distance_to_spot",
        "put_call_oi_ratio",
        "put_call_volume_ratio",
        "note",
    )


def rows_of(table: pl.DataFrame, expirations: Sequence[date]) -> pl.DataFrame:
    """The rows of a :func:`max_pain_by_expiration` table for ``expirations`` (in table order).

    Parameters
    ----------
    table
        A per-expiration table.
    expirations
        The expirations to keep.

    Returns
    -------
    polars.DataFrame
    """
    return table.filter(pl.col("expiration").is_in(list(expirations)))


def one_sided_notes(table: pl.DataFrame) -> dict[date, str]:
    """The expirations whose source listed only calls or only puts, with why.

    Parameters
    ----------
    table
        A :func:`max_pain_by_expiration` table (or rows of it).

    Returns
    -------
    dict
        Expiration → note (e.g. "no puts listed …").
    """
    noted = table.filter(pl.col("note").is_not_null())
    return dict(zip(noted["expiration"].to_list(), noted["note"].to_list(), strict=True))


def one_sided_warnings(table: pl.DataFrame) -> list[str]:
    """Warnings for the expirations whose source listed only calls or only puts.

    Parameters
    ----------
    table
        A :func:`max_pain_by_expiration` table (or rows of it).

    Returns
    -------
    list of str
        ``"<expiration>: <note>"`` for each such expiration.
    """
    return [f"{expiration}: {note}" for expiration, note in one_sided_notes(table).items()]


@dataclass(frozen=True)
class PooledMaxPain:
    """Max pain of a set of expirations pooled: ``strike`` None when undefined, with ``reason``."""

    strike: float | None
    payout: float | None
    reason: str | None
    call_oi: int
    put_oi: int
    contracts: int

    @property
    def defined(self) -> bool:
        return self.strike is not None


def pooled_max_pain(chain: Chain, window: Window) -> PooledMaxPain:
    """Max pain of all the window's contracts pooled; candidates = the union of their strikes.

    Parameters
    ----------
    chain
        The snapshot.
    window
        The expirations pooled.

    Returns
    -------
    PooledMaxPain
        ``strike`` None with a ``reason`` when undefined (no expiration, no OI, too large).
    """
    if not window.expirations:
        return PooledMaxPain(None, None, f"no expiration between {window.start} and {window.until}", 0, 0, 0)
    row = max_pain_table(in_expirations(chain.frame, window.expirations), []).row(0, named=True)
    return PooledMaxPain(
        row["max_pain"],
        row["min_payout"],
        row["reason"],
        row["call_oi"] or 0,
        row["put_oi"] or 0,
        row["contracts"],
    )


def payout_by_strike(chain: Chain, expirations: Sequence[date]) -> pl.DataFrame | None:
    """Payout to option holders at every listed strike of the pooled ``expirations``.

    Parameters
    ----------
    chain
        The snapshot.
    expirations
        The expirations pooled.

    Returns
    -------
    polars.DataFrame or None
        ``strike, call_payout, put_payout, total_payout`` (currency), strike ascending; None when
        the payouts exceed exact int64 arithmetic (the bound max pain checks, see
        :data:`maxpain.limits.EXACT_LIMIT`): never a silently wrapped number.
    """
    import numpy as np

    from maxpain import kernels
    from maxpain.analyses._frames import contract_arrays, from_thousandths

    arrays = contract_arrays(in_expirations(chain.frame, expirations).sort("strike"))
    call_weight, put_weight = kernels.contract_weights(arrays.is_put, arrays.open_interest, arrays.multiplier)
    if len(arrays.strike_units):
        weight = float(call_weight.sum(dtype=np.float64) + put_weight.sum(dtype=np.float64))
        span = float(arrays.strike_units[-1] - arrays.strike_units[0])
        if weight * span > EXACT_LIMIT:
            return None
    strikes, call_payout, put_payout = kernels.payout_at_strikes(arrays.strike_units, call_weight, put_weight)
    return pl.DataFrame(
        {
            "strike": from_thousandths(strikes),
            "call_payout": from_thousandths(call_payout),
            "put_payout": from_thousandths(put_payout),
            "total_payout": from_thousandths(call_payout + put_payout),
        }
    )


@dataclass(frozen=True)
class PainStudy:
    """What ``pain`` shows: the expiration table (all, or the ones asked for), the window's pooled
    max pain, and the payout curve of the chosen expirations with their pooled max pain."""

    window: Window
    expirations: pl.DataFrame
    pooled: PooledMaxPain
    curve_window: Window | None
    curve_max_pain: PooledMaxPain | None
    curve: pl.DataFrame | None
    curve_reason: str | None  # why there is no curve for a chosen window
    warnings: list[str]
    expiries_chosen: bool

    @property
    def curve_label(self) -> str:
        """What the curve pools: the chosen expirations, or the window."""
        if self.expiries_chosen and self.curve_window is not None:
            return ", ".join(e.isoformat() for e in self.curve_window.expirations)
        return f"window {self.window.start} to {self.window.until}"


def pain_study(chain: Chain, window: Window, expiries: Sequence[date] = ()) -> PainStudy:
    """Max pain by expiration and the payout curve for ``expiries`` (pooled when several), else
    for the window.

    Parameters
    ----------
    chain
        The snapshot.
    window
        The window whose pooled max pain is reported (and whose curve, without ``expiries``).
    expiries
        Expirations the table and the curve are restricted to.

    Returns
    -------
    PainStudy

    Raises
    ------
    NotFoundError
        An expiration in ``expiries`` that the snapshot does not list.
    """
    require_listed(chain, expiries)
    table = max_pain_by_expiration(chain)
    shown = rows_of(table, expiries) if expiries else table
    curve_expirations = tuple(sorted(expiries)) if expiries else window.expirations
    curve_window = Window.of_expirations(window.start, curve_expirations) if curve_expirations else None
    curve_pain = pooled_max_pain(chain, curve_window) if curve_window else None
    curve = payout_by_strike(chain, curve_expirations) if curve_window else None
    curve_reason = REASONS[TOO_LARGE] if curve_window and curve is None else None
    return PainStudy(
        window=window,
        expirations=shown,
        pooled=pooled_max_pain(chain, window),
        curve_window=curve_window,
        curve_max_pain=curve_pain,
        curve=curve,
        curve_reason=curve_reason,
        warnings=chain.warnings + one_sided_warnings(shown),
        expiries_chosen=bool(expiries),
    )


def curve_rows(
    curve: pl.DataFrame, *, spot: float | None, max_pain: float | None, max_rows: int
) -> pl.DataFrame:
    """The strikes of a payout curve worth drawing.

    From a little below the lower of spot and max pain to a little above the higher (a quarter of
    their gap, and four listed strikes beyond), thinned evenly to ``max_rows`` (max pain kept).

    Parameters
    ----------
    curve
        A :func:`payout_by_strike` frame.
    spot, max_pain
        The anchors (either may be None).
    max_rows
        Rows at most (plus max pain).

    Returns
    -------
    polars.DataFrame
        The chosen rows of ``curve``.
    """
    strikes = curve["strike"].to_list()
    anchors = [v for v in (spot, max_pain) if v is not None] or [strikes[len(strikes) // 2]]
    low, high = min(anchors), max(anchors)
    margin = max((high - low) * 0.25, 1e-9)
    inside = [k for k in strikes if low - margin <= k <= high + margin]
    below = [k for k in strikes if k < low - margin][-4:]
    above = [k for k in strikes if k > high + margin][:4]
    chosen = below + inside + above
    if len(chosen) > max_rows:
        step = len(chosen) / max_rows
        thinned = {chosen[int(i * step)] for i in range(max_rows)}
        if max_pain is not None:
            thinned.add(max_pain)
        chosen = sorted(thinned)
    return curve.filter(pl.col("strike").is_in(chosen))
