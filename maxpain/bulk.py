"""Reading many tickers at once: their catalogs, and the rows of chosen snapshots, each in one
polars read over many files (a read per file costs a millisecond or more of set-up; thousands of
files read together cost a fraction of that each).

Only what can be trusted unread goes into a combined read: a catalog whose folder has not changed
since it was written (:func:`maxpain.catalog.fresh`), a snapshot file whose size and modification
time are the ones its catalog row recorded. Everything else goes through the one-ticker path
(:func:`maxpain.catalog.load` refreshes a catalog; :meth:`maxpain.store.Store.load` rechecks a
file), so a combined read never says more than the per-ticker reads would.

A scan of the whole store (``index``) reads first from the store's scan index
(:mod:`maxpain.scan_index`), which holds the same catalog rows and snapshot rows under the same
trust rules, and writes it when it had to read many files one by one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from maxpain import catalog, scan_index
from maxpain.chain import CHAIN_SCHEMA


def catalogs(
    root: Path, tickers: Sequence[str], columns: Sequence[str], *, index: bool = False
) -> pl.DataFrame:
    """``ticker`` and ``columns`` of every ticker's catalog, oldest first within each ticker.

    Parameters
    ----------
    root
        The store folder.
    tickers
        Validated tickers whose folders are inside the store.
    columns
        Catalog columns (:data:`maxpain.catalog.COLUMNS`).
    index
        Read the rows of unchanged tickers from the store's scan index, and index the catalogs read
        together when there are many (:mod:`maxpain.scan_index`).

    Returns
    -------
    polars.DataFrame
        Tickers in the order given; a ticker without snapshots has no rows.
    """
    wanted = list(dict.fromkeys(columns))
    schema = {"ticker": pl.String, **{c: catalog.COLUMNS[c] for c in wanted}}
    now = scan_index.stamps(root, tickers) if index else {}
    listing = scan_index.read_listing(root, now, wanted) if index else None
    current = listing.current if listing is not None else set()
    parts: list[pl.DataFrame] = []
    if listing is not None and current:
        parts.append(listing.frame.filter(pl.col("ticker").is_in(list(current))).select("ticker", *wanted))
    trusted = [t for t in tickers if t not in current and catalog.fresh(root, t)]
    fresh: list[pl.DataFrame] = []  # rows to index
    if trusted:
        paths = [catalog.catalog_path(root, t) for t in trusted]
        try:
            together = pl.scan_parquet(paths, include_file_paths="_file").select(*wanted, "_file").collect()
            if not catalog.checked(together, wanted):
                raise ValueError("a catalog of another shape")
            # rows come file after file: number the runs of one path (a per-row lookup of 5,000
            # paths costs seconds)
            runs = together.get_column("_file").rle()
            files = runs.struct.field("value").to_list()
            by_path = {str(p): t for p, t in zip(paths, trusted, strict=True)}
            if len(set(files)) != len(files) or not set(files) <= by_path.keys():
                raise ValueError("rows of one catalog apart")
            ticker = np.repeat(np.array([by_path[f] for f in files]), runs.struct.field("len").to_numpy())
            read = together.select(pl.Series("ticker", ticker, dtype=pl.String), *wanted)
        except Exception:  # one catalog cut short since its footer was read: each on its own
            trusted = []
        else:
            parts.append(read)
            if index:
                fresh.append(read)
    done = current | set(trusted)
    stamped = {t: now[t] for t in trusted if t in now}
    for name in tickers:
        if name not in done:
            frame = catalog.load(root, name, columns=wanted)
            parts.append(frame.select(pl.lit(name, dtype=pl.String).alias("ticker"), *wanted))
            before = now.get(name)
            if before is not None and time.time_ns() - before[0] > catalog.SETTLE_NS:
                # refreshed as of a folder time taken before: a later change shows as another time
                after = scan_index.stamps(root, [name]).get(name)
                if after is not None and after[0] == before[0] and after[1] >= 0:
                    fresh.append(parts[-1])
                    stamped[name] = after
    if len(stamped) >= scan_index.MIN_FILES:
        rows = pl.concat(fresh).filter(pl.col("ticker").is_in(list(stamped)))
        scan_index.write_listing(root, listing, rows, stamped)
    if not parts:
        return pl.DataFrame(schema=schema)
    order = {t: i for i, t in enumerate(tickers)}
    out = pl.concat(parts).cast(schema)  # type: ignore[arg-type]
    rank = pl.col("ticker").replace_strict(order, return_dtype=pl.Int64)
    return (
        out.sort(rank, "order", "suffix", "id") if "order" in wanted else out.sort(rank, maintain_order=True)
    )


def unchanged(path: Path | str, size: int | None, mtime_ns: int | None) -> bool:
    """Whether the file at ``path`` still has the size and modification time its catalog row
    recorded (a file rewritten or cut short in place does not)."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return size is not None and stat.st_size == size and stat.st_mtime_ns == mtime_ns


def snapshot_rows(paths: Sequence[Path | str], columns: Sequence[str], rows: Sequence[int]) -> pl.DataFrame:
    """``columns`` of the snapshot files at ``paths`` in one read, with ``file`` (the index into
    ``paths`` of each row's file) first; columns a file was stored without (added to the schema
    later) are null.

    Parameters
    ----------
    paths
        The files.
    columns
        Chain columns (:data:`maxpain.chain.CHAIN_SCHEMA`).
    rows
        Each file's row count as its catalog row says (``contracts``): rows come back file after
        file, so this numbers them without a path per row; a total that disagrees raises.

    Raises
    ------
    Exception
        Whatever polars raises for a file it cannot read, or a row count that disagrees (callers
        fall back to one file at a time).
    """
    wanted = list(dict.fromkeys(columns))
    if not paths:
        return pl.DataFrame(schema={"file": pl.Int64, **{c: CHAIN_SCHEMA[c] for c in wanted}})
    frame = (
        pl.scan_parquet([str(p) for p in paths], missing_columns="insert", extra_columns="ignore")
        .select(wanted)
        .collect()
    )
    if frame.height != sum(rows):
        msg = f"the files hold {frame.height:,} rows, their catalogs say {sum(rows):,}"
        raise ValueError(msg)
    index = np.repeat(np.arange(len(paths), dtype=np.int64), np.asarray(rows, dtype=np.int64))
    return frame.select(pl.Series("file", index), *(pl.col(c).cast(CHAIN_SCHEMA[c]) for c in wanted))


def read_snapshots(
    root: Path | str,
    files: Sequence[scan_index.SnapshotFile],
    columns: Sequence[str],
    *,
    index: bool = False,
    indexed: Sequence[str] = (),
) -> pl.DataFrame:
    """:func:`snapshot_rows` of ``files`` in the store at ``root`` (``file`` is the position in
    ``files``), the files in the scan index read from it (``index``), the others from their
    files, which are then indexed when there are many of one day (:mod:`maxpain.scan_index`), with
    the ``indexed`` columns as well (what other scans read from the index).

    Raises
    ------
    Exception
        As :func:`snapshot_rows`.
    """
    wanted = list(dict.fromkeys(columns))
    every = list(dict.fromkeys([*wanted, *indexed]))
    frames, covered = scan_index.read_rows(root, files, wanted) if index else ([], np.zeros(len(files), bool))
    if index and len(every) > len(wanted) and int((~covered).sum()) >= scan_index.MIN_FILES:
        # this read writes the index: every indexed column, of the part read from it as well
        frames, covered = scan_index.read_rows(root, files, every)
    else:
        every = wanted
    direct = np.flatnonzero(~covered)
    base = os.fspath(root)
    listed = [files[k] for k in direct.tolist()]
    read = snapshot_rows(
        [os.path.join(base, f.ticker, f.id + ".parquet") for f in listed],
        every,
        [f.rows for f in listed],
    )
    read = read.with_columns(file=pl.Series(direct[read.get_column("file").to_numpy()]))
    frames.append(read)
    if index and direct.shape[0] >= scan_index.MIN_FILES:
        scan_index.write_rows(root, files, pl.concat(frames), ~covered)
    if len(every) > len(wanted):
        frames = [frame.select("file", *wanted) for frame in frames]
    # in file order when the parts follow each other (the usual case), else sorted
    frames.sort(key=lambda f: f.get_column("file").min() if f.height else -1)  # type: ignore[arg-type, return-value]
    out = pl.concat(frames, rechunk=False)
    positions = out.get_column("file").to_numpy()
    if positions.shape[0] > 1 and bool((np.diff(positions) < 0).any()):
        out = out.sort("file", maintain_order=True)
    # one chunk per column (one copy now: a frame of several chunks beside the one-chunk columns
    # the scan adds would be copied whole by many of its operations)
    return out.rechunk() if max(out.n_chunks("all"), default=1) > 1 else out
