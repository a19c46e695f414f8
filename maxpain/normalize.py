"""The normalizer: every source's table becomes one :class:`~maxpain.chain.Chain`.

:func:`normalize` is a short pipeline of named steps, each validating one part of the input and
naming the file, the column and the fix when it cannot: find the columns → read OCC symbols →
rights → expirations → strikes → counts and prices → multipliers → roots and underlying →
assemble and de-duplicate → quality notes → spot (given, a column, or estimated) → capture time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from maxpain.capture_time import capture_time, capture_time_notes
from maxpain.chain import (
    CHAIN_COLUMNS,
    CHAIN_SCHEMA,
    MAX_STRIKE,
    RIGHT_DTYPE,
    STRIKE_SCALE,
    Chain,
    ChainMeta,
    as_utc,
    strike_thousandths,
    validate_ticker,
)
from maxpain.columns import (
    ALIASES,
    OCC_PATTERN,
    dates,
    find_column,
    finite,
    numeric,
    rights,
    to_polars,
    whole_counts,
)
from maxpain.errors import InputError
from maxpain.spot import estimate_spot

# Yahoo writes this implied volatility when it could not compute one (deep ITM, no quote).
IV_PLACEHOLDER_MAX = 1.5e-5

# Expirations outside these dates are a broken column, not options (epoch zero, year 9999).
FIRST_EXPIRATION = date(1970, 1, 1)
LAST_EXPIRATION = date(2200, 12, 31)
# Strikes are kept in thousandths (OCC precision): anything smaller rounds to nothing.
MIN_STRIKE = 0.001

_ROLE_OF = {"call/put": "right", "expiration": "expiration", "strike": "strike"}


@dataclass(frozen=True)
class _Table:
    """The raw table, the column found for each role, and its parsed OCC symbols (if any)."""

    frame: pl.DataFrame
    name: str
    found: dict[str, str | None]
    occ: pl.DataFrame | None

    @property
    def rows(self) -> int:
        return self.frame.height

    def occ_parts(self, what: str) -> pl.DataFrame:
        """The OCC symbol parts, when ``what`` has no column of its own and must come from them."""
        if self.occ is None:
            msg = (
                f"{self.name}: no {what} column (looked for {', '.join(ALIASES[_ROLE_OF[what]])}) and no "
                "contractSymbol column to parse it from; add one of them"
            )
            raise InputError(msg)
        unparsed = self.occ.get_column("root").is_null()
        if unparsed.any():
            example = self.occ.get_column("symbol").filter(unparsed)[0]
            msg = f"{self.name}: {what} must be parsed from contract symbols, but {example!r} is not an OCC symbol"
            raise InputError(msg)
        return self.occ


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

    Returns
    -------
    Chain
        Rows in :data:`~maxpain.chain.CHAIN_SCHEMA`, sorted by (expiration, strike, right, root).

    Raises
    ------
    InputError
        When the table cannot be a chain; the message names the file, the column and the fix.
    """
    table = _find_columns(to_polars(raw, name), name)
    body = pl.DataFrame(
        [
            _rights_of(table),
            _expirations(table, expiration),
            _strikes(table),
            *_counts(table),
            *_prices(table),
            _multipliers(table),
        ]
    )
    underlying, roots, symbols = _roots(table, underlying, force_ticker=force_ticker)
    body = _with_symbols(body.with_columns(root=roots, contract_symbol=symbols))
    body, duplicates_removed = _deduplicate(body, table.name)
    notes = [f"removed {duplicates_removed} exact duplicate contract rows"] if duplicates_removed else []
    unknown_oi, zero_share, quality = _quality_notes(body, table)
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
    )
    return Chain(frame=body, meta=meta)


# --------------------------------------------------------------------------- the steps
def _find_columns(frame: pl.DataFrame, name: str) -> _Table:
    """Which column plays each role, and the OCC symbols parsed into root/date/right/strike."""
    if frame.height == 0:
        msg = f"{name}: the table has no rows, so there is no chain to read"
        raise InputError(msg)
    found = {role: find_column(frame.columns, role) for role in ALIASES}
    occ: pl.DataFrame | None = None
    symbol_col = found["contract_symbol"]
    if symbol_col is not None:
        symbols = frame.get_column(symbol_col).cast(pl.String).str.strip_chars().str.to_uppercase()
        occ = symbols.str.extract_groups(OCC_PATTERN).struct.unnest()
        occ.columns = ["root", "yymmdd", "cp", "strike_milli"]
        occ = occ.with_columns(symbol=symbols)
    return _Table(frame, name, found, occ)


def _rights_of(table: _Table) -> pl.Series:
    column = table.found["right"]
    if column is not None:
        right = rights(table.frame, column, table.name)
    else:
        right = table.occ_parts("call/put").get_column("cp").alias("right")
    return right.cast(RIGHT_DTYPE)


def _expirations(table: _Table, expiration: date | None) -> pl.Series:
    column = table.found["expiration"]
    if expiration is not None:
        expirations = pl.Series("expiration", [expiration] * table.rows, dtype=pl.Date)
    elif column is not None:
        expirations = dates(table.frame, column, table.name)
    else:
        expirations = (
            table.occ_parts("expiration")
            .get_column("yymmdd")
            .str.to_date("%y%m%d", strict=False)
            .alias("expiration")
        )
    if expirations.is_null().any():
        msg = f"{table.name}: {int(expirations.is_null().sum())} rows have no expiration date; fill or drop them"
        raise InputError(msg)
    outside = (expirations < FIRST_EXPIRATION) | (expirations > LAST_EXPIRATION)
    if outside.any():
        msg = (
            f"{table.name}: expiration {expirations.filter(outside)[0]} is outside {FIRST_EXPIRATION.year}-"
            f"{LAST_EXPIRATION.year}; check the expiration column"
        )
        raise InputError(msg)
    return expirations


def _strikes(table: _Table) -> pl.Series:
    column = table.found["strike"]
    if column is not None:
        strikes = numeric(table.frame, column, table.name, "strike")
    else:
        thousandths = table.occ_parts("strike").get_column("strike_milli").cast(pl.Float64)
        strikes = (thousandths / STRIKE_SCALE).alias("strike")
    finite = strikes.is_finite()
    if finite.any() and (strikes.filter(finite) > MAX_STRIKE).any():
        example = strikes.filter(finite & (strikes > MAX_STRIKE))[0]
        msg = f"{table.name}: strike {example:g} is not a plausible strike (above {MAX_STRIKE:,.0f}); check the strike column's units"
        raise InputError(msg)
    tiny = finite & (strikes > 0) & (strikes < MIN_STRIKE)
    if tiny.any():
        msg = f"{table.name}: strike {strikes.filter(tiny)[0]:g} is below {MIN_STRIKE} (strikes are kept in thousandths, OCC precision); check the strike column's units"
        raise InputError(msg)
    bad = strikes.is_null() | strikes.is_nan() | ~finite | (strikes <= 0)
    if bad.any():
        msg = (
            f"{table.name}: column {column or 'strike'!r} has {int(bad.sum())} missing, NaN or "
            "non-positive strikes; every contract needs a positive strike"
        )
        raise InputError(msg)
    return strikes


def _counts(table: _Table) -> tuple[pl.Series, pl.Series]:
    """Open interest and volume: whole, non-negative; null = unknown."""
    found, name = table.found, table.name
    oi_col, volume_col = found["open_interest"], found["volume"]
    open_interest = whole_counts(
        numeric(table.frame, oi_col, name, "open_interest"), oi_col or "openInterest", name, "open interest"
    )
    volume = whole_counts(
        numeric(table.frame, volume_col, name, "volume"), volume_col or "volume", name, "volume"
    )
    return open_interest, volume


def _prices(table: _Table) -> tuple[pl.Series, ...]:
    """Bid, ask, last and IV: non-finite values and Yahoo's IV placeholder become null."""
    bid, ask, last, iv = (
        finite(numeric(table.frame, table.found[role], table.name, role))
        for role in ("bid", "ask", "last", "implied_volatility")
    )
    iv = pl.select(pl.when(iv > IV_PLACEHOLDER_MAX).then(iv).otherwise(None)).to_series()
    return bid, ask, last, iv.alias("implied_volatility")


def _multipliers(table: _Table) -> pl.Series:
    """Shares per contract: a multiplier column, else Yahoo's contractSize, else 100."""
    found = table.found
    if found["multiplier"] is not None:
        multiplier = numeric(table.frame, found["multiplier"], table.name, "multiplier").fill_null(100)
    elif found["contract_size"] is not None:
        sizes = table.frame.get_column(found["contract_size"]).cast(pl.String).str.to_uppercase()
        multiplier = sizes.replace_strict(
            {"REGULAR": 100.0, "MINI": 10.0}, default=100.0, return_dtype=pl.Float64
        )
    else:
        multiplier = pl.Series("multiplier", [100.0] * table.rows)
    bad = (
        ~multiplier.is_finite()
        | (multiplier < 1)
        | (multiplier > 10_000)
        | (multiplier != multiplier.round(0))
    )
    if bad.any():
        msg = f"{table.name}: contract multiplier {multiplier.filter(bad)[0]} is not a whole number from 1 to 10,000"
        raise InputError(msg)
    return multiplier.cast(pl.Int32).alias("multiplier")


def _roots(table: _Table, underlying: str | None, *, force_ticker: bool) -> tuple[str, pl.Series, pl.Series]:
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


def _quality_notes(body: pl.DataFrame, table: _Table) -> tuple[int, float, list[str]]:
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
    table: _Table, body: pl.DataFrame, spot: float | None
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


def _itm_sorted(table: _Table, body: pl.DataFrame) -> pl.Series | None:
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
