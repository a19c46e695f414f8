"""The store's audit (``snapshots --verify``): every snapshot read whole and checked against its
id, footer, folder and summary, and every catalog rebuilt from the footers and compared with the
one stored."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from maxpain import catalog
from maxpain.chain import validate_ticker
from maxpain.errors import StoreError
from maxpain.footer import SnapshotInfo, disagreement
from maxpain.store import Store


def verify(store: Store, ticker: str | None = None) -> list[SnapshotInfo]:
    """Read every snapshot of ``ticker`` (default: all) completely, and rebuild the catalog.

    The catalog is rebuilt from every footer and compared with the one stored: what differed
    is said in the store's ``catalog_checks``. Each file's rows are read and compared with its id,
    footer and folder, and its stored summary with one computed from its rows.

    Parameters
    ----------
    ticker
        Only this ticker.

    Returns
    -------
    list of SnapshotInfo
        As :meth:`Store.snapshots`, with ``damaged`` set where the rows cannot be read, or the file's
        id, footer, folder, rows and summary disagree.
    """
    from maxpain.summary import summary_of

    store.catalog_checks = []
    for name in [validate_ticker(ticker)] if ticker else store.tickers():
        store.catalog_checks.extend(rebuild_and_compare(store.root, name))
    checked = store.snapshots(ticker)
    stored = {
        (name, row["id"]): row["summary"]
        for name in {s.ticker for s in checked}
        for row in store.catalog(name, columns=["id", "summary"]).iter_rows(named=True)
    }
    for info in checked:
        if info.damaged:
            continue
        try:
            chain = store.load(info)
            info.damaged = disagreement(info, chain)
        except StoreError as error:
            info.damaged = str(error)
            continue
        if info.damaged is None:
            computed = summary_of(chain).to_dicts()
            if computed != stored.get((info.ticker, info.id)):
                info.damaged = "its footer's summary disagrees with its rows (forged or miscomputed)"
    return checked


def rebuild_and_compare(root: Path, ticker: str) -> list[str]:
    """Rebuild ``ticker``'s catalog from every footer and say how the stored one differed.

    Returns
    -------
    list of str
        One sentence when the stored catalog was missing, unreadable, outdated or stale (files it
        did not list, listed files that are gone, rows that disagree with their footer); empty
        when it matched.
    """
    path = catalog.catalog_path(root, ticker)
    if not (root / ticker).is_dir():
        return []  # nothing stored: nothing to catalog
    # what the footers say (the files' sizes and times are bookkeeping: a copied store differs)
    compared = [
        *(c for c in catalog.LISTING_COLUMNS if c not in ("order", "suffix", "size", "mtime_ns")),
        "summary",
    ]
    stored = catalog.read_stored(path, compared)
    before = stored.frame if stored is not None else None
    after, report = catalog.load_with_report(root, ticker, columns=compared, rebuild=True)
    written = "" if report.written else " (the store is read-only: it was not written)"
    if before is None:
        state = "missing" if not path.exists() else "unreadable or of another version"
        return [f"the {ticker} catalog was {state}: rebuilt from {report.read_footers:,} footers{written}"]
    old_ids, new_ids = set(before["id"].to_list()), set(after["id"].to_list())
    unlisted, gone = len(new_ids - old_ids), len(old_ids - new_ids)
    common = sorted(old_ids & new_ids)
    stale = before.filter(pl.col("id").is_in(common)).sort("id")
    fresh = after.filter(pl.col("id").is_in(common)).sort("id")
    differ = (
        0
        if stale.equals(fresh)
        else sum(1 for a, b in zip(stale.iter_rows(), fresh.iter_rows(), strict=True) if a != b)
    )
    if not (unlisted or gone or differ):
        return []
    parts = [
        f"{unlisted:,} files it did not list" if unlisted else "",
        f"{gone:,} listed files gone" if gone else "",
        f"{differ:,} rows that disagreed with their files" if differ else "",
    ]
    return [f"the {ticker} catalog was stale ({', '.join(p for p in parts if p)}): rebuilt{written}"]
