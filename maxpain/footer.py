"""What a snapshot file says about itself: its id, and the footer (Parquet key-value metadata)
that listings read instead of the rows, checked so that a forged or malformed footer marks that one
file damaged instead of breaking every listing."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from maxpain.chain import Chain, ChainMeta

META_KEY = "maxpain"
FORMAT_VERSION = "1"


def snapshot_id(captured_at: datetime) -> str:
    """The file stem of a snapshot.

    Parameters
    ----------
    captured_at
        The capture time (timezone-aware).

    Returns
    -------
    str
        ``2025-12-01T201208Z``: the UTC time to the second.
    """
    return captured_at.astimezone(UTC).strftime("%Y-%m-%dT%H%M%SZ")


@dataclass
class SnapshotInfo:
    """One stored snapshot, as read from its file footer."""

    id: str
    ticker: str
    path: Path
    captured_at: datetime | None = None
    spot: float | None = None
    spot_estimated: bool = False
    contracts: int = 0
    expirations: int = 0
    source: str = ""
    content_hash: str = ""
    positions: str = ""  # fingerprint of contracts and OI (see maxpain.chain.positions_fingerprint)
    partial: bool = False
    notes: list[str] = field(default_factory=list)
    damaged: str | None = None
    warnings: list[str] = field(default_factory=list)  # from comparing it with its neighbours
    adjusted_roots: dict[str, str] = field(default_factory=dict, repr=False)
    summary: Any = field(default=None, repr=False)  # the footer's summary (see maxpain.summary)

    def to_json(self) -> dict[str, Any]:
        """The listing's JSON fields (times ISO)."""
        return {
            "id": self.id,
            "ticker": self.ticker,
            "captured_at": self.captured_at.isoformat() if self.captured_at else None,
            "spot": self.spot,
            "spot_estimated": self.spot_estimated,
            "contracts": self.contracts,
            "expirations": self.expirations,
            "source": self.source,
            "partial": self.partial,
            "notes": self.notes,
            "damaged": self.damaged,
            "warnings": self.warnings,
        }


def read_info(path: Path) -> SnapshotInfo:
    """Read a snapshot's footer (not its rows).

    Parameters
    ----------
    path
        The snapshot file.

    Returns
    -------
    SnapshotInfo
        With ``damaged`` set (and the other fields left empty) when the footer cannot be read.
    """
    info = SnapshotInfo(id=path.stem, ticker=path.parent.name, path=path)
    try:
        raw = pl.read_parquet_metadata(path)
        meta = json.loads(raw[META_KEY])
    except Exception as error:
        info.damaged = f"unreadable ({type(error).__name__})"
        return info
    problem = _footer_problem(meta)
    if problem is not None:
        info.damaged = f"forged or malformed footer ({problem})"
        return info
    try:
        info.captured_at = ChainMeta.from_dict(meta).captured_at
    except (KeyError, ValueError, TypeError, OverflowError):
        info.damaged = "metadata without a capture time"
        return info
    info.spot = meta.get("spot")
    info.spot_estimated = bool(meta.get("spot_estimated"))
    info.contracts = meta.get("contracts", 0)
    info.expirations = meta.get("expirations", 0)
    info.source = str(meta.get("source", ""))
    info.content_hash = str(meta.get("content_hash", ""))
    info.positions = str(meta.get("positions", ""))
    info.partial = bool(meta.get("partial"))
    info.notes = list(meta.get("notes") or [])
    info.adjusted_roots = dict(meta.get("adjusted_roots") or {})
    info.summary = meta.get("summary")
    return info


_FOOTER_TYPES: dict[str, tuple[type, ...]] = {
    "captured_at": (str,),
    "contracts": (int,),
    "expirations": (int,),
    "spot": (int, float, type(None)),
    "source": (str,),
    "content_hash": (str,),
    "positions": (str,),
    "notes": (list,),
    "underlying": (str,),
    "adjusted_roots": (dict,),
    "summary": (dict,),
}


def disagreement(info: SnapshotInfo, chain: Chain) -> str | None:
    """How a snapshot's id, folder, footer and rows disagree, or None."""
    if len(chain) != info.contracts:
        return f"holds {len(chain)} rows, footer says {info.contracts}"
    if chain.meta.underlying != info.ticker:
        return f"its footer names {chain.meta.underlying}, its folder {info.ticker}"
    if not info.id.startswith(snapshot_id(chain.meta.captured_at)):
        return f"its id says {info.id}, its footer {chain.meta.captured_at.isoformat()}"
    try:
        stamped = pl.read_parquet(info.path, columns=["underlying", "captured_at"], glob=False).unique()
    except Exception as error:
        return f"no underlying/capture columns ({type(error).__name__})"
    if stamped.height != 1 or stamped.row(0) != (info.ticker, chain.meta.captured_at):
        return "its rows name another underlying or capture time than its footer"
    return None


def _footer_problem(meta: Any) -> str | None:
    """What is wrong with a footer's metadata, or None: every field a listing shows must have its
    type, counts must be whole and non-negative, a spot finite and positive (never NaN)."""
    if not isinstance(meta, dict):
        return f"a JSON {type(meta).__name__}, not an object"
    for key, types in _FOOTER_TYPES.items():
        if key in meta and (not isinstance(meta[key], types) or isinstance(meta[key], bool)):
            return f"{key} is {meta[key]!r}"
    for key in ("contracts", "expirations"):
        if meta.get(key, 0) < 0:
            return f"{key} is {meta[key]!r}"
    spot = meta.get("spot")
    if spot is not None and not (math.isfinite(spot) and spot > 0):
        return f"spot is {spot!r}"
    if not all(isinstance(n, str) for n in meta.get("notes", [])):
        return "notes are not text"
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in meta.get("adjusted_roots", {}).items()):
        return "adjusted roots are not text"
    return None
