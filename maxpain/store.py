"""The snapshot store: one immutable Parquet file per snapshot, and a catalog per ticker.

Layout: ``<store>/<UNDERLYING>/<captured_at UTC, e.g. 2025-12-01T201208Z>.parquet``. Each file holds
the chain's rows plus two constant columns (``underlying``, ``captured_at``) so that
``pl.scan_parquet("<store>/*/*.parquet")`` reads the whole history as one table; the
:class:`~maxpain.chain.ChainMeta` travels as JSON in the Parquet key-value metadata (key
``maxpain``), so listing a store reads only file footers.

Writes are atomic: the snapshot is written to a hidden temporary file, fsynced, then *linked* to
its final name (``os.link`` fails instead of overwriting, so two writers never clobber each other)
and the folder is fsynced. A crash leaves at most a hidden ``.tmp`` file, never a visible
half-snapshot; stale temporaries are swept by later writes.

Listings, ``latest`` and the neighbour checks read the ticker's catalog (:mod:`maxpain.catalog`),
a derived file that a read refreshes from the footers of new files; a save only writes its file
(with its summary, :mod:`maxpain.summary`, in the footer).
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from maxpain import catalog
from maxpain.chain import (
    CHAIN_COLUMNS,
    CHAIN_SCHEMA,
    OPTIONAL_COLUMNS,
    Chain,
    ChainMeta,
    positions_fingerprint,
    validate_ticker,
)
from maxpain.errors import InputError, NotFoundError, StoreError
from maxpain.footer import FORMAT_VERSION, META_KEY, SnapshotInfo, read_info, snapshot_id
from maxpain.writes import fsync_dir, link_new, sweep_temporaries

_ID_PATTERN = catalog.ID_PATTERN


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
class SaveResult:
    info: SnapshotInfo
    created: bool  # False: an identical snapshot was already stored


class Store:
    """A folder of immutable Parquet snapshots."""

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root).expanduser() if root is not None else default_store_path()
        self.open_contracts_cache: dict[Path, dict[date, int]] = {}  # see maxpain.neighbours
        self.positions_cache: dict[Path, str] = {}  # see maxpain.neighbours
        self.skipped: list[str] = []  # folders passed over by the last listing, and why
        self.catalog_checks: list[str] = []  # what the last maxpain.audit.verify found in the catalogs

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
        base = snapshot_id(chain.meta.captured_at)
        # the hash covers the capture time, so an identical snapshot can only be stored under the
        # same capture second: only those files are read, however long the history
        for existing in self._same_second(folder, base):
            if existing.content_hash == content_hash and not existing.damaged:
                return SaveResult(existing, created=False)
        sweep_temporaries(folder)

        from maxpain.summary import summary_of, to_footer

        meta = chain.meta.to_dict()
        meta.update(
            summary=to_footer(summary_of(chain)),
            content_hash=content_hash,
            positions=positions_fingerprint(chain.frame),
            contracts=len(chain),
            expirations=chain.frame.get_column("expiration").n_unique(),
            format=FORMAT_VERSION,
        )
        table = chain.frame.with_columns(
            underlying=pl.lit(ticker, dtype=pl.String),
            captured_at=pl.lit(chain.meta.captured_at, dtype=pl.Datetime("us", "UTC")),
        )
        tmp = folder / f".{base}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        try:
            with open(tmp, "wb") as handle:
                table.write_parquet(handle, compression="zstd", metadata={META_KEY: json.dumps(meta)})
                handle.flush()
                os.fsync(handle.fileno())
            final = link_new(
                tmp, folder, base, lambda existing: self.info(existing).content_hash == content_hash
            )
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
            same = [s for s in self._same_second(folder, base) if s.content_hash == content_hash]
            return SaveResult(same[0], created=False)
        fsync_dir(folder)
        return SaveResult(self.info(final), created=True)

    def _same_second(self, folder: Path, base: str) -> list[SnapshotInfo]:
        """The snapshots stored under the capture second ``base`` (``base``, ``base-1``, …). Two
        names are probed first, so the usual case (nothing stored that second) costs the same in
        any history; only when one exists is the folder listed for the others."""
        if not (folder / f"{base}.parquet").exists() and not (folder / f"{base}-1.parquet").exists():
            return []
        names = [
            p for p in folder.glob(f"{base}*.parquet") if p.stem == base or p.stem.startswith(f"{base}-")
        ]
        return [self.info(p) for p in sorted(names) if _ID_PATTERN.match(p.stem)]

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
        with os.scandir(self.root) as entries:
            folders = sorted(
                (e.name, e.is_symlink()) for e in entries if e.is_dir() and not e.name.startswith(".")
            )
        base = os.fspath(self.root) + os.sep  # (strings: a Path per folder costs thousands of them)
        for folder, linked in folders:
            try:
                name = validate_ticker(folder)
            except InputError:
                continue
            # only a symlink can lead out of the store (a plain folder's parent is the store)
            target = (self.root / folder).resolve() if linked else root / folder
            if target.parent != root:
                self.skipped.append(f"the folder {folder} leads outside the store ({target}); it was skipped")
            elif name != folder:
                self.skipped.append(
                    f"the folder {folder} is not an upper-case ticker; rename it {name} to use it"
                )
            elif _holds_snapshot(base + folder):
                names.append(name)
        return names

    def info(self, path: Path) -> SnapshotInfo:
        """Read a snapshot's footer (see :func:`maxpain.footer.read_info`)."""
        return read_info(path)

    def catalog(
        self, ticker: str, *, columns: list[str] | None = None, validate: bool = False
    ) -> pl.DataFrame:
        """The ticker's catalog, refreshed (see :mod:`maxpain.catalog`): one row per snapshot file,
        oldest first, damaged files included with ``damaged`` set.

        Parameters
        ----------
        ticker
            The underlying.
        columns
            Only these columns (default: all, the per-expiration summaries included).
        validate
            Check every file's size and modification time (files changed in place are read
            again): what listings do.

        Returns
        -------
        polars.DataFrame
            Empty when nothing is stored for ``ticker``.

        Raises
        ------
        InputError
            ``ticker`` is not a ticker symbol, or its folder leads out of the store.
        """
        name = validate_ticker(ticker)
        self._ticker_dir(name)
        return catalog.load(self.root, name, columns=columns, validate=validate)

    def summaries(self, ticker: str) -> pl.DataFrame:
        """Every intact snapshot's per-expiration summary (:mod:`maxpain.summary`), from the
        catalog: max pain, OI and volume totals, top strikes, per snapshot and expiration, without
        reading a single snapshot's rows.

        Parameters
        ----------
        ticker
            The underlying.

        Returns
        -------
        polars.DataFrame
            ``id, captured_at, spot, spot_estimated, partial`` then the summary fields, one row per
            snapshot and expiration, oldest snapshot first.
        """
        frame = self.catalog(ticker).filter(pl.col("damaged").is_null())
        return (
            frame.select("id", "captured_at", "spot", "spot_estimated", "partial", "summary")
            .explode("summary")
            .filter(pl.col("summary").is_not_null())
            .unnest("summary")
        )

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
                listing = self.catalog(name, columns=list(catalog.LISTING_COLUMNS), validate=True)
            except InputError:  # a symlink out of the store
                continue
            found.extend(catalog.infos(listing, self.root, name))
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
        try:
            listing = self.catalog(ticker, columns=list(catalog.LISTING_COLUMNS))
        except InputError:  # a folder that leads out of the store: nothing stored here
            listing = pl.DataFrame(schema={c: catalog.COLUMNS[c] for c in catalog.LISTING_COLUMNS})
        intact = listing.filter(pl.col("damaged").is_null())
        if intact.height == 0:
            stored = ", ".join(self.tickers()) or "none"
            skipped = "".join(f"; {reason}" for reason in self.skipped)
            msg = f"no snapshots of {ticker} in {self.root} (stored tickers: {stored}{skipped}); fetch or import {ticker} first"
            raise NotFoundError(msg)
        selector = (selector or "latest").strip()
        if selector == "latest":
            return self._one(intact.tail(1), ticker)
        try:
            day = date.fromisoformat(selector)
        except ValueError:
            day = None
        if day is not None:
            same_day = intact.filter(pl.col("captured_at").dt.date() == day)
            if same_day.height == 0:
                days = intact.get_column("captured_at").dt.date().unique().sort().cast(pl.String).to_list()
                msg = f"no {ticker} snapshot on {day} (stored days: {_short_list(days)})"
                raise NotFoundError(msg)
            return self._one(same_day.tail(1), ticker)
        exact = intact.filter(pl.col("id") == selector)
        if exact.height:
            return self._one(exact.head(1), ticker)
        prefixed = intact.filter(pl.col("id").str.starts_with(selector))
        if prefixed.height == 1:
            return self._one(prefixed, ticker)
        ids = prefixed.get_column("id").to_list()
        if len(ids) > 1:
            msg = f"{selector!r} matches {len(ids)} {ticker} snapshots ({_short_list(ids)}); give more of the id"
            raise InputError(msg)
        every = intact.get_column("id").to_list()
        msg = f"no {ticker} snapshot matches {selector!r}; use latest, a date (YYYY-MM-DD), an id or its prefix (ids: {_short_list(every)})"
        raise NotFoundError(msg)

    def _one(self, row: pl.DataFrame, ticker: str) -> SnapshotInfo:
        return catalog.infos(row, self.root, ticker)[0]

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
        if info.captured_at is None:
            return None
        earlier = self.catalog(info.ticker, columns=list(catalog.LISTING_COLUMNS)).filter(
            pl.col("damaged").is_null() & (pl.col("captured_at") < info.captured_at)
        )
        return self._one(earlier.tail(1), info.ticker) if earlier.height else None

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
            footer = json.loads(raw[META_KEY])
            meta = ChainMeta.from_dict(footer)
            stored = set(pl.read_parquet_schema(info.path))
            frame = pl.read_parquet(info.path, columns=[c for c in CHAIN_SCHEMA if c in stored], glob=False)
            missing = [c for c in OPTIONAL_COLUMNS if c not in stored]  # stored before they existed
            frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(c) for c in missing)
            frame = frame.select(CHAIN_COLUMNS).cast(CHAIN_SCHEMA)  # type: ignore[arg-type]
        except Exception as error:
            self._recheck(info)  # damaged since the catalog read it: the next resolve knows
            msg = f"snapshot {info.ticker}/{info.id} cannot be read ({type(error).__name__}); it may be damaged: {info.path}"
            raise StoreError(msg) from None
        if info.content_hash and footer.get("content_hash") != info.content_hash:
            self._recheck(info)  # rewritten in place since the catalog read it
        return Chain(frame=frame, meta=meta)

    def _recheck(self, info: SnapshotInfo) -> None:
        try:
            catalog.load(self.root, info.ticker, columns=["id"], recheck=[info.id])
        except InputError:
            pass


def _holds_snapshot(folder: Path | str) -> bool:
    """Whether ``folder`` holds a file named as a snapshot (one listing, stopped at the first)."""
    try:
        with os.scandir(folder) as entries:
            return any(e.name.endswith(".parquet") and _ID_PATTERN.match(e.name[:-8]) for e in entries)
    except OSError:
        return False


def _short_list(items: list[str], limit: int = 6) -> str:
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:3]) + ", ..., " + ", ".join(items[-2:])
