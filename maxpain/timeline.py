"""A ticker's stored history as one table: what ``history`` and ``pinning`` read. Everything comes
from the catalog (footer fields, per-expiration summaries, neighbour checks) and, for figures the
summaries cannot give, from the strike profiles (:mod:`maxpain.profiles`); no snapshot is opened.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

import polars as pl

from maxpain import profiles
from maxpain.catalog import LISTING_COLUMNS
from maxpain.errors import InputError, NotFoundError
from maxpain.market import NEW_YORK
from maxpain.neighbours import COPY_PREFIX, warnings_frame
from maxpain.store import Store

T = TypeVar("T")
R = TypeVar("R")

#: Warnings that make a snapshot's figures unfit to compare over time (a copy of the day before, a
#: snapshot missing contracts, a partial chain): history leaves them off its chart, pinning skips them.
FLAGGING = (COPY_PREFIX, "incomplete snapshot", "partial")


@dataclass
class Timeline:
    """One ticker's intact snapshots in a range, oldest first.

    ``snapshots``: ``position`` (0, 1, …: the key of every other frame), ``id``, ``captured_at``,
    ``day`` (trading date in New York), ``spot``, ``spot_estimated``, ``partial``, ``content_hash``,
    ``adjusted_roots``, ``warnings`` (list of text: neighbour checks, then the snapshot's own notes),
    ``flagged`` (a warning in :data:`FLAGGING`) and ``profile`` (the first stored snapshot holding
    the same positions: open interest is published once a day, so a day collected every 15
    minutes has one profile, computed once).
    ``summaries``: ``position`` and the :mod:`maxpain.summary` fields, one row per expiration.
    """

    store: Store
    ticker: str
    snapshots: pl.DataFrame
    summaries: pl.DataFrame
    _profiles: pl.DataFrame | None = field(default=None, repr=False)

    def profiles(self) -> pl.DataFrame:
        """The strike profiles of the distinct positions (:data:`maxpain.profiles.SCHEMA`,
        ``snapshot`` = the ``profile`` number of :attr:`snapshots`), computed and stored for those
        that have none yet."""
        if self._profiles is None:
            distinct = (
                self.snapshots.select(
                    "profile", id="profile_id", content_hash="profile_hash", adjusted_roots="profile_roots"
                )
                .unique("profile")
                .sort("profile")
            )
            self._profiles = profiles.load(self.store.root, self.ticker, distinct.drop("profile"))
        return self._profiles


def _row_warnings(neighbour: list[str] | None, notes: list[str] | None, partial: bool | None) -> list[str]:
    """A snapshot's warnings as its views show them: neighbour checks first, then its own notes
    (the synthetic-data notice leading them, a partial chain said once)."""
    own = list(notes or [])
    synthetic = [n for n in own if n.startswith("SYNTHETIC")]
    rest = [n for n in own if not n.startswith("SYNTHETIC")]
    if partial and not any(n.startswith("partial") for n in rest):
        rest.insert(0, "partial: the source cut the chain: not the whole chain")
    return [*synthetic, *(neighbour or []), *rest]


def in_range(
    frame: pl.DataFrame, store: Store, ticker: str, start: str | None, end: str | None
) -> pl.DataFrame:
    """Rows from ``start`` to ``end``: a date (``YYYY-MM-DD``, the whole UTC day, as snapshot
    selectors read dates), ``latest``, an id or its prefix."""

    def bound(selector: str, *, first: bool) -> pl.Expr:
        try:
            day = date.fromisoformat(selector)
        except ValueError:
            at = store.resolve(ticker, selector).captured_at
            return pl.col("captured_at") >= at if first else pl.col("captured_at") <= at
        utc_day = pl.col("captured_at").dt.date()
        return utc_day >= day if first else utc_day <= day

    if start:
        frame = frame.filter(bound(start, first=True))
    if end:
        frame = frame.filter(bound(end, first=False))
    return frame


def in_threads(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``function`` over ``items`` on one thread per core, results in order (the first error
    raised). Per-ticker work is many small polars operations, which release the GIL: two cores
    run two tickers at once."""
    workers = min(len(items), os.cpu_count() or 1)
    if workers <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(function, items))


def load_timelines(
    store: Store, tickers: Sequence[str], *, start: str | None = None, end: str | None = None
) -> list[Timeline]:
    """:func:`load_timeline` of each ticker (loaded side by side), in the order given."""
    return in_threads(lambda ticker: load_timeline(store, ticker, start=start, end=end), tickers)


def load_timeline(store: Store, ticker: str, *, start: str | None = None, end: str | None = None) -> Timeline:
    """The intact snapshots of ``ticker`` from ``start`` to ``end`` (both optional: selectors as
    ``--from``/``--to`` take them), with their summaries and warnings.

    Raises
    ------
    NotFoundError
        Nothing stored for ``ticker``, or nothing in the range.
    InputError
        A selector that matches several snapshots, or a range that ends before it starts.
    """
    catalog = store.catalog(ticker, columns=[*LISTING_COLUMNS, "open_counts", "summary"])
    intact = catalog.filter(pl.col("damaged").is_null() & pl.col("captured_at").is_not_null())
    if intact.height == 0:
        store.resolve(ticker)  # the one sentence for an empty store or ticker
    chosen = in_range(intact, store, ticker, start, end)
    if chosen.height == 0:
        if (
            start
            and end
            and in_range(intact, store, ticker, start, None).height
            and in_range(intact, store, ticker, None, end).height
        ):
            msg = f"--from {start} is after --to {end}; swap them"
            raise InputError(msg, parameter="from")
        stored_days = intact.get_column("captured_at").dt.date()
        first, last = str(stored_days.min()), str(stored_days.max())
        msg = f"no {ticker} snapshots between {start or 'the first'} and {end or 'the last'} (stored: {first} to {last})"
        raise NotFoundError(msg)
    # one profile per distinct positions, held by the first snapshot (of the whole history) with them
    first_holder = (
        intact.with_columns(
            key=pl.when(pl.col("positions").fill_null("") != "").then("positions").otherwise("id")
        )
        .group_by("key", maintain_order=True)
        .agg(
            profile_id=pl.first("id"),
            profile_hash=pl.first("content_hash"),
            profile_roots=pl.first("adjusted_roots"),
        )
    )
    chosen = (
        chosen.with_columns(
            key=pl.when(pl.col("positions").fill_null("") != "").then("positions").otherwise("id")
        )
        .join(first_holder, on="key", how="left", maintain_order="left")
        .with_columns(profile=pl.col("profile_id").rank("dense").cast(pl.UInt32) - 1)
    )
    ids = chosen.get_column("id").to_list()
    checked = warnings_frame(intact, ids)
    snapshots = (
        chosen.join(checked.rename({"warnings": "neighbour"}), on="id", how="left", maintain_order="left")
        .with_row_index("position")
        .with_columns(day=pl.col("captured_at").dt.convert_time_zone(NEW_YORK.key).dt.date())
    )
    warnings = [
        _row_warnings(neighbour, notes, partial)
        for neighbour, notes, partial in snapshots.select("neighbour", "notes", "partial").iter_rows()
    ]
    snapshots = snapshots.with_columns(
        warnings=pl.Series(warnings, dtype=pl.List(pl.String)),
        flagged=pl.Series([any(w.startswith(FLAGGING) for w in ws) for ws in warnings], dtype=pl.Boolean),
    ).select(
        "position",
        "id",
        "captured_at",
        "day",
        "spot",
        "spot_estimated",
        "partial",
        "content_hash",
        "adjusted_roots",
        "warnings",
        "flagged",
        "profile",
        "profile_id",
        "profile_hash",
        "profile_roots",
        "summary",
    )
    summaries = (
        snapshots.select("position", "summary")
        .explode("summary")
        .filter(pl.col("summary").is_not_null())
        .unnest("summary")
    )
    return Timeline(store, ticker, snapshots.drop("summary"), summaries)
