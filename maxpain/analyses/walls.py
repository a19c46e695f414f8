"""Walls and clusters (DESIGN "Definitions").

Walls: per side, strikes ranked by OI summed over the window; share = strike OI / side total; the
put wall is the top put strike, the call wall the top call strike. Clusters: bands of adjacent
strikes around local peaks holding at least ``min_share`` of the side's OI, extended while the
neighbours keep at least half the peak.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from maxpain.analyses._frames import Segments, in_expirations, segment
from maxpain.analyses.max_pain import PooledMaxPain, pooled_max_pain
from maxpain.analyses.window import Window
from maxpain.chain import Chain, strike_thousandths, strikes_of_units
from maxpain.errors import InputError
from maxpain.limits import jit_threshold

if TYPE_CHECKING:
    import numpy as np

DEFAULT_CLUSTER_SHARE = 0.05

WALLS_SCHEMA = {
    "side": pl.String,
    "rank": pl.Int64,
    "strike": pl.Float64,
    "open_interest": pl.Int64,
    "share": pl.Float64,
}
CLUSTERS_SCHEMA = {
    "side": pl.String,
    "low": pl.Float64,
    "high": pl.Float64,
    "peak": pl.Float64,
    "center": pl.Float64,
    "open_interest": pl.Int64,
    "share": pl.Float64,
}
BY_STRIKE_SCHEMA = {"strike": pl.Float64, "call_oi": pl.Int64, "put_oi": pl.Int64}


@dataclass(frozen=True)
class StrikeOI:
    """Call and put OI summed by distinct strike inside each segment: computed once, then shown as
    a table (:meth:`table`) and/or ranked into walls (:meth:`ranked`)."""

    segments: Segments
    strikes: np.ndarray  # thousandths
    call_oi: np.ndarray
    put_oi: np.ndarray
    offsets: np.ndarray  # into the strike arrays, one run per segment

    @classmethod
    def of(cls, segments: Segments) -> StrikeOI:
        import numpy as np

        from maxpain import kernels
        from maxpain.analyses._frames import contract_arrays

        arrays = contract_arrays(segments.frame)
        ones = np.ones(len(arrays.open_interest), dtype=np.int64)
        call_oi, put_oi = kernels.contract_weights(arrays.is_put, arrays.open_interest, ones)
        return cls(segments, *kernels.sum_by_strike(arrays.strike_units, call_oi, put_oi, segments.offsets))

    def _with_keys(self, frame: pl.DataFrame, segment_of: np.ndarray) -> pl.DataFrame:
        if self.segments.keys.width == 0:
            return frame
        return pl.concat([self.segments.keys[segment_of], frame], how="horizontal")

    def table(self) -> pl.DataFrame:
        """OI by strike as a frame.

        Returns
        -------
        polars.DataFrame
            ``keys..., strike, call_oi, put_oi``: one row per distinct strike of each segment.
        """
        import numpy as np

        from maxpain.analyses._frames import from_thousandths

        out = pl.DataFrame(
            {"strike": from_thousandths(self.strikes), "call_oi": self.call_oi, "put_oi": self.put_oi},
            schema=BY_STRIKE_SCHEMA,
        )
        return self._with_keys(out, np.repeat(np.arange(len(self.offsets) - 1), np.diff(self.offsets)))

    def ranked(self, top: int) -> pl.DataFrame:
        """The ``top`` strikes by OI on each side of every segment (ties: the lower strike).

        Parameters
        ----------
        top
            Strikes per side and segment.

        Returns
        -------
        polars.DataFrame
            ``keys..., side, rank, strike, open_interest, share`` (of the segment's side total).
        """
        import numpy as np

        from maxpain import kernels
        from maxpain.analyses._frames import from_thousandths

        parts = []
        for side, totals in (("put", self.put_oi), ("call", self.call_oi)):
            chosen, counts = kernels.top_k_per_segment(totals, self.offsets, top)
            side_total = (
                np.add.reduceat(totals, self.offsets[:-1])
                if len(totals)
                else np.zeros(len(self.offsets) - 1, np.int64)
            )
            segment_of = np.repeat(np.arange(len(counts) - 1), np.diff(counts))
            rank = np.arange(len(chosen)) - counts[:-1][segment_of] + 1
            part = pl.DataFrame(
                {
                    "side": [side] * len(chosen),
                    "rank": rank.astype(np.int64),
                    "strike": from_thousandths(self.strikes[chosen]),
                    "open_interest": totals[chosen],
                    "share": totals[chosen] / np.maximum(side_total[segment_of], 1),
                },
                schema=WALLS_SCHEMA,
            )
            parts.append(self._with_keys(part, segment_of))
        return pl.concat(parts)


def ranked_walls(
    frame: pl.DataFrame, by: Sequence[str], *, top: int, segments: Segments | None = None
) -> pl.DataFrame:
    """The ``top`` strikes by OI on each side of every segment of ``frame`` (see :meth:`StrikeOI.ranked`).

    Parameters
    ----------
    frame
        Chain-shaped rows with the ``by`` columns.
    by
        Segment keys: ``[]`` for one window, ``["expiration"]`` for walls per expiration.
    top
        Strikes per side and segment.
    segments
        The already-segmented ``frame``, to share one sort between analyses.

    Returns
    -------
    polars.DataFrame
        See :meth:`StrikeOI.ranked`.
    """
    return StrikeOI.of(segments or segment(frame, by)).ranked(top)


def strike_table(frame: pl.DataFrame) -> pl.DataFrame:
    """Call and put open interest summed by distinct strike over all of ``frame`` (one window).

    Parameters
    ----------
    frame
        Chain-shaped rows.

    Returns
    -------
    polars.DataFrame
        ``strike, call_oi, put_oi`` (known OI above 0; strikes at OCC precision), strike ascending:
        :meth:`StrikeOI.table` of one segment, as one polars query below the JIT threshold.
    """
    if frame.height >= jit_threshold():
        return StrikeOI.of(segment(frame, [])).table()
    oi = pl.col("open_interest")
    put = pl.col("right").cast(pl.String) == "P"
    open_oi = pl.when(oi > 0).then(oi).otherwise(0)
    table = (
        frame.lazy()
        .group_by(strike_thousandths(pl.col("strike")).alias("units"))
        .agg(call_oi=open_oi.filter(~put).sum(), put_oi=open_oi.filter(put).sum())
        .sort("units")
        .select("units", call_oi=pl.col("call_oi").cast(pl.Int64), put_oi=pl.col("put_oi").cast(pl.Int64))
        .collect(engine="in-memory")
    )
    return table.select(strikes_of_units(table["units"]), "call_oi", "put_oi")


def ranked_strikes(by_strike: pl.DataFrame, top: int) -> pl.DataFrame:
    """The ``top`` strikes by OI on each side of a :func:`strike_table` (ties: the lower strike).

    Returns
    -------
    polars.DataFrame
        ``side, rank, strike, open_interest, share`` (of the side's total): puts, then calls.
    """
    parts = []
    for side, column in (("put", "put_oi"), ("call", "call_oi")):
        total = max(int(by_strike.get_column(column).sum() or 0), 1)
        chosen = (
            by_strike.filter(pl.col(column) > 0)
            .sort([column, "strike"], descending=[True, False], maintain_order=True)
            .head(top)
        )
        values = chosen.get_column(column).to_list()
        parts.append(
            pl.DataFrame(
                {
                    "side": [side] * len(values),
                    "rank": list(range(1, len(values) + 1)),
                    "strike": chosen.get_column("strike"),
                    "open_interest": values,
                    # divided one by one (polars divides a column by a number as a product with
                    # its reciprocal, one unit in the last place off the kernels' quotient)
                    "share": [value / total for value in values],
                },
                schema=WALLS_SCHEMA,
            )
        )
    return pl.concat(parts)


def cluster_bands(open_interest: Sequence[int], min_share: float) -> list[tuple[int, int, int, int]]:
    """Open-interest clusters over one side's strike-sorted totals (one value per distinct strike).

    A peak is a local maximum (strictly above its left neighbour, at least its right one, so a
    plateau counts once, at its lowest strike) holding at least ``min_share`` of the side's total.
    Peaks are taken from the largest down (ties: lower strike first); a peak inside an earlier band
    is skipped. A band grows from its peak while the next strike holds at least half the peak's
    OI and does not belong to another band.

    Returns
    -------
    list of (low, high, peak, total)
        Index bounds (inclusive), the peak's index and the band's OI, largest peak first.
    """
    values = list(open_interest)
    n = len(values)
    side_total = sum(values)
    if n == 0 or side_total <= 0:
        return []
    peaks = [
        i
        for i, value in enumerate(values)
        if value > 0
        and value >= min_share * side_total
        and not (i > 0 and values[i - 1] >= value)
        and not (i < n - 1 and values[i + 1] > value)
    ]
    peaks.sort(key=lambda i: -values[i])  # stable: lower strikes first among equal peaks
    claimed = [False] * n
    bands = []
    for p in peaks:
        if claimed[p]:
            continue
        value = values[p]
        low = p
        while low > 0 and not claimed[low - 1] and 2 * values[low - 1] >= value:
            low -= 1
        high = p
        while high < n - 1 and not claimed[high + 1] and 2 * values[high + 1] >= value:
            high += 1
        for i in range(low, high + 1):
            claimed[i] = True
        bands.append((low, high, p, sum(values[low : high + 1])))
    return bands


def find_clusters(by_strike: pl.DataFrame, *, min_share: float = DEFAULT_CLUSTER_SHARE) -> pl.DataFrame:
    """Clusters on each side of a strike-sorted ``strike, call_oi, put_oi`` table.

    Parameters
    ----------
    by_strike
        OI by strike (e.g. :func:`strike_table` of one window).
    min_share
        Smallest share of a side's OI a cluster's peak must hold.

    Returns
    -------
    polars.DataFrame
        ``side, low, high, peak, center`` (OI-weighted), ``open_interest`` (the band's total) and
        ``share`` (of the side's total), largest first.
    """
    strikes = by_strike.get_column("strike").to_list()
    rows = []
    for side, column in (("put", "put_oi"), ("call", "call_oi")):
        oi = by_strike.get_column(column).to_list()
        side_total = sum(oi)
        for low, high, peak, total in cluster_bands(oi, float(min_share)):
            weighted = sum(k * v for k, v in zip(strikes[low : high + 1], oi[low : high + 1], strict=True))
            rows.append(
                {
                    "side": side,
                    "low": strikes[low],
                    "high": strikes[high],
                    "peak": strikes[peak],
                    "center": weighted / total,
                    "open_interest": total,
                    "share": total / side_total,
                }
            )
    return pl.DataFrame(rows, schema=CLUSTERS_SCHEMA).sort(
        ["open_interest", "side"], descending=[True, False]
    )


@dataclass
class OIWalls:
    """Walls and clusters of one window, with the window's pooled max pain."""

    window: Window
    spot: float | None
    pooled: PooledMaxPain
    put_total: int
    call_total: int
    put_walls: pl.DataFrame  # strike, open_interest, share, distance_to_spot, distance_to_max_pain
    call_walls: pl.DataFrame
    clusters: pl.DataFrame
    by_strike: pl.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def put_call_oi_ratio(self) -> float | None:
        return self.put_total / self.call_total if self.call_total else None


def _with_distances(ranked: pl.DataFrame, spot: float | None, pain: float | None) -> pl.DataFrame:
    nothing = pl.lit(None, dtype=pl.Float64)
    return ranked.select("strike", "open_interest", "share").with_columns(
        distance_to_spot=(pl.col("strike") - spot) if spot is not None else nothing,
        distance_to_max_pain=(pl.col("strike") - pain) if pain is not None else nothing,
    )


def find_walls(
    chain: Chain, window: Window, *, top: int = 5, min_share: float = DEFAULT_CLUSTER_SHARE
) -> OIWalls:
    """Put and call walls of the window, its clusters, and their distances to spot and to the
    window's pooled max pain.

    Parameters
    ----------
    chain
        The snapshot.
    window
        The expirations pooled (see :func:`~maxpain.analyses.window.make_window`).
    top
        Walls per side (at least 1).
    min_share
        Smallest share of a side's OI a cluster's peak must hold.

    Returns
    -------
    OIWalls
        Walls with ``distance_to_spot`` and ``distance_to_max_pain``; clusters; OI by strike.

    Raises
    ------
    InputError
        ``top`` below 1.
    """
    if top <= 0:
        msg = f"top must be at least 1, got {top}"
        raise InputError(msg, parameter="top")
    pooled = pooled_max_pain(chain, window)
    frame = in_expirations(chain.frame, window.expirations)
    if frame.height:
        by_strike = strike_table(frame)
        ranked = ranked_strikes(by_strike, top)
    else:
        by_strike, ranked = pl.DataFrame(schema=BY_STRIKE_SCHEMA), pl.DataFrame(schema=WALLS_SCHEMA)
    put_total = int(by_strike.get_column("put_oi").sum() or 0)
    call_total = int(by_strike.get_column("call_oi").sum() or 0)
    notes = wall_notes(
        window.start, window.until, listed=bool(window.expirations), open_interest=put_total + call_total
    )
    spot = chain.meta.spot
    return OIWalls(
        window=window,
        spot=spot,
        pooled=pooled,
        put_total=put_total,
        call_total=call_total,
        put_walls=_with_distances(ranked.filter(pl.col("side") == "put"), spot, pooled.strike),
        call_walls=_with_distances(ranked.filter(pl.col("side") == "call"), spot, pooled.strike),
        clusters=find_clusters(by_strike, min_share=min_share),
        by_strike=by_strike,
        notes=notes,
    )


def wall_notes(start: date, until: date, *, listed: bool, open_interest: int) -> list[str]:
    """Why the window from ``start`` to ``until`` has no walls: no expiration listed in it
    (``listed`` False), or no open interest in its contracts."""
    if not listed:
        return [f"no expiration between {start} and {until}"]
    if open_interest == 0:
        return ["every contract in the window reports open interest 0: no walls"]
    return []


def distinct_clusters(walls: OIWalls) -> pl.DataFrame:
    """The clusters that say something the walls do not: bands wider than one strike, or a
    single-strike band at a strike that is not already one of that side's walls.

    Parameters
    ----------
    walls
        A :func:`find_walls` result.

    Returns
    -------
    polars.DataFrame
        Rows of ``walls.clusters``.
    """
    shown = {("put", k) for k in walls.put_walls["strike"].to_list()} | {
        ("call", k) for k in walls.call_walls["strike"].to_list()
    }
    keep = [
        row["low"] != row["high"] or (row["side"], row["peak"]) not in shown
        for row in walls.clusters.iter_rows(named=True)
    ]
    return walls.clusters.filter(pl.Series(keep, dtype=pl.Boolean))
