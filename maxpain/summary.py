"""Per-snapshot summaries: what history, scans and listings read instead of the rows.

A snapshot never changes, so neither does its summary: it is computed when the snapshot is saved,
written into the file's footer, and copied into the store's catalog (:mod:`maxpain.catalog`).
One row per expiration, on the contracts the views read by default (adjusted roots left out, see
:mod:`maxpain.adjusted`), with nothing that depends on a user option:

================  ==============================================================================
field             meaning
================  ==============================================================================
expiration        the expiration
contracts         rows listed (calls_listed + puts_listed)
calls_listed      calls listed
puts_listed       puts listed
call_oi, put_oi   known open interest summed per side
call_volume, …    known volume summed per side (``put_volume`` too)
unknown_oi        contracts whose open interest the source did not give
open_contracts    contracts with open interest above 0 (what the completeness check compares)
max_pain          max pain (null when undefined, with ``reason``; one-sided expirations too)
min_payout        the payout to holders at max pain
reason            why max pain is undefined, else null
top_call_strikes  the :data:`TOP` call strikes by open interest (summed over roots), largest first;
                  ties go to the lower strike; ``top_call_oi`` their open interest
top_put_strikes   the same for puts (``top_put_oi``)
================  ==============================================================================

:data:`VERSION` changes whenever a definition above changes: summaries of another version are
recomputed from the rows (the catalog does it on its next read).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl

from maxpain.chain import STRIKE_SCALE, Chain, strike_thousandths
from maxpain.limits import jit_threshold

#: Version of the definitions above.
VERSION = 1
#: Strikes kept per side and expiration.
TOP = 5

SCHEMA: dict[str, Any] = {
    "expiration": pl.Date,
    "contracts": pl.Int64,
    "calls_listed": pl.Int64,
    "puts_listed": pl.Int64,
    "call_oi": pl.Int64,
    "put_oi": pl.Int64,
    "call_volume": pl.Int64,
    "put_volume": pl.Int64,
    "unknown_oi": pl.Int64,
    "open_contracts": pl.Int64,
    "max_pain": pl.Float64,
    "min_payout": pl.Float64,
    "reason": pl.String,
    "top_call_strikes": pl.List(pl.Float64),
    "top_call_oi": pl.List(pl.Int64),
    "top_put_strikes": pl.List(pl.Float64),
    "top_put_oi": pl.List(pl.Int64),
}
FIELDS = tuple(SCHEMA)


def summarize(frame: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """Summaries of every expiration of ``frame`` (of every ``by`` key).

    Parameters
    ----------
    frame
        Chain-shaped rows with adjusted roots already left out: one chain, or many snapshots keyed
        by ``by`` (e.g. ``["snapshot"]``).
    by
        Keys above the expiration.

    Returns
    -------
    polars.DataFrame
        The ``by`` keys, then :data:`SCHEMA`, ordered by keys and expiration.
    """
    from maxpain.analyses.max_pain import expiration_table

    keys = [*by, "expiration"]
    if frame.height < jit_threshold():  # one query: max pain, totals and the top strikes
        return (
            expiration_table(frame, by, top=TOP)
            .select(*by, *(pl.col(name).cast(dtype) for name, dtype in SCHEMA.items()))
            .sort(keys)
        )
    table = expiration_table(frame, by)  # max pain, totals, contracts listed and open
    ranked = (
        frame.lazy()
        .filter(pl.col("open_interest") > 0)
        .group_by([*keys, "right", strike_thousandths(pl.col("strike")).alias("units")])
        .agg(oi=pl.col("open_interest").sum())
        .sort([*keys, "right", "oi", "units"], descending=[*([False] * len(keys)), False, True, False])
        .group_by([*keys, "right"], maintain_order=True)
        .agg(strikes=pl.col("units").head(TOP), oi=pl.col("oi").head(TOP))  # in currency below
    )
    side = pl.col("right").cast(pl.String)
    calls = ranked.filter(side == "C").select(*keys, top_call_strikes="strikes", top_call_oi="oi")
    puts = ranked.filter(side == "P").select(*keys, top_put_strikes="strikes", top_put_oi="oi")
    empty_int = pl.lit([], dtype=pl.List(pl.Int64))
    joined = (
        table.lazy()
        .join(calls, on=keys, how="left")
        .join(puts, on=keys, how="left")
        .with_columns(
            pl.col(f"top_{side}_{what}").fill_null(empty_int)
            for side in ("call", "put")
            for what in ("strikes", "oi")
        )
        .collect(engine="in-memory")
    )
    in_currency = {  # one true division per strike (see maxpain.chain.strikes_of_units)
        name: pl.Series(
            name,
            [[u / STRIKE_SCALE for u in units] for units in joined[name].to_list()],
            dtype=pl.List(pl.Float64),
        )
        for name in ("top_call_strikes", "top_put_strikes")
    }
    return (
        joined.with_columns(*in_currency.values())
        .select(*by, *(pl.col(name).cast(dtype) for name, dtype in SCHEMA.items()))
        .sort(keys)
    )


def summary_of(chain: Chain) -> pl.DataFrame:
    """The summary of one snapshot: :func:`summarize` of its standard contracts."""
    from maxpain.adjusted import standard_frame

    return summarize(standard_frame(chain.frame, chain.meta.adjusted_roots))


def to_footer(summary: pl.DataFrame) -> dict[str, Any]:
    """The summary as the footer stores it (JSON: dates as ISO text)."""
    rows = summary.select(FIELDS).with_columns(pl.col("expiration").cast(pl.String)).to_dicts()
    return {"version": VERSION, "expirations": rows}


def from_footer(stored: Any) -> list[dict[str, Any]] | None:
    """The summary rows a footer holds, or None when it holds none of this :data:`VERSION`
    (or a malformed one: then it is recomputed from the rows, never trusted)."""
    if not isinstance(stored, dict) or stored.get("version") != VERSION:
        return None
    rows = stored.get("expirations")
    if not isinstance(rows, list) or not all(isinstance(r, dict) and set(r) == set(FIELDS) for r in rows):
        return None
    try:
        return [{**r, "expiration": date.fromisoformat(r["expiration"])} for r in rows]
    except (TypeError, ValueError):
        return None
