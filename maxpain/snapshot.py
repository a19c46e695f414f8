"""A Snapshot is one chain with where it is stored: what every command resolves first.

Selecting one: ``latest``, a date, an id or its prefix (see :meth:`Store.resolve`), or ``live``
(fetched now, not saved). For a comparison without an explicit earlier snapshot, the earlier one is
the snapshot stored just before the later one (the latest stored when the later one is live).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from maxpain.catalog import LISTING_COLUMNS
from maxpain.chain import Chain, validate_ticker
from maxpain.errors import NotFoundError, StoreError
from maxpain.footer import SnapshotInfo
from maxpain.neighbours import COPY_PREFIX, stored_warnings
from maxpain.store import Store

LIVE = "live"

#: Fetches a ticker's chain now (the CLI passes the Yahoo source with its progress display).
LiveFetch = Callable[[str], Chain]


@dataclass(frozen=True)
class Snapshot:
    """A chain and its stored file (``info`` is None for a live chain that was not saved)."""

    chain: Chain
    info: SnapshotInfo | None
    damaged_skipped: int = 0  # damaged files of the ticker passed over while selecting
    neighbour_warnings: tuple[str, ...] = ()  # what comparing it with stored neighbours showed

    @property
    def warnings(self) -> list[str]:
        """Every data-quality warning of this snapshot: against its neighbours first, then the
        chain's own (see :attr:`Chain.warnings`)."""
        return [*self.neighbour_warnings, *self.chain.warnings]

    @property
    def id(self) -> str | None:
        return self.info.id if self.info else None

    @property
    def label(self) -> str:
        """The id, or ``live`` for an unsaved chain."""
        return self.info.id if self.info else LIVE


def open_snapshot(
    store: Store, ticker: str, selector: str = "latest", *, live: LiveFetch | None = None
) -> Snapshot:
    """Resolve ``selector`` for ``ticker`` and load that snapshot.

    Parameters
    ----------
    store
        Where snapshots are stored.
    ticker
        The underlying (validated, upper-cased).
    selector
        ``latest``, a date, an id, an id prefix, or ``live``.
    live
        How to fetch a live chain; required for ``live``.

    Returns
    -------
    Snapshot
        With ``damaged_skipped`` counting the ticker's damaged files passed over.

    Raises
    ------
    InputError
        A bad ticker, or a prefix matching several snapshots.
    NotFoundError
        Nothing stored, or nothing matches.
    StoreError
        The selected file cannot be read.
    """
    ticker = validate_ticker(ticker)
    if selector == LIVE:
        if live is None:
            msg = "no live source given for selector 'live'"
            raise NotFoundError(msg)
        return Snapshot(live(ticker), None)
    info = store.resolve(ticker, selector)
    try:
        return _stored(store, info)
    except StoreError:
        # damaged since the catalog listed it (cut short in place): the catalog now knows, so
        # "latest" or a date resolves to the snapshot before it; an explicit id still fails
        again = store.resolve(ticker, selector)
        if again.id == info.id:
            raise
        return _stored(store, again)


def _stored(store: Store, info: SnapshotInfo) -> Snapshot:
    listing = store.catalog(info.ticker, columns=list(LISTING_COLUMNS))
    damaged = int(listing.get_column("damaged").is_not_null().sum())
    warnings = tuple(stored_warnings(store, listing, info))
    return Snapshot(store.load(info), info, damaged, warnings)


def snapshot_pair(
    store: Store, ticker: str, earlier: str | None, later: str, *, live: LiveFetch | None = None
) -> tuple[Snapshot, Snapshot]:
    """The (earlier, later) snapshots to compare.

    Parameters
    ----------
    store
        Where snapshots are stored.
    ticker
        The underlying.
    earlier
        Selector of the earlier snapshot; None = the one stored just before ``later`` (the latest
        stored when ``later`` is live).
    later
        Selector of the later snapshot (see :func:`open_snapshot`).
    live
        How to fetch a live chain.

    Returns
    -------
    tuple of Snapshot
        (earlier, later).

    Raises
    ------
    NotFoundError
        No snapshot stored before ``later``.
    """
    after = open_snapshot(store, ticker, later, live=live)
    if earlier is not None:
        return open_snapshot(store, ticker, earlier, live=live), after
    previous = store.resolve(ticker, "latest") if after.info is None else store.previous(after.info)
    if previous is None:
        msg = (
            f"no {after.chain.underlying} snapshot before {after.id or 'now'} to compare with; "
            "import or fetch an earlier one, or name the earlier snapshot"
        )
        raise NotFoundError(msg)
    return _stored(store, previous), after


def pair_warnings(before: Snapshot, after: Snapshot, change_warnings: Sequence[str]) -> list[str]:
    """Every warning of a comparison, each once: the earlier snapshot's, the later one's, then the
    comparison's. When the later snapshot is flagged as a copy of its previous day, the
    comparison's "open interest is identical" says the same thing and is left out.

    Parameters
    ----------
    before, after
        The compared snapshots.
    change_warnings
        The comparison's own warnings (:attr:`maxpain.analyses.OIChange.warnings`).

    Returns
    -------
    list of str
    """
    warnings = list(dict.fromkeys([*before.warnings, *after.warnings, *change_warnings]))
    if any(w.startswith(COPY_PREFIX) for w in after.neighbour_warnings):
        warnings = [w for w in warnings if not w.startswith("open interest is identical on")]
    return warnings
