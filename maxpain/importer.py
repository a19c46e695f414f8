"""Importing many files: folders walked recursively, files read on every core, one outcome each.

Each file is read, normalized and stored by itself (a worker process per core for more than a
few files; the store's writes are atomic and safe for concurrent writers), so a bad file costs
only itself. Nothing here prints: :func:`import_files` yields an :class:`Outcome` per file, in the
order given, and the command line shows them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path

from maxpain.chain import ChainMeta
from maxpain.errors import InputError, MaxpainError, NotAChainError, StoreError
from maxpain.store import SaveResult, Store

#: The files a folder walk picks up (by suffix, case ignored); hidden files and folders are skipped.
SUFFIXES = frozenset({".parquet", ".pq", ".csv", ".tsv", ".txt", ".json"})
#: Fewer files than this are imported in this process (starting workers costs more than it saves).
PARALLEL_FROM = 8


@dataclass
class Outcome:
    """What became of one file: ``stored``, ``already stored``, ``refused`` (a chain that could not
    be used, ``error`` says why) or ``not a chain`` (a file in a walked folder that is no option
    chain at all: a manifest, a README)."""

    path: str
    status: str
    meta: ChainMeta | None = None
    result: SaveResult | None = None
    error: str | None = None
    exit_code: int = 0
    parameter: str | None = None
    warnings: list[str] = field(default_factory=list)


def expand(paths: Sequence[str | Path]) -> tuple[list[Path], set[Path]]:
    """The files to import: each path as given, a folder's files (recursively) in name order.

    Returns
    -------
    tuple
        The files, and the set of those found by walking a folder (a file there that is not a
        chain is passed over, not refused).
    """
    files: list[Path] = []
    walked: set[Path] = set()
    for given in paths:
        path = Path(given)
        if not path.is_dir():
            files.append(path)
            continue
        found = sorted(
            p
            for p in path.rglob("*")
            if p.suffix.lower() in SUFFIXES
            and p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        files.extend(found)
        walked.update(found)
    return files, walked


@dataclass(frozen=True)
class _Job:
    store: str
    path: str
    walked: bool
    ticker: str | None
    captured_at: datetime | None
    force_ticker: bool


def _import_one(job: _Job) -> Outcome:
    """Read and store one file; every failure becomes an outcome naming the file."""
    from maxpain.sources.files import read_file

    try:
        chain = read_file(
            job.path, ticker=job.ticker, captured_at=job.captured_at, force_ticker=job.force_ticker
        )
        result = Store(job.store).save(chain)
    except NotAChainError as error:
        status = "not a chain" if job.walked else "refused"
        return Outcome(
            job.path, status, error=str(error), exit_code=error.exit_code, parameter=error.parameter
        )
    except MaxpainError as error:
        message = f"{job.path}: {error}" if isinstance(error, StoreError) else str(error)
        return Outcome(
            job.path, "refused", error=message, exit_code=error.exit_code, parameter=error.parameter
        )
    except OSError as error:  # disk full, permissions: the store could not take it
        return Outcome(
            job.path,
            "refused",
            error=f"{job.path}: cannot be stored ({error.strerror or error})",
            exit_code=StoreError.exit_code,
        )
    except Exception as error:  # a polars ComputeError and the like: the file, not us
        first = str(error).strip().splitlines()[0][:160] if str(error).strip() else ""
        return Outcome(
            job.path,
            "refused",
            error=f"{job.path}: cannot be read ({type(error).__name__}: {first})",
            exit_code=InputError.exit_code,
        )
    except BaseException as error:  # polars' PanicException derives from BaseException
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        return Outcome(
            job.path,
            "refused",
            error=f"{job.path}: the reader crashed on it ({type(error).__name__})",
            exit_code=InputError.exit_code,
        )
    return Outcome(job.path, "stored" if result.created else "already stored", meta=chain.meta, result=result)


def import_files(
    store: Store,
    files: Sequence[Path],
    *,
    walked: set[Path] | None = None,
    ticker: str | None = None,
    captured_at: datetime | None = None,
    force_ticker: bool = False,
    workers: int | None = None,
    started: Callable[[int], None] | None = None,
) -> Iterator[Outcome]:
    """Import ``files`` into ``store``, yielding an :class:`Outcome` per file in their order.

    Parameters
    ----------
    store
        Where to store them.
    files
        From :func:`expand`.
    walked
        Files found by walking a folder: one that is not a chain at all is passed over.
    ticker, captured_at, force_ticker
        As :func:`maxpain.sources.files.read_file`, for every file.
    workers
        Processes to read with; default one per core (at most 8), one for fewer than
        :data:`PARALLEL_FROM` files.
    started
        Called once with the number of processes used.
    """
    walked = walked or set()
    jobs = [_Job(str(store.root), str(p), p in walked, ticker, captured_at, force_ticker) for p in files]
    count = workers or min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM:
        count = 1
    if started is not None:
        started(count)
    if count <= 1:
        for job in jobs:
            yield _import_one(job)
        return
    # spawned workers (forking a process that runs polars' thread pool can deadlock), each with one
    # polars thread: the cores are shared between processes, and one file's frames are small
    threads = os.environ.get("POLARS_MAX_THREADS")
    os.environ["POLARS_MAX_THREADS"] = "1"
    try:
        with ProcessPoolExecutor(max_workers=count, mp_context=get_context("spawn")) as pool:
            try:
                yield from pool.map(_import_one, jobs, chunksize=max(1, min(16, len(jobs) // (count * 8))))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    finally:
        if threads is None:
            os.environ.pop("POLARS_MAX_THREADS", None)
        else:
            os.environ["POLARS_MAX_THREADS"] = threads
