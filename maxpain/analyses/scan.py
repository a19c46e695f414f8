"""A scan: one row per ticker at a date, with the figures the single-ticker views give for it.

Each row holds the figures ``report``, ``walls``, ``diff`` and ``gex`` give for its ticker: the
snapshot of the date (the last of that UTC day; default
the latest), its nearest monthly expiration's max pain, the window's pooled max pain and walls,
P/C by OI, the largest OI build-up since the snapshot stored before it, net GEX and the gamma
flip. :func:`scan` computes them for all tickers in one combined pass
(:mod:`maxpain.analyses.market_scan`); :func:`scan_ticker`, the reference the pass is tested
against, computes the rows the pass leaves (tickers side by side on a thread per core).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import TYPE_CHECKING, Any

import polars as pl

from maxpain.adjusted import standard_chain
from maxpain.analyses.gamma import DEFAULT_RATE, _signs, gamma_exposure
from maxpain.analyses.max_pain import max_pain_by_expiration, one_sided_warnings
from maxpain.analyses.oi_change import open_interest_change
from maxpain.analyses.walls import find_walls
from maxpain.analyses.window import make_window
from maxpain.choices import SCAN_SORTABLE
from maxpain.errors import InputError, NotFoundError, StoreError
from maxpain.market import is_monthly, trading_day
from maxpain.snapshot import open_snapshot
from maxpain.store import Store
from maxpain.timeline import in_threads

if TYPE_CHECKING:
    from maxpain.engine import Engine

#: The row fields, in the order a table shows them (JSON keeps the same names).
FIELDS = (
    "ticker",
    "snapshot",
    "captured_at",
    "spot",
    "monthly_expiration",
    "monthly_max_pain",
    "monthly_distance_pct",
    "pooled_max_pain",
    "put_wall",
    "put_wall_distance_pct",
    "call_wall",
    "call_wall_distance_pct",
    "put_call_oi",
    "top_build_up",
    "net_gex",
    "flip",
    "flip_distance_pct",
    "warnings",
)
#: Fields ``--sort`` accepts (numbers; a build-up sorts by its change).
SORTABLE = SCAN_SORTABLE


@dataclass(frozen=True)
class Scan:
    """Rows of the tickers scanned, and the tickers with nothing to scan at the date."""

    at: str
    rows: list[dict[str, Any]]
    missing: list[tuple[str, str]]  # (ticker, why)
    convention: str
    rate: float
    sort: str = "ticker"


def _pct(level: float | None, spot: float | None) -> float | None:
    if level is None or spot is None or spot <= 0:
        return None
    return (level - spot) / spot * 100


def scan_ticker(
    store: Store,
    ticker: str,
    *,
    at: str = "latest",
    until: date | None = None,
    weeks: int | None = None,
    convention: str = "naive",
    rate: float = DEFAULT_RATE,
    include_adjusted: bool = False,
) -> dict[str, Any]:
    """One ticker's row (see :data:`FIELDS`).

    Raises
    ------
    NotFoundError
        No snapshot of ``ticker`` at ``at``.
    """
    opened = open_snapshot(store, ticker, at)
    chain = standard_chain(opened.chain, include_adjusted=include_adjusted)
    spot = chain.meta.spot
    day = trading_day(chain.meta.captured_at)
    window = make_window(chain, until=until, weeks=weeks)
    table = max_pain_by_expiration(chain)
    listed = table.get_column("expiration").to_list()
    monthly = next((e for e in listed if e >= day and is_monthly(e, listed)), None)
    monthly_max_pain = (
        table.filter(pl.col("expiration") == monthly).get_column("max_pain").item() if monthly else None
    )
    walls = find_walls(chain, window, top=1)
    put_wall = walls.put_walls.get_column("strike").item() if walls.put_walls.height else None
    call_wall = walls.call_walls.get_column("strike").item() if walls.call_walls.height else None
    warnings = [*opened.warnings, *walls.notes, *one_sided_warnings(table)]
    build_up = None
    previous = store.previous(opened.info) if opened.info is not None else None
    if previous is not None:
        earlier = standard_chain(store.load(previous), include_adjusted=include_adjusted)
        change = open_interest_change(earlier, chain)
        largest = change.largest_build_up()
        warnings += change.warnings
        if largest is not None:
            build_up = {
                "expiration": largest["expiration"],
                "strike": largest["strike"],
                "right": "call" if largest["right"] == "C" else "put",
                "change": largest["change"],
                "oi_to": largest["oi_to"],
                "since": previous.id,
            }
    net_gex = flip = None
    try:
        gamma = gamma_exposure(chain, until=until, weeks=weeks, convention=convention, rate=rate)
        net_gex, flip = gamma.total_gex, gamma.flip
        warnings += gamma.notes
    except InputError as error:  # no spot: no gamma, said in the row
        warnings.append(str(error))
    return {
        "ticker": chain.underlying,
        "snapshot": opened.id,
        "captured_at": chain.meta.captured_at,
        "spot": spot,
        "monthly_expiration": monthly,
        "monthly_max_pain": monthly_max_pain,
        "monthly_distance_pct": _pct(monthly_max_pain, spot),
        "pooled_max_pain": walls.pooled.strike,
        "put_wall": put_wall,
        "put_wall_distance_pct": _pct(put_wall, spot),
        "call_wall": call_wall,
        "call_wall_distance_pct": _pct(call_wall, spot),
        "put_call_oi": walls.put_call_oi_ratio,
        "top_build_up": build_up,
        "net_gex": net_gex,
        "flip": flip,
        "flip_distance_pct": _pct(flip, spot),
        "warnings": list(dict.fromkeys(warnings)),
    }


def scan_task(root: str, ticker: str, **options: Any) -> dict[str, Any] | tuple[str, str]:
    """One ticker on the one-ticker path: its row, or ``(ticker, why)`` when it has nothing at
    the date."""
    try:
        return scan_ticker(Store(root), ticker, **options)
    except (NotFoundError, StoreError) as error:
        return ticker, str(error)


def scan_part(
    root: str, tickers: Sequence[str], *, index: bool = False, **options: Any
) -> list[dict[str, Any] | tuple[str, str]]:
    """One engine task: the rows of ``tickers``, in the order given, from one combined pass
    (:func:`maxpain.analyses.market_scan.scan_batch`, through the store's scan index when
    ``index``), the tickers it leaves each on the one-ticker path (a thread per core); ``(ticker,
    why)`` for a ticker with nothing at the date. (Snapshots listing adjusted roots always take the
    one-ticker path, so ``include_adjusted`` only reaches it.)"""
    from maxpain.analyses.market_scan import scan_batch

    batch = scan_batch(
        Store(root),
        tickers,
        index=index,
        **{k: v for k, v in options.items() if k != "include_adjusted"},
    )
    alone = in_threads(partial(scan_task, root, **options), batch.others)
    found: dict[str, dict[str, Any] | tuple[str, str]] = dict(batch.rows)
    found.update(zip(batch.others, alone, strict=True))
    return [found[t] for t in tickers]


#: On a distributed engine: at most this many tickers per task, and at least this many tasks
#: (when there are as many tickers), so that every worker gets a share.
PART_TICKERS = 250
MIN_PARTS = 8


def scan(
    store: Store,
    tickers: Sequence[str],
    *,
    at: str = "latest",
    until: date | None = None,
    weeks: int | None = None,
    convention: str = "naive",
    rate: float = DEFAULT_RATE,
    include_adjusted: bool = False,
    sort: str = "ticker",
    top: int | None = None,
    engine: Engine | None = None,
) -> Scan:
    """Rows for ``tickers`` at ``at`` (a date or ``latest``), sorted and cut to ``top``; each
    ticker a task of ``engine`` (default: a thread per core here).

    A ticker with no snapshot at ``at`` (or only a damaged one) is listed in ``missing`` with the
    reason instead of failing the scan.

    Raises
    ------
    InputError
        An unknown sort field, or window options that conflict.
    """
    if sort not in SORTABLE:
        msg = f"cannot sort by {sort!r}; use one of {', '.join(SORTABLE)}"
        raise InputError(msg, parameter="sort")
    _signs(convention)
    task = partial(
        scan_part,
        str(store.root),
        at=at,
        until=until,
        weeks=weeks,
        convention=convention,
        rate=rate,
        include_adjusted=include_adjusted,
    )
    names = list(tickers)
    if engine is None:  # one pass over them all: through the store's scan index
        results = task(names, index=True)
    else:  # partitioned by ticker: each part one combined pass on a worker
        size = max(1, min(PART_TICKERS, -(-len(names) // MIN_PARTS)))
        parts = [names[i : i + size] for i in range(0, len(names), size)]
        results = [r for part in engine.map(task, parts) for r in part]
    rows = [r for r in results if isinstance(r, dict)]
    missing = [r for r in results if isinstance(r, tuple)]
    rows = sort_rows(rows, sort)
    return Scan(at, rows[:top] if top else rows, missing, convention, rate, sort)


def sort_rows(rows: list[dict[str, Any]], field: str) -> list[dict[str, Any]]:
    """Rows by ``field``: the ticker A→Z; numbers largest first (by size for signed distances and
    GEX: the extreme rows lead); rows without the figure last."""
    if field == "ticker":
        return sorted(rows, key=lambda r: r["ticker"])

    def value(row: dict[str, Any]) -> float | None:
        figure = row[field]
        if field == "top_build_up":
            return None if figure is None else float(figure["change"])
        if figure is None:
            return None
        return abs(float(figure)) if field.endswith("_pct") or field == "net_gex" else float(figure)

    known = [r for r in rows if value(r) is not None]
    unknown = [r for r in rows if value(r) is None]
    return sorted(known, key=lambda r: (-value(r), r["ticker"])) + sorted(unknown, key=lambda r: r["ticker"])  # type: ignore[operator]
