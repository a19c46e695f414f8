"""The data model: a Chain is every contract of one underlying captured at one moment.

One row per contract in a polars frame with a fixed schema (:data:`CHAIN_SCHEMA`), plus
:class:`ChainMeta`. Sources never build a Chain by hand: they go through
:func:`maxpain.normalize.normalize`, the single funnel that maps every collector's convention.
"""

from __future__ import annotations

import dataclasses
import hashlib
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
    "delta": pl.Float64,  # the source's greeks, when it gives them (null otherwise)
    "gamma": pl.Float64,
    "contract_symbol": pl.String,
    "root": pl.String,
    "multiplier": pl.Int32,
}
CHAIN_COLUMNS = tuple(CHAIN_SCHEMA)
#: Columns a source may not have and snapshots stored before they existed lack (read as null).
OPTIONAL_COLUMNS = ("delta", "gamma")

# No listed option has a strike this high (thousandths of it must fit the matching keys).
MAX_STRIKE = 10_000_000.0

# Strikes are compared, matched and summed in thousandths of a currency unit (OCC precision).
STRIKE_SCALE = 1000

_TICKER_PATTERN = re.compile(r"^[A-Z0-9^][A-Z0-9.^=\-]{0,15}$")


def strike_thousandths(strike: pl.Expr) -> pl.Expr:
    """Strikes as int64 thousandths (OCC precision): the one conversion every layer uses."""
    return (strike * STRIKE_SCALE).round(0).cast(pl.Int64)


def strikes_of_units(units: pl.Series, name: str = "strike") -> pl.Series:
    """Strikes from thousandths, each the double nearest its decimal value: a true division per
    value (polars divides a column as a product with the reciprocal, a unit in the last place off
    for about one strike in eight, which would print 12.350000000000001)."""
    return pl.Series(
        name, [None if u is None else u / STRIKE_SCALE for u in units.to_list()], dtype=pl.Float64
    )


def validate_ticker(ticker: str) -> str:
    """Return the upper-cased ticker, or raise :class:`InputError` if it could not be a symbol.

    Tickers become folder names in the store, so anything that could escape it (``..``, ``/``,
    NUL, very long names) is refused before any path is built.
    """
    if not isinstance(ticker, str):
        msg = f"ticker must be a string, got {type(ticker).__name__}"
        raise InputError(msg)
    # checked before upper-casing: "ſpy".upper() is "SPY", a look-alike of another symbol
    candidate = ticker.strip().upper() if ticker.isascii() else "\x00"
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
    coverage: str | None = None  # why a partial chain is partial, when it is not missing expirations
    adjusted_roots: dict[str, str] = field(
        default_factory=dict
    )  # root → its deliverable (see maxpain.adjusted)
    rows_in: int = 0
    rows_dropped: int = 0
    duplicates_removed: int = 0
    unknown_oi: int = 0
    zero_oi_share: float = 0.0
    notes: list[str] = field(default_factory=list)  # data-quality warnings every view shows
    read_notes: list[str] = field(default_factory=list)  # how the source was read (said on import)

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["captured_at"] = self.captured_at.isoformat()
        out["quote_time"] = self.quote_time.isoformat() if self.quote_time else None
        return out

    @property
    def warnings(self) -> list[str]:
        """The data-quality notes a view of this chain must show: the synthetic-data notice
        first, then a partial fetch or a partial source, then what the normalizer noticed."""
        return note_warnings(
            self.notes,
            partial=self.partial,
            missing_expirations=self.missing_expirations,
            coverage=self.coverage,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChainMeta:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["captured_at"] = as_utc(datetime.fromisoformat(values["captured_at"]))
        if values.get("quote_time"):
            values["quote_time"] = as_utc(datetime.fromisoformat(values["quote_time"]))
        return cls(**values)


def note_warnings(
    notes: Sequence[str],
    *,
    partial: bool = False,
    missing_expirations: Sequence[str] = (),
    coverage: str | None = None,
) -> list[str]:
    """The warnings of a snapshot with these notes (see :attr:`ChainMeta.warnings`): the
    synthetic-data notice first, then a partial fetch or a partial source, then the rest."""
    synthetic = [n for n in notes if n.startswith("SYNTHETIC")]
    rest = [n for n in notes if not n.startswith("SYNTHETIC")]
    if partial and not any(n.startswith("partial") for n in rest):
        if missing_expirations:
            rest.insert(0, "partial snapshot: " + ", ".join(missing_expirations) + " missing")
        else:
            rest.insert(0, f"partial: {coverage or 'the source cut the chain'}: not the whole chain")
    return synthetic + rest


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

    @property
    def warnings(self) -> list[str]:
        """See :attr:`ChainMeta.warnings`."""
        return self.meta.warnings

    def content_hash(self) -> str:
        """Hash of the rows, the underlying and the capture time: equal hashes = same snapshot."""
        digest = hashlib.sha256()
        digest.update(self.meta.underlying.encode())
        digest.update(self.meta.captured_at.isoformat().encode())
        # optional columns a source did not fill are left out, so the hash of a chain does not
        # change with columns added to the schema later
        empty = [c for c in OPTIONAL_COLUMNS if self.frame.get_column(c).null_count() == self.frame.height]
        rows = self.frame.drop(empty)
        # CSV text is a serialisation that does not change between polars versions; hashed in
        # slices so a million-contract chain never exists as one big string.
        for start in range(0, rows.height, 100_000):
            digest.update(rows.slice(start, 100_000).write_csv(include_header=start == 0).encode())
        return digest.hexdigest()[:32]


def positions_fingerprint(frame: pl.DataFrame) -> str:
    """Hash of the contracts and their open interest alone (not prices, spot or capture time):
    two snapshots with equal fingerprints hold the same positions, as a holiday's copy of the
    previous session does."""
    digest = hashlib.sha256()
    # a chain's rows are sorted by their contract key, so equal positions come in the same order
    rows = frame.select("contract_symbol", "open_interest")
    for start in range(0, rows.height, 100_000):
        digest.update(rows.slice(start, 100_000).write_csv(include_header=False).encode())
    return digest.hexdigest()[:32]


def as_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive time is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
