"""OI change across many tickers at once: each one's largest build-up between its two snapshots
and the comparison's warnings, over one frame of both snapshots' rows (what
:mod:`maxpain.analyses.oi_change` gives one ticker at a time; the scan's combined pass uses it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import numpy as np
import polars as pl

from maxpain.analyses.oi_change import expired_message, publication_messages, thin_message
from maxpain.market import trading_day
from maxpain.quality import Comparison


def build_ups_of_many(
    rows: pl.DataFrame, captured: dict[int, tuple[datetime, datetime]], count: int
) -> tuple[dict[int, dict[str, Any]], dict[int, list[str]]]:
    """Each ticker's largest OI build-up between its two snapshots, and the comparison's warnings:
    what :func:`maxpain.analyses.oi_change.open_interest_change` and its ``largest_build_up`` give
    one ticker at a time, for many at once. Contracts are matched on (root, expiration, strike,
    right), packed into two integer keys.

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
    live = rows.filter(pl.col("live") & pl.col("index").is_in(compared)).with_columns(
        pair=(pl.col("index").cast(pl.Int64) * 2**32)
        + pl.col("root").cast(pl.Categorical).to_physical().cast(pl.Int64),
        key=(pl.col("expiration").cast(pl.Int64) * 2**36)
        + (pl.col("right") == "P").cast(pl.Int64) * 2**35
        + pl.col("units"),
    )
    side_a = live.filter(~pl.col("later")).select(
        "pair", "key", oi_from=pl.col("open_interest"), strike_a=pl.col("strike")
    )
    matched = (
        live.filter(pl.col("later"))
        .join(side_a.with_columns(in_a=pl.lit(True)), on=["pair", "key"], how="left")
        .with_columns(in_a=pl.col("in_a").fill_null(False))
        .with_columns(
            change=pl.col("open_interest") - pl.when(pl.col("in_a")).then(pl.col("oi_from")).otherwise(0),
            strike=pl.coalesce("strike_a", "strike"),
        )
    )
    largest = (
        matched.filter((pl.col("change") > 0) & pl.col("ahead"))
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
        rows.filter(~pl.col("later") & ~pl.col("live"))
        .group_by("index")
        .agg(pl.col("expiration").n_unique())
        .iter_rows()
    )
    # Σ|change| over the union of contracts: the later snapshot's rows, plus the earlier's
    # rows it does not list (their change is minus their OI)
    later_side = matched.group_by("index").agg(
        rows=pl.len(),
        moved=pl.col("change").abs().sum(),
        matched=pl.col("in_a").sum(),
        matched_oi=pl.col("oi_from").filter(pl.col("in_a")).abs().sum(),
    )
    earlier_side = (
        live.filter(~pl.col("later"))
        .group_by("index")
        .agg(rows=pl.len(), oi=pl.col("open_interest").abs().sum())
    )
    union = later_side.join(earlier_side, on="index", how="full", coalesce=True, suffix="_a").fill_null(0)
    summary = {
        i: (rows_b + rows_a - both, moved + oi_a - both_oi)
        for i, rows_b, moved, both, both_oi, rows_a, oi_a in union.select(
            "index", "rows", "moved", "matched", "matched_oi", "rows_a", "oi"
        ).iter_rows()
    }
    # open contracts per (ticker, expiration) on each side, summed over the expirations both
    # list (counted with numpy on one integer key: a polars group-by of millions is slower)
    held = live.filter(pl.col("open_interest") > 0).select(
        "later", group=pl.col("index").cast(pl.Int64) * 2**20 + pl.col("expiration").cast(pl.Int64)
    )
    later_flag = held.get_column("later").to_numpy()
    group = held.get_column("group").to_numpy()
    keys_a, held_a = np.unique(group[~later_flag], return_counts=True)
    keys_b, held_b = np.unique(group[later_flag], return_counts=True)
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
        union_rows, moved = summary.get(i, (0, 0))
        found += publication_messages(
            trading_day(earlier_at),
            trading_day(later_at),
            identical=union_rows > 0 and int(moved or 0) == 0,
        )
        count_a, count_b = counts.get(i, (0, 0))
        side = Comparison(count_a, count_b).thin_side
        if side is not None:
            thin_at = earlier_at if side == "a" else later_at
            found.append(thin_message(thin_at, count_a, count_b))
        warnings[i] = found
    return build_ups, warnings
