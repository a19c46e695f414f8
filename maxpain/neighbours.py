"""A stored snapshot against its stored neighbours: is it complete? (The rule itself, on counts of
open contracts, is :mod:`maxpain.quality`; this module reads those counts from the store.)"""

from __future__ import annotations

from datetime import date

import polars as pl

from maxpain.footer import SnapshotInfo
from maxpain.quality import Neighbour, incomplete_warning
from maxpain.store import Store


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
                counted = (
                    pl.read_parquet(info.path, columns=["expiration", "open_interest"], glob=False)
                    .filter(pl.col("open_interest") > 0)
                    .group_by("expiration")
                    .len()
                )
                counts = dict(zip(counted["expiration"].to_list(), counted["len"].to_list(), strict=True))
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


def check_neighbours(store: Store, listed: list[SnapshotInfo]) -> list[SnapshotInfo]:
    """Set each listed snapshot's ``warnings`` from :func:`completeness_warning`.

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
        warning = completeness_warning(store, info, listed)
        info.warnings = [warning] if warning else []
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
