"""The normalizer: every source's table becomes one :class:`~maxpain.chain.Chain`.

:func:`normalize` is a short pipeline of named steps, each validating one part of the input and
naming the file, the column and the fix when it cannot: find the columns → read OCC symbols →
rights → expirations → strikes → counts and prices → multipliers → roots and underlying →
assemble and de-duplicate → quality notes → spot (given, a column, or estimated) → capture time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import polars as pl

from maxpain.capture_time import capture_time, capture_time_notes
from maxpain.chain import (
    CHAIN_COLUMNS,
    CHAIN_SCHEMA,
    Chain,
    ChainMeta,
    as_utc,
    strike_thousandths,
    validate_ticker,
)
from maxpain.columns import (
    numeric,
    to_polars,
)
from maxpain.errors import InputError
from maxpain.fields import (
    RawTable,
    counts_of,
    expirations_of,
    find_columns_of,
    multipliers_of,
    prices_of,
    rights_of,
    strikes_of,
)
from maxpain.spot import estimate_spot
from maxpain.wide import long_from_wide


def normalize(
    raw: Any,
    *,
    underlying: str | None = None,
    captured_at: datetime | None = None,
    spot: float | None = None,
    quote_time: datetime | None = None,
    source: str = "frame",
    name: str = "<frame>",
    source_versions: Mapping[str, str] | None = None,
    expiration: date | None = None,
    force_ticker: bool = False,
    named_underlying: str | None = None,
    read_notes: list[str] | None = None,
) -> Chain:
    """Turn any collector's option table into a :class:`~maxpain.chain.Chain`.

    Parameters
    ----------
    raw
        polars or pandas frame, one row per contract, in any of the known column conventions
        (see :data:`ALIASES`). Call/put, expiration and strike are parsed from the OCC
        ``contractSymbol`` when their columns are missing.
    underlying
        Ticker; default: the OCC root (SPX for a mix of SPX and SPXW).
    captured_at
        Capture time; default: a capture column (``snap_date``...), else ``quote_time``, else the
        latest ``lastTradeDate``. :attr:`ChainMeta.captured_at_from` says which was used.
    spot
        Underlying price; default: a spot column, else an estimate (marked as such).
    quote_time
        The source's quote time (Yahoo ``regularMarketTime``), used for the capture time if needed.
    source, name, source_versions
        Provenance; ``name`` appears in error messages (usually the file name).
    expiration
        The expiration of every row, when the source gives it out of band (yfinance).
    force_ticker
        Store the contracts under ``underlying`` even when no OCC root in the table names it.
    named_underlying
        The underlying as named around the table (a file name such as ``iwm_2026-06-01.parquet``):
        used, upper-cased and said, when neither ``underlying`` nor an OCC root names one.
    read_notes
        How the source was read so far (a reader's notes); the normalizer adds its own.

    Returns
    -------
    Chain
        Rows in :data:`~maxpain.chain.CHAIN_SCHEMA`, sorted by (expiration, strike, right, root).

    Raises
    ------
    InputError
        When the table cannot be a chain; the message names the file, the column and the fix.
    """
    long, wide_notes = long_from_wide(to_polars(raw, name))
    table = find_columns_of(long, name)
    how = [*(read_notes or []), *wide_notes]
    if underlying is None and named_underlying is not None and not _has_roots(table):
        underlying = validate_ticker(named_underlying)
        cased = f" ({named_underlying!r} upper-cased)" if named_underlying != underlying else ""
        how.append(
            f"ticker {underlying} from the name {name.rsplit('/', 1)[-1]}{cased}: the contracts do not name it"
        )
    body = pl.DataFrame(
        [
            rights_of(table),
            expirations_of(table, expiration),
            strikes_of(table),
            *counts_of(table),
            *prices_of(table),
            multipliers_of(table),
        ]
    )
    underlying, roots, symbols = _roots(table, underlying, force_ticker=force_ticker)
    body = _with_symbols(body.with_columns(root=roots, contract_symbol=symbols))
    body, duplicates_removed = _deduplicate(body, table.name)
    notes = [f"removed {duplicates_removed} exact duplicate contract rows"] if duplicates_removed else []
    unknown_oi, zero_share, quality = _quality_notes(body, table)
    how += table.notes
    notes += quality
    spot, spot_estimated, spot_method, spot_notes = _spot(table, body, spot)
    notes += spot_notes
    captured_from = "given"
    if captured_at is None:
        captured_at, captured_from = capture_time(table.frame, table.found, quote_time, table.name)
    captured_at = _checked_capture_time(captured_at, table.name)
    notes += capture_time_notes(table.frame, table.found, captured_at, table.name)
    meta = ChainMeta(
        underlying=underlying,
        captured_at=as_utc(captured_at),
        spot=spot,
        spot_estimated=spot_estimated,
        spot_method=spot_method,
        source=source,
        source_versions=dict(source_versions or {}),
        captured_at_from=captured_from,
        quote_time=as_utc(quote_time) if quote_time else None,
        rows_in=table.rows,
        rows_dropped=table.rows - body.height,
        duplicates_removed=duplicates_removed,
        unknown_oi=unknown_oi,
        zero_oi_share=round(zero_share, 6),
        notes=notes,
        read_notes=how,
    )
    return Chain(frame=body, meta=meta)


# --------------------------------------------------------------------------- the steps
def _roots(
    table: RawTable, underlying: str | None, *, force_ticker: bool
) -> tuple[str, pl.Series, pl.Series]:
    """The underlying (given, or named by the OCC roots), each row's root, and its symbol.

    A given underlying that no OCC root of the file belongs to (``AAPL`` options imported as
    ``NVDA``) is refused unless ``force_ticker``."""
    occ = table.occ
    if occ is not None and occ.get_column("root").is_not_null().any():
        roots = occ.get_column("root")
    else:
        roots = pl.Series("root", [None] * table.rows, dtype=pl.String)
    if underlying is None:
        underlying = _pick_underlying(roots.alias("root"))
    underlying = validate_ticker(underlying)
    listed = roots.drop_nulls().unique().sort().to_list()
    if listed and not force_ticker and not any(_belongs(root, underlying) for root in listed):
        msg = (
            f"{table.name}: the contracts are options on {', '.join(listed[:3])} (their OCC roots), not "
            f"{underlying}; give the right ticker, or force {underlying}"
        )
        raise InputError(msg, parameter="force_ticker")
    roots = roots.fill_null(underlying.lstrip("^")).alias("root")
    if occ is not None:
        symbols = occ.get_column("symbol")
    else:
        symbols = pl.Series("contract_symbol", [None] * table.rows, dtype=pl.String)
    return underlying, roots, symbols.alias("contract_symbol")


def _has_roots(table: RawTable) -> bool:
    return table.occ is not None and table.occ.get_column("root").is_not_null().any()


def _with_symbols(body: pl.DataFrame) -> pl.DataFrame:
    """Synthesise OCC symbols where the source had none (contracts are matched across snapshots by
    them), and put the columns in schema order."""
    if body.get_column("contract_symbol").null_count():
        body = body.with_columns(
            contract_symbol=pl.coalesce(
                pl.col("contract_symbol"),
                pl.col("root")
                + pl.col("expiration").dt.strftime("%y%m%d")
                + pl.col("right").cast(pl.String)
                + strike_thousandths(pl.col("strike")).cast(pl.String).str.zfill(8),
            )
        )
    return body.select(CHAIN_COLUMNS).cast(CHAIN_SCHEMA)  # type: ignore[arg-type]


def _deduplicate(body: pl.DataFrame, name: str) -> tuple[pl.DataFrame, int]:
    """Drop exact duplicate contracts, refuse conflicting ones, sort by the contract key.

    Duplicates are looked for on the contract key first (cheap); only rows whose key repeats are
    compared in full."""
    key = ["root", "expiration", "strike", "right"]
    repeated = body.select(pl.struct(key).is_duplicated()).to_series()
    removed = 0
    if repeated.any():
        suspects = body.filter(repeated)
        kept = suspects.unique(maintain_order=True)
        clash = kept.filter(pl.struct(key).is_duplicated())
        if clash.height:
            example = clash.get_column("contract_symbol")[0]
            msg = (
                f"{name}: contract {example} appears {clash.filter(pl.col('contract_symbol') == example).height} "
                "times with different values; keep one row per contract"
            )
            raise InputError(msg)
        removed = suspects.height - kept.height
        body = pl.concat([body.filter(~repeated), kept])
    return body.sort(["expiration", "strike", "right", "root"]), removed


def _quality_notes(body: pl.DataFrame, table: RawTable) -> tuple[int, float, list[str]]:
    """Unknown OI count, the share of zero OI, and the notes they call for."""
    notes: list[str] = []
    unknown_oi = int(body.get_column("open_interest").null_count())
    known_oi = body.get_column("open_interest").drop_nulls()
    zero_share = float((known_oi == 0).sum() / known_oi.len()) if known_oi.len() else 0.0
    if table.found["open_interest"] is None:
        notes.append("no open-interest column: every contract's OI is unknown")
    elif unknown_oi:
        notes.append(f"{unknown_oi} contracts have unknown open interest (left out of max pain)")
    if known_oi.len() and int(known_oi.sum()) == 0:
        notes.append(
            "every contract reports open interest 0 (Yahoo does this before the open): max pain is undefined"
        )
    elif zero_share > 0.5:
        notes.append(f"{zero_share:.0%} of contracts report open interest 0")
    quoted = body.filter((pl.col("bid") > 0) & (pl.col("ask") > 0)).height
    has_quotes = table.found["bid"] is not None and table.found["ask"] is not None
    if has_quotes and body.height and quoted < 0.5 * body.height:
        notes.append(
            f"{1 - quoted / body.height:.0%} of contracts have no two-sided quote (bid/ask 0: stale "
            "quotes or captured outside market hours); premiums fall back to last trades"
        )
    return unknown_oi, zero_share, notes


def _spot(
    table: RawTable, body: pl.DataFrame, spot: float | None
) -> tuple[float | None, bool, str | None, list[str]]:
    """Spot: given, else a spot column's median, else estimated from the chain (marked)."""
    method: str | None = "given" if spot is not None else None
    column = table.found["spot"]
    if spot is None and column is not None:
        values = numeric(table.frame, column, table.name, "spot").drop_nulls().drop_nans()
        values = values.filter(values > 0)
        if values.len():
            spot, method = float(values.median()), f"column {column}"  # type: ignore[arg-type]
    notes: list[str] = []
    estimated = False
    if spot is None:
        estimate, how = estimate_spot(body, _itm_sorted(table, body))
        if estimate is not None:
            spot, estimated, method = estimate, True, how
            notes.append(f"spot not in the source: estimated at {estimate:.2f} from {how}")
        else:
            notes.append("spot not in the source and could not be estimated")
    if spot is not None and not (math.isfinite(spot) and spot > 0):
        msg = f"{table.name}: spot {spot!r} is not a positive price"
        raise InputError(msg)
    return spot, estimated, method, notes


def _itm_sorted(table: RawTable, body: pl.DataFrame) -> pl.Series | None:
    """The source's in-the-money flags aligned with the normalized rows (matched by contract)."""
    itm_col = table.found["in_the_money"]
    symbol_col = table.found["contract_symbol"]
    if itm_col is None or symbol_col is None:
        return None
    flags = table.frame.select(
        contract_symbol=pl.col(symbol_col).cast(pl.String).str.strip_chars().str.to_uppercase(),
        itm=pl.col(itm_col).cast(pl.Float64, strict=False) > 0.5,
    ).unique(subset="contract_symbol", keep="first")
    return body.join(flags, on="contract_symbol", how="left", maintain_order="left").get_column("itm")


def _belongs(root: str, underlying: str) -> bool:
    """Whether an OCC root names options on ``underlying``: the same letters, or a root that
    extends it (SPXW for SPX, NVDA1 after an adjustment) or that it extends (BRKB for BRK.B)."""
    plain_root = "".join(c for c in root if c.isalnum())
    plain = "".join(c for c in underlying if c.isalnum())
    return plain_root.startswith(plain) or plain.startswith(plain_root)


def _pick_underlying(roots: pl.Series) -> str:
    """The underlying named by OCC roots: a root that prefixes all others (SPX for SPX/SPXW),
    else the most frequent one."""
    counts = roots.drop_nulls().value_counts(sort=True)
    if counts.height == 0:
        msg = "cannot tell the underlying: no contract symbols; give the ticker"
        raise InputError(msg, parameter="ticker")
    names = counts.get_column(roots.name).to_list()
    for candidate in sorted(names, key=len):
        if all(other.startswith(candidate) for other in names):
            return str(candidate)
    return str(names[0])


def _checked_capture_time(moment: datetime, name: str) -> datetime:
    """The capture time in UTC, refused outside the years 1000–9999 (no store id can name it)."""
    try:
        utc = as_utc(moment)
    except OverflowError:
        utc = None
    if utc is None or not 1000 <= utc.year <= 9999:
        msg = f"{name}: capture time {moment.isoformat()} is outside the years 1000-9999 in UTC; give a real capture time"
        raise InputError(msg, parameter="captured_at")
    return utc
