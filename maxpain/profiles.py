"""Strike profiles: every stored snapshot's open interest by expiration, strike and side, which is
all that pooled max pain and walls over *any* window need, in about half a chain's rows and a few
integer columns, so ``history`` reads one small table instead of a thousand snapshot files.

Derived like the catalog (:mod:`maxpain.catalog`): ``<store>/.catalog/<TICKER>.profiles-v<N>/``
holds part files. A part's rows are keyed by a small integer; its footer lists the snapshots
(``id`` and ``content_hash``) those integers stand for. A read

- keeps the rows of the snapshots asked for whose content hash matches (a file replaced under the
  same name gets new rows; rows of removed files are ignored, and dropped at the next merge),
- computes the missing snapshots' profiles from their rows in one multi-file scan and writes them as
  a new part (a history pays for each snapshot once; a save pays nothing),
- merges the parts into one past :data:`_PARTS` of them.

Two writers may add the same snapshot twice: each snapshot is read from one part only. Parts are
written through a temporary and a rename; a part that cannot be read (cut short, or merged away by
another process during this read) makes the read list the folder again, then compute from the
snapshots.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import polars as pl

from maxpain.catalog import FOLDER
from maxpain.chain import strike_thousandths
from maxpain.writes import META_KEY, replace_file, sweep_temporaries

#: Format of the profile rows: a new format is a new folder (the old one is ignored).
FORMAT = 1
#: Parts merged into one past this many.
_PARTS = 8
#: Rows per Parquet row group of a part (large: parts are read whole).
_ROW_GROUP = 1 << 20

#: One row per snapshot, expiration and listed strike.
SCHEMA: dict[str, Any] = {
    "snapshot": pl.UInt32,  # the snapshot's position in the frame asked for (in a part: in its footer)
    "expiration": pl.Date,
    "units": pl.Int64,  # the strike in thousandths (OCC precision)
    "contracts": pl.Int64,  # contracts listed at this strike, both sides
    "unknown_oi": pl.Int64,  # of which the source gave no open interest
    "call_oi": pl.Int64,  # known open interest summed per side
    "put_oi": pl.Int64,
    "call_weight": pl.Int64,  # Σ multiplier × OI over OI > 0: the payout weights of max pain
    "put_weight": pl.Int64,
}
_READ = ["expiration", "strike", "right", "open_interest", "multiplier", "root"]


def profiles_folder(root: Path, ticker: str) -> Path:
    """Where ``ticker``'s strike profiles live in the store at ``root``."""
    return root / FOLDER / f"{ticker}.profiles-v{FORMAT}"


def profile_rows(frame: pl.DataFrame | pl.LazyFrame) -> pl.LazyFrame:
    """Strike profiles of chain-shaped rows keyed by a ``snapshot`` integer (adjusted roots
    already left out): :data:`SCHEMA`, one row per snapshot, expiration and strike."""
    oi = pl.col("open_interest")
    put = pl.col("right").cast(pl.String) == "P"
    known = oi.fill_null(0).cast(pl.Int64)
    weight = pl.when(oi > 0).then(oi.cast(pl.Int64) * pl.col("multiplier").cast(pl.Int64)).otherwise(0)
    zero = pl.lit(0, dtype=pl.Int64)
    return (
        frame.lazy()
        .select(  # per row first: a group-by of plain sums is polars' fast path
            pl.col("snapshot").cast(pl.UInt32),
            "expiration",
            strike_thousandths(pl.col("strike")).alias("units"),
            unknown_oi=oi.is_null().cast(pl.Int64),
            call_oi=pl.when(put).then(zero).otherwise(known),
            put_oi=pl.when(put).then(known).otherwise(zero),
            call_weight=pl.when(put).then(zero).otherwise(weight),
            put_weight=pl.when(put).then(weight).otherwise(zero),
        )
        .group_by("snapshot", "expiration", "units")
        .agg(
            contracts=pl.len().cast(pl.Int64),
            **{
                name: pl.col(name).sum()
                for name in ("unknown_oi", "call_oi", "put_oi", "call_weight", "put_weight")
            },
        )
        .select(list(SCHEMA))
    )


def load(root: Path, ticker: str, snapshots: pl.DataFrame) -> pl.DataFrame:
    """The strike profiles of ``snapshots``, computing and storing the ones not stored yet.

    Parameters
    ----------
    root, ticker
        The store and the ticker.
    snapshots
        Intact catalog rows: ``id, content_hash, adjusted_roots``.

    Returns
    -------
    polars.DataFrame
        :data:`SCHEMA`, ``snapshot`` = the row's position in ``snapshots``, in no set order;
        snapshots whose files cannot be read have no rows.
    """
    keys = list(zip(snapshots["id"].to_list(), snapshots["content_hash"].to_list(), strict=True))
    folder = profiles_folder(root, ticker)
    for _attempt in range(2):
        parts = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
        try:
            stored, found = _stored(parts, keys)
            break
        except Exception:  # a part cut short, or merged away while we read: list again
            continue
    else:
        stored, found, parts = pl.DataFrame(schema=SCHEMA), set(), []
    missing = [i for i in range(len(keys)) if i not in found]
    frame = stored
    if missing:
        computed = compute(root / ticker, snapshots[missing])
        if computed.height:
            local = [keys[i] for i in missing]
            written = _write_part(folder, computed, local)
            if written is not None and len(parts) + 1 > _PARTS:
                _merge(folder, [*parts, written], keys)
            frame = pl.concat([stored, _renumbered(computed, dict(enumerate(missing)))])
    return frame


def _renumbered(frame: pl.DataFrame, mapping: dict[int, int]) -> pl.DataFrame:
    """``frame`` with its ``snapshot`` numbers mapped (every number present is a key)."""
    return frame.with_columns(
        pl.col("snapshot").replace_strict(list(mapping), list(mapping.values()), return_dtype=pl.UInt32)
    )


def _snapshots_of(part: Path) -> list[tuple[str, str]]:
    meta = json.loads(pl.read_parquet_metadata(part)[META_KEY])
    return [(str(a), str(b)) for a, b in meta["snapshots"]]


def _stored(parts: list[Path], keys: list[tuple[str, str]]) -> tuple[pl.DataFrame, set[int]]:
    """The stored rows of the snapshots ``keys`` names, each from one part, renumbered to their
    position in ``keys``; and the positions found."""
    position = {key: i for i, key in enumerate(keys)}
    frames: list[pl.LazyFrame] = []
    found: set[int] = set()
    for part in parts:
        local, target = [], []
        listed = _snapshots_of(part)
        for i, key in enumerate(listed):
            j = position.get(key)
            if j is not None and j not in found:
                found.add(j)
                local.append(i)
                target.append(j)
        if not local:
            continue
        scan = pl.scan_parquet(part, glob=False)
        if local != target:  # renumbered (an identity mapping, the usual case, costs nothing)
            mapping = pl.LazyFrame(
                {"snapshot": local, "target": target}, schema={"snapshot": pl.UInt32, "target": pl.UInt32}
            )
            scan = scan.join(mapping, on="snapshot").with_columns(snapshot="target")
        elif len(local) < len(listed):
            scan = scan.filter(pl.col("snapshot").is_in(local))
        frames.append(scan.select(list(SCHEMA)))
    if not frames:
        return pl.DataFrame(schema=SCHEMA), found
    rows = pl.concat(frames).collect()
    if rows.schema != pl.Schema(SCHEMA):
        raise ValueError("a profile part of another shape")
    return rows, found


def compute(folder: Path, snapshots: pl.DataFrame) -> pl.DataFrame:
    """Strike profiles of snapshot files, from their rows: one scan over all of them, or file by
    file when one of them cannot be read (that one is left out).

    Parameters
    ----------
    folder
        The ticker's snapshot folder.
    snapshots
        ``id, adjusted_roots``.

    Returns
    -------
    polars.DataFrame
        :data:`SCHEMA`, ``snapshot`` = the position in ``snapshots``.
    """
    if not snapshots.height:
        return pl.DataFrame(schema=SCHEMA)
    names = snapshots.get_column("id").to_list()
    paths = [str(folder / f"{name}.parquet") for name in names]
    adjusted = (
        snapshots.with_row_index("snapshot")
        .select("snapshot", root="adjusted_roots")
        .explode("root")
        .filter(pl.col("root").is_not_null())
    )
    try:
        rows = (
            pl.scan_parquet(paths, include_file_paths="path", glob=False)
            .select(*_READ, snapshot=pl.col("path").cast(pl.Enum(paths)).to_physical())
            .collect()
        )
    except Exception:  # one unreadable file: read them one by one, leaving it out
        frames = []
        for i, path in enumerate(paths):
            try:
                one = pl.read_parquet(path, columns=_READ, glob=False)
            except Exception:  # damaged: the catalog says so on its next check
                continue
            frames.append(one.with_columns(snapshot=pl.lit(i, dtype=pl.UInt32)))
        if not frames:
            return pl.DataFrame(schema=SCHEMA)
        rows = pl.concat(frames, how="vertical_relaxed")
    rows = rows.with_columns(pl.col("snapshot").cast(pl.UInt32))
    if adjusted.height:
        rows = rows.join(
            adjusted.with_columns(pl.col("snapshot").cast(pl.UInt32)), on=["snapshot", "root"], how="anti"
        )
    return profile_rows(rows).collect()


def _write_part(folder: Path, frame: pl.DataFrame, keys: list[tuple[str, str]]) -> Path | None:
    """A new part holding ``frame`` (``snapshot`` = position in ``keys``); None when the store is
    read-only."""
    path = folder / f"{uuid.uuid4().hex}.parquet"
    meta = {"format": FORMAT, "snapshots": [list(key) for key in keys]}
    ordered = frame.sort("snapshot", "expiration", "units")
    return path if replace_file(path, ordered, meta, row_group_size=_ROW_GROUP) else None


def _merge(folder: Path, parts: list[Path], keys: list[tuple[str, str]]) -> None:
    """Replace ``parts`` by one part holding the rows of the snapshots ``keys`` names."""
    try:
        rows, found = _stored(parts, keys)
    except Exception:  # merged by another process meanwhile
        return
    kept = sorted(found)
    merged = _renumbered(rows, {j: i for i, j in enumerate(kept)})  # → position in the merged list
    if _write_part(folder, merged, [keys[i] for i in kept]) is None:
        return
    for part in parts:
        try:
            part.unlink(missing_ok=True)
        except OSError:
            continue
    sweep_temporaries(folder)
