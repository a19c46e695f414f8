"""The scan's store-wide index: what a scan of thousands of tickers reads in a few files instead of
thousands (a Parquet read costs a few tenths of a millisecond per file however small the file, so
5,000 catalogs and 5,000 snapshots cost seconds read one by one, and a tenth of that read together
from one file each).

Derived data, like the catalogs, under ``<store>/.catalog/scan/``:

- ``listing.index``: the scan's catalog columns of many tickers, each ticker with the stamp its rows
  were copied under: the modification times of its folder and of its catalog file. A ticker's rows
  are used while both are unchanged (a snapshot saved, added or removed changes the folder; a
  catalog rebuilt changes its file), else its catalog is read. Rows are copied from a catalog
  trusted unread (:func:`maxpain.catalog.fresh`) or just refreshed (stamped with the folder's time
  taken before the refresh, and only once that time has settled: :data:`maxpain.catalog.SETTLE_NS`).
- ``<DATE>.rows``: the scan's columns of snapshot files captured that UTC day, each file keyed on
  ticker, id, size, modification time and row count as its catalog row recorded them; a file's
  rows are used when its catalog row says the same (the scan has checked the file on disk against
  that row first, :func:`maxpain.bulk.unchanged`).

An index is written by a scan that had to read at least :data:`MIN_FILES` catalogs or snapshot
files of one day one by one (a smaller change costs less to read than to index again), through a
hidden temporary and a rename (:func:`maxpain.writes.replace_file`): a reader sees the old index
or the new one; a read-only store keeps none. The :data:`KEEP_DAYS` row files written last are
kept, older ones removed. Deleting the folder is always safe: the next large scan writes it again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import numpy as np
import polars as pl

from maxpain import catalog, summary, writes
from maxpain.chain import CHAIN_SCHEMA

#: The folder inside the catalogs' folder.
FOLDER = "scan"
#: Format of the index files; an index of another format is ignored (and written anew).
FORMAT = 1
#: Catalogs (or one day's snapshot files) read one by one from which a scan writes the index,
#: and files of one day's index a scan must use for reading it to pay.
MIN_FILES = 256
#: Row files kept (the ones written last).
KEEP_DAYS = 8
_LISTING = "listing.index"
_ROW_GROUP = 1 << 20
#: A day's row file is one row group (up to this many rows), so it reads as one chunk per column:
#: polars copies a frame whose columns are cut in different places whole in many operations.
_DAY_ROWS = 1 << 26
#: Index files are written with LZ4: a fifth larger than with zstd (the catalogs'), and read in
#: less than half the time, which is what they are for.
_COMPRESSION: Literal["lz4"] = "lz4"

#: (folder, catalog file) modification times of one ticker, in nanoseconds.
Stamp = tuple[int, int]


def folder(root: Path | str) -> Path:
    """Where the store's scan index lives."""
    return Path(root) / catalog.FOLDER / FOLDER


def stamps(root: Path | str, tickers: Sequence[str]) -> dict[str, Stamp]:
    """The stamp of each ticker that has a folder (two stats each; -1 for a missing catalog, a
    time no entry records)."""
    base = os.fspath(root)
    out: dict[str, Stamp] = {}
    for ticker in tickers:
        try:
            folder_ns = os.stat(os.path.join(base, ticker)).st_mtime_ns
        except OSError:
            continue
        try:
            catalog_ns = os.stat(os.path.join(base, catalog.FOLDER, ticker + ".catalog")).st_mtime_ns
        except OSError:
            catalog_ns = -1
        out[ticker] = (folder_ns, catalog_ns)
    return out


def _versions() -> dict[str, Any]:
    """What an index file was written for: its format, the catalogs' and the summaries'."""
    return {"format": FORMAT, "catalog": catalog.FORMAT, "summary": summary.VERSION}


def _meta(path: Path) -> dict[str, Any] | None:
    """The index file's own metadata, or None when it is missing, unreadable or of another format
    (or written for catalogs or summaries of another version)."""
    try:
        meta = json.loads(pl.read_parquet_metadata(path)[writes.META_KEY])
    except Exception:  # missing, cut short, garbage: derived data, written again
        return None
    if (
        not isinstance(meta, dict)
        or meta.get("format") != FORMAT
        or meta.get("catalog") != catalog.FORMAT
        or meta.get("summary") != summary.VERSION
        or not isinstance(meta.get("columns"), list)
    ):
        return None
    return meta


@dataclass
class Listing:
    """The listing index as read: every entry's rows, and the tickers whose stamp still holds."""

    frame: pl.DataFrame  # ticker + the index's columns, every entry
    stamps: dict[str, Stamp]  # every entry's stamp
    current: set[str]  # tickers asked for whose stamp is unchanged


def read_listing(root: Path | str, now: Mapping[str, Stamp], columns: Sequence[str]) -> Listing | None:
    """The listing index, when it holds ``columns``; None when there is none to use."""
    path = folder(root) / _LISTING
    meta = _meta(path)
    if meta is None or not set(columns) <= set(meta["columns"]):
        return None
    try:
        stamped = meta["stamps"]
        pairs = zip(stamped["folder_ns"], stamped["catalog_ns"], strict=True)
        recorded: dict[str, Stamp] = dict(zip(stamped["ticker"], pairs, strict=True))
        frame = pl.read_parquet(path, columns=["ticker", *meta["columns"]], glob=False)
    except Exception:  # cut short since its footer was read
        return None
    if frame.schema.get("ticker") != pl.String or not catalog.checked(frame, meta["columns"]):
        return None
    current = {t for t, stamp in now.items() if recorded.get(t) == stamp}
    return Listing(frame, recorded, current)


def write_listing(
    root: Path | str, old: Listing | None, fresh_rows: pl.DataFrame, fresh_stamps: Mapping[str, Stamp]
) -> bool:
    """Write the listing index: ``fresh_rows`` (``ticker`` and catalog columns) under
    ``fresh_stamps``, beside the old index's entries of other tickers. False when the store is
    read-only."""
    columns = [c for c in fresh_rows.columns if c != "ticker"]
    kept: dict[str, Stamp] = {}
    parts = [fresh_rows]
    if old is not None and set(columns) <= set(old.frame.columns):
        others = {t: s for t, s in old.stamps.items() if t not in fresh_stamps}
        kept.update(others)
        parts.insert(0, old.frame.filter(pl.col("ticker").is_in(list(others))).select(fresh_rows.columns))
    kept.update(fresh_stamps)
    frame = pl.concat(parts).sort("ticker", maintain_order=True)
    stamps = {
        "ticker": list(kept),
        "folder_ns": [s[0] for s in kept.values()],
        "catalog_ns": [s[1] for s in kept.values()],
    }
    meta = {**_versions(), "columns": columns, "stamps": stamps}
    return writes.replace_file(
        folder(root) / _LISTING, frame, meta, row_group_size=_ROW_GROUP, compression=_COMPRESSION
    )


class SnapshotFile(NamedTuple):
    """One snapshot file as its catalog row records it (a named tuple: a scan makes thousands)."""

    ticker: str
    id: str
    size: int
    mtime_ns: int
    rows: int

    @property
    def day(self) -> str:
        """The UTC day of its capture (the id starts with it)."""
        return self.id[:10]

    def entry(self) -> tuple[str, str, int, int, int]:
        return (self.ticker, self.id, self.size, self.mtime_ns, self.rows)


#: A row file's entry fields, each stored as one list in its metadata (faster to parse than a
#: list per file).
_ENTRY = ("ticker", "id", "size", "mtime_ns", "rows")


def _rows_path(root: Path | str, day: str) -> Path:
    return folder(root) / f"{day}.rows"


def read_rows(
    root: Path | str, files: Sequence[SnapshotFile], columns: Sequence[str]
) -> tuple[list[pl.DataFrame], np.ndarray]:
    """The indexed rows of ``files``: frames of ``file`` (the position in ``files``) and
    ``columns``, each in file order, and which files they cover. A day's index is read only when at
    least :data:`MIN_FILES` of the files asked for, and half of its entries, are in it."""
    covered = np.zeros(len(files), dtype=bool)
    frames: list[pl.DataFrame] = []
    by_day: dict[str, list[int]] = {}
    for k, snapshot in enumerate(files):
        by_day.setdefault(snapshot.day, []).append(k)
    for day, positions in by_day.items():
        if len(positions) < MIN_FILES:
            continue
        path = _rows_path(root, day)
        meta = _meta(path)
        if meta is None or not set(columns) <= set(meta["columns"]):
            continue
        try:
            entries = list(zip(*(meta["files"][f] for f in _ENTRY), strict=True))
        except (KeyError, TypeError, ValueError):
            continue
        where = {(e[0], e[1]): k for k, e in enumerate(entries)}
        position_of = np.full(len(entries), -1, dtype=np.int64)
        for k in positions:
            found = where.get((files[k].ticker, files[k].id))
            if found is not None and entries[found] == files[k].entry():
                position_of[found] = k
        used = int((position_of >= 0).sum())
        if used < MIN_FILES or used * 2 < len(entries):
            continue
        counts = np.array([e[4] for e in entries], dtype=np.int64)
        try:
            frame = pl.read_parquet(path, columns=list(columns), glob=False)
        except Exception:  # cut short since its footer was read: the files are read instead
            continue
        if frame.height != int(counts.sum()):
            continue
        of_row = np.repeat(position_of, counts)
        keep = of_row >= 0
        if not keep.all():  # (a copy of every column: skipped when every entry is used)
            frame, of_row = frame.filter(pl.Series(keep)), of_row[keep]
        frames.append(
            frame.select(pl.Series("file", of_row), *(pl.col(c).cast(CHAIN_SCHEMA[c]) for c in columns))
        )
        covered[position_of[position_of >= 0]] = True
    return frames, covered


def write_rows(
    root: Path | str, files: Sequence[SnapshotFile], frame: pl.DataFrame, fresh: np.ndarray
) -> None:
    """Index the rows of ``frame`` (``file``, a position in ``files``, and the scan's columns;
    each file's rows together), one row file per day, for the days of which at least
    :data:`MIN_FILES` files were read from disk (``fresh``, a mask over ``files``): a day's new
    index holds the files of ``frame`` of that day (the old one's other entries are dropped). Then
    keep the :data:`KEEP_DAYS` row files written last."""
    columns = [c for c in frame.columns if c != "file"]
    file_of_row = frame.get_column("file").to_numpy()
    present = np.zeros(len(files), dtype=bool)
    present[file_of_row] = True
    by_day: dict[str, list[int]] = {}
    for k in np.flatnonzero(present).tolist():
        by_day.setdefault(files[k].day, []).append(k)
    written = False
    for day, positions in by_day.items():
        if int(fresh[positions].sum()) < MIN_FILES:
            continue
        mine = np.zeros(len(files), dtype=bool)
        mine[positions] = True
        rows = frame.filter(pl.Series(mine[file_of_row])).sort("file", maintain_order=True)
        entries = [files[k].entry() for k in positions]  # ascending, as the rows
        if rows.height != sum(e[4] for e in entries):
            continue
        listed = {f: [e[i] for e in entries] for i, f in enumerate(_ENTRY)}
        meta = {**_versions(), "columns": columns, "files": listed}
        written |= writes.replace_file(
            _rows_path(root, day),
            rows.select(columns),
            meta,
            row_group_size=_DAY_ROWS,
            compression=_COMPRESSION,
        )
    if written:
        _prune(folder(root))


def _prune(where: Path) -> None:
    """Remove all but the :data:`KEEP_DAYS` row files written last."""
    try:
        found = sorted(where.glob("*.rows"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in found[KEEP_DAYS:]:
            old.unlink(missing_ok=True)
    except OSError:  # removed meanwhile, or read-only: derived data, pruned next time
        pass
