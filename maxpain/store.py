"""The snapshot store: one immutable Parquet file per snapshot.

Layout: ``<store>/<UNDERLYING>/<captured_at UTC, e.g. 2025-12-01T201208Z>.parquet``. Each file holds
the chain's rows plus two constant columns (``underlying``, ``captured_at``) so that
``pl.scan_parquet("<store>/*/*.parquet")`` reads the whole history as one table; the
:class:`~maxpain.chain.ChainMeta` travels as JSON in the Parquet key-value metadata (key
``maxpain``), so listing a store reads only file footers.

Writes are atomic: the snapshot is written to a hidden temporary file, fsynced, then *linked* to
its final name (``os.link`` fails instead of overwriting, so two writers never clobber each other)
and the folder is fsynced. A crash leaves at most a hidden ``.tmp`` file, never a visible
half-snapshot; stale temporaries are swept by later writes.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl

from maxpain.chain import CHAIN_SCHEMA, Chain, ChainMeta, validate_ticker
from maxpain.errors import InputError, NotFoundError, StoreError

META_KEY = "maxpain"
FORMAT_VERSION = "1"
_ID_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{6}Z(-\d+)?$")
_STALE_TMP_SECONDS = 600


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


def default_store_path() -> Path:
    """Where the store lives by default.

    Returns
    -------
    pathlib.Path
        ``$MAXPAIN_HOME`` if set, else ``store`` in the platform's user data folder.
    """
    home = os.environ.get("MAXPAIN_HOME")
    if home:
        return Path(home).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("maxpain", appauthor=False)) / "store"


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
    partial: bool = False
    notes: list[str] = field(default_factory=list)
    damaged: str | None = None
    warnings: list[str] = field(default_factory=list)  # from comparing it with its neighbours

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


@dataclass
class SaveResult:
    info: SnapshotInfo
    created: bool  # False: an identical snapshot was already stored


class Store:
    """A folder of immutable Parquet snapshots."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else default_store_path()
        self._open_contracts: dict[Path, dict[date, int]] = {}
        self.skipped: list[str] = []  # folders passed over by the last listing, and why

    # ------------------------------------------------------------------ writing
    def save(self, chain: Chain) -> SaveResult:
        """Store ``chain`` atomically; an identical snapshot already stored is not written again.

        Parameters
        ----------
        chain
            The normalized chain; its underlying names the folder, its capture time the file.

        Returns
        -------
        SaveResult
            The stored snapshot's :class:`SnapshotInfo`, and ``created`` (False when an identical
            snapshot, same rows, underlying and capture time, was already stored).

        Raises
        ------
        InputError
            An underlying that is not a ticker symbol.
        StoreError
            The folder cannot be created or the file cannot be written.
        """
        ticker = validate_ticker(chain.meta.underlying)
        folder = self._ticker_dir(ticker)
        created_folder = not folder.exists()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            msg = f"cannot create the store folder {folder}: {error.strerror or error}"
            raise StoreError(msg) from None
        content_hash = chain.content_hash()
        for existing in self.snapshots(ticker):
            if existing.content_hash == content_hash and not existing.damaged:
                return SaveResult(existing, created=False)
        self._sweep_temporaries(folder)

        meta = chain.meta.to_dict()
        meta.update(
            content_hash=content_hash,
            contracts=len(chain),
            expirations=chain.frame.get_column("expiration").n_unique(),
            format=FORMAT_VERSION,
        )
        table = chain.frame.with_columns(
            underlying=pl.lit(ticker, dtype=pl.String),
            captured_at=pl.lit(chain.meta.captured_at, dtype=pl.Datetime("us", "UTC")),
        )
        base = snapshot_id(chain.meta.captured_at)
        tmp = folder / f".{base}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            with open(tmp, "wb") as handle:
                table.write_parquet(handle, compression="zstd", metadata={META_KEY: json.dumps(meta)})
                handle.flush()
                os.fsync(handle.fileno())
            final = self._link_unique(tmp, folder, base, content_hash)
        except (OSError, pl.exceptions.PolarsError) as error:
            reason = getattr(error, "strerror", None) or str(error).strip().splitlines()[0]
            msg = f"cannot write a snapshot into {folder}: {reason}"
            raise StoreError(msg) from None
        finally:
            if tmp.exists():
                tmp.unlink()
            if created_folder and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()  # a failed first save leaves no empty ticker folder
        if final is None:  # an identical snapshot won the race
            same = [s for s in self.snapshots(ticker) if s.content_hash == content_hash]
            return SaveResult(same[0], created=False)
        _fsync_dir(folder)
        return SaveResult(self.info(final), created=True)

    def _link_unique(self, tmp: Path, folder: Path, base: str, content_hash: str) -> Path | None:
        """Give ``tmp`` a free final name without ever replacing an existing file."""
        for attempt in range(1000):
            name = base if attempt == 0 else f"{base}-{attempt}"
            final = folder / f"{name}.parquet"
            try:
                os.link(tmp, final)
                return final
            except FileExistsError:
                if self.info(final).content_hash == content_hash:
                    return None
        msg = f"more than 1000 snapshots of {folder.name} share the capture second {base}"
        raise StoreError(msg)

    def _sweep_temporaries(self, folder: Path) -> None:
        now = time.time()
        for tmp in folder.glob(".*.tmp"):
            try:
                if now - tmp.stat().st_mtime > _STALE_TMP_SECONDS:
                    tmp.unlink()
            except OSError:
                continue

    # ------------------------------------------------------------------ reading
    def _ticker_dir(self, ticker: str) -> Path:
        folder = (self.root / ticker).resolve()
        if folder.parent != self.root.resolve() or folder.name != ticker:
            msg = f"{ticker!r} would lead outside the store"
            raise InputError(msg)
        return folder

    def tickers(self) -> list[str]:
        """The tickers stored: folders named as a ticker (upper case) holding a snapshot file.

        Folders that are not tickers are passed over; a folder that leads out of the store (a
        symlink) or is not written in upper case is passed over and said in :attr:`skipped`.

        Returns
        -------
        list of str
            Sorted.
        """
        self.skipped = []
        if not self.root.is_dir():
            return []
        names = []
        root = self.root.resolve()
        for child in sorted(self.root.iterdir()):
            if not child.is_dir() or child.name.startswith("."):
                continue
            try:
                name = validate_ticker(child.name)
            except InputError:
                continue
            if child.resolve().parent != root:
                self.skipped.append(
                    f"the folder {child.name} leads outside the store ({child.resolve()}); it was skipped"
                )
            elif name != child.name:
                self.skipped.append(
                    f"the folder {child.name} is not an upper-case ticker; rename it {name} to use it"
                )
            elif any(_ID_PATTERN.match(p.stem) for p in child.glob("*.parquet")):
                names.append(name)
        return names

    def info(self, path: Path) -> SnapshotInfo:
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
        info.partial = bool(meta.get("partial"))
        info.notes = list(meta.get("notes") or [])
        return info

    def snapshots(self, ticker: str | None = None) -> list[SnapshotInfo]:
        """The stored snapshots.

        Parameters
        ----------
        ticker
            Only this ticker (default: all).

        Returns
        -------
        list of SnapshotInfo
            By ticker, then oldest first; damaged files included with ``damaged`` set.

        Raises
        ------
        InputError
            ``ticker`` is not a ticker symbol.
        """
        tickers = [validate_ticker(ticker)] if ticker else self.tickers()
        found: list[SnapshotInfo] = []
        for name in tickers:
            try:
                folder = self._ticker_dir(name)
            except InputError:  # a symlink out of the store
                continue
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.parquet")):
                if _ID_PATTERN.match(path.stem):
                    found.append(self.info(path))
        found.sort(key=lambda s: (s.ticker, s.captured_at or _time_of_id(s.id), s.id))
        return found

    def resolve(self, ticker: str, selector: str = "latest") -> SnapshotInfo:
        """Pick one intact snapshot of ``ticker``.

        Parameters
        ----------
        ticker
            The underlying.
        selector
            ``latest``, a date ``YYYY-MM-DD`` (the last snapshot of that UTC day), an id, or a
            unique prefix of an id.

        Returns
        -------
        SnapshotInfo

        Raises
        ------
        NotFoundError
            The store does not exist, nothing is stored for ``ticker``, or nothing matches.
        InputError
            A prefix that matches several snapshots.
        """
        ticker = validate_ticker(ticker)
        if not self.root.is_dir():
            msg = f"the store {self.root} does not exist; choose another store (or set MAXPAIN_HOME), or fetch or import a snapshot first"
            raise NotFoundError(msg, parameter="store")
        snapshots = [s for s in self.snapshots(ticker) if not s.damaged]
        if not snapshots:
            stored = ", ".join(self.tickers()) or "none"
            skipped = "".join(f"; {reason}" for reason in self.skipped)
            msg = f"no snapshots of {ticker} in {self.root} (stored tickers: {stored}{skipped}); fetch or import {ticker} first"
            raise NotFoundError(msg)
        selector = (selector or "latest").strip()
        if selector == "latest":
            return snapshots[-1]
        try:
            day = date.fromisoformat(selector)
        except ValueError:
            day = None
        if day is not None:
            same_day = [s for s in snapshots if s.captured_at and s.captured_at.date() == day]
            if not same_day:
                days = sorted({s.captured_at.date().isoformat() for s in snapshots if s.captured_at})
                msg = f"no {ticker} snapshot on {day} (stored days: {_short_list(days)})"
                raise NotFoundError(msg)
            return same_day[-1]
        exact = [s for s in snapshots if s.id == selector]
        if exact:
            return exact[0]
        prefixed = [s for s in snapshots if s.id.startswith(selector)]
        if len(prefixed) == 1:
            return prefixed[0]
        if len(prefixed) > 1:
            msg = f"{selector!r} matches {len(prefixed)} {ticker} snapshots ({_short_list([s.id for s in prefixed])}); give more of the id"
            raise InputError(msg)
        msg = f"no {ticker} snapshot matches {selector!r}; use latest, a date (YYYY-MM-DD), an id or its prefix (ids: {_short_list([s.id for s in snapshots])})"
        raise NotFoundError(msg)

    def previous(self, info: SnapshotInfo) -> SnapshotInfo | None:
        """The snapshot stored before another.

        Parameters
        ----------
        info
            A stored snapshot.

        Returns
        -------
        SnapshotInfo or None
            The intact snapshot of the same ticker captured just before ``info``.
        """
        earlier = [
            s
            for s in self.snapshots(info.ticker)
            if not s.damaged and s.captured_at and info.captured_at and s.captured_at < info.captured_at
        ]
        return earlier[-1] if earlier else None

    def load(self, info: SnapshotInfo) -> Chain:
        """Read a snapshot back into a :class:`Chain` (same rows, same metadata).

        Parameters
        ----------
        info
            The snapshot, from :meth:`resolve` or :meth:`snapshots`.

        Returns
        -------
        Chain

        Raises
        ------
        StoreError
            The file is damaged or cannot be read.
        """
        if info.damaged:
            msg = f"snapshot {info.ticker}/{info.id} is damaged ({info.damaged}); remove {info.path}"
            raise StoreError(msg)
        try:
            raw = pl.read_parquet_metadata(info.path)
            meta = ChainMeta.from_dict(json.loads(raw[META_KEY]))
            frame = pl.read_parquet(info.path, columns=list(CHAIN_SCHEMA), glob=False)
            frame = frame.cast(CHAIN_SCHEMA)  # type: ignore[arg-type]
        except Exception as error:
            msg = f"snapshot {info.ticker}/{info.id} cannot be read ({type(error).__name__}); it may be damaged: {info.path}"
            raise StoreError(msg) from None
        return Chain(frame=frame, meta=meta)

    def open_contracts(self, info: SnapshotInfo) -> dict[date, int]:
        """Contracts with OI > 0 per expiration, read from two columns of the file (cached).

        Parameters
        ----------
        info
            A stored snapshot.

        Returns
        -------
        dict
            Expiration → count; empty for a damaged file.
        """
        if info.path not in self._open_contracts:
            counts: dict[date, int] = {}
            if not info.damaged:
                try:
                    counted = (
                        pl.read_parquet(info.path, columns=["expiration", "open_interest"], glob=False)
                        .filter(pl.col("open_interest") > 0)
                        .group_by("expiration")
                        .len()
                    )
                    counts = dict(zip(counted["expiration"].to_list(), counted["len"].to_list(), strict=True))
                except Exception:  # a damaged file has no neighbours' figures to give
                    counts = {}
            self._open_contracts[info.path] = counts
        return self._open_contracts[info.path]

    def completeness_warning(
        self, info: SnapshotInfo, listed: list[SnapshotInfo] | None = None
    ) -> str | None:
        """A warning when ``info`` looks incomplete next to its stored neighbours.

        Parameters
        ----------
        info
            A stored snapshot.
        listed
            The ticker's snapshots, when already listed.

        Returns
        -------
        str or None
            See :func:`maxpain.quality.incomplete_warning`.
        """
        from maxpain.quality import Neighbour, incomplete_warning

        if info.damaged or info.captured_at is None:
            return None
        others = listed if listed is not None else self.snapshots(info.ticker)
        neighbours = [
            Neighbour(other.captured_at, self.open_contracts(other))
            for other in _nearest_intact(others, info)
            if other.captured_at is not None
        ]
        return incomplete_warning(info.captured_at, self.open_contracts(info), neighbours)

    def check_neighbours(self, listed: list[SnapshotInfo]) -> list[SnapshotInfo]:
        """Set each listed snapshot's ``warnings`` from :meth:`completeness_warning`.

        Parameters
        ----------
        listed
            Snapshots from :meth:`snapshots` (of one or several tickers).

        Returns
        -------
        list of SnapshotInfo
            ``listed``, checked.
        """
        for info in listed:
            warning = self.completeness_warning(info, listed)
            info.warnings = [warning] if warning else []
        return listed

    def verify(self, ticker: str | None = None) -> list[SnapshotInfo]:
        """Read every snapshot of ``ticker`` (default: all) completely.

        Parameters
        ----------
        ticker
            Only this ticker.

        Returns
        -------
        list of SnapshotInfo
            As :meth:`snapshots`, with ``damaged`` set where the rows cannot be read, or the file's
            id, footer, folder and rows disagree (row count, underlying, capture time).
        """
        checked = self.snapshots(ticker)
        for info in checked:
            if info.damaged:
                continue
            try:
                info.damaged = _disagreement(info, self.load(info))
            except StoreError as error:
                info.damaged = str(error)
        return checked


_FOOTER_TYPES: dict[str, tuple[type, ...]] = {
    "captured_at": (str,),
    "contracts": (int,),
    "expirations": (int,),
    "spot": (int, float, type(None)),
    "source": (str,),
    "content_hash": (str,),
    "notes": (list,),
    "underlying": (str,),
}


def _disagreement(info: SnapshotInfo, chain: Chain) -> str | None:
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
    return None


def _nearest_intact(listed: list[SnapshotInfo], info: SnapshotInfo) -> list[SnapshotInfo]:
    """The intact snapshots of ``info``'s ticker captured just before and just after it (up to
    three each side, so that a run of thin snapshots still meets a complete one)."""
    same = [
        s
        for s in listed
        if s.ticker == info.ticker and not s.damaged and s.captured_at and s.path != info.path
    ]
    before = [s for s in same if s.captured_at < info.captured_at]  # type: ignore[operator]
    after = [s for s in same if s.captured_at >= info.captured_at]  # type: ignore[operator]
    return before[-3:] + after[:3]


def _time_of_id(snapshot: str) -> datetime:
    """The capture time written in a snapshot id (used to order damaged files)."""
    return datetime.strptime(snapshot[:18], "%Y-%m-%dT%H%M%SZ").replace(tzinfo=UTC)


def _fsync_dir(folder: Path) -> None:
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


def _short_list(items: list[str], limit: int = 6) -> str:
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:3]) + ", ..., " + ", ".join(items[-2:])
