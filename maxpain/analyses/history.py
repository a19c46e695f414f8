"""Max pain, walls and open interest over a ticker's stored history: one row per snapshot.

Per snapshot, the window runs from its trading day to ``until`` (a fixed date) or ``weeks`` weeks
later (rolling), as every other view's window (:func:`maxpain.market.window_end`). Figures of one
expiration and the window's open-interest totals come from the per-snapshot summaries
(:mod:`maxpain.summary`); pooled max pain and the walls of the window need every strike, and come
from the strike profiles (:mod:`maxpain.profiles`) in one batched call over all snapshots
(segments = snapshots), never a loop of per-snapshot calls.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import polars as pl

from maxpain.analyses.max_pain_segments import max_pain_of_strikes
from maxpain.catalog import LISTING_COLUMNS
from maxpain.chain import strikes_of_units
from maxpain.errors import InputError
from maxpain.market import DEFAULT_WEEKS, is_monthly, not_listed_message, window_end
from maxpain.timeline import Timeline, in_range

if TYPE_CHECKING:
    from maxpain.engine import Engine
    from maxpain.store import Store

ROW_SCHEMA = {
    "position": pl.UInt32,
    "id": pl.String,
    "captured_at": pl.Datetime("us", "UTC"),
    "day": pl.Date,
    "spot": pl.Float64,
    "spot_estimated": pl.Boolean,
    "window_until": pl.Date,
    "window_expirations": pl.Int64,
    "pooled_max_pain": pl.Float64,
    "pooled_reason": pl.String,
    "put_wall": pl.Float64,
    "put_wall_oi": pl.Int64,
    "call_wall": pl.Float64,
    "call_wall_oi": pl.Int64,
    "call_oi": pl.Int64,
    "put_oi": pl.Int64,
    "total_oi": pl.Int64,
    "put_call_oi": pl.Float64,
    "flagged": pl.Boolean,
    "warnings": pl.List(pl.String),
}


@dataclass(frozen=True)
class History:
    """What ``history`` shows.

    ``rows`` (:data:`ROW_SCHEMA`): one per snapshot, oldest first. ``max_pain``: ``position,
    expiration, max_pain, reason`` for each row and chosen expiration (max pain null with a reason
    when undefined, or when the expiration is not listed in that snapshot). ``chosen`` says how the
    expirations were picked when the user named none.
    """

    ticker: str
    expirations: tuple[date, ...]
    chosen: str | None
    until: date | None
    weeks: int | None
    rows: pl.DataFrame
    max_pain: pl.DataFrame

    @property
    def window_label(self) -> str:
        """The window rule in words."""
        if self.until is not None:
            return f"expirations up to {self.until}"
        return f"the next {self.weeks or DEFAULT_WEEKS} weeks of expirations"


def default_expiration(timeline: Timeline) -> tuple[date, str] | None:
    """The expiration a history follows when none is named: the first monthly expiring on or after
    the last snapshot's trading day among those it lists (so it is the one that expires at the end
    of the range, or next), else its nearest listed expiration. None when it lists none."""
    last = timeline.snapshots.row(-1, named=True)
    listed = sorted(
        timeline.summaries.filter(pl.col("position") == last["position"]).get_column("expiration").to_list()
    )
    upcoming = [e for e in listed if e >= last["day"]]
    monthly = [e for e in upcoming if is_monthly(e, listed)]
    if monthly:
        return monthly[0], f"the nearest monthly at the last snapshot, {last['day']}"
    if upcoming:
        return upcoming[0], f"the nearest expiration at the last snapshot, {last['day']}"
    return None


def check_listed(ticker: str, expirations: Sequence[date], listed: Sequence[date]) -> None:
    """Every expiration asked for is listed in some snapshot of the range (``listed``)."""
    for wanted in expirations:
        if wanted not in listed:
            where = "in any snapshot of the range"
            raise InputError(not_listed_message(ticker, wanted, sorted(listed), where), parameter="expiry")


def _chosen(
    timeline: Timeline, expirations: Sequence[date], *, checked: bool = False
) -> tuple[tuple[date, ...], str | None]:
    if not checked:
        check_listed(timeline.ticker, expirations, sorted(set(timeline.summaries.get_column("expiration"))))
    if expirations:
        return tuple(sorted(set(expirations))), None
    found = default_expiration(timeline)
    return ((found[0],), found[1]) if found else ((), None)


def history(
    timeline: Timeline,
    *,
    expirations: Sequence[date] = (),
    until: date | None = None,
    weeks: int | None = None,
    checked: bool = False,
) -> History:
    """Max pain of some expirations, the window's pooled max pain, walls and OI, per snapshot.

    Parameters
    ----------
    timeline
        The snapshots (:func:`maxpain.timeline.load_timeline`).
    expirations
        Expirations to follow (default: :func:`default_expiration`).
    until, weeks
        The window: a fixed last expiration, or a rolling length (default 4 weeks).
    checked
        ``expirations`` were already checked against a wider range (a part of a history split
        by date).

    Returns
    -------
    History

    Raises
    ------
    InputError
        An expiration listed in no snapshot of the range; both ``until`` and ``weeks``, or a
        non-positive ``weeks``.
    """
    window_end(date.min, until=until, weeks=weeks)  # the window options' checks, as every view's
    chosen, how = _chosen(timeline, expirations, checked=checked)
    snapshots = timeline.snapshots
    length = timedelta(weeks=weeks or DEFAULT_WEEKS)
    ends = snapshots.select(
        "position",
        "day",
        window_until=pl.lit(until, dtype=pl.Date) if until is not None else pl.col("day") + length,
    )
    in_window = pl.col("expiration").is_between(pl.col("day"), pl.col("window_until"))
    totals = (
        timeline.summaries.join(ends, on="position")
        .filter(in_window)
        .group_by("position")
        .agg(
            window_expirations=pl.len().cast(pl.Int64),
            call_oi=pl.col("call_oi").sum(),
            put_oi=pl.col("put_oi").sum(),
        )
    )
    pooled, walls = _from_profiles(timeline, ends)
    rows = (
        snapshots.join(ends.drop("day"), on="position", how="left")
        .join(totals, on="position", how="left")
        .join(pooled, on="position", how="left")
        .join(walls, on="position", how="left")
        .with_columns(
            pl.col("window_expirations").fill_null(0),
            pl.col("call_oi").fill_null(0),
            pl.col("put_oi").fill_null(0),
        )
        .with_columns(
            total_oi=pl.col("call_oi") + pl.col("put_oi"),
            put_call_oi=pl.when(pl.col("call_oi") > 0).then(pl.col("put_oi") / pl.col("call_oi")),
            pooled_reason=pl.when(pl.col("window_expirations") == 0)
            .then(pl.format("no expiration between {} and {}", pl.col("day"), pl.col("window_until")))
            .otherwise(pl.col("pooled_reason")),
        )
        .sort("position")
        .select(list(ROW_SCHEMA))
    )
    frames = [snapshots.select("position", expiration=pl.lit(e, dtype=pl.Date)) for e in chosen] or [
        pl.DataFrame(schema={"position": pl.UInt32, "expiration": pl.Date})
    ]
    max_pain = (
        pl.concat(frames)
        .join(
            timeline.summaries.select("position", "expiration", "max_pain", "reason"),
            on=["position", "expiration"],
            how="left",
        )
        .with_columns(
            reason=pl.coalesce(
                pl.col("reason"), pl.when(pl.col("max_pain").is_null()).then(pl.lit("not listed"))
            )
        )
        .sort("position", "expiration")
    )
    return History(timeline.ticker, chosen, how, until, weeks, rows, max_pain)


def _from_profiles(timeline: Timeline, ends: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Pooled max pain and walls of every snapshot's window, from the strike profiles: computed
    once per distinct (positions, window), as a day collected every 15 minutes holds one set of
    positions, then given to every snapshot that shares it."""
    combos = timeline.snapshots.select("position", "profile").join(ends, on="position")
    distinct = (
        combos.select("profile", "day", "window_until")
        .unique()
        .sort("profile", "day")
        .with_row_index("combo")
    )
    combos = combos.join(distinct, on=["profile", "day", "window_until"]).select("position", "combo")
    strikes = (
        timeline.profiles()
        .lazy()
        .join(distinct.lazy(), left_on="snapshot", right_on="profile")
        .filter(pl.col("expiration").is_between(pl.col("day"), pl.col("window_until")))
        .group_by("combo", "units")
        .agg(pl.col("contracts", "unknown_oi", "call_oi", "put_oi", "call_weight", "put_weight").sum())
        .collect()
    )
    pooled = max_pain_of_strikes(strikes, ["combo"]).select(
        "combo", pooled_max_pain="max_pain", pooled_reason="reason"
    )
    walls = strikes.group_by("combo").agg(
        put_units=pl.col("units")
        .sort_by(pl.col("put_oi"), pl.col("units"), descending=[True, False])
        .first(),
        put_wall_oi=pl.col("put_oi").max(),
        call_units=pl.col("units")
        .sort_by(pl.col("call_oi"), pl.col("units"), descending=[True, False])
        .first(),
        call_wall_oi=pl.col("call_oi").max(),
    )
    walls = walls.with_columns(
        strikes_of_units(walls["put_units"], "put_wall"),
        strikes_of_units(walls["call_units"], "call_wall"),
    ).select(
        "combo",
        put_wall=pl.when(pl.col("put_wall_oi") > 0).then("put_wall"),
        put_wall_oi=pl.when(pl.col("put_wall_oi") > 0).then("put_wall_oi"),
        call_wall=pl.when(pl.col("call_wall_oi") > 0).then("call_wall"),
        call_wall_oi=pl.when(pl.col("call_wall_oi") > 0).then("call_wall_oi"),
    )
    return (
        combos.join(pooled, on="combo", how="left").drop("combo"),
        combos.join(walls, on="combo", how="left").drop("combo"),
    )


def table_rows(rows: pl.DataFrame, max_rows: int) -> tuple[pl.DataFrame, str | None]:
    """The rows a terminal table shows: all of them when they fit; else the last snapshot of each
    day, then the latest ``max_rows`` of those; with a sentence saying which (None when all fit).

    Parameters
    ----------
    rows
        :attr:`History.rows` (``day`` and oldest first are what it reads).
    max_rows
        At most this many.

    Returns
    -------
    (polars.DataFrame, str or None)
    """
    if rows.height <= max_rows:
        return rows, None
    daily = rows.group_by("day", maintain_order=True).last() if rows["day"].n_unique() < rows.height else rows
    kept = daily.tail(max_rows)
    which = "the last snapshot of each day" if daily.height < rows.height else "the latest snapshots"
    if kept.height < daily.height:
        which += f", the latest {kept.height}"
    return kept, f"{which} ({kept.height:,} of {rows.height:,} snapshots; all: --rows, --csv or --json)"


def history_part(root: str, bounds: tuple[str | None, str | None], **options: Any) -> History:
    """One engine task: the history of a date range of a ticker of the store at ``root``."""
    from maxpain.store import Store
    from maxpain.timeline import load_timeline

    ticker = options.pop("ticker")
    return history(load_timeline(Store(root), ticker, start=bounds[0], end=bounds[1]), **options)


def history_on(
    engine: Engine,
    store: Store,
    ticker: str,
    *,
    expirations: Sequence[date] = (),
    until: date | None = None,
    weeks: int | None = None,
    start: str | None = None,
    end: str | None = None,
    parts: int = 8,
) -> History:
    """:func:`history` split by date into at most ``parts`` ranges, each a task of ``engine``,
    joined in order: the same rows as one call (each row's window, walls and warnings depend only
    on its snapshot and the catalog, never on the range). The default expiration comes from the
    last range (it is the last snapshot's)."""
    window_end(date.min, until=until, weeks=weeks)
    listing = store.catalog(ticker, columns=[*LISTING_COLUMNS, "summary"])
    intact = listing.filter(pl.col("damaged").is_null() & pl.col("captured_at").is_not_null())
    rows = in_range(intact, store, ticker, start, end)
    days = sorted(set(rows.get_column("captured_at").dt.date().to_list()))
    if len(days) < 2:  # nothing to split (and the one place that words an empty range's error)
        from maxpain.timeline import load_timeline

        return history(
            load_timeline(store, ticker, start=start, end=end),
            expirations=expirations,
            until=until,
            weeks=weeks,
        )
    listed = sorted(
        set(rows.select(pl.col("summary").explode().struct.field("expiration")).to_series().drop_nulls())
    )
    check_listed(ticker, expirations, listed)
    size = -(-len(days) // min(parts, len(days)))
    groups = [days[i : i + size] for i in range(0, len(days), size)]
    bounds = [
        (start if i == 0 else str(group[0]), end if i == len(groups) - 1 else str(group[-1]))
        for i, group in enumerate(groups)
    ]
    options: dict[str, Any] = {"ticker": ticker, "until": until, "weeks": weeks, "checked": True}
    root = str(store.root)
    last = engine.map(partial(history_part, root, expirations=tuple(expirations), **options), [bounds[-1]])[0]
    rest = engine.map(partial(history_part, root, expirations=last.expirations, **options), bounds[:-1])
    pieces, offset = [], 0
    for part in [*rest, last]:
        shift = pl.col("position") + offset
        pieces.append(
            (part.rows.with_columns(shift.cast(pl.UInt32)), part.max_pain.with_columns(shift.cast(pl.UInt32)))
        )
        offset += part.rows.height
    return History(
        ticker,
        last.expirations,
        last.chosen,
        until,
        weeks,
        pl.concat([r for r, _ in pieces]),
        pl.concat([m for _, m in pieces]),
    )
