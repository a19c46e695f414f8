"""The scan of many tickers at once: each figure of :func:`maxpain.analyses.scan.scan_ticker`
computed for every ticker in one pass over one frame (segments = ticker × expiration), reading
only the columns the figures need, every trusted catalog and every snapshot in one read each
(:mod:`maxpain.bulk`).

What this pass does not model is left to the one-ticker path, ticker by ticker, so the figures
never differ: a snapshot or its predecessor that is partial or lists adjusted roots, one without a
spot price, a chain without any implied volatility (its IV is solved from mid prices), a file
changed since its catalog row was written, a selector other than ``latest`` or a date, and a
ticker with nothing stored at the date (the one-ticker path says why).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from maxpain import bulk
from maxpain.analyses.gamma import CONVENTIONS, DEFAULT_RATE, no_iv_note, segment_gamma
from maxpain.analyses.max_pain import expiration_table, max_pain_table
from maxpain.analyses.oi_change import expired_message, publication_messages, thin_message
from maxpain.analyses.window import window_bounds
from maxpain.catalog import LISTING_COLUMNS
from maxpain.chain import note_warnings, strike_thousandths
from maxpain.fields import IV_PLACEHOLDER_MAX
from maxpain.market import is_monthly, trading_day, years_to_expiry
from maxpain.neighbours import warnings_of
from maxpain.quality import Comparison
from maxpain.store import Store

#: The snapshot columns the scan's figures read.
COLUMNS = (
    "expiration",
    "strike",
    "right",
    "root",
    "open_interest",
    "volume",
    "multiplier",
    "implied_volatility",
)
_KEYS = ["ticker", "root", "expiration", "units", "right"]


@dataclass
class Batch:
    """Rows of the tickers scanned together, and the tickers left to the one-ticker path."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)


def _pct(level: float | None, spot: float | None) -> float | None:
    if level is None or spot is None or spot <= 0:
        return None
    return (level - spot) / spot * 100


def _chosen(listings: pl.DataFrame, at: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Each ticker's snapshot at ``at`` (its last intact one that UTC day, or its latest) and the
    intact snapshot stored before it, as :meth:`Store.resolve` and :meth:`Store.previous` pick."""
    intact = listings.filter(pl.col("damaged").is_null())
    if at != "latest":
        day = date.fromisoformat(at)
        chosen = intact.filter(pl.col("captured_at").dt.date() == day)
    else:
        chosen = intact
    chosen = chosen.group_by("ticker", maintain_order=True).last()
    earlier = (
        intact.join(chosen.select("ticker", now=pl.col("captured_at")), on="ticker", maintain_order="left")
        .filter(pl.col("captured_at") < pl.col("now"))
        .group_by("ticker", maintain_order=True)
        .last()
    )
    return chosen, earlier


def _plain(row: dict[str, Any] | None, store: Store, ticker: str) -> bool:
    """Whether a chosen catalog row can go into the combined pass (see the module's docstring)."""
    if row is None:
        return True
    return (
        row["captured_at"] is not None
        and not row["partial"]
        and not row["adjusted_roots"]
        and bulk.unchanged(store.root / ticker / f"{row['id']}.parquet", row["size"], row["mtime_ns"])
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
) -> Batch:
    """The rows of ``tickers`` at ``at`` that one combined pass can give (see the module's
    docstring); the others are listed in :attr:`Batch.others`.

    Raises
    ------
    InputError
        Window options that conflict, or ``until`` before a snapshot's capture date.
    """
    batch = Batch()
    try:
        date.fromisoformat(at) if at != "latest" else None
    except ValueError:  # an id or its prefix: resolved ticker by ticker
        batch.others = list(tickers)
        return batch
    listings = bulk.catalogs(store.root, tickers, [*LISTING_COLUMNS, "open_counts"])
    chosen, earlier = _chosen(listings, at)
    now_rows = {r["ticker"]: r for r in chosen.iter_rows(named=True)}
    before_rows = {r["ticker"]: r for r in earlier.iter_rows(named=True)}
    names = []
    for ticker in tickers:
        now = now_rows.get(ticker)
        spot = now["spot"] if now is not None else None
        if (
            now is None
            or spot is None
            or not spot > 0
            or not _plain(now, store, ticker)
            or not _plain(before_rows.get(ticker), store, ticker)
        ):
            batch.others.append(ticker)
        else:
            names.append(ticker)
    if not names:
        return batch
    files = [(t, now_rows[t]["id"], True) for t in names]
    files += [(t, before_rows[t]["id"], False) for t in names if t in before_rows]
    try:
        rows = bulk.snapshot_rows([store.root / t / f"{i}.parquet" for t, i, _ in files], COLUMNS)
    except Exception:  # a file that cannot be read: the one-ticker path says which, and why
        batch.others += names
        return batch
    owners = pl.DataFrame(
        {
            "file": range(len(files)),
            "ticker": [t for t, _, _ in files],
            "later": [later for _, _, later in files],
        },
        schema={"file": pl.Int64, "ticker": pl.String, "later": pl.Boolean},
    )
    rows = rows.join(owners, on="file", maintain_order="left").with_columns(
        units=strike_thousandths(pl.col("strike"))
    )
    now = rows.filter(pl.col("later"))
    has_iv = now.group_by("ticker").agg(pl.col("implied_volatility").is_not_null().any())
    solved = set(has_iv.filter(~pl.col("implied_volatility")).get_column("ticker").to_list())
    if solved:  # IV solved from mid prices: the one-ticker path
        batch.others += [t for t in names if t in solved]
        names = [t for t in names if t not in solved]
        rows = rows.filter(~pl.col("ticker").is_in(sorted(solved)))
        now = now.filter(~pl.col("ticker").is_in(sorted(solved)))
    if not names:
        return batch
    _Pass(names, now_rows, before_rows, listings, until, weeks, convention, rate).run(
        rows, now, batch.rows
    )
    return batch


class _Pass:
    """One combined pass over the chosen snapshots' rows (``now``) and their predecessors'."""

    def __init__(
        self,
        names: list[str],
        now_rows: dict[str, dict[str, Any]],
        before_rows: dict[str, dict[str, Any]],
        listings: pl.DataFrame,
        until: date | None,
        weeks: int | None,
        convention: str,
        rate: float,
    ) -> None:
        self.names = names
        self.now_rows = now_rows
        self.before_rows = before_rows
        self.listings = listings
        self.convention = convention
        self.rate = rate
        self.bounds = {t: window_bounds(now_rows[t]["captured_at"], until=until, weeks=weeks) for t in names}
        self.info = pl.DataFrame(
            {
                "ticker": names,
                "index": range(len(names)),
                "start": [self.bounds[t][0] for t in names],
                "end": [self.bounds[t][1] for t in names],
            },
            schema={"ticker": pl.String, "index": pl.Int64, "start": pl.Date, "end": pl.Date},
        )

    def run(self, rows: pl.DataFrame, now: pl.DataFrame, out: dict[str, dict[str, Any]]) -> None:
        names = self.names
        neighbours = warnings_of(self.listings, {t: self.now_rows[t]["id"] for t in names})
        monthly, one_sided = self._expirations(now)
        window = now.join(self.info, on="ticker", maintain_order="left").filter(
            pl.col("expiration").is_between(pl.col("start"), pl.col("end"))
        )
        pooled = self._pooled(window)
        walls = self._walls(window)
        build_ups, change_warnings = self._changes(rows)
        net, flips, gamma_notes = self._gamma(window)
        for i, ticker in enumerate(names):
            row = self.now_rows[ticker]
            spot = row["spot"]
            start, end = self.bounds[ticker]
            put_wall, call_wall, put_total, call_total = walls.get(ticker, (None, None, 0, 0))
            expiration, monthly_max_pain = monthly.get(ticker, (None, None))
            wall_notes = []
            if ticker not in pooled:
                wall_notes.append(f"no expiration between {start} and {end}")
            elif put_total + call_total == 0:
                wall_notes.append("every contract in the window reports open interest 0: no walls")
            warnings = [
                *neighbours.get(ticker, []),
                *note_warnings(row["notes"] or []),  # a whole snapshot's (partial ones go one by one)
                *wall_notes,
                *one_sided.get(ticker, []),
                *change_warnings.get(ticker, []),
                *gamma_notes.get(ticker, []),
            ]
            flip = None if np.isnan(flips[i]) else float(flips[i])
            out[ticker] = {
                "ticker": ticker,
                "snapshot": row["id"],
                "captured_at": row["captured_at"],
                "spot": spot,
                "monthly_expiration": expiration,
                "monthly_max_pain": monthly_max_pain,
                "monthly_distance_pct": _pct(monthly_max_pain, spot),
                "pooled_max_pain": pooled.get(ticker),
                "put_wall": put_wall,
                "put_wall_distance_pct": _pct(put_wall, spot),
                "call_wall": call_wall,
                "call_wall_distance_pct": _pct(call_wall, spot),
                "put_call_oi": put_total / call_total if call_total else None,
                "top_build_up": build_ups.get(ticker),
                "net_gex": float(net[i]),
                "flip": flip,
                "flip_distance_pct": _pct(flip, spot),
                "warnings": list(dict.fromkeys(warnings)),
            }

    def _expirations(self, now: pl.DataFrame) -> tuple[dict[str, tuple[date, Any]], dict[str, list[str]]]:
        """Each ticker's nearest monthly expiration and its max pain, and the warnings of the
        expirations listing one side only."""
        table = expiration_table(
            now.select("ticker", "expiration", "strike", "right", "open_interest", "volume", "multiplier"),
            ["ticker"],
            compiled=False,
        ).sort("ticker", "expiration")
        listed: dict[str, list[tuple[date, Any]]] = {}
        one_sided: dict[str, list[str]] = {}
        for ticker, expiration, max_pain, note in table.select(
            "ticker", "expiration", "max_pain", "note"
        ).iter_rows():
            listed.setdefault(ticker, []).append((expiration, max_pain))
            if note is not None:
                one_sided.setdefault(ticker, []).append(f"{expiration}: {note}")
        monthly = {}
        for ticker, pairs in listed.items():
            day = self.bounds[ticker][0]
            expirations = [e for e, _ in pairs]
            found = next((p for p in pairs if p[0] >= day and is_monthly(p[0], expirations)), None)
            if found is not None:
                monthly[ticker] = found
        return monthly, one_sided

    def _pooled(self, window: pl.DataFrame) -> dict[str, float | None]:
        """Each ticker's pooled max pain of its window (tickers without a window expiration are
        left out)."""
        table = max_pain_table(
            window.select("ticker", "expiration", "strike", "right", "open_interest", "volume", "multiplier"),
            ["ticker"],
            compiled=False,
        )
        return dict(zip(table["ticker"].to_list(), table["max_pain"].to_list(), strict=True))

    def _walls(self, window: pl.DataFrame) -> dict[str, tuple[float | None, float | None, int, int]]:
        """Each ticker's put and call wall (the strike with the most OI on the side over the
        window; ties: the lower strike) and its put and call OI."""
        oi = pl.col("open_interest")
        open_oi = pl.when(oi > 0).then(oi).otherwise(0)
        put = pl.col("right") == "P"
        by_strike = window.group_by("ticker", "units").agg(
            call_oi=open_oi.filter(~put).sum().cast(pl.Int64), put_oi=open_oi.filter(put).sum().cast(pl.Int64)
        )
        totals = by_strike.group_by("ticker").agg(pl.col("put_oi").sum(), pl.col("call_oi").sum())
        out: dict[str, list[Any]] = {
            t: [None, None, p, c] for t, p, c in totals.select("ticker", "put_oi", "call_oi").iter_rows()
        }
        for slot, column in ((0, "put_oi"), (1, "call_oi")):
            top = (
                by_strike.filter(pl.col(column) > 0)
                .sort("ticker", column, "units", descending=[False, True, False])
                .group_by("ticker", maintain_order=True)
                .first()
            )
            for ticker, units in top.select("ticker", "units").iter_rows():
                out[ticker][slot] = units / 1000
        return {t: (v[0], v[1], int(v[2]), int(v[3])) for t, v in out.items()}

    def _changes(self, rows: pl.DataFrame) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
        """Each ticker's largest OI build-up since its previous snapshot, and the comparison's
        warnings (see :func:`maxpain.analyses.oi_change.open_interest_change`)."""
        dated = rows.join(self.info.select("ticker", first=pl.col("start")), on="ticker")
        before = dated.filter(~pl.col("later"))
        live = dated.filter(pl.col("expiration") >= pl.col("first"))
        side_a = live.filter(~pl.col("later")).select(
            *_KEYS, oi_from=pl.col("open_interest"), strike_a=pl.col("strike"), in_a=pl.lit(True)
        )
        side_b = live.filter(pl.col("later")).select(
            *_KEYS, "first", oi_to=pl.col("open_interest"), strike_b=pl.col("strike"), in_b=pl.lit(True)
        )
        compared = set(side_a.get_column("ticker").unique().to_list()) | set(self.before_rows)
        side_b = side_b.filter(pl.col("ticker").is_in(sorted(compared & set(self.names))))
        matched = (
            side_a.join(side_b.drop("first"), on=_KEYS, how="full", coalesce=True)
            .with_columns(pl.col("in_a", "in_b").fill_null(False))
            .with_columns(
                change=pl.when(pl.col("in_b")).then(pl.col("oi_to")).otherwise(0)
                - pl.when(pl.col("in_a")).then(pl.col("oi_from")).otherwise(0),
                strike=pl.coalesce("strike_a", "strike_b"),
                oi_to=pl.when(pl.col("in_b")).then(pl.col("oi_to")).otherwise(0),
            )
            .join(self.info.select("ticker", first=pl.col("start")), on="ticker")
        )
        largest = (
            matched.filter((pl.col("change") > 0) & (pl.col("expiration") > pl.col("first")))
            .sort(
                "ticker", "change", "expiration", "strike", "root", "right", descending=[False, True, False, False, False, False]
            )
            .group_by("ticker", maintain_order=True)
            .first()
        )
        build_ups = {
            ticker: {
                "expiration": expiration,
                "strike": strike,
                "right": "call" if right == "C" else "put",
                "change": change,
                "oi_to": oi_to,
                "since": self.before_rows[ticker]["id"],
            }
            for ticker, expiration, strike, right, change, oi_to in largest.select(
                "ticker", "expiration", "strike", pl.col("right").cast(pl.String), "change", "oi_to"
            ).iter_rows()
        }
        expired = dict(
            before.filter(pl.col("expiration") < pl.col("first"))
            .group_by("ticker")
            .agg(pl.col("expiration").n_unique())
            .iter_rows()
        )
        moved = dict(
            matched.group_by("ticker")
            .agg(pl.len().alias("n"), pl.col("change").abs().sum().alias("moved"))
            .select("ticker", pl.struct("n", "moved"))
            .iter_rows()
        )
        counted = (
            live.filter(pl.col("open_interest") > 0)
            .group_by("ticker", "expiration", "later")
            .len()
            .pivot("later", index=["ticker", "expiration"], values="len")
        )
        common: dict[str, tuple[int, int]] = {}
        if "true" in counted.columns and "false" in counted.columns:
            sums = (
                counted.drop_nulls(["true", "false"])
                .group_by("ticker")
                .agg(pl.col("false").sum(), pl.col("true").sum())
            )
            common = {t: (int(a), int(b)) for t, a, b in sums.select("ticker", "false", "true").iter_rows()}
        warnings: dict[str, list[str]] = {}
        for ticker in self.names:
            previous = self.before_rows.get(ticker)
            if previous is None:
                continue
            found = []
            if expired.get(ticker):
                found.append(expired_message(expired[ticker]))
            summary = moved.get(ticker, {"n": 0, "moved": 0})
            found += publication_messages(
                trading_day(previous["captured_at"]),
                self.bounds[ticker][0],
                identical=summary["n"] > 0 and int(summary["moved"] or 0) == 0,
            )
            count_a, count_b = common.get(ticker, (0, 0))
            side = Comparison(count_a, count_b).thin_side
            if side is not None:
                thin_at = (previous if side == "a" else self.now_rows[ticker])["captured_at"]
                found.append(thin_message(thin_at, count_a, count_b))
            warnings[ticker] = found
        return build_ups, warnings

    def _gamma(self, window: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, dict[str, list[str]]]:
        """Each ticker's net GEX at spot and gamma flip over its window (as
        :func:`maxpain.analyses.gamma.gamma_exposure`), and its note on contracts without IV."""
        call_sign, put_sign = CONVENTIONS[self.convention]
        captured = {t: self.now_rows[t]["captured_at"] for t in self.names}
        pairs = window.select("ticker", "expiration").unique()
        years = pairs.with_columns(
            years=pl.Series(
                [years_to_expiry(captured[t], e) for t, e in pairs.iter_rows()], dtype=pl.Float64
            )
        )
        iv = pl.col("implied_volatility")
        priced = (
            window.join(years, on=["ticker", "expiration"], maintain_order="left")
            .with_columns(
                iv=pl.when(iv > IV_PLACEHOLDER_MAX).then(iv).otherwise(None),
                holding=pl.col("open_interest").fill_null(0) > 0,
            )
            .with_columns(live=pl.col("holding") & (pl.col("years") > 0.0))
            .with_columns(counted=pl.col("live") & pl.col("iv").is_not_null())
        )
        no_iv = dict(
            priced.group_by("ticker").agg((pl.col("live") & pl.col("iv").is_null()).sum()).iter_rows()
        )
        counted = priced.filter(pl.col("counted")).sort("index", maintain_order=True)
        sign = pl.when(pl.col("right") == "C").then(float(call_sign)).otherwise(float(put_sign))
        arrays = counted.select(
            "index",
            pl.col("strike").cast(pl.Float64),
            "years",
            pl.col("iv").cast(pl.Float64),
            weight=(sign * pl.col("open_interest") * pl.col("multiplier")).cast(pl.Float64),
        )
        per_ticker = np.bincount(arrays.get_column("index").to_numpy(), minlength=len(self.names))
        offsets = np.concatenate(([0], np.cumsum(per_ticker))).astype(np.int64)
        spots = np.array([float(self.now_rows[t]["spot"]) for t in self.names])
        net, flips = segment_gamma(
            spots,
            offsets,
            *(np.ascontiguousarray(arrays.get_column(c).to_numpy()) for c in ("strike", "years", "iv")),
            self.rate,
            np.ascontiguousarray(arrays.get_column("weight").to_numpy()),
        )
        notes = {t: [no_iv_note(n)] for t, n in no_iv.items() if n}
        return net, flips, notes
