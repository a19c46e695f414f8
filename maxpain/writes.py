"""Atomic writes shared by the store's files: a snapshot linked under a free name (never over
another file), a derived file (a catalog, a profile, the scan index) replaced through a hidden
temporary and a rename, so a reader sees the old file or the new one; the temporaries a writer
killed mid-write left, swept; a folder's entries made durable."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import polars as pl

from maxpain.errors import StoreError

#: Key of a derived file's own Parquet metadata (its format, versions and bookkeeping, as JSON).
META_KEY = "maxpain_catalog"
_TMP_STALE_SECONDS = 600


def replace_file(
    path: Path,
    frame: pl.DataFrame,
    meta: dict[str, Any],
    *,
    row_group_size: int,
    compression: Literal["zstd", "lz4"] = "zstd",
) -> bool:
    """Write ``frame`` (with ``meta`` as JSON under :data:`META_KEY`) to ``path`` through a hidden
    temporary and a rename; False when the store is read-only (derived files stay derived)."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sweep_temporaries(path.parent)
        frame.write_parquet(
            tmp, compression=compression, row_group_size=row_group_size, metadata={META_KEY: json.dumps(meta)}
        )
        os.replace(tmp, path)
        return True
    except (OSError, pl.exceptions.PolarsError):  # a read-only store: the file stays derived
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


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries durable (a file linked or renamed into it survives a crash)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def link_new(tmp: Path, folder: Path, base: str, same: Callable[[Path], bool]) -> Path | None:
    """Link ``tmp`` into ``folder`` as ``<base>.parquet``, else ``<base>-1.parquet``, … (``os.link``
    fails instead of replacing a file); None when a name taken holds the same content (``same``)."""
    for attempt in range(1000):
        name = base if attempt == 0 else f"{base}-{attempt}"
        final = folder / f"{name}.parquet"
        try:
            os.link(tmp, final)
            return final
        except FileExistsError:
            if same(final):
                return None
    msg = f"more than 1000 snapshots of {folder.name} share the capture second {base}"
    raise StoreError(msg)
