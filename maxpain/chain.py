"""The Chain: every contract of one underlying captured at one moment.

One row per contract in a polars frame with a fixed schema (:data:`CHAIN_SCHEMA`), plus
:class:`ChainMeta`. :func:`normalize` is the single funnel every source goes through: it maps the
column conventions of the collectors we know, validates, de-duplicates, and records what it did.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import polars as pl

from maxpain.errors import InputError

RIGHT_DTYPE = pl.Enum(["C", "P"])

CHAIN_SCHEMA: dict[str, Any] = {
    "expiration": pl.Date,
    "strike": pl.Float64,
    "right": RIGHT_DTYPE,
    "open_interest": pl.Int64,
    "volume": pl.Int64,
    "bid": pl.Float64,
    "ask": pl.Float64,
    "last": pl.Float64,
    "implied_volatility": pl.Float64,
    "contract_symbol": pl.String,
    "root": pl.String,
    "multiplier": pl.Int32,
}
CHAIN_COLUMNS = tuple(CHAIN_SCHEMA)

# No listed option has a strike this high (thousandths of it must fit the matching keys).
MAX_STRIKE = 10_000_000.0

# Yahoo writes this implied volatility when it could not compute one (deep ITM, no quote).
IV_PLACEHOLDER_MAX = 1.5e-5

# Column names used by the collectors we know, in order of preference.
ALIASES: dict[str, tuple[str, ...]] = {
    "contract_symbol": ("contractSymbol", "contract_symbol", "symbol", "option_symbol", "occ_symbol"),
    "right": ("right", "type", "option_type", "optionType", "putCall", "call_put", "cp_flag"),
    "expiration": ("expiration", "expirationDate", "expiry", "expiration_date", "expire_date", "exp_date"),
    "strike": ("strike", "strike_price", "strikePrice"),
    "open_interest": ("openInterest", "open_interest", "oi"),
    "volume": ("volume", "vol"),
    "bid": ("bid",),
    "ask": ("ask",),
    "last": ("lastPrice", "last", "last_price"),
    "implied_volatility": ("impliedVolatility", "implied_volatility", "iv"),
    "multiplier": ("multiplier", "contract_multiplier"),
    "contract_size": ("contractSize", "contract_size"),
    "spot": ("spot_price", "underlyingPrice", "underlying_price", "spot", "underlying_last"),
    "captured_at": ("captured_at", "snap_date", "snapshot_time", "quote_date", "capture_time"),
    "last_trade": ("lastTradeDate", "last_trade_date"),
    "in_the_money": ("inTheMoney", "in_the_money"),
}

_RIGHT_WORDS = {"c": "C", "call": "C", "calls": "C", "p": "P", "put": "P", "puts": "P"}
OCC_PATTERN = r"^([A-Z0-9.^]{1,8}?)(\d{6})([CP])(\d{8})$"
_TICKER_PATTERN = re.compile(r"^[A-Z0-9^][A-Z0-9.^=\-]{0,15}$")


def validate_ticker(ticker: str) -> str:
    """Return the upper-cased ticker, or raise :class:`InputError` if it could not be a symbol.

    Tickers become folder names in the store, so anything that could escape it (``..``, ``/``,
    NUL, very long names) is refused before any path is built.
    """
    if not isinstance(ticker, str):
        msg = f"ticker must be a string, got {type(ticker).__name__}"
        raise InputError(msg)
    candidate = ticker.strip().upper()
    if not _TICKER_PATTERN.fullmatch(candidate) or ".." in candidate:
        shown = ticker if len(ticker) <= 24 else ticker[:24] + "..."
        msg = (
            f"{shown!r} is not a ticker symbol: use letters, digits and . ^ = - only "
            "(at most 16 characters), e.g. NVDA, BRK.B or ^SPX"
        )
        raise InputError(msg)
    return candidate


@dataclass
class ChainMeta:
    """What we know about a chain besides its rows."""

    underlying: str
    captured_at: datetime
    spot: float | None = None
    spot_estimated: bool = False
    spot_method: str | None = None
    source: str = "frame"
    source_versions: dict[str, str] = field(default_factory=dict)
    captured_at_from: str = "given"
    quote_time: datetime | None = None
    partial: bool = False
    missing_expirations: list[str] = field(default_factory=list)
    rows_in: int = 0
    rows_dropped: int = 0
    duplicates_removed: int = 0
    unknown_oi: int = 0
    zero_oi_share: float = 0.0
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["captured_at"] = self.captured_at.isoformat()
        out["quote_time"] = self.quote_time.isoformat() if self.quote_time else None
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChainMeta:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["captured_at"] = _as_utc(datetime.fromisoformat(values["captured_at"]))
        if values.get("quote_time"):
            values["quote_time"] = _as_utc(datetime.fromisoformat(values["quote_time"]))
        return cls(**values)


@dataclass(frozen=True)
class Chain:
    """A validated option chain: ``frame`` follows :data:`CHAIN_SCHEMA`, sorted by
    (expiration, strike, right, root); ``meta`` says where it came from."""

    frame: pl.DataFrame
    meta: ChainMeta

    @property
    def underlying(self) -> str:
        return self.meta.underlying

    @property
    def expirations(self) -> list[date]:
        return self.frame.get_column("expiration").unique().sort().to_list()

    def __len__(self) -> int:
        return self.frame.height

    def content_hash(self) -> str:
        """Hash of the rows, the underlying and the capture time: equal hashes = same snapshot."""
        digest = hashlib.sha256()
        digest.update(self.meta.underlying.encode())
        digest.update(self.meta.captured_at.isoformat().encode())
        # CSV text is a serialisation that does not change between polars versions; hashed in
        # slices so a million-contract chain never exists as one big string.
        for start in range(0, self.frame.height, 100_000):
            digest.update(self.frame.slice(start, 100_000).write_csv(include_header=start == 0).encode())
        return digest.hexdigest()[:32]


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _find(columns: Sequence[str], role: str) -> str | None:
    """The first column that plays ``role``: exact alias first, then case-insensitive."""
    names = ALIASES[role]
    for name in names:
        if name in columns:
            return name
    lowered = {c.lower(): c for c in columns}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def _to_polars(raw: Any, name: str) -> pl.DataFrame:
    if isinstance(raw, pl.DataFrame):
        return raw
    if type(raw).__module__.split(".")[0] == "pandas":
        frame = raw.reset_index(drop=True)
        return pl.from_pandas(frame)
    msg = f"{name}: expected a polars or pandas DataFrame, got {type(raw).__name__}"
    raise InputError(msg)


def _numeric(frame: pl.DataFrame, column: str | None, name: str, role: str) -> pl.Series:
    """The column as Float64 (non-numeric text becomes an error naming the column)."""
    if column is None:
        return pl.Series(role, [None] * frame.height, dtype=pl.Float64)
    series = frame.get_column(column)
    if series.dtype == pl.Boolean:
        series = series.cast(pl.Float64)
    if series.dtype == pl.String:
        cleaned = series.str.strip_chars().str.replace_all(",", "")
        cleaned = pl.select(
            pl.when(cleaned.is_in(["", "-", "nan", "NaN", "None"])).then(None).otherwise(cleaned)
        ).to_series()
        converted = cleaned.cast(pl.Float64, strict=False)
        bad = converted.is_null() & cleaned.is_not_null()
        if bad.any():
            example = cleaned.filter(bad)[0]
            msg = f"{name}: column {column!r} holds non-numeric values such as {example!r}; fix or drop them"
            raise InputError(msg)
        series = converted
    if not series.dtype.is_numeric():
        msg = f"{name}: column {column!r} has type {series.dtype}, expected numbers"
        raise InputError(msg)
    return series.cast(pl.Float64).alias(role)


def _dates(frame: pl.DataFrame, column: str, name: str) -> pl.Series:
    """Expiration dates from ISO strings, dates, datetimes or epoch seconds."""
    series = frame.get_column(column)
    if series.dtype == pl.Date:
        return series.alias("expiration")
    if isinstance(series.dtype, pl.Datetime):
        return series.dt.date().alias("expiration")
    if series.dtype.is_numeric():
        seconds = series.cast(pl.Float64)
        # epoch seconds (Yahoo's raw bodies); values past 1e11 can only be milliseconds
        largest = seconds.drop_nulls().abs().max()
        per_second = 1.0 if largest is not None and float(largest) > 1e11 else 1000.0  # type: ignore[arg-type]
        millis = (seconds * per_second).cast(pl.Int64)
        return millis.cast(pl.Datetime("ms", "UTC")).dt.date().alias("expiration")
    if series.dtype == pl.String:
        text = series.str.strip_chars().str.slice(0, 10)
        parsed = text.str.to_date("%Y-%m-%d", strict=False)
        bad = parsed.is_null() & text.is_not_null()
        if bad.any():
            example = series.filter(bad)[0]
            msg = (
                f"{name}: column {column!r} holds {example!r}, which is not a date; write dates as YYYY-MM-DD"
            )
            raise InputError(msg)
        return parsed.alias("expiration")
    msg = f"{name}: column {column!r} has type {series.dtype}, expected dates"
    raise InputError(msg)


def _datetimes(series: pl.Series) -> pl.Series:
    """Timestamps from strings (ISO, with or without offset), datetimes or epoch seconds, in UTC."""
    if isinstance(series.dtype, pl.Datetime):
        if series.dtype.time_zone is None:
            return series.dt.replace_time_zone("UTC")
        return series.dt.convert_time_zone("UTC")
    if series.dtype == pl.Date:
        return series.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    if series.dtype.is_numeric():
        return (series.cast(pl.Float64) * 1000).cast(pl.Int64).cast(pl.Datetime("ms", "UTC"))
    if series.dtype == pl.String:
        return series.str.strip_chars().str.to_datetime(time_zone="UTC", strict=False)
    return pl.Series(series.name, [None] * len(series), dtype=pl.Datetime("us", "UTC"))


def _rights(frame: pl.DataFrame, column: str, name: str) -> pl.Series:
    words = frame.get_column(column).cast(pl.String).str.strip_chars().str.to_lowercase()
    mapped = words.replace_strict(_RIGHT_WORDS, default=None, return_dtype=pl.String)
    bad = mapped.is_null()
    if bad.any():
        example = frame.get_column(column).filter(bad)[0]
        msg = f"{name}: column {column!r} holds {example!r}; a call/put column must say call/put or C/P"
        raise InputError(msg)
    return mapped.alias("right")


def _finite(values: pl.Series) -> pl.Series:
    """Prices and volatilities: NaN and ±inf mean "no value"."""
    return pl.select(pl.when(values.is_finite()).then(values).otherwise(None)).to_series().alias(values.name)


def _whole_counts(values: pl.Series, column: str, name: str, role: str) -> pl.Series:
    """Counts (OI, volume): NaN/null = unknown, negative or fractional = refused."""
    values = values.fill_nan(None)
    present = values.drop_nulls()
    if present.len() and (present < 0).any():
        msg = f"{name}: column {column!r} has negative {role} (e.g. {present.filter(present < 0)[0]}); counts cannot be negative"
        raise InputError(msg)
    if present.len() and ((present - present.round(0)).abs() > 1e-9).any():
        example = present.filter((present - present.round(0)).abs() > 1e-9)[0]
        msg = f"{name}: column {column!r} has fractional {role} ({example}); counts must be whole numbers"
        raise InputError(msg)
    if present.len() and (present.abs() > 1e12).any():
        msg = f"{name}: column {column!r} has {role} above 10^12, which cannot be a contract count"
        raise InputError(msg)
    return values.round(0).cast(pl.Int64)


def _pick_underlying(roots: pl.Series) -> str:
    """The underlying named by OCC roots: a root that prefixes all others (SPX for SPX/SPXW),
    else the most frequent one."""
    counts = roots.drop_nulls().value_counts(sort=True)
    if counts.height == 0:
        msg = "cannot tell the underlying: no contract symbols; pass the ticker (--ticker)"
        raise InputError(msg)
    names = counts.get_column(roots.name).to_list()
    for candidate in sorted(names, key=len):
        if all(other.startswith(candidate) for other in names):
            return str(candidate)
    return str(names[0])


def _parity_spot(frame: pl.DataFrame) -> tuple[float | None, str | None]:
    quoted = frame.filter(
        (pl.col("bid") > 0) & (pl.col("ask") > 0) & (pl.col("ask") >= pl.col("bid"))
    ).with_columns(mid=(pl.col("bid") + pl.col("ask")) / 2)
    for (expiration,), group in quoted.sort("expiration").group_by("expiration", maintain_order=True):
        calls = group.filter(pl.col("right") == "C").group_by("strike").agg(call_mid=pl.col("mid").mean())
        puts = group.filter(pl.col("right") == "P").group_by("strike").agg(put_mid=pl.col("mid").mean())
        pairs = calls.join(puts, on="strike", how="inner")
        if pairs.height < 3:
            continue
        pairs = pairs.with_columns(gap=(pl.col("call_mid") - pl.col("put_mid")).abs()).sort("gap").head(3)
        estimates = pairs.select(pl.col("strike") + pl.col("call_mid") - pl.col("put_mid")).to_series()
        value = float(estimates.median())  # type: ignore[arg-type]
        if value > 0:
            return value, f"put-call parity at {expiration}"
    return None, None


def _itm_boundary(frame: pl.DataFrame, in_the_money: pl.Series | None) -> tuple[float, float] | None:
    if in_the_money is None:
        return None
    calls = frame.with_columns(itm=in_the_money).filter(pl.col("right") == "C")
    itm = calls.filter(pl.col("itm") == True)["strike"]  # noqa: E712
    otm = calls.filter(pl.col("itm") == False)["strike"]  # noqa: E712
    if itm.len() and otm.len():
        low, high = float(itm.max()), float(otm.min())  # type: ignore[arg-type]
        if low < high:
            return low, high
    return None


def estimate_spot(
    frame: pl.DataFrame, in_the_money: pl.Series | None = None
) -> tuple[float | None, str | None]:
    """Estimate the underlying price from the chain itself.

    Two witnesses. The source's in-the-money flags were set against its own spot at capture
    (an ITM call has K < S), so the highest ITM call strike and the lowest OTM one bracket the
    spot. Put–call parity at the nearest expiration with two-sided quotes, C − P ≈ S − K (rates
    and dividends are negligible over days), gives S ≈ K + C_mid − P_mid: the median over the three
    strikes nearest the money. Option quotes can lag the underlying, so the bracket wins: parity
    is used when it falls inside it (or when there is no bracket), else the bracket's midpoint.
    """
    parity, parity_method = _parity_spot(frame)
    bracket = _itm_boundary(frame, in_the_money)
    if bracket is None:
        return parity, parity_method
    low, high = bracket
    if parity is not None and low < parity < high:
        return parity, f"{parity_method}, inside the in-the-money bracket {low:g}-{high:g}"
    detail = f" (put-call parity gave {parity:.2f})" if parity is not None else ""
    return (low + high) / 2, f"midpoint of the in-the-money bracket {low:g}-{high:g}{detail}"


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
) -> Chain:
    """Turn any collector's option table into a :class:`Chain`.

    Parameters
    ----------
    raw:
        polars or pandas frame, one row per contract, in any of the known column conventions
        (see :data:`ALIASES`). Call/put, expiration and strike are parsed from the OCC
        ``contractSymbol`` when their columns are missing.
    underlying:
        Ticker; default: the OCC root (SPX for a mix of SPX and SPXW).
    captured_at:
        Capture time; default: a capture column (``snap_date``...), else ``quote_time``, else the
        latest ``lastTradeDate``. :attr:`ChainMeta.captured_at_from` says which was used.
    spot:
        Underlying price; default: a spot column, else an estimate (marked as such).
    quote_time:
        The source's quote time (Yahoo ``regularMarketTime``), used for the capture time if needed.
    source, name, source_versions:
        Provenance; ``name`` appears in error messages (usually the file name).
    expiration:
        The expiration of every row, when the source gives it out of band (yfinance).

    Returns
    -------
    Chain

    Raises
    ------
    InputError
        When the table cannot be a chain; the message names the file, the column and the fix.
    """
    frame = _to_polars(raw, name)
    columns = frame.columns
    rows_in = frame.height
    if rows_in == 0:
        msg = f"{name}: the table has no rows, so there is no chain to read"
        raise InputError(msg)
    found = {role: _find(columns, role) for role in ALIASES}

    symbol_col = found["contract_symbol"]
    occ: pl.DataFrame | None = None
    if symbol_col is not None:
        symbols = frame.get_column(symbol_col).cast(pl.String).str.strip_chars().str.to_uppercase()
        occ = symbols.str.extract_groups(OCC_PATTERN).struct.unnest()
        occ.columns = ["root", "yymmdd", "cp", "strike_milli"]
        occ = occ.with_columns(symbol=symbols)

    def occ_usable(what: str) -> pl.DataFrame:
        if occ is None:
            msg = (
                f"{name}: no {what} column (looked for {', '.join(ALIASES[_ROLE_OF[what]])}) and no "
                "contractSymbol column to parse it from; add one of them"
            )
            raise InputError(msg)
        unparsed = occ.get_column("root").is_null()
        if unparsed.any():
            example = occ.get_column("symbol").filter(unparsed)[0]
            msg = f"{name}: {what} must be parsed from contract symbols, but {example!r} is not an OCC symbol"
            raise InputError(msg)
        return occ

    # right
    if found["right"] is not None:
        right = _rights(frame, found["right"], name)
    else:
        right = occ_usable("call/put").get_column("cp").alias("right")
    # expiration
    if expiration is not None:
        expirations = pl.Series("expiration", [expiration] * rows_in, dtype=pl.Date)
    elif found["expiration"] is not None:
        expirations = _dates(frame, found["expiration"], name)
    else:
        expirations = (
            occ_usable("expiration")
            .get_column("yymmdd")
            .str.to_date("%y%m%d", strict=False)
            .alias("expiration")
        )
    if expirations.is_null().any():
        msg = f"{name}: {int(expirations.is_null().sum())} rows have no expiration date; fill or drop them"
        raise InputError(msg)
    # strike
    if found["strike"] is not None:
        strikes = _numeric(frame, found["strike"], name, "strike")
    else:
        strikes = (occ_usable("strike").get_column("strike_milli").cast(pl.Float64) / 1000.0).alias("strike")
    bad_strike = strikes.is_null() | strikes.is_nan() | ~strikes.is_finite() | (strikes <= 0)
    if strikes.is_finite().any() and (strikes.filter(strikes.is_finite()) > MAX_STRIKE).any():
        example = strikes.filter(strikes.is_finite() & (strikes > MAX_STRIKE))[0]
        msg = f"{name}: strike {example:g} is not a plausible strike (above {MAX_STRIKE:,.0f}); check the strike column's units"
        raise InputError(msg)
    if bad_strike.any():
        msg = (
            f"{name}: column {found['strike'] or 'strike'!r} has {int(bad_strike.sum())} missing, NaN or "
            "non-positive strikes; every contract needs a positive strike"
        )
        raise InputError(msg)

    oi_col = found["open_interest"]
    open_interest = _whole_counts(
        _numeric(frame, oi_col, name, "open_interest"), oi_col or "openInterest", name, "open interest"
    )
    volume = _whole_counts(
        _numeric(frame, found["volume"], name, "volume"), found["volume"] or "volume", name, "volume"
    )
    bid = _finite(_numeric(frame, found["bid"], name, "bid"))
    ask = _finite(_numeric(frame, found["ask"], name, "ask"))
    last = _finite(_numeric(frame, found["last"], name, "last"))
    iv = _finite(_numeric(frame, found["implied_volatility"], name, "implied_volatility"))
    iv = (
        pl.select(pl.when(iv > IV_PLACEHOLDER_MAX).then(iv).otherwise(None))
        .to_series()
        .alias("implied_volatility")
    )

    if found["multiplier"] is not None:
        multiplier = _numeric(frame, found["multiplier"], name, "multiplier").fill_null(100)
    elif found["contract_size"] is not None:
        sizes = frame.get_column(found["contract_size"]).cast(pl.String).str.to_uppercase()
        multiplier = sizes.replace_strict(
            {"REGULAR": 100.0, "MINI": 10.0}, default=100.0, return_dtype=pl.Float64
        )
    else:
        multiplier = pl.Series("multiplier", [100.0] * rows_in)
    bad_multiplier = (
        ~multiplier.is_finite()
        | (multiplier < 1)
        | (multiplier > 10_000)
        | (multiplier != multiplier.round(0))
    )
    if bad_multiplier.any():
        msg = f"{name}: contract multiplier {multiplier.filter(bad_multiplier)[0]} is not a whole number from 1 to 10,000"
        raise InputError(msg)

    if occ is not None and occ.get_column("root").is_not_null().any():
        roots = occ.get_column("root")
    else:
        roots = pl.Series("root", [None] * rows_in, dtype=pl.String)
    if underlying is None:
        underlying = _pick_underlying(roots.alias("root"))
    underlying = validate_ticker(underlying)
    roots = roots.fill_null(underlying.lstrip("^")).alias("root")
    if occ is not None:
        symbols = occ.get_column("symbol")
    else:
        symbols = pl.Series("contract_symbol", [None] * rows_in, dtype=pl.String)

    body = pl.DataFrame(
        {
            "expiration": expirations,
            "strike": strikes,
            "right": right.cast(RIGHT_DTYPE),
            "open_interest": open_interest,
            "volume": volume,
            "bid": bid,
            "ask": ask,
            "last": last,
            "implied_volatility": iv,
            "contract_symbol": symbols.alias("contract_symbol"),
            "root": roots,
            "multiplier": multiplier.cast(pl.Int32),
        }
    )
    # Synthesise OCC symbols where the source had none, so contracts can be matched across snapshots.
    if body.get_column("contract_symbol").null_count():
        body = body.with_columns(
            contract_symbol=pl.coalesce(
                pl.col("contract_symbol"),
                pl.col("root")
                + pl.col("expiration").dt.strftime("%y%m%d")
                + pl.col("right").cast(pl.String)
                + (pl.col("strike") * 1000).round(0).cast(pl.Int64).cast(pl.String).str.zfill(8),
            )
        )
    body = body.cast(CHAIN_SCHEMA)  # type: ignore[arg-type]

    notes: list[str] = []
    # Duplicates are looked for on the contract key first (cheap); only rows whose key repeats
    # are compared in full: exact copies are dropped, differing ones refused.
    key = ["root", "expiration", "strike", "right"]
    repeated = body.select(pl.struct(key).is_duplicated()).to_series()
    duplicates_removed = 0
    deduplicated = body
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
        duplicates_removed = suspects.height - kept.height
        deduplicated = pl.concat([body.filter(~repeated), kept])
        notes.append(f"removed {duplicates_removed} exact duplicate contract rows")
    body = deduplicated.sort(["expiration", "strike", "right", "root"])

    unknown_oi = int(body.get_column("open_interest").null_count())
    known_oi = body.get_column("open_interest").drop_nulls()
    zero_share = float((known_oi == 0).sum() / known_oi.len()) if known_oi.len() else 0.0
    if oi_col is None:
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
    if found["bid"] is not None and found["ask"] is not None and body.height and quoted < 0.5 * body.height:
        notes.append(
            f"{1 - quoted / body.height:.0%} of contracts have no two-sided quote (bid/ask 0: stale "
            "quotes or captured outside market hours); premiums fall back to last trades"
        )

    # spot
    spot_estimated = False
    spot_method: str | None = "given" if spot is not None else None
    if spot is None and found["spot"] is not None:
        values = _numeric(frame, found["spot"], name, "spot").drop_nulls().drop_nans()
        values = values.filter(values > 0)
        if values.len():
            spot = float(values.median())  # type: ignore[arg-type]
            spot_method = f"column {found['spot']}"
    if spot is None:
        estimate, method = estimate_spot(body, _itm_sorted(frame, found, body))
        if estimate is not None:
            spot, spot_estimated, spot_method = estimate, True, method
            notes.append(f"spot not in the source: estimated at {estimate:.2f} from {method}")
        else:
            notes.append("spot not in the source and could not be estimated")
    if spot is not None and not (math.isfinite(spot) and spot > 0):
        msg = f"{name}: spot {spot!r} is not a positive price"
        raise InputError(msg)

    # capture time
    captured_from = "given"
    if captured_at is None:
        captured_at, captured_from = _capture_time(frame, found, quote_time, name)
    captured_at = _as_utc(captured_at)

    meta = ChainMeta(
        underlying=underlying,
        captured_at=captured_at,
        spot=spot,
        spot_estimated=spot_estimated,
        spot_method=spot_method,
        source=source,
        source_versions=dict(source_versions or {}),
        captured_at_from=captured_from,
        quote_time=_as_utc(quote_time) if quote_time else None,
        rows_in=rows_in,
        rows_dropped=rows_in - body.height,
        duplicates_removed=duplicates_removed,
        unknown_oi=unknown_oi,
        zero_oi_share=round(zero_share, 6),
        notes=notes,
    )
    return Chain(frame=body, meta=meta)


_ROLE_OF = {"call/put": "right", "expiration": "expiration", "strike": "strike"}


def _itm_sorted(frame: pl.DataFrame, found: dict[str, str | None], body: pl.DataFrame) -> pl.Series | None:
    """The source's in-the-money flags aligned with the normalized rows (matched by contract)."""
    itm_col = found["in_the_money"]
    symbol_col = found["contract_symbol"]
    if itm_col is None or symbol_col is None:
        return None
    flags = frame.select(
        contract_symbol=pl.col(symbol_col).cast(pl.String).str.strip_chars().str.to_uppercase(),
        itm=pl.col(itm_col).cast(pl.Float64, strict=False) > 0.5,
    ).unique(subset="contract_symbol", keep="first")
    return body.join(flags, on="contract_symbol", how="left", maintain_order="left").get_column("itm")


def _capture_time(
    frame: pl.DataFrame, found: dict[str, str | None], quote_time: datetime | None, name: str
) -> tuple[datetime, str]:
    last_trades: pl.Series | None = None
    if found["last_trade"] is not None:
        last_trades = _datetimes(frame.get_column(found["last_trade"])).drop_nulls()
    column = found["captured_at"]
    if column is not None:
        raw = frame.get_column(column)
        stamps = _datetimes(raw).drop_nulls()
        if stamps.len():
            latest: datetime = stamps.max()  # type: ignore[assignment]
            date_only = raw.dtype == pl.Date or (
                raw.dtype == pl.String and (raw.drop_nulls().str.len_chars() <= 10).all()
            )
            if date_only:
                # A date-only capture column (snap_date): use the latest trade of that day if
                # there is one, else the end of that day's US session (21:00 UTC).
                day = latest.date()
                if last_trades is not None and last_trades.len():
                    same_day = last_trades.filter(last_trades.dt.date() == day)
                    if same_day.len():
                        return same_day.max(), f"column {column} (date) + latest lastTradeDate that day"  # type: ignore[return-value]
                return datetime(day.year, day.month, day.day, 21, 0, tzinfo=UTC), (
                    f"column {column} (date only; time set to 21:00 UTC, after the close)"
                )
            return latest, f"column {column}"
    if quote_time is not None:
        return quote_time, "quote time (regularMarketTime)"
    if last_trades is not None and last_trades.len():
        return last_trades.max(), "latest lastTradeDate"  # type: ignore[return-value]
    msg = (
        f"{name}: no capture time in the data (no snap_date, quote time or lastTradeDate); pass --captured-at"
    )
    raise InputError(msg)
