"""OI change across many tickers at once: each one's largest build-up between its two snapshots
and the comparison's warnings, over one frame of both snapshots' rows (what
:mod:`maxpain.analyses.oi_change` gives one ticker at a time; the scan's combined pass uses it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from maxpain.analyses._frames import put_codes, rows_where
from maxpain.analyses.oi_change import expired_message, publication_messages, thin_message
from maxpain.market import trading_day
from maxpain.quality import Comparison


def build_ups_of_many(
    rows: pl.DataFrame, captured: dict[int, tuple[datetime, datetime]], count: int
) -> tuple[dict[int, dict[str, Any]], dict[int, list[str]]]:
    """Each ticker's largest OI build-up between its two snapshots, and the comparison's warnings:
    what :func:`maxpain.analyses.oi_change.open_interest_change` and its ``largest_build_up`` give
    one ticker at a time, for many at once. Contracts are matched on (root, expiration, strike,
    right) by :func:`match_rows`.

    Parameters
    ----------
    rows
        Both snapshots' rows of every ticker: ``index`` (the ticker's number), ``later`` (the later
        snapshot's rows), ``live`` (expiring on the later snapshot's trading day or after),
        ``ahead`` (after it), ``root, expiration, right, units, strike, open_interest``.
    captured
        Ticker number → (earlier, later) capture times, for the tickers compared.
    count
        How many ticker numbers there are.

    Returns
    -------
    (dict, dict)
        Ticker number → its largest build-up (``expiration, strike, right, change, oi_to``; left
        out when no OI was added), and → the comparison's warnings.
    """
    compared = sorted(captured)
    if not compared:  # (nothing to match: the rows may then come without their roots)
        return {}, {}
    # the two sides as the rows of the columns used below (a run of rows is a slice, not a copy:
    # each filter of millions of rows copies every column it keeps), then sums with numpy
    index = rows.get_column("index").to_numpy()
    later = rows.get_column("later").to_numpy()
    chosen = np.zeros(count, dtype=bool)
    chosen[compared] = True
    use = rows.get_column("live").to_numpy() & chosen[index]
    frame = rows.select("index", "ahead", "root", "expiration", "right", "units", "strike", "open_interest")
    side_a, side_b = rows_where(frame, use & ~later), rows_where(frame, use & later)
    matched = side_b.with_columns(match_rows(side_a, side_b)).with_columns(
        change=pl.col("open_interest") - pl.when(pl.col("in_a")).then(pl.col("oi_from")).otherwise(0),
        strike=pl.coalesce("strike_a", "strike"),
    )
    index_b, index_a = side_b.get_column("index").to_numpy(), side_a.get_column("index").to_numpy()
    changes = matched.get_column("change").fill_null(0).to_numpy()  # (unknown OI: no change)
    # the largest build-up: rows adding OI, expiring after the later day, at their ticker's most
    added = np.flatnonzero((changes > 0) & matched.get_column("ahead").to_numpy())
    most = np.zeros(count, dtype=np.int64)
    np.maximum.at(most, index_b[added], changes[added])
    largest = (
        matched[added[changes[added] == most[index_b[added]]]]  # sort the ties only
        .sort(
            "index",
            "change",
            "expiration",
            "strike",
            "root",
            "right",
            descending=[False, True, False, False, False, False],
        )
        .group_by("index", maintain_order=True)
        .first()
    )
    build_ups = {
        i: {
            "expiration": expiration,
            "strike": strike,
            "right": "call" if right == "C" else "put",
            "change": change,
            "oi_to": oi_to,
        }
        for i, expiration, strike, right, change, oi_to in largest.select(
            "index", "expiration", "strike", pl.col("right").cast(pl.String), "change", "open_interest"
        ).iter_rows()
    }
    expired = dict(
        rows.lazy()
        .filter(~pl.col("later") & ~pl.col("live"))
        .group_by("index")
        .agg(pl.col("expiration").n_unique())
        .collect()
        .iter_rows()
    )
    # Σ|change| over the union of contracts: the later snapshot's rows, plus the earlier's rows it
    # does not list (their change is minus their OI); sums of integers, exact in float64
    in_a = matched.get_column("in_a").to_numpy()
    oi_from = np.abs(matched.get_column("oi_from").fill_null(0).to_numpy())
    oi_a = side_a.get_column("open_interest").fill_null(0).to_numpy()
    union_rows = (
        np.bincount(index_b, minlength=count)
        + np.bincount(index_a, minlength=count)
        - np.bincount(index_b[in_a], minlength=count)
    )
    moved = (
        np.bincount(index_b, weights=np.abs(changes), minlength=count)
        + np.bincount(index_a, weights=np.abs(oi_a), minlength=count)
        - np.bincount(index_b[in_a], weights=oi_from[in_a], minlength=count)
    )
    # open contracts per (ticker, expiration) on each side, summed over the expirations both
    # list (counted with numpy on one integer key: a polars group-by of millions is slower)
    keys_a, held_a = _counted(_held(side_a, oi_a))
    keys_b, held_b = _counted(_held(side_b, side_b.get_column("open_interest").fill_null(0).to_numpy()))
    both, at_a, at_b = np.intersect1d(keys_a, keys_b, assume_unique=True, return_indices=True)
    owner = both // 2**20
    sums_a = np.bincount(owner, weights=held_a[at_a], minlength=count)
    sums_b = np.bincount(owner, weights=held_b[at_b], minlength=count)
    counts = {i: (int(sums_a[i]), int(sums_b[i])) for i in compared}
    warnings: dict[int, list[str]] = {}
    for i in compared:
        earlier_at, later_at = captured[i]
        found = []
        if expired.get(i):
            found.append(expired_message(expired[i]))
        found += publication_messages(
            trading_day(earlier_at),
            trading_day(later_at),
            identical=bool(union_rows[i] > 0 and moved[i] == 0),
        )
        count_a, count_b = counts.get(i, (0, 0))
        side = Comparison(count_a, count_b).thin_side
        if side is not None:
            thin_at = earlier_at if side == "a" else later_at
            found.append(thin_message(thin_at, count_a, count_b))
        warnings[i] = found
    return build_ups, warnings


def _held(side: pl.DataFrame, open_interest: np.ndarray) -> np.ndarray:
    """One (ticker, expiration) key per contract of ``side`` holding open interest."""
    holding = open_interest > 0
    index = side.get_column("index").to_numpy()[holding]
    return index * 2**20 + side.get_column("expiration").cast(pl.Int64).to_numpy()[holding]


def _counted(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys, ascending, and how often each occurs: over runs when the keys are
    already in order (a side's rows are stored so), else by sorting (``np.unique``)."""
    step = np.diff(keys)
    if bool(np.all(step >= 0)):
        starts = np.flatnonzero(np.concatenate(([True], step != 0)))[: keys.shape[0]]
        return keys[starts], np.diff(np.append(starts, keys.shape[0]))
    return np.unique(keys, return_counts=True)


def match_rows(side_a: pl.DataFrame, side_b: pl.DataFrame) -> list[pl.Series]:
    """For each row of ``side_b``, the row of ``side_a`` holding the same contract (same
    ``index``, ``root``, ``expiration``, ``right`` and ``units``): ``in_a``, and that row's
    ``oi_from`` (open interest) and ``strike_a`` (null where there is none).

    Each contract becomes one int64 key, its fields packed in as few bits as they need (the root
    as its rank among the ticker's roots), matched by a binary search over A's sorted keys: a
    snapshot's rows are stored in contract order, so the sort is usually skipped. Contracts whose
    fields do not fit in 63 bits are matched by a join on three keys instead (same answer).
    """
    keys = _packed_keys(side_a, side_b)
    if keys is None:
        return _joined(side_a, side_b)
    key_a, key_b = keys
    order = None if bool((np.diff(key_a) > 0).all()) else np.argsort(key_a, kind="stable")
    sorted_a = key_a if order is None else key_a[order]
    found = np.minimum(np.searchsorted(sorted_a, key_b), max(sorted_a.shape[0] - 1, 0))
    hit = sorted_a[found] == key_b if sorted_a.shape[0] else np.zeros(key_b.shape[0], dtype=bool)
    row = found if order is None else order[found]
    take = pl.Series(np.where(hit, row, 0))
    in_a = pl.Series("in_a", hit)
    if side_a.height == 0:
        nulls = pl.repeat(None, side_b.height, eager=True)
        return [in_a, nulls.cast(pl.Int64).alias("oi_from"), nulls.cast(pl.Float64).alias("strike_a")]
    picked = side_a.select("open_interest", "strike")[take]
    return [
        in_a,
        pl.select(pl.when(in_a).then(picked.get_column("open_interest"))).to_series().alias("oi_from"),
        pl.select(pl.when(in_a).then(picked.get_column("strike"))).to_series().alias("strike_a"),
    ]


def _bits(largest: int) -> int:
    return max(int(largest).bit_length(), 1)


def _packed_keys(side_a: pl.DataFrame, side_b: pl.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
    """Both sides' contracts as int64 keys (ticker, root rank, expiration, strike units, right),
    or None when they need more than 63 bits. Each side's key is built apart (millions of rows:
    nothing of both sides is concatenated but the few rows of tickers holding several roots)."""
    sides = (side_a, side_b)
    if side_a.height + side_b.height == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if any(side.get_column("root").null_count() for side in sides):
        return None
    fields = [
        (
            side.get_column("index").cast(pl.Int64).to_numpy(),
            side.get_column("units").cast(pl.Int64).to_numpy(),
            side.get_column("expiration").cast(pl.Int64).to_numpy(),
            put_codes(side).astype(np.int64),
        )
        for side in sides
    ]
    present = [f for f in fields if f[0].shape[0]]
    if min(int(f[0].min()) for f in present) < 0 or min(int(f[1].min()) for f in present) < 0:
        return None
    # a ticker whose rows all hold one root needs no root bits: only the others' roots are ranked
    mixed_tickers = np.zeros(max(int(f[0].max()) for f in present) + 1, dtype=bool)
    firsts = []
    for side, (at, *_) in zip(sides, fields, strict=True):
        root = side.get_column("root")
        starts = np.flatnonzero(np.concatenate(([True], np.diff(at) != 0)))[: at.shape[0]]  # runs of a ticker
        inside = (root != root.shift(1)).fill_null(True).to_numpy()
        inside[starts] = False  # a root change within a run of one ticker
        mixed_tickers[at[np.flatnonzero(inside)]] = True
        firsts.append(pl.DataFrame({"index": at[starts], "root": root.gather(starts)}))
    across = pl.concat(firsts).group_by("index").agg(pl.col("root").n_unique() > 1).filter(pl.col("root"))
    mixed_tickers[across.get_column("index").to_numpy()] = True
    mixed = [mixed_tickers[f[0]] for f in fields]
    ranks = [np.zeros(0, dtype=np.int64)] * 2
    if any(m.any() for m in mixed):  # the ticker's roots in string order (both sides ranked together)
        subset = pl.concat(
            [side.select("index", "root").filter(pl.Series(m)) for side, m in zip(sides, mixed, strict=True)]
        )
        ranked = subset.select(pl.col("root").rank("dense").over("index").cast(pl.Int64) - 1).to_series()
        split = int(mixed[0].sum())
        ranks = []
        for m, piece in zip(mixed, (ranked[:split], ranked[split:]), strict=True):
            rank = np.zeros(m.shape[0], dtype=np.int64)
            rank[m] = piece.to_numpy()
            ranks.append(rank)
    low_day = min(int(f[2].min()) for f in present)
    sizes = (
        _bits(max(int(f[0].max()) for f in present)),
        _bits(max((int(r.max()) for r in ranks if r.shape[0]), default=0)),
        _bits(max(int(f[2].max()) for f in present) - low_day),
        _bits(max(int(f[1].max()) for f in present)),
        1,
    )
    if sum(sizes) > 63:
        return None
    keys = []
    for (index, units, days, put), rank in zip(fields, ranks, strict=True):
        key = index.astype(np.int64)  # (a copy: shifted and or-ed in place)
        for part, size in zip((rank, days - low_day, units, put), sizes[1:], strict=True):
            key <<= size
            if part.shape[0]:
                key |= part
        keys.append(key)
    return keys[0], keys[1]


def _joined(side_a: pl.DataFrame, side_b: pl.DataFrame) -> list[pl.Series]:
    """:func:`match_rows` by a join on three integer keys (any field sizes)."""

    def keyed(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            pair=(pl.col("index").cast(pl.Int64) * 2**32)
            + pl.col("root").cast(pl.Categorical).to_physical().cast(pl.Int64),
            key=pl.col("expiration").cast(pl.Int64) * 2 + (pl.col("right") == "P").cast(pl.Int64),
        )

    found = (
        keyed(side_b)
        .select("pair", "key", "units")
        .join(
            keyed(side_a).select(
                "pair", "key", "units", oi_from="open_interest", strike_a="strike", in_a=pl.lit(True)
            ),
            on=["pair", "key", "units"],
            how="left",
            maintain_order="left",
        )
    )
    return [
        found.get_column("in_a").fill_null(False),
        found.get_column("oi_from"),
        found.get_column("strike_a"),
    ]
