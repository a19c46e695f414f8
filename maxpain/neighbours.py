"""A stored snapshot against its stored neighbours: is it complete, and is it a copy of the day
before? Read from the ticker's catalog (footer fields and open contracts per expiration), never
from the snapshots' rows, and compared once per distinct pair of positions, so one snapshot costs a
few comparisons and a listing of 10,000 snapshots a few hundred. (The completeness rule itself is
:mod:`maxpain.quality`.)"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import polars as pl

from maxpain import quality
from maxpain.catalog import LISTING_COLUMNS
from maxpain.catalog import summaries as catalog_summaries
from maxpain.footer import SnapshotInfo
from maxpain.market import NEW_YORK
from maxpain.store import Store

#: How a copy's warning starts (views and listings recognise it by this).
COPY_PREFIX = "identical to"
#: Positions this few contracts cannot tell a copy from a quiet day.
_MIN_CONTRACTS_FOR_COPY = 20
#: Trading days compared on each side (so that a run of thin sessions still meets a complete one).
_EACH_SIDE = 3


def copy_message(day: object, contracts: int) -> str:
    """The warning of a snapshot that holds its previous trading day's positions."""
    return (
        f"{COPY_PREFIX} {day}: market holiday or stale source (the same {contracts:,} contracts and "
        f"open interest as the snapshot of {day}; OI changes against it are zero)"
    )


#: Reads the ``id, open_counts`` rows of some snapshots (from the catalog file).
SummaryReader = Callable[[list[str]], pl.DataFrame]
#: (id, open counts as a list of {expiration, open_contracts}) of some snapshots.
CountsReader = Callable[[list[str]], Iterable[tuple[str, Any]]]


@dataclass(frozen=True)
class _Stored:
    """What the checks read of one intact snapshot (a catalog row)."""

    id: str
    at: datetime
    day: date
    contracts: int
    positions: str  # empty for a file whose positions are unknown: it matches nothing
    key: str  # snapshots with equal keys hold the same open interest (compared once)


def warnings_frame(
    frame: pl.DataFrame, ids: Sequence[str] | None = None, *, read_summaries: SummaryReader | None = None
) -> pl.DataFrame:
    """What comparing snapshots with their neighbours shows.

    Parameters
    ----------
    frame
        One ticker's catalog (:meth:`Store.catalog`): with its ``open_counts`` column, or without
        it and ``read_summaries`` to fetch the few that are needed.
    ids
        Only these snapshots (default: every intact one).
    read_summaries
        Fetches ``id, open_counts`` for a list of ids (when ``frame`` has none).

    Returns
    -------
    polars.DataFrame
        ``id, warnings`` (list of text): ``identical to <day>: …`` when it holds exactly the
        contracts and open interest of the snapshot stored last on the previous trading day (a
        market holiday's copy, or a source that did not update); else ``incomplete snapshot: …``
        when it lists far fewer open contracts than most of its neighbours (see
        :func:`_incomplete`). Snapshots with neither are left out.
    """
    usable = _near(frame.filter(pl.col("damaged").is_null() & pl.col("captured_at").is_not_null()), ids)
    rows = usable.select("id", "captured_at", "contracts", "positions").iter_rows()

    def counts_of(wanted: list[str]) -> Iterable[tuple[str, Any]]:
        if "open_counts" in usable.columns:
            return usable.filter(pl.col("id").is_in(wanted)).select("id", "open_counts").iter_rows()
        if read_summaries is not None:
            return read_summaries(wanted).select("id", "open_counts").iter_rows()
        msg = "the catalog frame has no open counts and no reader was given"
        raise ValueError(msg)

    found = _found(list(rows), ids, counts_of)
    return pl.DataFrame(
        {"id": list(found), "warnings": [[w] for w in found.values()]},
        schema={"id": pl.String, "warnings": pl.List(pl.String)},
    )


def _near(usable: pl.DataFrame, ids: Sequence[str] | None) -> pl.DataFrame:
    """Only the rows that can matter to ``ids`` (one snapshot costs the same in any history)."""
    if ids is None:
        return usable
    times = usable.filter(pl.col("id").is_in(list(ids))).get_column("captured_at")
    if times.len() == 0:
        return usable.clear()
    reach = timedelta(days=quality.NEIGHBOUR_DAYS + 1)
    low, high = times.min() - reach, times.max() + reach  # type: ignore[operator]
    return pl.concat(
        [
            usable.filter(pl.col("captured_at") < low).tail(1),  # the day before a long gap
            usable.filter(pl.col("captured_at").is_between(low, high)),
        ]
    )


def _found(
    rows: list[tuple[str, datetime, int | None, str | None]],
    ids: Sequence[str] | None,
    counts_of: CountsReader,
) -> dict[str, str]:
    """The warning of each of ``ids`` (default: every row) that has one, in row order, from the
    intact catalog rows around them (``id, captured_at, contracts, positions``, oldest first)."""
    intact = [
        _Stored(
            snapshot,
            at,
            at.astimezone(NEW_YORK).date(),
            contracts or 0,
            positions or "",
            positions or snapshot,
        )
        for snapshot, at, contracts, positions in rows
    ]
    wanted = set(ids) if ids is not None else None
    targets = [i for i, s in enumerate(intact) if wanted is None or s.id in wanted]
    days = _days(intact)
    day_of = [d for d, (_, first, last) in enumerate(days) for _ in range(first, last + 1)]
    found: dict[str, str] = {}
    for i in targets:
        copy = _copy(intact, days, day_of[i], i)
        if copy is not None:  # a copy is as complete as its original: the copy is what to say
            found[intact[i].id] = copy
    pairs = {i: _neighbours(intact, days, day_of[i], i) for i in targets if intact[i].id not in found}
    counts = _open_counts(intact, pairs, counts_of)
    compared: dict[tuple[str, str, date], tuple[int, int, bool]] = {}
    for i, neighbours in pairs.items():
        message = _incomplete(intact[i], [intact[j] for j in neighbours], counts, compared)
        if message is not None:
            found[intact[i].id] = message
    return {intact[i].id: found[intact[i].id] for i in targets if intact[i].id in found}


def warnings_of(listings: pl.DataFrame, targets: dict[str, str]) -> dict[str, list[str]]:
    """:func:`warnings_frame` of one snapshot per ticker, for many tickers at once.

    Parameters
    ----------
    listings
        Catalogs of many tickers (:func:`maxpain.bulk.catalogs`): ``ticker``, the listing columns
        and ``open_counts``.
    targets
        Ticker → the id of its snapshot to check.

    Returns
    -------
    dict
        Ticker → its snapshot's warnings (tickers without any are left out).
    """
    usable = listings.filter(pl.col("damaged").is_null() & pl.col("captured_at").is_not_null())
    wanted = pl.DataFrame(
        {"ticker": list(targets), "id": list(targets.values())}, schema={"ticker": pl.String, "id": pl.String}
    )
    times = usable.join(wanted, on=["ticker", "id"]).select("ticker", target=pl.col("captured_at"))
    reach = timedelta(days=quality.NEIGHBOUR_DAYS + 1)
    around = usable.join(times, on="ticker", maintain_order="left").with_columns(
        low=pl.col("target") - reach, high=pl.col("target") + reach
    )
    near = pl.concat(
        [
            around.filter(pl.col("captured_at") < pl.col("low"))
            .group_by("ticker", maintain_order=True)
            .last(),
            around.filter(pl.col("captured_at").is_between(pl.col("low"), pl.col("high"))),
        ]
    ).sort("ticker", "order", "suffix", "id", maintain_order=True)
    by_ticker: dict[str, list[tuple[str, datetime, int | None, str | None]]] = {}
    position: dict[tuple[str, str], int] = {}
    columns = near.select("ticker", "id", "captured_at", "contracts", "positions")
    for row, (ticker, snapshot, at, contracts, positions) in enumerate(columns.iter_rows()):
        by_ticker.setdefault(ticker, []).append((snapshot, at, contracts, positions))
        position[(ticker, snapshot)] = row
    # open counts as flat columns (made on first need), turned into structs only for the
    # snapshots compared
    flat: list[list[Any]] = []

    def counts(ticker: str, snapshot: str) -> list[dict[str, Any]]:
        if not flat:
            lists = near.get_column("open_counts")
            sizes = lists.list.len()
            exploded = lists.filter(sizes > 0).explode().struct.unnest()  # (an empty list would be a null)
            flat.append([0, *itertools.accumulate(sizes.to_list())])
            flat.append(exploded.get_column("expiration").to_list())
            flat.append(exploded.get_column("open_contracts").to_list())
        starts, expirations, open_contracts = flat
        row = position[(ticker, snapshot)]
        a, b = starts[row], starts[row + 1]
        return [
            {"expiration": e, "open_contracts": n}
            for e, n in zip(expirations[a:b], open_contracts[a:b], strict=True)
        ]

    def reader(ticker: str) -> CountsReader:
        return lambda ids: ((i, counts(ticker, i)) for i in ids)

    out: dict[str, list[str]] = {}
    for name, rows in by_ticker.items():
        if len(rows) < 2:  # nothing stored to compare with: neither a copy nor thin
            continue
        found = _found(rows, [targets[name]], reader(name))
        if found:
            out[name] = list(found.values())
    return out


def _days(intact: list[_Stored]) -> list[tuple[date, int, int]]:
    """The trading days with snapshots: (day, first index, last index), in order."""
    days: list[tuple[date, int, int]] = []
    for i, snapshot in enumerate(intact):
        if days and days[-1][0] == snapshot.day:
            days[-1] = (snapshot.day, days[-1][1], i)
        else:
            days.append((snapshot.day, i, i))
    return days


def _copy(intact: list[_Stored], days: list[tuple[date, int, int]], d: int, i: int) -> str | None:
    """The copy warning of snapshot ``i`` (on day ``d``): it holds exactly the positions of the
    snapshot stored last on the previous trading day that has snapshots."""
    snapshot = intact[i]
    if d == 0 or snapshot.contracts < _MIN_CONTRACTS_FOR_COPY or not snapshot.positions:
        return None
    previous = intact[days[d - 1][2]]
    if previous.contracts != snapshot.contracts or previous.positions != snapshot.positions:
        return None
    return copy_message(previous.day, snapshot.contracts)


def _neighbours(intact: list[_Stored], days: list[tuple[date, int, int]], d: int, i: int) -> list[int]:
    """Who snapshot ``i`` is compared with, chosen by trading day so that snapshots collected every
    few minutes still meet other sessions (a thin session's snapshots are all alike): the snapshot
    just before and just after on its own day, and on each of the :data:`_EACH_SIDE` trading days
    with snapshots before (after) it, the one nearest in time (that day's last, or first). With one
    snapshot a day these are the three stored days on each side. Only those within
    :data:`~maxpain.quality.NEIGHBOUR_DAYS` days count."""
    chosen = [days[d - k][2] for k in range(_EACH_SIDE, 0, -1) if d - k >= 0]
    chosen += [j for j in (i - 1, i + 1) if 0 <= j < len(intact) and intact[j].day == intact[i].day]
    chosen += [days[d + k][1] for k in range(1, _EACH_SIDE + 1) if d + k < len(days)]
    limit = timedelta(days=quality.NEIGHBOUR_DAYS)
    return [j for j in chosen if abs(intact[j].at - intact[i].at) <= limit]


def _open_counts(
    intact: list[_Stored],
    pairs: dict[int, list[int]],
    counts_of: CountsReader,
) -> dict[str, dict[date, int]]:
    """Open contracts per expiration of every snapshot the pairs involve, by key (one read per
    distinct positions)."""
    needed: dict[str, str] = {}  # key → an id holding it
    for i, neighbours in pairs.items():
        others = [j for j in neighbours if intact[j].key != intact[i].key]
        for j in (i, *others) if others else ():  # nothing to compare with: no counts read
            needed.setdefault(intact[j].key, intact[j].id)
    if not needed:
        return {}
    by_id = {
        snapshot: {c["expiration"]: c["open_contracts"] for c in counts or []}
        for snapshot, counts in counts_of(list(needed.values()))
    }
    return {key: by_id.get(snapshot, {}) for key, snapshot in needed.items()}


def _incomplete(
    snapshot: _Stored,
    neighbours: list[_Stored],
    counts: dict[str, dict[date, int]],
    compared: dict[tuple[str, str, date], tuple[int, int, bool]],
) -> str | None:
    """The completeness warning of ``snapshot``: thin (:attr:`maxpain.quality.Comparison.thin_side`)
    against most of the neighbours it can be compared with; the nearest such is named."""
    nearest: tuple[timedelta, datetime, _Stored, int, int] | None = None
    tried = thin = 0
    for neighbour in neighbours:
        if neighbour.key == snapshot.key:  # the same positions (a day collected every 15 minutes)
            continue  # say nothing about each other: a thin session must meet other sessions
        later = max(snapshot.day, neighbour.day)
        key = (snapshot.key, neighbour.key, later)
        pair = compared.get(key)
        if pair is None:
            comparison = quality.compare_open_contracts(
                counts[snapshot.key], counts[neighbour.key], from_day=later
            )
            pair = (comparison.count_a, comparison.count_b, comparison.thin_side == "a")
            compared[key] = pair
        count_a, count_b, is_thin = pair
        if count_a < quality.MIN_COMMON and count_b < quality.MIN_COMMON:
            continue
        tried += 1
        if is_thin:
            thin += 1
            apart = abs(neighbour.at - snapshot.at)
            if nearest is None or (apart, neighbour.at) < nearest[:2]:
                nearest = (apart, neighbour.at, neighbour, count_a, count_b)
    # thin next to most of its neighbours, not one: chains grow new strikes over days, so a
    # snapshot a few days before a busy one can hold fewer open contracts without missing any
    if nearest is None or 2 * thin <= tried:
        return None
    return quality.incomplete_message(nearest[1], nearest[3], nearest[4])


def neighbour_warnings(store: Store, info: SnapshotInfo) -> list[str]:
    """What comparing one stored snapshot with its stored neighbours shows (see
    :func:`warnings_frame`); nothing for a damaged one."""
    if info.damaged:
        return []
    return stored_warnings(store, store.catalog(info.ticker, columns=list(LISTING_COLUMNS)), info)


def stored_warnings(store: Store, listing: pl.DataFrame, info: SnapshotInfo) -> list[str]:
    """:func:`neighbour_warnings` with the ticker's catalog listing already read (only the
    summaries of the snapshot and its neighbours are read, however long the history)."""
    if info.damaged:
        return []
    found = warnings_frame(
        listing,
        [info.id],
        read_summaries=lambda ids: catalog_summaries(store.root, info.ticker, ids, "open_counts"),
    )
    return found["warnings"][0].to_list() if found.height else []


def checked_listing(store: Store, ticker: str) -> pl.DataFrame:
    """The ticker's catalog listing (files changed in place read again) with each snapshot's
    neighbour warnings: the listing columns of :mod:`maxpain.catalog` plus ``warnings``.

    Parameters
    ----------
    store
        The store.
    ticker
        The underlying.

    Returns
    -------
    polars.DataFrame
        Oldest first; ``warnings`` empty for snapshots without any (and for damaged files).
    """
    frame = store.catalog(ticker, columns=[*LISTING_COLUMNS, "open_counts"], validate=True)
    found = warnings_frame(frame)
    return (
        frame.drop("open_counts")
        .join(found, on="id", how="left", maintain_order="left")
        .with_columns(pl.col("warnings").fill_null(pl.lit([], dtype=pl.List(pl.String))))
    )


def check_neighbours(store: Store, listed: list[SnapshotInfo]) -> list[SnapshotInfo]:
    """Set each listed snapshot's ``warnings`` from :func:`warnings_frame`.

    Parameters
    ----------
    store
        The store holding them.
    listed
        Snapshots from :meth:`Store.snapshots` (of one or several tickers).

    Returns
    -------
    list of SnapshotInfo
        ``listed``, checked.
    """
    found: dict[tuple[str, str], list[str]] = {}
    for ticker in sorted({s.ticker for s in listed}):
        checked = warnings_frame(store.catalog(ticker, columns=[*LISTING_COLUMNS, "open_counts"]))
        for snapshot, warnings in zip(checked["id"].to_list(), checked["warnings"].to_list(), strict=True):
            found[(ticker, snapshot)] = warnings
    for info in listed:
        info.warnings = [] if info.damaged else found.get((info.ticker, info.id), [])
    return listed
