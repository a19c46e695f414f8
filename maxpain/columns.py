"""Column readers for the normalizer: which column plays which role, and each column's values
read with errors that name the file, the column and the fix."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import polars as pl

from maxpain.errors import InputError

# Column names used by the collectors and brokers we know, in order of preference. Headers are
# matched on their letters and digits alone, case ignored (see :func:`header_key`): ``Open Interest``,
# ``open_interest`` and ``OpenInterest`` are one name.
ALIASES: dict[str, tuple[str, ...]] = {
    "contract_symbol": (
        "contractSymbol", "contract_symbol", "symbol", "option_symbol", "occ_symbol", "option", "contract",
        "contract_name", "option_name", "occ",
    ),
    "right": ("right", "type", "option_type", "optionType", "putCall", "call_put", "cp_flag", "cp", "put_call"),
    "expiration": (
        "expiration", "expirationDate", "expiry", "expiration_date", "expire_date", "exp_date", "expiry_date",
        "exp", "maturity",
    ),
    "strike": ("strike", "strike_price", "strikePrice"),
    "open_interest": ("openInterest", "open_interest", "oi", "open_int"),
    "volume": ("volume", "vol", "totalVolume"),
    "bid": ("bid",),
    "ask": ("ask",),
    "last": ("lastPrice", "last", "last_price", "last_sale", "price"),
    "implied_volatility": ("impliedVolatility", "implied_volatility", "iv", "implied_vol", "imp_vol"),
    "delta": ("delta",),
    "gamma": ("gamma",),
    "multiplier": ("multiplier", "contract_multiplier"),
    "contract_size": ("contractSize", "contract_size"),
    "spot": (
        "spot_price", "underlyingPrice", "underlying_price", "spot", "underlying_last",
        "header_underlyingPrice", "stock_price",
    ),
    "captured_at": ("captured_at", "snap_date", "snapshot_time", "quote_date", "capture_time", "quote_time"),
    "last_trade": ("lastTradeDate", "last_trade_date"),
    "in_the_money": ("inTheMoney", "in_the_money"),
}  # fmt: skip

RIGHT_WORDS = {"c": "C", "call": "C", "calls": "C", "p": "P", "put": "P", "puts": "P"}
OCC_PATTERN = r"^([A-Z0-9.^]{1,8}?)(\d{6})([CP])(\d{8})$"


@functools.lru_cache(maxsize=4096)
def header_key(name: str) -> str:
    """A header as matched: its letters and digits, lower case (``Open Interest`` → ``openinterest``)."""
    return "".join(c for c in name.lower() if c.isalnum())


#: Every accepted header key, for readers that keep only the columns the normalizer uses.
KNOWN_KEYS = frozenset(header_key(alias) for aliases in ALIASES.values() for alias in aliases)


def find_column(columns: Sequence[str], role: str) -> str | None:
    """The first column that plays ``role``: an exact alias first, then one that matches an alias
    once case, spaces and punctuation are ignored."""
    names = ALIASES[role]
    for name in names:
        if name in columns:
            return name
    keyed: dict[str, str] = {}
    for column in columns:
        keyed.setdefault(header_key(column), column)
    for name in names:
        if header_key(name) in keyed:
            return keyed[header_key(name)]
    return None


def accepted_names(role: str) -> str:
    """The names accepted for ``role``, for an error message."""
    return ", ".join(ALIASES[role])


def to_polars(raw: Any, name: str) -> pl.DataFrame:
    if isinstance(raw, pl.DataFrame):
        return raw
    if type(raw).__module__.split(".")[0] == "pandas":
        frame = raw.reset_index(drop=True)
        return pl.from_pandas(frame)
    msg = f"{name}: expected a polars or pandas DataFrame, got {type(raw).__name__}"
    raise InputError(msg)


def _single_precision(series: pl.Series) -> bool:
    """Whether a float64 column holds float32 values widened (a collector that computed in single
    precision): every finite value survives a round trip through float32, and one at least is not
    a short decimal already."""
    finite = series.filter(series.is_finite())
    if finite.len() == 0:
        return False
    narrowed = finite.cast(pl.Float32).cast(pl.Float64)
    return bool((narrowed == finite).all()) and bool((finite != finite.round(6)).any())


def numeric(frame: pl.DataFrame, column: str | None, name: str, role: str) -> pl.Series:
    """The column as Float64 (non-numeric text becomes an error naming the column)."""
    if column is None:
        return pl.Series(role, [None] * frame.height, dtype=pl.Float64)
    series = frame.get_column(column)
    if series.dtype == pl.Boolean:
        series = series.cast(pl.Float64)
    if series.dtype == pl.Float32 or (series.dtype == pl.Float64 and _single_precision(series)):
        # single precision stores 182.41 as 182.41000366...: take the shortest decimal that is
        # the same float32, i.e. the value the source wrote
        series = series.cast(pl.Float32).cast(pl.String).cast(pl.Float64)
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


def dates(frame: pl.DataFrame, column: str, name: str) -> pl.Series:
    """Expiration dates from ISO strings, dates, datetimes or epoch seconds."""
    series = frame.get_column(column)
    if series.dtype == pl.Date:
        return series.alias("expiration")
    if isinstance(series.dtype, pl.Datetime):
        return series.dt.date().alias("expiration")
    if series.dtype.is_numeric():
        seconds = series.cast(pl.Float64)
        # epoch seconds (Yahoo's raw bodies); values past 1e11 can only be milliseconds
        finite = seconds.filter(seconds.is_finite()).abs()
        largest = finite.max() if finite.len() else None
        per_second = 1.0 if largest is not None and float(largest) > 1e11 else 1000.0  # type: ignore[arg-type]
        millis = epoch_millis(seconds * per_second, series, column, name)
        return millis.cast(pl.Datetime("ms", "UTC")).dt.date().alias("expiration")
    if series.dtype == pl.String:
        parsed = text_dates(series)
        bad = parsed.is_null() & series.str.strip_chars().is_not_null() & (series.str.strip_chars() != "")
        if bad.any():
            example = series.filter(bad)[0]
            msg = (
                f"{name}: column {column!r} holds {example!r}, which is not a date; write dates as "
                "YYYY-MM-DD (12/19/2025 and Fri Dec 19 2025 are read too)"
            )
            raise InputError(msg)
        return parsed.alias("expiration")
    msg = f"{name}: column {column!r} has type {series.dtype}, expected dates"
    raise InputError(msg)


#: Date spellings read from text, tried in this order; the first that reads every value wins.
#: ISO (also the date part of an ISO time), US month/day/year, CBOE's ``Fri Dec 19 2025``, compact.
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%a %b %d %Y", "%b %d %Y", "%d %b %Y", "%Y%m%d", "%Y/%m/%d")


def text_dates(series: pl.Series) -> pl.Series:
    """Dates from text in one of :data:`DATE_FORMATS` (null where none reads the value)."""
    text = series.str.strip_chars()
    text = pl.select(pl.when(text == "").then(None).otherwise(text)).to_series()
    present = text.drop_nulls()
    best: pl.Series | None = None
    for fmt in DATE_FORMATS:
        source = text.str.slice(0, 10) if fmt == "%Y-%m-%d" else text
        parsed = source.str.to_date(fmt, strict=False)
        if parsed.null_count() == text.null_count():
            return parsed
        if best is None or parsed.null_count() < best.null_count():
            best = parsed
    return best if best is not None and present.len() else text.cast(pl.Date, strict=False)


# Epoch milliseconds of 1970-01-01 and 2200-12-31: a timestamp outside them is not a market time.
_EPOCH_MILLIS = (0.0, 7_289_654_400_000.0)


def epoch_millis(millis: pl.Series, raw: pl.Series, column: str, name: str) -> pl.Series:
    """Epoch milliseconds as Int64, refusing values that are not times (inf, 1e20, -1e12).

    Raises
    ------
    InputError
        Naming the column and an example as written in ``raw``.
    """
    bad = (
        millis.is_not_null()
        & ~millis.is_nan()
        & (~millis.is_finite() | (millis < _EPOCH_MILLIS[0]) | (millis > _EPOCH_MILLIS[1]))
    )
    if bad.any():
        msg = f"{name}: column {column!r} holds {raw.filter(bad)[0]!r}, which is not an epoch time between 1970 and 2200"
        raise InputError(msg)
    return millis.fill_nan(None).cast(pl.Int64)


def datetimes(series: pl.Series, name: str = "<frame>") -> pl.Series:
    """Timestamps from strings (ISO, with or without offset), datetimes or epoch seconds, in UTC.

    Raises
    ------
    InputError
        Epoch numbers that are not times between 1970 and 2200.
    """
    if isinstance(series.dtype, pl.Datetime):
        if series.dtype.time_zone is None:
            return series.dt.replace_time_zone("UTC")
        return series.dt.convert_time_zone("UTC")
    if series.dtype == pl.Date:
        return series.cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    if series.dtype.is_numeric():
        return epoch_millis(series.cast(pl.Float64) * 1000, series, series.name, name).cast(
            pl.Datetime("ms", "UTC")
        )
    if series.dtype == pl.String:
        return series.str.strip_chars().str.to_datetime(time_zone="UTC", strict=False)
    return pl.Series(series.name, [None] * len(series), dtype=pl.Datetime("us", "UTC"))


def rights(frame: pl.DataFrame, column: str, name: str) -> pl.Series:
    words = frame.get_column(column).cast(pl.String).str.strip_chars().str.to_lowercase()
    mapped = words.replace_strict(RIGHT_WORDS, default=None, return_dtype=pl.String)
    bad = mapped.is_null()
    if bad.any():
        example = frame.get_column(column).filter(bad)[0]
        msg = f"{name}: column {column!r} holds {example!r}; a call/put column must say call/put or C/P"
        raise InputError(msg)
    return mapped.alias("right")


def finite(values: pl.Series) -> pl.Series:
    """Prices and volatilities: NaN and ±inf mean "no value"."""
    return pl.select(pl.when(values.is_finite()).then(values).otherwise(None)).to_series().alias(values.name)


def whole_counts(values: pl.Series, column: str, name: str, role: str) -> pl.Series:
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
