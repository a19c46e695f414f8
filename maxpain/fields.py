"""The normalizer's per-field steps: which column plays which role in a raw table, and each
field of the Chain read from it (rights, expirations, strikes, counts, prices, multipliers), each
validated with an error that names the file, the column and the fix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from maxpain.chain import MAX_STRIKE, RIGHT_DTYPE, STRIKE_SCALE
from maxpain.columns import ALIASES, OCC_PATTERN, dates, find_column, finite, numeric, rights, whole_counts
from maxpain.errors import InputError

# Yahoo writes this implied volatility when it could not compute one (deep ITM, no quote).
IV_PLACEHOLDER_MAX = 1.5e-5

# Expirations outside these dates are a broken column, not options (epoch zero, year 9999).
FIRST_EXPIRATION = date(1970, 1, 1)
LAST_EXPIRATION = date(2200, 12, 31)
# Strikes are kept in thousandths (OCC precision): anything smaller rounds to nothing.
MIN_STRIKE = 0.001

_ROLE_OF = {"call/put": "right", "expiration": "expiration", "strike": "strike"}


@dataclass(frozen=True)
class RawTable:
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


def find_columns_of(frame: pl.DataFrame, name: str) -> RawTable:
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
    return RawTable(frame, name, found, occ)


def rights_of(table: RawTable) -> pl.Series:
    column = table.found["right"]
    if column is not None:
        right = rights(table.frame, column, table.name)
    else:
        right = table.occ_parts("call/put").get_column("cp").alias("right")
    return right.cast(RIGHT_DTYPE)


def expirations_of(table: RawTable, expiration: date | None) -> pl.Series:
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


def strikes_of(table: RawTable) -> pl.Series:
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


def counts_of(table: RawTable) -> tuple[pl.Series, pl.Series]:
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


def prices_of(table: RawTable) -> tuple[pl.Series, ...]:
    """Bid, ask, last and IV: non-finite values and Yahoo's IV placeholder become null."""
    bid, ask, last, iv = (
        finite(numeric(table.frame, table.found[role], table.name, role))
        for role in ("bid", "ask", "last", "implied_volatility")
    )
    iv = pl.select(pl.when(iv > IV_PLACEHOLDER_MAX).then(iv).otherwise(None)).to_series()
    return bid, ask, last, iv.alias("implied_volatility")


def multipliers_of(table: RawTable) -> pl.Series:
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
