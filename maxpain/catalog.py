"""The store's catalog: one derived file per ticker listing its snapshots, so that resolving
``latest``, listing a ticker and checking neighbours cost the same with 9 or 10,000 snapshots.

``<store>/.catalog/<TICKER>.catalog`` is a Parquet table with one row per snapshot file of the
ticker's folder: the footer's fields (:data:`COLUMNS`) and the snapshot's per-expiration summary
(:mod:`maxpain.summary`) as a list of structs. The snapshot files stay the truth; the catalog is a
cache of what their footers say, and is

- **refreshed** when the folder changed since it was written (a snapshot saved, or a file added or
  removed by hand): the folder is listed and only the footers of new files are read;
- **rebuilt** from every footer when it is missing, unreadable (damaged, cut short) or of another
  format or summary version (summaries of an older version are recomputed from the rows);
- **trusted unread** otherwise: the folder's modification time equals the one recorded, so no
  listing is needed. A modification time younger than :data:`SETTLE_NS` is never recorded
  (file-system timestamps tick coarsely: a file linked in the same tick would go unseen).

A file changed in place (cut short, its footer rewritten) leaves the folder's time alone. Each row
keeps the file's size and modification time: listings (``validate``) compare them for every file
and read again the footers that changed; a command that opens one snapshot rechecks just that file
when it cannot be read or its footer disagrees (``recheck``), so it never pays for the others.

Rows of snapshots added since the catalog was written go to ``<TICKER>.recent`` beside it (its
footer names the catalog's generation it extends; one written for another generation is ignored),
merged into a new catalog past :data:`_RECENT_ROWS`: a save costs a few rows, not the history.

Writers never lock: a catalog is written to a hidden temporary and renamed over the old one, so a
reader sees the old or the new file, never half of one; two writers both write a true catalog (the
last rename wins; one that missed the other's snapshot recorded an older folder time, so the next
reader refreshes). A crash (SIGKILL) mid-write leaves a temporary that later writes sweep.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from maxpain import summary

# the rows' schema and making, and what they stand for, are part of the catalog's face
from maxpain.catalog_rows import COLUMNS as COLUMNS
from maxpain.catalog_rows import ID_PATTERN as ID_PATTERN
from maxpain.catalog_rows import LISTING_COLUMNS as LISTING_COLUMNS
from maxpain.catalog_rows import OPEN_COUNTS_DTYPE as OPEN_COUNTS_DTYPE
from maxpain.catalog_rows import SUMMARY_DTYPE as SUMMARY_DTYPE
from maxpain.catalog_rows import Refresh as Refresh
from maxpain.catalog_rows import infos as infos
from maxpain.catalog_rows import rows_from_files as rows_from_files
from maxpain.writes import META_KEY, replace_file

#: The catalogs' folder inside the store (hidden: not a ticker).
FOLDER = ".catalog"
#: Format of the catalog table (its columns); a catalog of another format is rebuilt.
FORMAT = 2
#: A folder modified this recently (nanoseconds) is listed again on the next read.
SETTLE_NS = 2_000_000_000
#: Small row groups: the summaries of a few snapshots are read without decoding the rest.
_ROW_GROUP = 256
#: Snapshots added since the base was written kept in the small recent file (then merged).
_RECENT_ROWS = 512


def catalog_path(root: Path, ticker: str) -> Path:
    """Where ``ticker``'s catalog lives in the store at ``root``."""
    return root / FOLDER / f"{ticker}.catalog"


def load(
    root: Path,
    ticker: str,
    *,
    columns: Sequence[str] | None = None,
    rebuild: bool = False,
    validate: bool = False,
    recheck: Sequence[str] = (),
) -> pl.DataFrame:
    """The ticker's catalog, refreshed: one row per snapshot file, oldest first.

    Parameters
    ----------
    root
        The store folder.
    ticker
        A validated ticker whose folder is ``root / ticker``.
    columns
        Only these columns (the summary is the bulk of the file: listings leave it out).
    rebuild
        Read every footer again (``snapshots --verify``).
    validate
        Compare every file's size and modification time with the row's (listings: files changed
        in place are read again).
    recheck
        Read these snapshots' footers again (one that could not be read, or disagreed).

    Returns
    -------
    polars.DataFrame
        :data:`COLUMNS` (or ``columns``), sorted by capture time then id; empty when the ticker has
        no folder.
    """
    frame, _ = load_with_report(
        root, ticker, columns=columns, rebuild=rebuild, validate=validate, recheck=recheck
    )
    return frame


def load_with_report(
    root: Path,
    ticker: str,
    *,
    columns: Sequence[str] | None = None,
    rebuild: bool = False,
    validate: bool = False,
    recheck: Sequence[str] = (),
) -> tuple[pl.DataFrame, Refresh]:
    """:func:`load`, and what it had to do."""
    report = Refresh()
    wanted = list(dict.fromkeys(columns)) if columns is not None else list(COLUMNS)
    folder = root / ticker
    path = catalog_path(root, ticker)
    try:
        folder_mtime = folder.stat().st_mtime_ns
    except OSError:
        return _empty().select(wanted), report
    checking = validate or bool(recheck)
    light = list(dict.fromkeys([*wanted, "id", "order", "suffix", "size", "mtime_ns"]))
    state = None if rebuild else read_stored(path, light)
    if state is not None and state.recorded == folder_mtime and not checking:
        return state.frame.select(wanted), report  # the folder has not changed since it was written
    if state is None:
        report.rebuilt = (
            "asked" if rebuild else ("missing" if not path.exists() else "unreadable or outdated")
        )
    stored = state.frame if state is not None else _empty()
    disk = _files(folder, stats=validate)
    rows = dict(
        zip(
            stored.get_column("id").to_list(),
            zip(stored["size"].to_list(), stored["mtime_ns"].to_list(), strict=True),
            strict=True,
        )
    )
    changed = {name for name in recheck if name in rows and name in disk}
    if validate:
        changed |= {name for name, stat in disk.items() if name in rows and rows[name] != stat}
    added = sorted((disk.keys() - rows.keys()) | changed)
    removed = (rows.keys() - disk.keys()) | changed
    settled = time.time_ns() - folder_mtime > SETTLE_NS
    recorded = folder_mtime if settled else None
    if state is not None and state.generation and not removed:
        # only new files (or only the folder time to record): the recent rows grow, the base stays
        new_rows = rows_from_files([folder / f"{name}.parquet" for name in added], report)
        recent = pl.concat([state.recent, new_rows]).unique("id", keep="last")
        if recent.height <= _RECENT_ROWS and (added or state.recorded != recorded):
            report.written = _write_recent(path, state.generation, recent, recorded)
        if recent.height <= _RECENT_ROWS:
            frame = pl.concat(
                [
                    stored.filter(~pl.col("id").is_in(new_rows["id"].implode())),
                    new_rows.select(stored.columns),
                ]
            ).sort(["order", "suffix", "id"])
            return frame.select(wanted), report
    whole = None if state is None else read_stored(path, list(COLUMNS))
    base = whole.frame if whole is not None else _empty()
    # the whole file may be newer than the light read (another process refreshed it meanwhile):
    # keep what is on disk and unchanged, read the footers of the rest, each id once
    keep = base.filter(pl.col("id").is_in(list(disk.keys() - changed))).unique("id", keep="last")
    missing = sorted(disk.keys() - set(keep.get_column("id").to_list()))
    frame = keep
    if missing:
        new_rows = rows_from_files([folder / f"{name}.parquet" for name in missing], report)
        frame = pl.concat([keep, new_rows], how="vertical")
    frame = frame.sort(["order", "suffix", "id"])
    report.written = _write(path, frame, recorded)
    return frame.select(wanted), report


def fresh(root: Path, ticker: str) -> bool:
    """Whether ``ticker``'s catalog can be read as it is (what :func:`load` trusts unread): of
    this format, its folder unchanged since it was written, and no recent rows beside it. Costs a
    stat and a footer read: what lets a scan of thousands of tickers read every trusted catalog in
    one go (:func:`maxpain.bulk.catalogs`)."""
    base = os.path.join(root, FOLDER, ticker)  # strings: thousands of Path objects cost seconds
    try:
        folder_mtime = os.stat(os.path.join(root, ticker)).st_mtime_ns
        meta = _meta(base + ".catalog")
    except Exception:  # missing, cut short, garbage: load() rebuilds it
        return False
    return (
        meta is not None
        and meta.get("folder_mtime_ns") == folder_mtime
        and not os.path.exists(base + ".recent")
    )


def checked(frame: pl.DataFrame, columns: Sequence[str]) -> bool:
    """Whether ``frame`` holds ``columns`` with the catalog's types."""
    schema = frame.schema
    return all(schema.get(c) == COLUMNS[c] for c in columns)


def summaries(root: Path, ticker: str, ids: Sequence[str], column: str = "summary") -> pl.DataFrame:
    """``id, summary`` (or ``id, <column>``) of some snapshots, read from the catalog file without
    the other rows' summaries (call after :func:`load`, which brings the file up to date; when it could not be
    written, a read-only store, the rows come from a fresh :func:`load`).

    Parameters
    ----------
    root, ticker
        The store and the ticker.
    ids
        The snapshots wanted.

    Returns
    -------
    polars.DataFrame
        One row per id found.
    """
    wanted = list(dict.fromkeys(ids))
    try:
        meta = _meta(catalog_path(root, ticker))
        parts = [_filtered(catalog_path(root, ticker), wanted, column)]
        recent = _recent_path(catalog_path(root, ticker))
        if meta is not None and recent.exists():
            recent_meta = _meta(recent)
            if recent_meta is None or recent_meta.get("base") != meta.get("generation"):
                raise ValueError  # not this base's: the catalog in memory has them
            parts.append(_filtered(recent, wanted, column))
        found = pl.concat(parts).unique("id", keep="last") if meta is not None else None
        if found is not None and found.height == len(wanted) and found.schema[column] == COLUMNS[column]:
            return found
    except Exception:  # missing or unreadable: the catalog in memory has them
        pass
    return load(root, ticker, columns=["id", column]).filter(pl.col("id").is_in(wanted))


def _filtered(path: Path, ids: list[str], column: str) -> pl.DataFrame:
    return (
        pl.scan_parquet(path, glob=False)
        .filter(pl.col("id").is_in(ids))
        .select("id", column)
        .collect(engine="in-memory")
    )


def _files(folder: Path, *, stats: bool) -> dict[str, tuple[int, int] | None]:
    """The snapshot files of a folder, one listing: id → (size, modification time in ns) with
    ``stats``, else id → None (names only: a stat per file is what makes a listing slow)."""
    found: dict[str, tuple[int, int] | None] = {}
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                stem = entry.name[:-8]
                if not (entry.name.endswith(".parquet") and ID_PATTERN.match(stem)):
                    continue
                if not stats:
                    found[stem] = None
                    continue
                try:
                    stat = entry.stat()
                except OSError:
                    continue
                found[stem] = (stat.st_size, stat.st_mtime_ns)
    except OSError:
        return {}
    return found


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=COLUMNS)


@dataclass
class _Stored:
    """A catalog as read: its rows (the columns asked for), the folder time it recorded (None:
    not to be trusted), its base file's generation and its recent rows (every column)."""

    frame: pl.DataFrame
    recorded: int | None
    generation: str | None
    recent: pl.DataFrame


def _recent_path(path: Path) -> Path:
    return path.with_suffix(".recent")


def _meta(path: Path | str) -> dict[str, Any] | None:
    meta = json.loads(pl.read_parquet_metadata(path)[META_KEY])
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("summary") != summary.VERSION:
        return None
    return meta


def read_stored(path: Path, columns: list[str]) -> _Stored | None:
    """The stored catalog: the base file's rows overlaid with the recent file's (the snapshots
    added since the base was written); None when the base is missing, unreadable, or of another
    format or summary version. A recent file written for another base is ignored, and then the
    folder time is not trusted (the next read lists the folder)."""
    try:
        meta = _meta(path)
        if meta is None:
            return None
        frame = pl.read_parquet(path, columns=columns, glob=False)
        if not checked(frame, columns):
            return None
    except Exception:  # missing, cut short, garbage: derived data, rebuilt from the footers
        return None
    generation = meta.get("generation")
    recorded = meta.get("folder_mtime_ns")
    recent = _empty()
    recent_path = _recent_path(path)
    if recent_path.exists():
        recorded = None
        try:
            recent_meta = _meta(recent_path)
            if recent_meta is not None and recent_meta.get("base") == generation:
                candidate = pl.read_parquet(recent_path, glob=False)
                if checked(candidate, list(COLUMNS)):
                    recent = candidate.select(list(COLUMNS))
                    recorded = recent_meta.get("folder_mtime_ns")
        except Exception:  # a recent file cut short: its rows are read again from the footers
            recorded = None
    if recent.height:
        frame = pl.concat(
            [frame.filter(~pl.col("id").is_in(recent["id"].implode())), recent.select(columns)]
        ).sort(["order", "suffix", "id"] if {"order", "suffix"} <= set(columns) else "id")
    return _Stored(frame, recorded if isinstance(recorded, int) else None, generation, recent)


def _write(path: Path, frame: pl.DataFrame, folder_mtime: int | None) -> bool:
    """Write the whole catalog as a new base (and drop the recent rows); False when the store
    is read-only (the catalog stays derived)."""
    generation = uuid.uuid4().hex
    meta = {
        "format": FORMAT,
        "summary": summary.VERSION,
        "generation": generation,
        "folder_mtime_ns": folder_mtime,
    }
    if not replace_file(path, frame, meta, row_group_size=_ROW_GROUP):
        return False
    try:
        _recent_path(path).unlink(missing_ok=True)  # written for the old base: ignored anyway
    except OSError:
        pass
    return True


def _write_recent(path: Path, generation: str, recent: pl.DataFrame, folder_mtime: int | None) -> bool:
    """Write the rows added since the base (a save costs a few rows, not the whole history)."""
    meta = {"format": FORMAT, "summary": summary.VERSION, "base": generation, "folder_mtime_ns": folder_mtime}
    return replace_file(_recent_path(path), recent, meta, row_group_size=_ROW_GROUP)
