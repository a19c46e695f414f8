"""The normalizer's per-field steps: which column plays which role in a raw table, and each
field of the Chain read from it (rights, expirations, strikes, counts, prices, multipliers), each
validated with an error that names the file, the column and the fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from maxpain.chain import MAX_STRIKE, RIGHT_DTYPE, STRIKE_SCALE
from maxpain.columns import (
    ALIASES,
    OCC_PATTERN,
    accepted_names,
    dates,
    find_column,
    finite,
    numeric,
    rights,
    whole_counts,
)
from maxpain.errors import InputError, NotAChainError

# Yahoo writes this implied volatility when it could not compute one (deep ITM, no quote).
IV_PLACEHOLDER_MAX = 1.5e-5

# Expirations outside these dates are a broken column, not options (epoch zero, year 9999).
FIRST_EXPIRATION = date(1970, 1, 1)
LAST_EXPIRATION = date(2200, 12, 31)
# Strikes are kept in thousandths (OCC precision): anything smaller rounds to nothing.
MIN_STRIKE = 0.001

_ROLE_OF = {"call/put": "right", "expiration": "expiration", "strike": "strike"}

#: A contract named by date, strike and side (``2026-06-01_297.50_Call``), as some collectors write.
NAME_PATTERN = r"^(\d{4}-\d{2}-\d{2})[_ ]+(\d+(?:\.\d+)?)[_ ]+(CALL|PUT|C|P)$"

#: Above this median, implied volatilities are percentages (a fraction of 5 is a 500% volatility).
IV_PERCENT_ABOVE = 5.0


@dataclass(frozen=True)
class RawTable:
    """The raw table, the column found for each role, and its parsed OCC symbols (if any)."""

    frame: pl.DataFrame
    name: str
    found: dict[str, str | None]
    occ: pl.DataFrame | None
    notes: list[str] = field(default_factory=list)  # what reading the fields noticed

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
        unparsed = self.occ.get_column("expiry").is_null()
        if unparsed.all() and not any(
            self.found[r] for r in ("strike", "right", "expiration", "open_interest")
        ):
            msg = (
                f"{self.name}: neither its columns nor its symbols ({self.occ.get_column('name')[0]!r}) "
                "describe option contracts; is it an option chain?"
            )
            raise NotAChainError(msg)
        if unparsed.any():
            example = self.occ.get_column("name").filter(unparsed)[0]
            msg = (
                f"{self.name}: {what} must be parsed from contract symbols, but {example!r} is not an OCC "
                "symbol (NVDA251219C00180000) or a contract name (2025-12-19_180.00_Call)"
            )
            raise InputError(msg)
        return self.occ


def find_columns_of(frame: pl.DataFrame, name: str) -> RawTable:
    """Which column plays each role, and the OCC symbols parsed into root/date/right/strike."""
    if frame.height == 0:
        msg = f"{name}: the table has no rows, so there is no chain to read"
        raise InputError(msg)
    found = {role: find_column(frame.columns, role) for role in ALIASES}
    symbol_col = found["contract_symbol"]
    occ = contract_parts(frame.get_column(symbol_col)) if symbol_col is not None else None
    return RawTable(frame, name, found, occ)


def contract_parts(names: pl.Series) -> pl.DataFrame:
    """Root, expiry, side and strike (thousandths) of each contract name.

    OCC symbols (``NVDA251219C00180000``; brokers pad the root with spaces, ``GME   250328C00005000``)
    give all four; contract names (``2026-06-01_297.50_Call``) give all but the root. ``symbol``
    is the OCC symbol without padding (null for a contract name: one is made from the parts).
    """
    text = names.cast(pl.String).str.strip_chars().str.to_uppercase()
    frame = pl.DataFrame({"text": text, "name": names.cast(pl.String)}).with_columns(
        compact=pl.col("text").str.replace_all(" ", "", literal=True)
    )
    occ = frame.select(
        pl.col("compact")
        .str.extract_groups(OCC_PATTERN)
        .struct.rename_fields(["root", "yymmdd", "cp", "milli"])
    ).unnest("compact")
    parts = pl.concat([frame, occ], how="horizontal")
    if occ.get_column("root").null_count():  # some are not OCC symbols: contract names?
        named = frame.select(
            pl.col("text")
            .str.extract_groups(NAME_PATTERN)
            .struct.rename_fields(["day", "named_strike", "side"])
        ).unnest("text")
    else:
        named = pl.DataFrame(schema=dict.fromkeys(["day", "named_strike", "side"], pl.String)).clear(
            frame.height
        )
    parts = pl.concat([parts, named], how="horizontal")
    return parts.select(
        "root",
        expiry=pl.coalesce(
            pl.col("yymmdd").str.to_date("%y%m%d", strict=False),
            pl.col("day").str.to_date("%Y-%m-%d", strict=False),
        ),
        cp=pl.coalesce(pl.col("cp"), pl.col("side").str.slice(0, 1)),
        strike_milli=pl.coalesce(
            pl.col("milli").cast(pl.Int64, strict=False),
            (pl.col("named_strike").cast(pl.Float64, strict=False) * 1000).round(0).cast(pl.Int64),
        ),
        symbol=pl.when(pl.col("root").is_not_null()).then(pl.col("compact")),
        name=pl.col("name"),
    )


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
        try:
            expirations = dates(table.frame, column, table.name)
        except InputError:
            if table.occ is None or table.occ.get_column("expiry").is_null().any():
                raise
            # the column is unreadable, but every contract symbol carries its expiration
            expirations = table.occ.get_column("expiry").alias("expiration")
            table.notes.append(
                f"column {column!r} could not be read as dates: expirations taken from the contract symbols"
            )
    else:
        expirations = table.occ_parts("expiration").get_column("expiry").alias("expiration")
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
    """Open interest and volume: whole, non-negative; null = unknown.

    Raises
    ------
    InputError
        No open-interest column: a snapshot whose every OI is unknown answers nothing.
    """
    found, name = table.found, table.name
    oi_col, volume_col = found["open_interest"], found["volume"]
    if oi_col is None:
        msg = (
            f"{name}: no open-interest column among {', '.join(repr(c) for c in table.frame.columns[:12])}"
            f"{' …' if table.frame.width > 12 else ''}; name it one of {accepted_names('open_interest')} "
            "(case, spaces and punctuation are ignored)"
        )
        raise InputError(msg)
    open_interest = whole_counts(
        numeric(table.frame, oi_col, name, "open_interest"), oi_col, name, "open interest"
    )
    volume = whole_counts(
        numeric(table.frame, volume_col, name, "volume"), volume_col or "volume", name, "volume"
    )
    return open_interest, volume


def prices_of(table: RawTable) -> tuple[pl.Series, ...]:
    """Bid, ask, last, IV, delta and gamma: non-finite values and Yahoo's IV placeholder become
    null; IV written in percent (median above :data:`IV_PERCENT_ABOVE`) becomes a fraction, with a
    note."""
    bid, ask, last, iv, delta, gamma = (
        finite(numeric(table.frame, table.found[role], table.name, role))
        for role in ("bid", "ask", "last", "implied_volatility", "delta", "gamma")
    )
    positive = iv.filter(iv > 0)
    if positive.len() and float(positive.median()) > IV_PERCENT_ABOVE:  # type: ignore[arg-type]
        iv = iv / 100
        table.notes.append(
            f"implied volatility in column {table.found['implied_volatility']!r} is in percent: divided by 100"
        )
    iv = pl.select(pl.when(iv > IV_PLACEHOLDER_MAX).then(iv).otherwise(None)).to_series()
    return bid, ask, last, iv.alias("implied_volatility"), delta.alias("delta"), gamma.alias("gamma")


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
