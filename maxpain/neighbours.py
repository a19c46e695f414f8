"""A stored snapshot against its stored neighbours: is it complete, and is it a copy of the day
before? (The completeness rule, on counts of open contracts, is :mod:`maxpain.quality`; this
module reads those counts, and the positions' fingerprints, from the store.)"""

from __future__ import annotations

from datetime import date

import polars as pl

from maxpain.chain import positions_fingerprint
from maxpain.footer import SnapshotInfo
from maxpain.market import trading_day
from maxpain.quality import Neighbour, incomplete_warning, open_contracts_by_expiration
from maxpain.store import Store

#: How a copy's warning starts (views and listings recognise it by this).
COPY_PREFIX = "identical to"
#: Positions this few contracts cannot tell a copy from a quiet day.
_MIN_CONTRACTS_FOR_COPY = 20


def open_contracts(store: Store, info: SnapshotInfo) -> dict[date, int]:
    """Contracts with OI > 0 per expiration, read from two columns of the file (cached on the store).

    Parameters
    ----------
    store
        The store holding it.
    info
        A stored snapshot.

    Returns
    -------
    dict
        Expiration → count; empty for a damaged file.
    """
    if info.path not in store.open_contracts_cache:
        counts: dict[date, int] = {}
        if not info.damaged:
            try:
                columns = pl.read_parquet(info.path, columns=["expiration", "open_interest"], glob=False)
                counts = open_contracts_by_expiration(columns)
            except Exception:  # a damaged file has no neighbours' figures to give
                counts = {}
        store.open_contracts_cache[info.path] = counts
    return store.open_contracts_cache[info.path]


def completeness_warning(
    store: Store, info: SnapshotInfo, listed: list[SnapshotInfo] | None = None
) -> str | None:
    """A warning when ``info`` looks incomplete next to its stored neighbours.

    Parameters
    ----------
    store
        The store holding it.
    info
        A stored snapshot.
    listed
        The ticker's snapshots, when already listed (saves listing them again).

    Returns
    -------
    str or None
        See :func:`maxpain.quality.incomplete_warning`.
    """
    if info.damaged or info.captured_at is None:
        return None
    others = listed if listed is not None else store.snapshots(info.ticker)
    neighbours = [
        Neighbour(other.captured_at, open_contracts(store, other))
        for other in _nearest_intact(others, info)
        if other.captured_at is not None
    ]
    return incomplete_warning(info.captured_at, open_contracts(store, info), neighbours)


def positions(store: Store, info: SnapshotInfo) -> str:
    """The snapshot's positions fingerprint: from its footer, else computed from two columns of
    its file (snapshots stored before footers carried it), cached on the store; empty when damaged."""
    if info.positions:
        return info.positions
    if info.path not in store.positions_cache:
        try:
            frame = pl.read_parquet(info.path, columns=["contract_symbol", "open_interest"], glob=False)
            store.positions_cache[info.path] = positions_fingerprint(frame)
        except Exception:  # a damaged file is nobody's copy
            store.positions_cache[info.path] = ""
    return store.positions_cache[info.path]


def copy_warning(store: Store, info: SnapshotInfo, listed: list[SnapshotInfo] | None = None) -> str | None:
    """A warning when ``info`` holds exactly the contracts and open interest of the ticker's
    snapshot stored last on an earlier trading day: a market holiday's copy of the previous
    session, or a source that did not update.

    Parameters
    ----------
    store
        The store holding it.
    info
        A stored snapshot.
    listed
        The ticker's snapshots, when already listed.

    Returns
    -------
    str or None
        ``identical to 2026-06-18: market holiday or stale source (…)``.
    """
    if info.damaged or info.captured_at is None or info.contracts < _MIN_CONTRACTS_FOR_COPY:
        return None
    others = listed if listed is not None else store.snapshots(info.ticker)
    day = trading_day(info.captured_at)
    earlier = [
        s
        for s in others
        if s.ticker == info.ticker
        and not s.damaged
        and s.captured_at is not None
        and trading_day(s.captured_at) < day
    ]
    if not earlier:
        return None
    previous = max(earlier, key=lambda s: s.captured_at)  # type: ignore[arg-type, return-value]
    if previous.contracts != info.contracts or positions(store, previous) != positions(store, info):
        return None
    when = trading_day(previous.captured_at)  # type: ignore[arg-type]
    return (
        f"{COPY_PREFIX} {when}: market holiday or stale source (the same {info.contracts:,} contracts and "
        f"open interest as the snapshot of {when}; OI changes against it are zero)"
    )


def neighbour_warnings(
    store: Store, info: SnapshotInfo, listed: list[SnapshotInfo] | None = None
) -> list[str]:
    """What comparing ``info`` with its stored neighbours shows: a copy of the day before, or an
    incomplete snapshot (see :func:`copy_warning`, :func:`completeness_warning`)."""
    others = listed if listed is not None else store.snapshots(info.ticker)
    copy = copy_warning(store, info, others)
    if copy is not None:  # a copy is as complete as its original: the copy is what to say
        return [copy]
    incomplete = completeness_warning(store, info, others)
    return [incomplete] if incomplete else []


def check_neighbours(store: Store, listed: list[SnapshotInfo]) -> list[SnapshotInfo]:
    """Set each listed snapshot's ``warnings`` from :func:`neighbour_warnings`.

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
    for info in listed:
        info.warnings = neighbour_warnings(store, info, listed)
    return listed


def _nearest_intact(listed: list[SnapshotInfo], info: SnapshotInfo) -> list[SnapshotInfo]:
    """The intact snapshots of ``info``'s ticker captured just before and just after it (up to
    three each side, so that a run of thin snapshots still meets a complete one)."""
    same = [
        s
        for s in listed
        if s.ticker == info.ticker and not s.damaged and s.captured_at and s.path != info.path
    ]
    before = [s for s in same if s.captured_at < info.captured_at]  # type: ignore[operator]
    after = [s for s in same if s.captured_at >= info.captured_at]  # type: ignore[operator]
    return before[-3:] + after[:3]
