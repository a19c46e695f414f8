"""The scan of many tickers at once: each figure of :func:`maxpain.analyses.scan.scan_ticker`
computed for every ticker in one pass over one frame (segments = ticker × expiration), reading
only the columns the figures need, every trusted catalog and every snapshot in one read each
(:mod:`maxpain.bulk`).

What this pass does not model is left to the one-ticker path, ticker by ticker, so the figures
never differ: a snapshot or its predecessor that is partial or lists adjusted roots, one without a
spot price, a chain without any implied volatility (its IV is solved from mid prices), a file
changed since its catalog row was written, a selector other than ``latest`` or a date, a ticker
whose folder is a symbolic link (it may lead out of the store), and a ticker with nothing stored at
the date (the one-ticker path says why).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import polars as pl

from maxpain import bulk
from maxpain.analyses._frames import rows_where
from maxpain.analyses.build_ups import build_ups_of_many
from maxpain.analyses.flip import segment_gamma
from maxpain.analyses.gamma import CONVENTIONS, DEFAULT_RATE, no_iv_note
from maxpain.analyses.market_tables import (
    chosen_rows,
    listed_sides,
    oi_by_strike,
    rows_by_ticker,
    walls_by_ticker,
)
from maxpain.analyses.max_pain import one_sided_note
from maxpain.analyses.max_pain_segments import max_pain_of_strikes
from maxpain.analyses.walls import wall_notes
from maxpain.analyses.window import window_bounds
from maxpain.chain import note_warnings, strike_thousandths
from maxpain.fields import IV_PLACEHOLDER_MAX
from maxpain.market import monthly_rows, years_to_expiry_rows
from maxpain.neighbours import warnings_of
from maxpain.scan_index import SnapshotFile
from maxpain.store import Store

#: The snapshot columns the scan's figures read (``root`` only to match contracts with an earlier
#: snapshot's: see :func:`scan_batch`).
COLUMNS = (
    "expiration",
    "strike",
    "right",
    "root",
    "open_interest",
    "multiplier",
    "implied_volatility",
)
#: The catalog columns the scan reads (the neighbour checks' and the chosen rows').
CATALOG_COLUMNS = (
    "id",
    "order",
    "suffix",
    "captured_at",
    "spot",
    "contracts",
    "positions",
    "partial",
    "notes",
    "damaged",
    "adjusted_roots",
    "size",
    "mtime_ns",
    "open_counts",
)
#: The columns of the chosen snapshots' rows the figures read (the window's rows are those
#: ``in_window``: filtered as each figure reads them, never copied whole).
_NOW_COLUMNS = (
    "index",
    "expiration",
    "strike",
    "units",
    "right",
    "open_interest",
    "multiplier",
    "implied_volatility",
    "in_window",
)


@dataclass
class Batch:
    """Rows of the tickers scanned together, and the tickers left to the one-ticker path."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)


def _pct(level: float | None, spot: float | None) -> float | None:
    if level is None or spot is None or spot <= 0:
        return None
    return (level - spot) / spot * 100


def _plain(row: dict[str, Any] | None, folder: str) -> bool:
    """Whether a chosen catalog row can go into the combined pass (see the module's docstring);
    ``folder``: the ticker's folder and a separator (paths as strings: thousands of Path objects
    cost seconds)."""
    if row is None:
        return True
    return (
        row["captured_at"] is not None
        and not row["partial"]
        and not row["adjusted_roots"]
        and bulk.unchanged(folder + row["id"] + ".parquet", row["size"], row["mtime_ns"])
    )


def scan_batch(
    store: Store,
    tickers: Sequence[str],
    *,
    at: str = "latest",
    until: date | None = None,
    weeks: int | None = None,
    convention: str = "naive",
    rate: float = DEFAULT_RATE,
    index: bool = False,
) -> Batch:
    """The rows of ``tickers`` at ``at`` that one combined pass can give (see the module's
    docstring); the others are listed in :attr:`Batch.others`. ``index``: read through the store's
    scan index, and keep it (:mod:`maxpain.scan_index`; one pass over the whole store, not a part
    of it among many).

    Raises
    ------
    InputError
        Window options that conflict, or ``until`` before a snapshot's capture date.
    """
    batch = Batch()
    if at != "latest":
        try:
            date.fromisoformat(at)
        except ValueError:  # an id or its prefix: resolved ticker by ticker
            batch.others = list(tickers)
            return batch
    # a symlinked folder may lead out of the store: the one-ticker path checks where it leads
    base = os.fspath(store.root) + os.sep
    linked = {t for t in tickers if os.path.islink(base + t)}
    batch.others += [t for t in tickers if t in linked]
    tickers = [t for t in tickers if t not in linked]
    listings = bulk.catalogs(store.root, tickers, CATALOG_COLUMNS, index=index)
    chosen, earlier = chosen_rows(listings, at)
    now_rows = rows_by_ticker(chosen)
    before_rows = rows_by_ticker(earlier)
    names = []
    for ticker in tickers:
        now = now_rows.get(ticker)
        spot = now["spot"] if now is not None else None
        if (
            now is None
            or spot is None
            or not spot > 0
            or not _plain(now, base + ticker + os.sep)
            or not _plain(before_rows.get(ticker), base + ticker + os.sep)
        ):
            batch.others.append(ticker)
        else:
            names.append(ticker)
    if not names:
        return batch
    files = [(t, now_rows[t], True) for t in names]
    files += [(t, before_rows[t], False) for t in names if t in before_rows]
    # without an earlier snapshot to match contracts with, the roots are not read (millions of
    # strings); files read one by one are indexed with them all the same
    compared = len(files) > len(names)
    try:
        rows = bulk.read_snapshots(
            store.root,
            [SnapshotFile(t, r["id"], r["size"], r["mtime_ns"], r["contracts"]) for t, r, _ in files],
            COLUMNS if compared else [c for c in COLUMNS if c != "root"],
            index=index,
            indexed=COLUMNS,
        )
    except Exception:  # a file that cannot be read: the one-ticker path says which, and why
        batch.others += names
        return batch
    position = {t: i for i, t in enumerate(names)}
    file_index = np.array([position[t] for t, _, _ in files], dtype=np.int64)
    file_later = np.array([later for _, _, later in files], dtype=bool)
    file_of_row = rows.get_column("file").to_numpy()
    index_of_row = file_index[file_of_row]
    rows = rows.with_columns(
        index=pl.Series(index_of_row),
        later=pl.Series(file_later[file_of_row]),
        units=strike_thousandths(pl.col("strike")),
    )
    # which chosen snapshots list an IV: rows come in file order, file k the snapshot of ticker k
    starts = np.searchsorted(file_of_row, np.arange(len(names) + 1))
    filled = np.flatnonzero(starts[1:] > starts[:-1])
    has_iv = np.zeros(len(names), dtype=bool)
    if filled.shape[0]:
        listed_iv = rows.get_column("implied_volatility").slice(0, int(starts[-1])).is_not_null()
        has_iv[filled] = np.logical_or.reduceat(listed_iv.to_numpy(), starts[filled])
    # a chain without any IV (or without rows) has it solved from mid prices: the one-ticker path
    solved = set(np.flatnonzero(~has_iv).tolist())
    if solved:
        batch.others += [names[i] for i in sorted(solved)]
        rows = rows.filter(~pl.col("index").is_in(sorted(solved)))
    if len(solved) < len(names):
        _Pass(names, solved, now_rows, before_rows, listings, until, weeks, convention, rate).run(
            rows, batch.rows
        )
    return batch


class _Pass:
    """One combined pass over the chosen snapshots' rows and their predecessors' (``index`` is the
    ticker's position in ``names``, ``later`` tells the chosen snapshot's rows)."""

    def __init__(
        self,
        names: list[str],
        skipped: set[int],
        now_rows: dict[str, dict[str, Any]],
        before_rows: dict[str, dict[str, Any]],
        listings: pl.DataFrame,
        until: date | None,
        weeks: int | None,
        convention: str,
        rate: float,
    ) -> None:
        self.names = names
        self.kept = [i for i in range(len(names)) if i not in skipped]
        self.now_rows = now_rows
        self.before_rows = before_rows
        self.compared = [i for i in self.kept if names[i] in before_rows]  # with a snapshot before
        self.listings = listings
        self.convention = convention
        self.rate = rate
        self.bounds = [window_bounds(now_rows[t]["captured_at"], until=until, weeks=weeks) for t in names]
        epoch = date(1970, 1, 1)
        self.start_days = np.array([(b[0] - epoch).days for b in self.bounds], dtype=np.int32)
        self.end_days = np.array([(b[1] - epoch).days for b in self.bounds], dtype=np.int32)

    def run(self, rows: pl.DataFrame, out: dict[str, dict[str, Any]]) -> None:
        names = self.names
        index = rows.get_column("index").to_numpy()
        days = rows.get_column("expiration").cast(pl.Int32).to_numpy()
        start = self.start_days[index]
        rows = rows.with_columns(in_window=pl.Series((days >= start) & (days <= self.end_days[index])))
        if self.compared:  # (what the build-up reads)
            rows = rows.with_columns(live=pl.Series(days >= start), ahead=pl.Series(days > start))
        # the chosen snapshots' rows, with the columns the figures read: the chosen files are read
        # first, so their rows are one slice of the frame, not a copy
        now = rows_where(rows.select(*_NOW_COLUMNS), rows.get_column("later").to_numpy())
        neighbours = warnings_of(self.listings, {names[i]: self.now_rows[names[i]]["id"] for i in self.kept})
        monthly, one_sided = self._expirations(now)
        strikes = oi_by_strike(now, pl.col("in_window"))
        pooled = self._pooled(strikes)
        walls = walls_by_ticker(strikes)
        build_ups, change_warnings = self._changes(rows)
        net, flips, gamma_notes = self._gamma(now)
        nets = net.tolist()
        flip_of = [None if math.isnan(f) else f for f in flips.tolist()]
        for i in self.kept:
            ticker = names[i]
            row = self.now_rows[ticker]
            spot = row["spot"]
            start_day, end_day = self.bounds[i]
            put_wall, call_wall, put_total, call_total = walls.get(i, (None, None, 0, 0))
            expiration, monthly_max_pain = monthly.get(i, (None, None))
            warnings = [
                *neighbours.get(ticker, []),
                # a whole snapshot's notes (partial ones go one by one)
                *(note_warnings(row["notes"]) if row["notes"] else ()),
                # pooled max pain is computed for every ticker with an expiration in its window
                *wall_notes(start_day, end_day, listed=i in pooled, open_interest=put_total + call_total),
                *one_sided.get(i, []),
                *change_warnings.get(i, []),
                *gamma_notes.get(i, []),
            ]
            flip = flip_of[i]
            out[ticker] = {
                "ticker": ticker,
                "snapshot": row["id"],
                "captured_at": row["captured_at"],
                "spot": spot,
                "monthly_expiration": expiration,
                "monthly_max_pain": monthly_max_pain,
                "monthly_distance_pct": _pct(monthly_max_pain, spot),
                "pooled_max_pain": pooled.get(i),
                "put_wall": put_wall,
                "put_wall_distance_pct": _pct(put_wall, spot),
                "call_wall": call_wall,
                "call_wall_distance_pct": _pct(call_wall, spot),
                "put_call_oi": put_total / call_total if call_total else None,
                "top_build_up": build_ups.get(i),
                "net_gex": nets[i],
                "flip": flip,
                "flip_distance_pct": _pct(flip, spot),
                "warnings": list(dict.fromkeys(warnings)),
            }

    def _expirations(self, now: pl.DataFrame) -> tuple[dict[int, tuple[date, Any]], dict[int, list[str]]]:
        """Each ticker's nearest monthly expiration and its max pain (computed for that
        expiration alone, from its strike table), and the warnings of the expirations listing one
        side only."""
        index = now.get_column("index").to_numpy()
        days = now.get_column("expiration").cast(pl.Int32).to_numpy()
        listed = listed_sides(now, index, days)
        one_sided: dict[int, list[str]] = {}
        noted: set[tuple[int, date]] = set()
        for i, expiration, note in (
            listed.with_columns(note=one_sided_note())
            .filter(pl.col("note").is_not_null())
            .select("index", "expiration", "note")
            .iter_rows()
        ):
            one_sided.setdefault(i, []).append(f"{expiration}: {note}")
            noted.add((i, expiration))
        # the first monthly on or after each ticker's window start (listings in (index, day) order)
        tickers = listed.get_column("index").to_numpy()
        listed_days = listed.get_column("expiration").cast(pl.Int32).to_numpy()
        found = np.flatnonzero(monthly_rows(listed_days, tickers) & (listed_days >= self.start_days[tickers]))
        first = found[np.unique(tickers[found], return_index=True)[1]]
        chosen_day = np.full(len(self.names), np.iinfo(np.int32).min, dtype=np.int32)
        chosen_day[tickers[first]] = listed_days[first]
        at_monthly = pl.lit(pl.Series(days == chosen_day[index]))
        table = max_pain_of_strikes(oi_by_strike(now, at_monthly), ["index"]).filter(
            pl.col("max_pain").is_not_null()
        )
        # the strike as stored (the lowest at those thousandths), as the one-ticker path reads it
        # off the contracts: a made-up 7.6000000000000005 is not 7600 / 1000
        stored = (
            now.lazy()
            .filter(at_monthly)
            .join(
                table.lazy().select("index", units=strike_thousandths(pl.col("max_pain"))),
                on=["index", "units"],
            )
            .group_by("index")
            .agg(pl.col("strike").min())
            .collect()
        )
        pains = dict(zip(stored["index"].to_list(), stored["strike"].to_list(), strict=True))
        epoch = date(1970, 1, 1)
        monthly = {}
        for i, day in zip(tickers[first].tolist(), listed_days[first].tolist(), strict=True):
            expiration = epoch + timedelta(days=day)
            monthly[i] = (expiration, None if (i, expiration) in noted else pains.get(i))
        return monthly, one_sided

    def _pooled(self, strikes: pl.DataFrame) -> dict[int, float | None]:
        """Each ticker's pooled max pain of its window, from its open interest by strike
        (:func:`~maxpain.analyses.market_tables.oi_by_strike`; tickers without a window expiration
        are left out)."""
        table = max_pain_of_strikes(strikes, ["index"])
        return dict(zip(table["index"].to_list(), table["max_pain"].to_list(), strict=True))

    def _changes(self, rows: pl.DataFrame) -> tuple[dict[int, dict[str, Any]], dict[int, list[str]]]:
        """Each ticker's largest OI build-up since its previous snapshot (with that snapshot's id),
        and the comparison's warnings."""
        captured = {
            i: (self.before_rows[self.names[i]]["captured_at"], self.now_rows[self.names[i]]["captured_at"])
            for i in self.compared
        }
        build_ups, warnings = build_ups_of_many(rows, captured, len(self.names))
        for i, build_up in build_ups.items():
            build_up["since"] = self.before_rows[self.names[i]]["id"]
        return build_ups, warnings

    def _gamma(self, now: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, dict[int, list[str]]]:
        """Each ticker's net GEX at spot and gamma flip over its window (as
        :func:`maxpain.analyses.gamma.gamma_exposure`), and its note on contracts without IV."""
        call_sign, put_sign = CONVENTIONS[self.convention]
        oi = pl.col("open_interest")
        iv = pl.col("implied_volatility").cast(pl.Float64)
        sign = pl.when(pl.col("right") == "C").then(float(call_sign)).otherwise(float(put_sign))
        # the window's contracts holding open interest (the others weigh nothing)
        arrays = (
            now.lazy()
            .filter(pl.col("in_window") & (oi > 0))
            .select(
                "index",
                days=pl.col("expiration").cast(pl.Int32),
                strike=pl.col("strike").cast(pl.Float64),
                iv=pl.when(iv > IV_PLACEHOLDER_MAX).then(iv).otherwise(float("nan")),
                weight=(sign * oi * pl.col("multiplier")).cast(pl.Float64),
            )
            .collect()
        )
        column = {name: arrays.get_column(name).to_numpy() for name in arrays.columns}
        index = column["index"]
        captured = [self.now_rows[t]["captured_at"] for t in self.names]
        years = years_to_expiry_rows(captured, index, column["days"])
        live = years > 0.0
        usable = ~np.isnan(column["iv"])
        no_iv = np.bincount(index[live & ~usable], minlength=len(self.names))
        counted = np.flatnonzero(live & usable)
        if counted.shape[0] > 1 and np.any(np.diff(index[counted]) < 0):  # contracts grouped by ticker
            counted = counted[np.argsort(index[counted], kind="stable")]
        offsets = np.concatenate(([0], np.cumsum(np.bincount(index[counted], minlength=len(self.names)))))
        spots = np.array([float(self.now_rows[t]["spot"] or 0.0) for t in self.names])
        net, flips = segment_gamma(
            spots,
            offsets.astype(np.int64),
            np.ascontiguousarray(column["strike"][counted]),
            np.ascontiguousarray(years[counted]),
            np.ascontiguousarray(column["iv"][counted]),
            self.rate,
            np.ascontiguousarray(column["weight"][counted]),
        )
        notes = {int(i): [no_iv_note(int(no_iv[i]))] for i in np.flatnonzero(no_iv)}
        return net, flips, notes
