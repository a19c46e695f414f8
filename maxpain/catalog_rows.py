"""The rows of a catalog (:mod:`maxpain.catalog`): their schema, how they are made from snapshot
files (the footer's fields, and the summary from the footer when it holds one of the current
version, else computed from the file's rows), and the :class:`SnapshotInfo` they stand for."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from maxpain import summary
from maxpain.footer import SnapshotInfo, read_info

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

#: Snapshot files whose summaries are recomputed from rows in one batch.
_BATCH = 64


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
