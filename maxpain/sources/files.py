"""File source: collectors' CSV/Parquet tables and raw Yahoo v7 option-chain bodies."""

from __future__ import annotations

import io
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from maxpain.chain import Chain, validate_ticker
from maxpain.columns import ALIASES
from maxpain.errors import InputError, NoOptionsError
from maxpain.normalize import normalize

# A file larger than this is read lazily and only the columns we use are materialised.
_MAX_JSON_BYTES = 256 * 1024 * 1024


# CSV files above this size are read in chunks of whole lines (see _read_csv_chunked).
_CHUNKED_CSV_BYTES = 64 * 1024 * 1024
_CSV_CHUNK_BYTES = 16 * 1024 * 1024


def _wanted_columns(names: list[str]) -> list[str]:
    """The columns the normalizer knows; everything else is never materialised."""
    known = {alias.lower() for aliases in ALIASES.values() for alias in aliases}
    return [n for n in names if n.lower() in known] or names


def _read_csv_chunked(path: Path, separator: str) -> pl.DataFrame | None:
    """Read a large CSV a chunk of whole lines at a time, keeping only the wanted columns (as
    text; the normalizer converts): peak memory follows the size of those columns, not of the
    file. Returns None when the file does not split cleanly on lines (quoted newlines), so the
    caller can fall back to the whole-file reader."""
    with open(path, "rb") as handle:
        header = handle.readline()
        names = pl.read_csv(io.BytesIO(header), separator=separator).columns
        keep = _wanted_columns(names)
        parts = []
        while lines := handle.readlines(_CSV_CHUNK_BYTES):
            try:
                part = pl.read_csv(
                    io.BytesIO(header + b"".join(lines)),
                    separator=separator,
                    columns=keep,
                    schema_overrides=dict.fromkeys(keep, pl.String),
                )
            except pl.exceptions.PolarsError:
                return None
            if part.height != len(lines):  # a quoted newline (or blank line) spans rows: not splittable
                return None
            parts.append(part)
    return pl.concat(parts) if parts else pl.DataFrame(schema=dict.fromkeys(keep, pl.String))


def read_table(path: Path) -> pl.DataFrame:
    """Read a CSV or Parquet table, with errors that name the file."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            lazy = pl.scan_parquet(path, glob=False)  # the path as named, never a pattern
        elif suffix in (".csv", ".txt", ".tsv"):
            separator = "\t" if suffix == ".tsv" else ","
            if path.stat().st_size > _CHUNKED_CSV_BYTES:
                chunked = _read_csv_chunked(path, separator)
                if chunked is not None:
                    return chunked
            lazy = pl.scan_csv(
                path, separator=separator, infer_schema_length=10_000, try_parse_dates=False, glob=False
            )
        else:
            lazy = None
        if lazy is not None:
            # Only the columns the normalizer knows are read (Parquet reads just those column
            # chunks): a wide file costs memory for those columns alone.
            return lazy.select(_wanted_columns(lazy.collect_schema().names())).collect(engine="streaming")
    except FileNotFoundError:
        msg = f"{path}: no such file"
        raise InputError(msg) from None
    except (pl.exceptions.PolarsError, OSError, ValueError, UnicodeDecodeError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        msg = f"{path}: cannot be read as {suffix.lstrip('.').upper()} ({first_line[:160]})"
        raise InputError(msg) from None
    msg = f"{path}: unknown file type {suffix!r}; import reads .csv, .parquet and raw Yahoo .json bodies"
    raise InputError(msg)


def yahoo_body_frame(body: Any, name: str) -> tuple[pl.DataFrame, dict[str, Any], str]:
    """Flatten a raw ``/v7/finance/options/SYMBOL`` body into one row per contract.

    Returns the frame (with a ``right`` column), the quote dict and the underlying symbol.
    """
    try:
        result = body["optionChain"]["result"]
    except (KeyError, TypeError):
        msg = f"{name}: not a Yahoo option-chain body (no optionChain.result)"
        raise InputError(msg) from None
    if not result:
        error = (body.get("optionChain") or {}).get("error") if isinstance(body, dict) else None
        detail = f": {error.get('description') or error.get('code')}" if isinstance(error, dict) else ""
        msg = f"{name}: Yahoo returned no result{detail}"
        raise NoOptionsError(msg)
    block = result[0]
    symbol = str(block.get("underlyingSymbol") or (block.get("quote") or {}).get("symbol") or "")
    quote = block.get("quote") or {}
    options = block.get("options") or []
    if not block.get("expirationDates") and not any(o.get("calls") or o.get("puts") for o in options):
        msg = f"{symbol or name} lists no options at Yahoo ({name})"
        raise NoOptionsError(msg)
    rows: list[dict[str, Any]] = []
    for option_block in options:
        for side, right in (("calls", "C"), ("puts", "P")):
            for contract in option_block.get(side) or []:
                row = dict(contract)
                row["right"] = right
                rows.append(row)
    if not rows:
        asked = [
            datetime.fromtimestamp(o["expirationDate"], tz=UTC).date().isoformat()
            for o in options
            if isinstance(o.get("expirationDate"), int | float)
        ]
        listed = block.get("expirationDates") or []
        requested = f" for {', '.join(asked)}" if asked else ""
        msg = (
            f"{name}: the body holds no contracts{requested}; that expiration is not listed "
            f"(expired?) — {symbol} lists {len(listed)} other expirations"
        )
        raise InputError(msg)
    columns = sorted({key for row in rows for key in row})
    frame = pl.DataFrame(
        {key: [row.get(key) for row in rows] for key in columns}, strict=False, infer_schema_length=None
    )
    return frame, quote, symbol


def read_file(
    path: str | Path,
    *,
    ticker: str | None = None,
    captured_at: datetime | None = None,
    force_ticker: bool = False,
) -> Chain:
    """Read one file into a :class:`Chain`.

    Parameters
    ----------
    path: a ``.csv``/``.parquet`` table in any known convention, or a raw Yahoo v7 ``.json`` body.
    ticker: the underlying; default the OCC root of the contracts (or the body's symbol).
    captured_at: capture time; default from the data (see :func:`maxpain.normalize.normalize`).
    force_ticker: store under ``ticker`` even if the contracts' OCC roots name another underlying.

    Raises
    ------
    InputError, NoOptionsError
    """
    path = Path(path)
    if not path.exists():
        msg = f"{path}: no such file"
        raise InputError(msg)
    if path.is_dir():
        msg = f"{path}: is a folder; give the files inside it (e.g. {path}/*.parquet)"
        raise InputError(msg)
    if path.stat().st_size == 0:
        msg = f"{path}: the file is empty"
        raise InputError(msg)
    underlying = validate_ticker(ticker) if ticker else None
    if path.suffix.lower() == ".json":
        if path.stat().st_size > _MAX_JSON_BYTES:
            msg = f"{path}: a {path.stat().st_size // 2**20} MiB JSON body is not a Yahoo option-chain answer"
            raise InputError(msg)
        try:
            body = json.loads(path.read_bytes())
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            msg = f"{path}: not valid JSON ({error.__class__.__name__} at byte {getattr(error, 'pos', '?')})"
            raise InputError(msg) from None
        except RecursionError:
            msg = f"{path}: the JSON is nested too deeply to be a Yahoo option-chain body"
            raise InputError(msg) from None
        frame, quote, symbol = yahoo_body_frame(body, str(path))
        quote_time = epoch_time(quote.get("regularMarketTime"), "regularMarketTime", str(path))
        spot = quote.get("regularMarketPrice")
        spot = float(spot) if isinstance(spot, int | float) and math.isfinite(spot) and spot > 0 else None
        chain = normalize(
            frame,
            underlying=underlying or (validate_ticker(symbol) if symbol else None),
            captured_at=captured_at,
            spot=spot,
            quote_time=quote_time,
            source=f"file:{path.name}",
            name=str(path),
            force_ticker=force_ticker,
        )
        chain.meta.notes.extend(_market_state_notes(quote, chain.meta.captured_at_from, str(path)))
        return chain
    table = read_table(path)
    return normalize(
        table,
        underlying=underlying,
        captured_at=captured_at,
        source=f"file:{path.name}",
        name=str(path),
        force_ticker=force_ticker,
    )


# Epoch seconds a quote can carry: 1970 to 2200.
_EPOCH_RANGE = (0.0, 7_258_118_400.0)


def epoch_time(value: Any, field: str, name: str) -> datetime | None:
    """A Yahoo epoch-seconds field as a UTC time; None when absent; refused when not a time.

    Raises
    ------
    InputError
        Infinity, NaN, or a value outside 1970–2200 (1e20, -1e12).
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        msg = f"{name}: {field} {value!r} is not a time (epoch seconds)"
        raise InputError(msg)
    if not (math.isfinite(value) and _EPOCH_RANGE[0] <= value <= _EPOCH_RANGE[1]):
        msg = f"{name}: {field} {value!r} is not a time between 1970 and 2200 (epoch seconds)"
        raise InputError(msg)
    return datetime.fromtimestamp(value, tz=UTC)


def _market_state_notes(quote: dict[str, Any], captured_at_from: str, name: str) -> list[str]:
    """A body fetched outside the regular session carries the last session's quote time: when
    that became the capture time, say so (OI and quotes are the last session's anyway)."""
    state = quote.get("marketState")
    if not state or state == "REGULAR" or not captured_at_from.startswith("quote time"):
        return []
    later = [
        t
        for t in (epoch_time(quote.get(f), f, name) for f in ("preMarketTime", "postMarketTime"))
        if t is not None
    ]
    fetched = f"; the body itself was fetched around {max(later):%Y-%m-%d %H:%M} UTC" if later else ""
    return [
        f"captured with the market {str(state).lower()}: the capture time is the last regular session's "
        f"quote time{fetched}"
    ]
