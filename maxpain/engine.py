"""Where the per-ticker (and, for a history, per-date) work of ``history``, ``pinning`` and ``scan``
runs: on this machine, a thread per core (the default), or as tasks of a Dask cluster.

Both engines run the same functions: each task opens the store by its path (a folder every worker
can read: a shared or network file system), computes one ticker's or one date range's part with the
same kernels, and returns frames and dicts that the client combines exactly as the local engine
does, so the results are identical. Dask is imported only when asked for (``pip install
'maxpain[dask]'``); the scheduling, retries and data movement are Dask's own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from maxpain.errors import InputError, NetworkError
from maxpain.timeline import in_threads

T = TypeVar("T")
R = TypeVar("R")

ENGINES = ("local", "dask")


class Engine(Protocol):
    """Runs ``function`` over ``items`` and returns the results in order."""

    name: str

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> list[R]: ...

    def close(self) -> None: ...


class LocalEngine:
    """A thread per core on this machine."""

    name = "local"

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> list[R]:
        return in_threads(function, items)

    def close(self) -> None:
        """Nothing to release."""


class DaskEngine:
    """Tasks on a Dask cluster: the one at ``scheduler`` (``tcp://host:8786``), or a
    ``LocalCluster`` of ``workers`` processes started for the command."""

    name = "dask"

    def __init__(self, scheduler: str | None = None, *, workers: int | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            msg = "the Dask engine needs Dask: pip install 'maxpain[dask]' (dask and distributed)"
            raise InputError(msg, parameter="engine") from None
        import logging

        logging.getLogger("distributed").setLevel(logging.ERROR)  # the command says what went wrong
        self.scheduler = scheduler
        self._cluster: Any = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="10s")
            else:
                self._cluster = LocalCluster(
                    n_workers=workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
                self.client = Client(self._cluster)
        except (OSError, TimeoutError) as error:
            msg = f"cannot reach the Dask scheduler at {scheduler} ({type(error).__name__}); is it running?"
            raise NetworkError(msg, parameter="scheduler") from None
        except RuntimeError as error:  # a local cluster whose workers could not start
            msg = f"could not start a local Dask cluster ({error}); try --engine local"
            raise NetworkError(msg, parameter="engine") from None

    def map(self, function: Callable[[T], R], items: Sequence[T]) -> list[R]:
        futures = self.client.map(function, list(items), pure=False)
        return list(self.client.gather(futures))

    def close(self) -> None:
        """Disconnect, and stop the local cluster if this engine started one."""
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_engine(name: str = "local", scheduler: str | None = None, *, workers: int | None = None) -> Engine:
    """The engine called ``name`` (``local`` or ``dask``).

    Raises
    ------
    InputError
        An unknown engine, a scheduler without the Dask engine, or Dask not installed.
    NetworkError
        The scheduler cannot be reached.
    """
    if name not in ENGINES:
        msg = f"unknown engine {name!r}; use {' or '.join(ENGINES)}"
        raise InputError(msg, parameter="engine")
    if name == "local":
        if scheduler:
            raise InputError("--scheduler goes with --engine dask", parameter="scheduler")
        return LocalEngine()
    return DaskEngine(scheduler, workers=workers)
