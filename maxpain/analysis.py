"""Analyses: polars in, polars frames or dataclasses out. Never prints.

Each analysis unwraps a frame into the kernels' arrays (strike-sorted segments with offsets),
calls the kernel, and wraps the result. Undefined answers come back as ``None``/null together with
a ``reason`` string, never as a made-up number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl

from maxpain import kernels
from maxpain.chain import RIGHT_DTYPE, Chain
from maxpain.errors import InputError, NotFoundError

NEW_YORK = ZoneInfo("America/New_York")
DEFAULT_WEEKS = 4
DEFAULT_CLUSTER_SHARE = 0.05

REASONS = {
    kernels.NO_OPEN_INTEREST: "all known open interest is zero (Yahoo reports 0 before the open)",
    kernels.EMPTY: "no contracts",
    kernels.TOO_LARGE: "open interest × strike range too large for exact arithmetic",
}


def strike_units(strike: pl.Expr | pl.Series) -> pl.Expr | pl.Series:
    """Strikes as int64 thousandths (OCC precision), the kernels' unit."""
    return (strike * 1000).round(0).cast(pl.Int64)


def trading_day(moment: datetime) -> date:
    """The US trading date of a UTC moment (options settle on New York time)."""
    return moment.astimezone(NEW_YORK).date()


# --------------------------------------------------------------------------- windows
@dataclass(frozen=True)
class Window:
    """Expirations from the capture date up to ``until`` (inclusive)."""

    start: date
    until: date
    expirations: tuple[date, ...]

    def to_json(self) -> dict[str, object]:
        return {
            "from": self.start.isoformat(),
            "until": self.until.isoformat(),
            "expirations": [e.isoformat() for e in self.expirations],
        }


def make_window(chain: Chain, *, until: date | None = None, weeks: int | None = None) -> Window:
    """The window of expirations from the capture date to ``until`` (or ``weeks`` weeks; default
    4 weeks). Same-day expirations are included.

    Raises
    ------
    InputError: ``until`` before the capture date, or a non-positive ``weeks``.
    """
    start = trading_day(chain.meta.captured_at)
    if until is not None and weeks is not None:
        msg = "give either --until or --weeks, not both"
        raise InputError(msg)
    if weeks is not None:
        if weeks <= 0:
            msg = f"--weeks must be a positive number of weeks, got {weeks}"
            raise InputError(msg)
        until = start + timedelta(weeks=weeks)
    if until is None:
        until = start + timedelta(weeks=DEFAULT_WEEKS)
    if until < start:
        msg = f"--until {until} is before the snapshot's capture date {start}; pick a later date"
        raise InputError(msg)
    expirations = tuple(e for e in chain.expirations if start <= e <= until)
    return Window(start=start, until=until, expirations=expirations)


# --------------------------------------------------------------------------- max pain
@dataclass(frozen=True)
class Segments:
    """A frame ordered by (keys..., strike), its group keys (one row per segment) and the
    segment offsets into it: what the kernels consume. Build it once with :func:`segment` and
    share it between analyses of the same frame."""

    frame: pl.DataFrame
    keys: pl.DataFrame
    offsets: np.ndarray


def _ordered(frame: pl.DataFrame, columns: Sequence[str]) -> bool:
    """True when rows are already in non-decreasing lexicographic order of ``columns``
    (snapshots read from the store are), so the sort can be skipped."""
    if frame.height < 2:
        return True
    condition: pl.Expr = pl.lit(True)
    for name in reversed(columns):
        column, previous = pl.col(name), pl.col(name).shift(1)
        condition = (column > previous) | ((column == previous) & condition)
    return bool(frame.select(condition.fill_null(True).all()).item())


def segment(frame: pl.DataFrame, by: Sequence[str]) -> Segments:
    """Order ``frame`` by (by..., strike) (skipped when it already is) and find its segments."""
    columns = [*by, "strike"]
    ordered = frame if _ordered(frame, columns) else frame.sort(columns)
    if not by or ordered.height == 0:
        offsets = np.array([0, ordered.height], dtype=np.int64)
        return Segments(ordered, pl.DataFrame(), offsets)
    changed: pl.Expr = pl.lit(False)
    for name in by:
        changed = changed | (pl.col(name) != pl.col(name).shift(1))
    starts = np.flatnonzero(ordered.select(changed.fill_null(True)).to_series().to_numpy())
    offsets = np.append(starts, ordered.height).astype(np.int64)
    return Segments(ordered, ordered.select(list(by))[starts], offsets)


def _contract_arrays(
    ordered: pl.DataFrame,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The kernels' view of a chain-shaped frame: strike (float), put flag, OI (−1 = unknown),
    multiplier, volume (−1 = unknown) as contiguous numpy arrays."""
    right = ordered.get_column("right")
    if right.dtype != RIGHT_DTYPE:  # physical code 0 = call, 1 = put
        right = right.cast(pl.String).cast(RIGHT_DTYPE)
    return (
        np.ascontiguousarray(ordered.get_column("strike").to_numpy(), dtype=np.float64),
        np.ascontiguousarray(right.to_physical().to_numpy(), dtype=np.uint32),
        np.ascontiguousarray(ordered.get_column("open_interest").fill_null(-1).to_numpy(), dtype=np.int64),
        np.ascontiguousarray(ordered.get_column("multiplier").to_numpy(), dtype=np.int64),
        np.ascontiguousarray(ordered.get_column("volume").fill_null(-1).to_numpy(), dtype=np.int64),
    )


def _weights(ordered: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    strike, is_put, open_interest, multiplier, _ = _contract_arrays(ordered)
    return kernels.contract_weights(strike, is_put, open_interest, multiplier)


def max_pain_table(
    frame: pl.DataFrame, by: Sequence[str], *, segments: Segments | None = None
) -> pl.DataFrame:
    """Max pain of every group of ``frame`` (one row per group, in key order).

    ``frame`` needs ``strike, right, open_interest, multiplier, volume`` and the ``by`` columns.
    Columns out: the keys, ``call_oi, put_oi, call_volume, put_volume, contracts, unknown_oi``,
    ``max_pain`` (null when undefined), ``min_payout`` (currency), ``reason``.
    """
    segments = segments or segment(frame, by)
    ordered, offsets = segments.frame, segments.offsets
    strike_float, is_put, open_interest, multiplier, volume = _contract_arrays(ordered)
    strike, call_weight, put_weight = kernels.contract_weights(
        strike_float, is_put, open_interest, multiplier
    )
    best_row, best_payout, status = kernels.max_pain_segments(strike, call_weight, put_weight, offsets)
    defined = best_row >= 0
    max_pain = (
        np.where(defined, strike_float[np.where(defined, best_row, 0)], np.nan)
        if len(best_row)
        else np.zeros(0)
    )
    call_oi, put_oi, unknown_oi = kernels.side_sums(open_interest, is_put, offsets)
    call_volume, put_volume, _ = kernels.side_sums(volume, is_put, offsets)
    sums = {
        "call_oi": call_oi,
        "put_oi": put_oi,
        "call_volume": call_volume,
        "put_volume": put_volume,
        "contracts": np.diff(offsets),
        "unknown_oi": unknown_oi,
    }
    reasons = [None if code == kernels.OK else REASONS[int(code)] for code in status]
    reasons = [
        "open interest is unknown for every contract" if (unknown == count and count > 0) else reason
        for reason, unknown, count in zip(reasons, sums["unknown_oi"], sums["contracts"], strict=True)
    ]
    result = pl.DataFrame(
        {
            **{
                name: pl.Series(sums[name], dtype=pl.Int64)
                for name in ("call_oi", "put_oi", "call_volume", "put_volume", "contracts", "unknown_oi")
            },
            "max_pain": pl.Series(max_pain, dtype=pl.Float64).fill_nan(None),
            "min_payout": pl.Series(
                np.where(defined, best_payout / 1000.0, np.nan), dtype=pl.Float64
            ).fill_nan(None),
            "reason": pl.Series(reasons, dtype=pl.String),
        }
    )
    return pl.concat([segments.keys, result], how="horizontal")


def max_pain_by_expiration(chain: Chain) -> pl.DataFrame:
    """Per expiration: max pain, distance to spot, call/put OI and volume, put/call ratios."""
    table = max_pain_table(chain.frame, ["expiration"])
    spot = chain.meta.spot
    sides = chain.frame.group_by("expiration").agg(
        calls_listed=(pl.col("right") == "C").sum(), puts_listed=(pl.col("right") == "P").sum()
    )
    # An expiration listing only one side is a source defect (e.g. a collector that wrote the
    # calls twice and the puts never): its max pain is computed, but on half a chain.
    return (
        table.join(sides, on="expiration", how="left", maintain_order="left")
        .with_columns(
            distance_to_spot=(pl.col("max_pain") - spot)
            if spot is not None
            else pl.lit(None, dtype=pl.Float64),
            put_call_oi_ratio=_ratio("put_oi", "call_oi"),
            put_call_volume_ratio=_ratio("put_volume", "call_volume"),
            note=pl.when(pl.col("puts_listed") == 0)
            .then(pl.lit("no puts listed: max pain from calls only"))
            .when(pl.col("calls_listed") == 0)
            .then(pl.lit("no calls listed: max pain from puts only"))
            .otherwise(None),
        )
        .drop("calls_listed", "puts_listed")
    )


def one_sided_warnings(table: pl.DataFrame) -> list[str]:
    """Warnings for expirations whose source listed only calls or only puts."""
    return [
        f"{expiration}: {note}"
        for expiration, note in table.filter(pl.col("note").is_not_null())
        .select("expiration", "note")
        .iter_rows()
    ]


def _ratio(numerator: str, denominator: str) -> pl.Expr:
    return (
        pl.when(pl.col(denominator) > 0)
        .then(pl.col(numerator) / pl.col(denominator))
        .otherwise(None)
        .cast(pl.Float64)
    )


@dataclass(frozen=True)
class MaxPain:
    """Max pain of one expiration or one pooled window."""

    strike: float | None
    payout: float | None
    reason: str | None
    call_oi: int
    put_oi: int
    contracts: int

    @property
    def defined(self) -> bool:
        return self.strike is not None


def _window_frame(chain: Chain, window: Window) -> pl.DataFrame:
    return chain.frame.filter(pl.col("expiration").is_in(list(window.expirations)))


def pooled_max_pain(chain: Chain, window: Window) -> MaxPain:
    """Max pain of all the window's contracts pooled; candidates = the union of their strikes."""
    if not window.expirations:
        return MaxPain(None, None, f"no expiration between {window.start} and {window.until}", 0, 0, 0)
    row = max_pain_table(_window_frame(chain, window), []).row(0, named=True)
    return MaxPain(
        row["max_pain"],
        row["min_payout"],
        row["reason"],
        row["call_oi"] or 0,
        row["put_oi"] or 0,
        row["contracts"],
    )


def payout_curve(chain: Chain, expirations: Sequence[date]) -> pl.DataFrame:
    """Payout to option holders at every listed strike of the pooled ``expirations``:
    ``strike, call_payout, put_payout, total_payout`` (currency)."""
    frame = chain.frame.filter(pl.col("expiration").is_in(list(expirations))).sort("strike")
    strike, call_weight, put_weight = _weights(frame)
    strikes, call_payout, put_payout = kernels.payout_curve(strike, call_weight, put_weight)
    return pl.DataFrame(
        {
            "strike": strikes / 1000.0,
            "call_payout": call_payout / 1000.0,
            "put_payout": put_payout / 1000.0,
            "total_payout": (call_payout + put_payout) / 1000.0,
        }
    )


# --------------------------------------------------------------------------- walls and clusters
@dataclass(frozen=True)
class StrikeTotals:
    """Call and put OI summed by distinct strike inside each segment (computed once, then shown
    as a table and/or ranked into walls)."""

    segments: Segments
    strikes: np.ndarray  # thousandths
    call_oi: np.ndarray
    put_oi: np.ndarray
    offsets: np.ndarray  # into the strike arrays, one run per segment

    @classmethod
    def of(cls, segments: Segments) -> StrikeTotals:
        strike_float, is_put, open_interest, _, _ = _contract_arrays(segments.frame)
        ones = np.ones(len(open_interest), dtype=np.int64)
        strike, call_oi, put_oi = kernels.contract_weights(strike_float, is_put, open_interest, ones)
        return cls(segments, *kernels.strike_totals(strike, call_oi, put_oi, segments.offsets))

    def _with_keys(self, frame: pl.DataFrame, segment_of: np.ndarray) -> pl.DataFrame:
        if self.segments.keys.width == 0:
            return frame
        return pl.concat([self.segments.keys[segment_of], frame], how="horizontal")

    def table(self) -> pl.DataFrame:
        """``keys..., strike, call_oi, put_oi``."""
        out = pl.DataFrame({"strike": self.strikes / 1000.0, "call_oi": self.call_oi, "put_oi": self.put_oi})
        return self._with_keys(out, np.repeat(np.arange(len(self.offsets) - 1), np.diff(self.offsets)))

    def walls(self, top: int) -> pl.DataFrame:
        """The ``top`` strikes by OI on each side of every segment (ties: lower strike):
        ``keys..., side, rank, strike, open_interest, share`` (share of the segment's side total)."""
        parts = []
        for side, totals in (("put", self.put_oi), ("call", self.call_oi)):
            chosen, counts = kernels.top_k_segments(totals, self.offsets, top)
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
                    "strike": self.strikes[chosen] / 1000.0,
                    "open_interest": totals[chosen],
                    "share": totals[chosen] / np.maximum(side_total[segment_of], 1),
                },
                schema=WALLS_SCHEMA,
            )
            parts.append(self._with_keys(part, segment_of))
        return pl.concat(parts)


WALLS_SCHEMA = {
    "side": pl.String,
    "rank": pl.Int64,
    "strike": pl.Float64,
    "open_interest": pl.Int64,
    "share": pl.Float64,
}


def strike_totals_table(
    frame: pl.DataFrame, by: Sequence[str], *, segments: Segments | None = None
) -> pl.DataFrame:
    """Call and put OI summed by strike inside each group: ``by..., strike, call_oi, put_oi``."""
    return StrikeTotals.of(segments or segment(frame, by)).table()


def walls_table(
    frame: pl.DataFrame, by: Sequence[str], *, top: int, segments: Segments | None = None
) -> pl.DataFrame:
    """The ``top`` strikes by open interest on each side of every group (see StrikeTotals.walls)."""
    return StrikeTotals.of(segments or segment(frame, by)).walls(top)


@dataclass
class Walls:
    """Walls and clusters of one window."""

    window: Window
    spot: float | None
    pooled: MaxPain
    put_total: int
    call_total: int
    put_walls: pl.DataFrame
    call_walls: pl.DataFrame
    clusters: pl.DataFrame
    by_strike: pl.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def put_call_oi_ratio(self) -> float | None:
        return self.put_total / self.call_total if self.call_total else None


def _with_distances(ranked: pl.DataFrame, spot: float | None, pain: float | None) -> pl.DataFrame:
    return ranked.select("strike", "open_interest", "share").with_columns(
        distance_to_spot=(pl.col("strike") - spot) if spot is not None else pl.lit(None, dtype=pl.Float64),
        distance_to_max_pain=(pl.col("strike") - pain)
        if pain is not None
        else pl.lit(None, dtype=pl.Float64),
    )


def find_clusters(by_strike: pl.DataFrame, *, min_share: float = DEFAULT_CLUSTER_SHARE) -> pl.DataFrame:
    """Clusters on each side of a ``strike, call_oi, put_oi`` table (strike-sorted):
    ``side, low, high, peak, center, open_interest, share``, largest first."""
    parts = []
    strikes = by_strike.get_column("strike").to_numpy()
    for side, column in (("put", "put_oi"), ("call", "call_oi")):
        oi = np.ascontiguousarray(by_strike.get_column(column).to_numpy(), dtype=np.int64)
        low, high, peak, total = kernels.clusters(oi, float(min_share))
        side_total = int(oi.sum())
        centers = [
            float(np.dot(strikes[lo : hi + 1], oi[lo : hi + 1]) / oi[lo : hi + 1].sum())
            for lo, hi in zip(low, high, strict=True)
        ]
        parts.append(
            pl.DataFrame(
                {
                    "side": [side] * len(low),
                    "low": strikes[low] if len(low) else np.zeros(0),
                    "high": strikes[high] if len(low) else np.zeros(0),
                    "peak": strikes[peak] if len(low) else np.zeros(0),
                    "center": centers,
                    "open_interest": total,
                    "share": total / side_total if side_total else np.zeros(len(total)),
                },
                schema={
                    "side": pl.String,
                    "low": pl.Float64,
                    "high": pl.Float64,
                    "peak": pl.Float64,
                    "center": pl.Float64,
                    "open_interest": pl.Int64,
                    "share": pl.Float64,
                },
            )
        )
    return pl.concat(parts).sort(["open_interest", "side"], descending=[True, False])


def walls(chain: Chain, window: Window, *, top: int = 5, min_share: float = DEFAULT_CLUSTER_SHARE) -> Walls:
    """Put and call walls (strikes ranked by OI summed over the window, with shares), clusters,
    and their distances to spot and to the window's pooled max pain."""
    if top <= 0:
        msg = f"--top must be at least 1, got {top}"
        raise InputError(msg)
    pooled = pooled_max_pain(chain, window)
    frame = _window_frame(chain, window)
    if frame.height:
        totals = StrikeTotals.of(segment(frame, []))
        by_strike = totals.table()
        ranked = totals.walls(top)
    else:
        by_strike = pl.DataFrame(schema={"strike": pl.Float64, "call_oi": pl.Int64, "put_oi": pl.Int64})
        ranked = pl.DataFrame(schema=WALLS_SCHEMA)
    spot = chain.meta.spot
    notes = []
    if not window.expirations:
        notes.append(f"no expiration between {window.start} and {window.until}")
    elif int(by_strike.get_column("put_oi").sum()) + int(by_strike.get_column("call_oi").sum()) == 0:
        notes.append("every contract in the window reports open interest 0: no walls")
    return Walls(
        window=window,
        spot=spot,
        pooled=pooled,
        put_total=int(by_strike.get_column("put_oi").sum() or 0),
        call_total=int(by_strike.get_column("call_oi").sum() or 0),
        put_walls=_with_distances(ranked.filter(pl.col("side") == "put"), spot, pooled.strike),
        call_walls=_with_distances(ranked.filter(pl.col("side") == "call"), spot, pooled.strike),
        clusters=find_clusters(by_strike, min_share=min_share),
        by_strike=by_strike,
        notes=notes,
    )


# --------------------------------------------------------------------------- OI change
_ROOT_SHIFT, _EXP_SHIFT, _RIGHT_SHIFT = 52, 36, 35


def _contract_keys(frame: pl.DataFrame, roots: dict[str, int]) -> np.ndarray:
    """(root, expiration, strike, right) packed into one sortable int64."""
    strikes = frame.select(strike_units(pl.col("strike"))).to_series().to_numpy()
    if len(strikes) and strikes.max() >= 2**35:
        msg = "a strike above 34 million cannot be matched across snapshots"
        raise InputError(msg)
    days = frame.get_column("expiration").cast(pl.Int32).to_numpy().astype(np.int64)
    right = (frame.get_column("right") == "P").to_numpy().astype(np.int64)
    root = frame.get_column("root").replace_strict(roots, return_dtype=pl.Int64).to_numpy()
    return (root << _ROOT_SHIFT) | (days << _EXP_SHIFT) | (right << _RIGHT_SHIFT) | strikes


@dataclass
class OIChange:
    """Open-interest change between two snapshots A → B."""

    captured_from: datetime
    captured_to: datetime
    changes: pl.DataFrame  # one row per contract of the union
    by_expiration: pl.DataFrame
    by_strike: pl.DataFrame
    warnings: list[str]

    def build_ups(self, top: int = 10) -> pl.DataFrame:
        return (
            self.changes.filter(pl.col("change") > 0)
            .sort(["change", "expiration", "strike"], descending=[True, False, False])
            .head(top)
        )

    def unwinds(self, top: int = 10) -> pl.DataFrame:
        return self.changes.filter(pl.col("change") < 0).sort(["change", "expiration", "strike"]).head(top)


def oi_change(a: Chain, b: Chain, *, until: date | None = None) -> OIChange:
    """Contracts matched on (root, expiration, strike, right); a contract absent on one side counts
    as 0 there and is marked ``new`` or ``closed``. Expirations that expired before B was captured
    are left out (their contracts did not close, they expired).

    Raises
    ------
    InputError: different underlyings, or A captured after B.
    """
    if a.meta.underlying != b.meta.underlying:
        msg = f"cannot compare {a.meta.underlying} with {b.meta.underlying}"
        raise InputError(msg)
    if a.meta.captured_at > b.meta.captured_at:
        msg = f"--from ({a.meta.captured_at:%Y-%m-%d %H:%M}) is after --to ({b.meta.captured_at:%Y-%m-%d %H:%M}); swap them"
        raise InputError(msg)
    first_live = trading_day(b.meta.captured_at)
    warnings: list[str] = []

    def live(frame: pl.DataFrame) -> pl.DataFrame:
        kept = frame.filter(pl.col("expiration") >= first_live)
        return kept.filter(pl.col("expiration") <= until) if until is not None else kept

    frame_a, frame_b = live(a.frame), live(b.frame)
    expired = a.frame.filter(pl.col("expiration") < first_live).get_column("expiration").n_unique()
    if expired:
        warnings.append(
            f"{expired} expiration(s) of the first snapshot expired before the second and are left out"
        )
    roots = {
        r: i for i, r in enumerate(sorted(set(frame_a["root"].to_list()) | set(frame_b["root"].to_list())))
    }
    if len(roots) >= 2**10:
        msg = "too many option roots to match"
        raise InputError(msg)
    keys_a, keys_b = _contract_keys(frame_a, roots), _contract_keys(frame_b, roots)
    order_a, order_b = np.argsort(keys_a, kind="stable"), np.argsort(keys_b, kind="stable")
    index_a, index_b = kernels.match_keys(
        np.ascontiguousarray(keys_a[order_a]), np.ascontiguousarray(keys_b[order_b])
    )
    rows_a = np.where(index_a >= 0, order_a[np.maximum(index_a, 0)] if len(order_a) else 0, -1)
    rows_b = np.where(index_b >= 0, order_b[np.maximum(index_b, 0)] if len(order_b) else 0, -1)
    columns = ["expiration", "strike", "right", "root", "contract_symbol"]
    side_a = frame_a.select([*columns, "open_interest"])[np.maximum(rows_a, 0)] if frame_a.height else None
    side_b = frame_b.select([*columns, "open_interest"])[np.maximum(rows_b, 0)] if frame_b.height else None
    in_a = pl.Series(rows_a >= 0)
    in_b = pl.Series(rows_b >= 0)

    def pick(column: str) -> pl.Series:
        if side_a is None:
            return side_b.get_column(column)  # type: ignore[union-attr]
        if side_b is None:
            return side_a.get_column(column)
        return pl.select(
            pl.when(in_a).then(side_a.get_column(column)).otherwise(side_b.get_column(column))
        ).to_series()

    if side_a is None and side_b is None:
        empty = {
            "expiration": pl.Date,
            "strike": pl.Float64,
            "right": pl.String,
            "root": pl.String,
            "contract_symbol": pl.String,
            "oi_from": pl.Int64,
            "oi_to": pl.Int64,
            "change": pl.Int64,
            "status": pl.String,
        }
        changes = pl.DataFrame(schema=empty)
    else:
        oi_from = (
            side_a.get_column("open_interest")
            if side_a is not None
            else pl.Series([None] * len(rows_b), dtype=pl.Int64)
        )
        oi_to = (
            side_b.get_column("open_interest")
            if side_b is not None
            else pl.Series([None] * len(rows_a), dtype=pl.Int64)
        )
        changes = pl.DataFrame({c: pick(c) for c in columns}).with_columns(
            right=pl.col("right").cast(pl.String),
            oi_from=pl.when(in_a).then(oi_from).otherwise(0),
            oi_to=pl.when(in_b).then(oi_to).otherwise(0),
            present_from=in_a,
            present_to=in_b,
        )
        changes = (
            changes.with_columns(change=pl.col("oi_to") - pl.col("oi_from"))
            .with_columns(
                status=pl.when(pl.col("change").is_null())
                .then(pl.lit("unknown"))
                .when(~pl.col("present_from"))
                .then(pl.lit("new"))
                .when(~pl.col("present_to"))
                .then(pl.lit("closed"))
                .when(pl.col("change") != 0)
                .then(pl.lit("changed"))
                .otherwise(pl.lit("unchanged"))
            )
            .drop("present_from", "present_to")
        )

    by_expiration = (
        changes.group_by("expiration")
        .agg(
            call_change=pl.col("change").filter(pl.col("right") == "C").sum(),
            put_change=pl.col("change").filter(pl.col("right") == "P").sum(),
            call_oi_to=pl.col("oi_to").filter(pl.col("right") == "C").sum(),
            put_oi_to=pl.col("oi_to").filter(pl.col("right") == "P").sum(),
            new_contracts=(pl.col("status") == "new").sum(),
            closed_contracts=(pl.col("status") == "closed").sum(),
        )
        .with_columns(net_change=pl.col("call_change") + pl.col("put_change"))
        .sort("expiration")
    )
    by_strike = (
        changes.group_by("strike")
        .agg(
            call_change=pl.col("change").filter(pl.col("right") == "C").sum(),
            put_change=pl.col("change").filter(pl.col("right") == "P").sum(),
        )
        .with_columns(net_change=pl.col("call_change") + pl.col("put_change"))
        .sort("strike")
    )

    day_a, day_b = trading_day(a.meta.captured_at), trading_day(b.meta.captured_at)
    if day_a == day_b:
        warnings.append(
            f"both snapshots are from the trading day {day_a}: open interest is published once a day, "
            "so there is no change by construction"
        )
    elif changes.height and int(changes.get_column("change").abs().sum() or 0) == 0:
        warnings.append(
            f"open interest is identical on {day_a} and {day_b}: no new figures were published "
            "between them (a market holiday such as Thanksgiving, or a stale source)"
        )
    warnings.extend(_row_loss_warnings(a, b, frame_a, frame_b))
    for chain in (a, b):
        if chain.meta.partial:
            warnings.append(
                f"the snapshot of {chain.meta.captured_at:%Y-%m-%d %H:%M} is partial: missing expirations count as closed/new"
            )
    return OIChange(a.meta.captured_at, b.meta.captured_at, changes, by_expiration, by_strike, warnings)


# Ordinary days in the corpus keep >= 93% of their neighbour's open contracts; the 2025-11-28
# half-day files keep <= 85%.
SUSPICIOUS_LOSS = 0.90


def _row_loss_warnings(a: Chain, b: Chain, frame_a: pl.DataFrame, frame_b: pl.DataFrame) -> list[str]:
    """A snapshot listing far fewer open contracts than its neighbour looks incomplete."""
    common = set(frame_a["expiration"].to_list()) & set(frame_b["expiration"].to_list())

    def open_contracts(frame: pl.DataFrame) -> int:
        return frame.filter(pl.col("expiration").is_in(list(common)) & (pl.col("open_interest") > 0)).height

    count_a, count_b = open_contracts(frame_a), open_contracts(frame_b)
    if not count_a or not count_b:
        return []
    smaller, larger = sorted((count_a, count_b))
    if smaller >= SUSPICIOUS_LOSS * larger:
        return []
    thin = a if count_a < count_b else b
    return [
        f"the snapshot of {thin.meta.captured_at:%Y-%m-%d %H:%M} lists far fewer open contracts "
        f"({smaller:,} vs {larger:,}): it looks incomplete (Yahoo zeroes OI around half-days), so "
        "changes into or out of it are unreliable"
    ]


# --------------------------------------------------------------------------- volume / OI
def volume_oi(
    chain: Chain, *, expirations: Sequence[date] | None = None, top: int = 10, min_volume: int = 100
) -> pl.DataFrame:
    """Contracts with the most volume relative to open interest (volume / OI): fresh positioning
    inside one snapshot, since OI only catches up the next day. Contracts trading fewer than
    ``min_volume`` contracts are left out (a 5-lot against an OI of 1 is noise, not positioning)."""
    frame = chain.frame
    if expirations is not None:
        frame = frame.filter(pl.col("expiration").is_in(list(expirations)))
    return (
        frame.filter((pl.col("volume") >= max(min_volume, 1)) & (pl.col("open_interest") > 0))
        .with_columns(volume_oi=pl.col("volume") / pl.col("open_interest"))
        .sort(["volume_oi", "volume"], descending=True)
        .head(top)
        .select("expiration", "strike", "right", "volume", "open_interest", "volume_oi")
    )


# --------------------------------------------------------------------------- exposure
@dataclass
class Exposure:
    """What a position of ``contracts`` contracts amounts to."""

    ticker: str
    contracts: int
    strike: float
    right: str
    expiration: date
    multiplier: int
    shares: int
    spot: float | None
    spot_estimated: bool
    notional_at_spot: float | None
    notional_at_strike: float
    price: float | None
    price_basis: str | None
    premium: float | None
    implied_volatility: float | None
    years_to_expiry: float
    rate: float
    delta: float | None
    gamma: float | None
    delta_adjusted_notional: float | None
    open_interest: int | None
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def notional_to_premium(self) -> float | None:
        if self.premium and self.notional_at_spot is not None:
            return self.notional_at_spot / self.premium
        return None


def years_to_expiry(captured_at: datetime, expiration: date) -> float:
    """ACT/365 years from capture to the expiration's 16:00 New York close."""
    close = datetime.combine(expiration, time(16, 0), tzinfo=NEW_YORK).astimezone(UTC)
    return max((close - captured_at).total_seconds(), 0.0) / (365.0 * 86400.0)


def exposure(
    chain: Chain,
    *,
    strike: float,
    right: str,
    expiration: date,
    contracts: int,
    rate: float = 0.04,
) -> Exposure:
    """Shares controlled, notional at spot and at strike, premium (mid, else last), Black–Scholes
    delta from the chain's IV, and the delta-adjusted notional of a position.

    Raises
    ------
    InputError: non-positive contracts or unknown right. NotFoundError: no such contract.
    """
    if contracts <= 0:
        msg = f"--contracts must be a positive number, got {contracts}"
        raise InputError(msg)
    code = {"call": "C", "c": "C", "put": "P", "p": "P"}.get(right.strip().lower())
    if code is None:
        msg = f"--right must be put or call, got {right!r}"
        raise InputError(msg)
    on_expiry = chain.frame.filter(pl.col("expiration") == expiration)
    if on_expiry.height == 0:
        listed = chain.expirations
        nearest = min(listed, key=lambda e: abs((e - expiration).days)) if listed else None
        hint = f"; the nearest listed is {nearest}" if nearest else ""
        msg = f"{chain.underlying} has no expiration {expiration} in this snapshot{hint}"
        raise NotFoundError(msg)
    rows = on_expiry.filter((pl.col("right") == code) & ((pl.col("strike") - strike).abs() < 1e-6))
    if rows.height == 0:
        listed_strikes = (
            on_expiry.filter(pl.col("right") == code).get_column("strike").unique().sort().to_numpy()
        )
        near: Any = (
            listed_strikes[np.argsort(np.abs(listed_strikes - strike), kind="stable")[:3]]
            if len(listed_strikes)
            else []
        )
        hint = f"; nearest listed: {', '.join(f'{s:g}' for s in sorted(near))}" if len(near) else ""
        side = "put" if code == "P" else "call"
        msg = f"{chain.underlying} {expiration} has no {strike:g} {side} in this snapshot{hint}"
        raise NotFoundError(msg)
    preferred = rows.filter(pl.col("root") == chain.underlying.lstrip("^"))
    row = (preferred if preferred.height else rows).row(0, named=True)
    reasons: dict[str, str] = {}
    multiplier = int(row["multiplier"])
    shares = contracts * multiplier
    spot = chain.meta.spot
    bid, ask, last = row["bid"], row["ask"], row["last"]
    if bid is not None and ask is not None and bid > 0 and ask >= bid:
        price, basis = (bid + ask) / 2, "mid"
    elif last is not None and last > 0:
        price, basis = last, "last"
        reasons["premium"] = "no two-sided quote: priced at the last trade"
    else:
        price, basis = None, None
        reasons["premium"] = "no quote and no last trade"
    years = years_to_expiry(chain.meta.captured_at, expiration)
    iv = row["implied_volatility"]
    delta = gamma = None
    if spot is None:
        reasons["delta"] = "no spot price in the snapshot"
        reasons["notional_at_spot"] = "no spot price in the snapshot"
    elif iv is None:
        reasons["delta"] = "no implied volatility for this contract (Yahoo placeholder)"
    elif years <= 0:
        reasons["delta"] = "the contract has expired at capture time"
    else:
        d, g = kernels.black_scholes_greeks(
            np.array([spot]),
            np.array([float(row["strike"])]),
            np.array([years]),
            np.array([float(iv)]),
            float(rate),
            np.array([code == "C"]),
        )
        delta, gamma = float(d[0]), float(g[0])
        if math.isnan(delta):
            delta = gamma = None
            reasons["delta"] = "Black-Scholes does not apply to these inputs"
    return Exposure(
        ticker=chain.underlying,
        contracts=contracts,
        strike=float(row["strike"]),
        right="put" if code == "P" else "call",
        expiration=expiration,
        multiplier=multiplier,
        shares=shares,
        spot=spot,
        spot_estimated=chain.meta.spot_estimated,
        notional_at_spot=shares * spot if spot is not None else None,
        notional_at_strike=shares * float(row["strike"]),
        price=price,
        price_basis=basis,
        premium=shares * price if price is not None else None,
        implied_volatility=iv,
        years_to_expiry=years,
        rate=rate,
        delta=delta,
        gamma=gamma,
        delta_adjusted_notional=delta * shares * spot if delta is not None and spot is not None else None,
        open_interest=row["open_interest"],
        reasons=reasons,
    )


# --------------------------------------------------------------------------- heatmap data
HEATMAP_METRICS = ("oi", "calls", "puts", "net", "change")


def oi_grid(chain: Chain, metric: str, expirations: Sequence[date]) -> pl.DataFrame:
    """Long table ``expiration, strike, value`` for the heatmap: total OI, call OI, put OI, or
    net (calls − puts)."""
    if metric not in ("oi", "calls", "puts", "net"):
        msg = f"unknown metric {metric!r}; use one of {', '.join(HEATMAP_METRICS)}"
        raise InputError(msg)
    calls = pl.col("open_interest").filter(pl.col("right") == "C").sum()
    puts = pl.col("open_interest").filter(pl.col("right") == "P").sum()
    value = {"oi": calls + puts, "calls": calls, "puts": puts, "net": calls - puts}[metric]
    return (
        chain.frame.filter(pl.col("expiration").is_in(list(expirations)))
        .group_by("expiration", "strike")
        .agg(value=value)
        .sort("expiration", "strike")
    )


def change_grid(change: OIChange, expirations: Sequence[date] | None = None) -> pl.DataFrame:
    """Long table ``expiration, strike, value`` of OI change (calls + puts)."""
    frame = change.changes
    if expirations is not None:
        frame = frame.filter(pl.col("expiration").is_in(list(expirations)))
    return (
        frame.group_by("expiration", "strike").agg(value=pl.col("change").sum()).sort("expiration", "strike")
    )
