"""Tables of many tickers' rows at once, as the scan's pass reads them: each ticker's chosen
catalog rows, and of their snapshots' rows (``index`` numbers the ticker) calls and puts listed
per (ticker, expiration), open interest by (ticker, strike), and each ticker's walls from the
latter."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import polars as pl

from maxpain.analyses._frames import put_codes


def chosen_rows(listings: pl.DataFrame, at: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each ticker's catalog row of its snapshot at ``at`` (its last intact one that UTC day, or
    its latest) and of the intact snapshot stored before it, as :meth:`~maxpain.store.Store.resolve`
    and :meth:`~maxpain.store.Store.previous` pick."""
    intact = listings.filter(pl.col("damaged").is_null())
    if at != "latest":
        day = date.fromisoformat(at)
        chosen = intact.filter(pl.col("captured_at").dt.date() == day)
    else:
        chosen = intact
    chosen = chosen.group_by("ticker", maintain_order=True).last()
    earlier = (
        intact.join(chosen.select("ticker", now=pl.col("captured_at")), on="ticker", maintain_order="left")
        .filter(pl.col("captured_at") < pl.col("now"))
        .group_by("ticker", maintain_order=True)
        .last()
    )
    return chosen, earlier


#: The fields of a chosen catalog row the pass reads.
ROW_FIELDS = (
    "ticker",
    "id",
    "captured_at",
    "spot",
    "contracts",
    "partial",
    "notes",
    "adjusted_roots",
    "size",
    "mtime_ns",
)


def rows_by_ticker(frame: pl.DataFrame) -> dict[str, dict[str, Any]]:
    """The :data:`ROW_FIELDS` of each row of ``frame`` as a dict, by ticker (built column by
    column: faster than polars' named rows for thousands of them)."""
    values = [frame.get_column(c).to_list() for c in ROW_FIELDS]
    return {row[0]: dict(zip(ROW_FIELDS, row, strict=True)) for row in zip(*values, strict=True)}


def listed_sides(now: pl.DataFrame, index: np.ndarray, days: np.ndarray) -> pl.DataFrame:
    """Calls and puts listed per (index, expiration) of ``now``, in key order: counted over runs
    of rows when the rows are in key order (snapshots are stored so), else grouped."""
    same = index[1:] == index[:-1]
    # (compared, not subtracted: a boolean per row, not an integer)
    if not (bool(np.all(index[1:] >= index[:-1])) and bool(np.all(~same | (days[1:] >= days[:-1])))):
        return (
            now.group_by("index", "expiration")
            .agg(
                calls_listed=(pl.col("right") == "C").sum().cast(pl.Int64),
                puts_listed=(pl.col("right") == "P").sum().cast(pl.Int64),
            )
            .sort("index", "expiration")
        )
    starts = np.flatnonzero(np.concatenate(([True], ~same | (days[1:] != days[:-1]))))[: index.shape[0]]
    puts = np.add.reduceat(put_codes(now), starts, dtype=np.int64) if starts.shape[0] else starts
    return pl.DataFrame(
        {
            "index": index[starts],
            "expiration": pl.Series(days[starts]).cast(pl.Date),
            "calls_listed": np.diff(np.append(starts, index.shape[0])) - puts,
            "puts_listed": puts,
        },
        schema_overrides={"calls_listed": pl.Int64, "puts_listed": pl.Int64},
    )


#: The strike bits of :func:`oi_by_strike`' one-column key: thousandths below 2³² (strikes below
#: 4,294,967), with the ticker's number above them.
_UNITS_BITS = 32


def oi_by_strike(rows: pl.DataFrame, where: pl.Expr) -> pl.DataFrame:
    """Open interest by ticker and strike of the ``rows`` that ``where`` keeps (a window's, or
    one expiration's: filtered as they are summed, not copied first), in (index, units) order:
    known OI over OI > 0 per side, the payout weights of max pain (Σ multiplier × OI over OI > 0)
    and the contracts listed (with unknown OI). Pooled max pain, the monthly's and the walls need
    nothing else.

    Grouped on one int64 key packing (index, units) when they fit (a group-by of plain sums on one
    integer column is polars' fast path, ~40% faster than on two), else on both columns."""
    oi = pl.col("open_interest")
    put = pl.col("right") == "P"
    known = pl.when(oi > 0).then(oi).otherwise(0).cast(pl.Int64)
    weight = known * pl.col("multiplier").cast(pl.Int64)
    zero = pl.lit(0, dtype=pl.Int64)
    sums = {
        "contracts": pl.lit(1, dtype=pl.Int64),
        "unknown_oi": oi.is_null().cast(pl.Int64),
        "call_oi": pl.when(put).then(zero).otherwise(known),
        "put_oi": pl.when(put).then(known).otherwise(zero),
        "call_weight": pl.when(put).then(zero).otherwise(weight),
        "put_weight": pl.when(put).then(weight).otherwise(zero),
    }
    units = rows.get_column("units")
    index = rows.get_column("index")
    kept = rows.lazy().filter(where)
    packs = rows.height == 0 or (
        units.min() >= 0 and units.max() < 1 << _UNITS_BITS and index.min() >= 0 and index.max() < 1 << 30  # type: ignore[operator]
    )
    if not packs:
        return (
            kept.select("index", "units", **sums)
            .group_by("index", "units")
            .sum()
            .sort("index", "units")
            .collect()
        )
    key = pl.col("key")
    return (
        kept.select(key=pl.col("index").cast(pl.Int64) * (1 << _UNITS_BITS) + pl.col("units"), **sums)
        .group_by("key")
        .sum()
        .sort("key")
        .select(
            (key // (1 << _UNITS_BITS)).cast(index.dtype).alias("index"),
            (key % (1 << _UNITS_BITS)).alias("units"),
            *sums,
        )
        .collect()
    )


def walls_by_ticker(strikes: pl.DataFrame) -> dict[int, tuple[float | None, float | None, int, int]]:
    """Each ticker's put and call wall (the strike with the most OI on the side over the
    window; ties: the lower strike) and its put and call OI, from :func:`oi_by_strike`."""
    index = strikes.get_column("index").to_numpy()
    units = strikes.get_column("units").to_numpy()
    starts = np.flatnonzero(np.diff(index, prepend=-1))  # rows are in (index, units) order
    tickers = index[starts]
    found: list[list[Any]] = []
    totals: list[np.ndarray] = []
    for column in ("put_oi", "call_oi"):
        oi = strikes.get_column(column).to_numpy()
        top = np.maximum.reduceat(oi, starts)
        totals.append(np.add.reduceat(oi, starts))
        # the first (lowest) strike of each ticker holding its largest OI, when that is > 0
        best = np.flatnonzero((oi == np.repeat(top, np.diff(np.append(starts, oi.shape[0])))) & (oi > 0))
        first = best[np.unique(index[best], return_index=True)[1]]
        wall: dict[int, float] = dict(zip(index[first].tolist(), (units[first] / 1000).tolist(), strict=True))
        found.append([wall.get(i) for i in tickers.tolist()])
    return {
        i: (put_wall, call_wall, int(put_total), int(call_total))
        for i, put_wall, call_wall, put_total, call_total in zip(
            tickers.tolist(), *found, totals[0].tolist(), totals[1].tolist(), strict=True
        )
    }
