"""Column readers for the normalizer: which column plays which role, and each column's values
read with errors that name the file, the column and the fix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

from maxpain.errors import InputError

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

RIGHT_WORDS = {"c": "C", "call": "C", "calls": "C", "p": "P", "put": "P", "puts": "P"}
OCC_PATTERN = r"^([A-Z0-9.^]{1,8}?)(\d{6})([CP])(\d{8})$"


def find_column(columns: Sequence[str], role: str) -> str | None:
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
