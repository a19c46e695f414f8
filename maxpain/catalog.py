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
import re
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import polars as pl

from maxpain import summary
from maxpain.footer import SnapshotInfo, read_info

#: The catalogs' folder inside the store (hidden: not a ticker).
FOLDER = ".catalog"
#: Format of the catalog table (its columns); a catalog of another format is rebuilt.
FORMAT = 2
#: Key of the catalog's own Parquet metadata.
META_KEY = "maxpain_catalog"
#: A folder modified this recently (nanoseconds) is listed again on the next read.
SETTLE_NS = 2_000_000_000
#: Snapshot files whose summaries are recomputed from rows in one batch.
_BATCH = 64
_TMP_STALE_SECONDS = 600
_ROW_GROUP = 256
#: Snapshots added since the base was written kept in the small recent file (then merged).
_RECENT_ROWS = 512

ID_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{6}Z(-\d+)?$")

SUMMARY_DTYPE = pl.List(pl.Struct(summary.SCHEMA))
#: Open contracts per expiration (from the summary): what the completeness check reads.
OPEN_COUNTS_DTYPE = pl.List(pl.Struct({"expiration": pl.Date, "open_contracts": pl.Int64}))
COLUMNS: dict[str, Any] = {
    "id": pl.String,
    "order": pl.Datetime("us", "UTC"),  # capture time, or the time in the id of a damaged file
    "suffix": pl.Int64,  # n of an id ending in -n (snapshots sharing a capture second)
    "captured_at": pl.Datetime("us", "UTC"),
    "spot": pl.Float64,
    "spot_estimated": pl.Boolean,
    "contracts": pl.Int64,
    "expirations": pl.Int64,
    "source": pl.String,
    "content_hash": pl.String,
    "positions": pl.String,
    "partial": pl.Boolean,
    "notes": pl.List(pl.String),
    "damaged": pl.String,
    "adjusted_roots": pl.List(pl.String),  # roots left out of the standard contracts
    "size": pl.Int64,  # the file's size and modification time when its footer was read
    "mtime_ns": pl.Int64,
    "open_counts": OPEN_COUNTS_DTYPE,
    "summary": SUMMARY_DTYPE,
}
LISTING_COLUMNS = tuple(c for c in COLUMNS if c not in ("summary", "open_counts"))


def catalog_path(root: Path, ticker: str) -> Path:
    """Where ``ticker``'s catalog lives in the store at ``root``."""
    return root / FOLDER / f"{ticker}.catalog"


def time_of_id(snapshot: str) -> datetime:
    """The capture time written in a snapshot id."""
    return datetime.strptime(snapshot[:18], "%Y-%m-%dT%H%M%SZ").replace(tzinfo=UTC)


def _suffix(snapshot: str) -> int:
    return int(snapshot[19:]) if len(snapshot) > 19 else 0


@dataclass
class Refresh:
    """What the last :func:`load` did (tests and ``--verify`` read it)."""

    read_footers: int = 0  # footers read (new files, or all of them on a rebuild)
    from_rows: int = 0  # summaries recomputed from rows (old footers)
    rebuilt: str | None = None  # why the whole catalog was rebuilt, if it was
    written: bool = False


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
    state = None if rebuild else _read(path, light)
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
    whole = None if state is None else _read(path, list(COLUMNS))
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


def rebuild_and_compare(root: Path, ticker: str) -> list[str]:
    """Rebuild ``ticker``'s catalog from every footer and say how the stored one differed.

    Returns
    -------
    list of str
        One sentence when the stored catalog was missing, unreadable, outdated or stale (files it
        did not list, listed files that are gone, rows that disagree with their footer); empty
        when it matched.
    """
    path = catalog_path(root, ticker)
    if not (root / ticker).is_dir():
        return []  # nothing stored: nothing to catalog
    # what the footers say (the files' sizes and times are bookkeeping: a copied store differs)
    compared = [*(c for c in LISTING_COLUMNS if c not in ("order", "suffix", "size", "mtime_ns")), "summary"]
    stored = _read(path, compared)
    before = stored.frame if stored is not None else None
    after, report = load_with_report(root, ticker, columns=compared, rebuild=True)
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


def rows_from_files(paths: Iterable[Path], report: Refresh | None = None) -> pl.DataFrame:
    """Catalog rows of snapshot files: their footers, and their summaries (from the footer when
    it holds one of the current version, else computed from the rows)."""
    report = report if report is not None else Refresh()
    infos: list[SnapshotInfo] = []
    summaries: list[dict[str, Any]] = []
    recompute: list[SnapshotInfo] = []
    stats: dict[str, tuple[int | None, int | None]] = {}
    for path in paths:
        try:  # before the footer: a file changed after this is read again on the next check
            stat = os.stat(path)
            stats[path.stem] = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            stats[path.stem] = (None, None)
        info = read_info(path)
        report.read_footers += 1
        infos.append(info)
        if info.damaged:
            continue
        rows = summary.from_footer(info.summary)
        if rows is None or not info.positions:  # stored before footers carried them
            recompute.append(info)
        else:
            summaries.extend({"id": info.id, **row} for row in rows)
    # built column by column: a frame from thousands of nested dicts is slow
    summary_frame = pl.DataFrame(
        {name: [row[name] for row in summaries] for name in ("id", *summary.FIELDS)},
        schema={"id": pl.String, **summary.SCHEMA},
    )
    if recompute:
        report.from_rows += len(recompute)
        computed = summaries_from_rows(recompute)  # also fills the infos' positions
        summary_frame = pl.concat([summary_frame, *computed], how="vertical")
    nested = summary_frame.group_by("id").agg(
        summary=pl.struct(*summary.FIELDS).sort_by("expiration"),
        open_counts=pl.struct("expiration", "open_contracts").sort_by("expiration"),
    )
    listing = pl.DataFrame(
        [_listing_row(info, *stats[info.id]) for info in infos],
        schema={c: COLUMNS[c] for c in LISTING_COLUMNS},
    )
    return (
        listing.join(nested, on="id", how="left")
        .with_columns(pl.col("summary").fill_null(pl.lit([], dtype=SUMMARY_DTYPE)))
        .with_columns(pl.col("open_counts").fill_null(pl.lit([], dtype=OPEN_COUNTS_DTYPE)))
        .select(list(COLUMNS))
    )


def summaries_from_rows(infos: Sequence[SnapshotInfo]) -> list[pl.DataFrame]:
    """Summaries computed from the rows of stored snapshots, in batches (old footers, or a
    summary version that changed); damaged or unreadable files get none. The infos' positions
    fingerprints are filled from the rows where their footers lacked them."""
    from maxpain.adjusted import standard_frame
    from maxpain.chain import positions_fingerprint

    wanted = [
        "expiration",
        "strike",
        "right",
        "open_interest",
        "volume",
        "root",
        "multiplier",
        "contract_symbol",
    ]
    out: list[pl.DataFrame] = []
    for start in range(0, len(infos), _BATCH):
        frames = []
        for info in infos[start : start + _BATCH]:
            try:
                rows = pl.read_parquet(info.path, columns=wanted, glob=False)
            except Exception:  # read as damaged by whoever loads it; no summary meanwhile
                continue
            info.positions = info.positions or positions_fingerprint(rows)
            frames.append(standard_frame(rows, info.adjusted_roots).with_columns(id=pl.lit(info.id)))
        if frames:
            out.append(summary.summarize(pl.concat(frames, how="vertical_relaxed"), ["id"]))
    return out


def _listing_row(info: SnapshotInfo, size: int | None, mtime_ns: int | None) -> dict[str, Any]:
    return {
        "size": size,
        "mtime_ns": mtime_ns,
        "id": info.id,
        "order": info.captured_at or time_of_id(info.id),
        "suffix": _suffix(info.id),
        "captured_at": info.captured_at,
        "spot": info.spot,
        "spot_estimated": info.spot_estimated,
        "contracts": info.contracts,
        "expirations": info.expirations,
        "source": info.source,
        "content_hash": info.content_hash,
        "positions": info.positions,
        "partial": info.partial,
        "notes": info.notes,
        "damaged": info.damaged,
        "adjusted_roots": sorted(info.adjusted_roots),
    }


def infos(frame: pl.DataFrame, root: Path, ticker: str) -> list[SnapshotInfo]:
    """The :class:`SnapshotInfo` of catalog rows (listing columns, and ``warnings`` if present)."""
    folder = root / ticker
    out = []
    extra = ["warnings"] if "warnings" in frame.columns else []
    for row in frame.select(*LISTING_COLUMNS, *extra).iter_rows(named=True):
        out.append(
            SnapshotInfo(
                id=row["id"],
                ticker=ticker,
                path=folder / f"{row['id']}.parquet",
                captured_at=row["captured_at"],
                spot=row["spot"],
                spot_estimated=bool(row["spot_estimated"]),
                contracts=row["contracts"] or 0,
                expirations=row["expirations"] or 0,
                source=row["source"] or "",
                content_hash=row["content_hash"] or "",
                positions=row["positions"] or "",
                partial=bool(row["partial"]),
                notes=list(row["notes"] or []),
                damaged=row["damaged"],
                warnings=list(row.get("warnings") or []),
            )
        )
    return out


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


def _read(path: Path, columns: list[str]) -> _Stored | None:
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
    if not replace_file(path, frame, meta):
        return False
    try:
        _recent_path(path).unlink(missing_ok=True)  # written for the old base: ignored anyway
    except OSError:
        pass
    return True


def _write_recent(path: Path, generation: str, recent: pl.DataFrame, folder_mtime: int | None) -> bool:
    """Write the rows added since the base (a save costs a few rows, not the whole history)."""
    meta = {"format": FORMAT, "summary": summary.VERSION, "base": generation, "folder_mtime_ns": folder_mtime}
    return replace_file(_recent_path(path), recent, meta)


def replace_file(
    path: Path,
    frame: pl.DataFrame,
    meta: dict[str, Any],
    *,
    row_group_size: int = _ROW_GROUP,
    compression: Literal["zstd", "lz4"] = "zstd",
) -> bool:
    """Write ``frame`` (with ``meta`` under :data:`META_KEY`) to ``path`` through a hidden temporary
    and a rename; False when the store is read-only (derived files stay derived)."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sweep_temporaries(path.parent)
        # small row groups: the summaries of a few snapshots are read without decoding the rest
        frame.write_parquet(
            tmp, compression=compression, row_group_size=row_group_size, metadata={META_KEY: json.dumps(meta)}
        )
        os.replace(tmp, path)
        return True
    except (OSError, pl.exceptions.PolarsError):  # a read-only store: the catalog stays derived
        return False
    finally:
        if tmp.exists():
            tmp.unlink(missing_ok=True)


def sweep_temporaries(folder: Path) -> None:
    """Remove hidden ``.tmp`` files older than ten minutes: what a writer killed mid-write left
    (the store's snapshot folders and the catalogs' folder alike)."""
    now = time.time()
    for tmp in folder.glob(".*.tmp"):
        try:
            if now - tmp.stat().st_mtime > _TMP_STALE_SECONDS:
                tmp.unlink()
        except OSError:
            continue
