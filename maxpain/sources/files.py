"""File source: collectors' CSV/Parquet tables and raw Yahoo v7 option-chain bodies."""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from maxpain.chain import Chain, validate_ticker
from maxpain.errors import InputError, NoOptionsError, NotAChainError
from maxpain.normalize import normalize
from maxpain.sources.schwab import is_schwab_body, schwab_frame
from maxpain.sources.tables import read_table

# A file larger than this is read lazily and only the columns we use are materialised.
_MAX_JSON_BYTES = 256 * 1024 * 1024

# The ticker a collector's file name starts with: ``NVDA_2026-06-01.parquet``, ``iwm-2026…``.
_NAMED_TICKER = re.compile(r"^([A-Za-z][A-Za-z0-9.^]{0,9})(?=[_\-\s.]|$)")


def named_ticker(path: Path) -> str | None:
    """The ticker a file's name (else its folder's) starts with, if it looks like one."""
    for candidate in (path.stem, path.parent.name):
        match = _NAMED_TICKER.match(candidate)
        if match:
            try:
                validate_ticker(match.group(1))
            except InputError:
                continue
            return match.group(1)
    return None


def yahoo_body_frame(body: Any, name: str) -> tuple[pl.DataFrame, dict[str, Any], str]:
    """Flatten a raw ``/v7/finance/options/SYMBOL`` body into one row per contract.

    Returns the frame (with a ``right`` column), the quote dict and the underlying symbol.
    """
    try:
        result = body["optionChain"]["result"]
    except (KeyError, TypeError):
        msg = f"{name}: not an option-chain body (neither Yahoo's optionChain.result nor Schwab's callExpDateMap)"
        raise NotAChainError(msg) from None
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
        return _read_json(path, underlying, captured_at, force_ticker)
    table = read_table(path)
    chain = normalize(
        table.frame,
        underlying=underlying,
        captured_at=captured_at or table.captured_at,
        spot=table.spot,
        source=f"file:{path.name}",
        name=str(path),
        force_ticker=force_ticker,
        named_underlying=named_ticker(path),
        read_notes=table.notes,
    )
    if captured_at is None and table.captured_at is not None:
        chain.meta.captured_at_from = "the file's Date: line (New York time)"
    if table.spot is not None:
        chain.meta.spot_method = "the file's Last: line"
    if table.coverage is not None:
        chain.meta.partial = True
        listed = ", ".join(e.isoformat() for e in chain.expirations[:6])
        more = f" and {len(chain.expirations) - 6} more" if len(chain.expirations) > 6 else ""
        chain.meta.coverage = f"{table.coverage} ({listed}{more})"
    return chain


def _read_json(path: Path, underlying: str | None, captured_at: datetime | None, force_ticker: bool) -> Chain:
    """A raw Yahoo v7 or Schwab ``/chains`` body."""
    if path.stat().st_size > _MAX_JSON_BYTES:
        msg = f"{path}: a {path.stat().st_size // 2**20} MiB JSON body is not an option-chain answer"
        raise InputError(msg)
    try:
        body = json.loads(path.read_bytes())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        msg = f"{path}: not valid JSON ({error.__class__.__name__} at byte {getattr(error, 'pos', '?')})"
        raise InputError(msg) from None
    except RecursionError:
        msg = f"{path}: the JSON is nested too deeply to be an option-chain body"
        raise InputError(msg) from None
    if is_schwab_body(body):
        return _schwab_chain(body, path, underlying, captured_at, force_ticker)
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


def _schwab_chain(
    body: dict[str, Any], path: Path, underlying: str | None, captured_at: datetime | None, force_ticker: bool
) -> Chain:
    parsed = schwab_frame(body, str(path))
    chain = normalize(
        parsed.frame,
        underlying=underlying or (validate_ticker(parsed.symbol) if parsed.symbol else None),
        captured_at=captured_at,
        spot=parsed.spot,
        quote_time=parsed.quote_time,
        source=f"file:{path.name}",
        name=str(path),
        force_ticker=force_ticker,
        read_notes=["Schwab /chains body: volatility in percent divided by 100"],
    )
    if captured_at is None and parsed.quote_time is not None:
        chain.meta.captured_at_from = "the latest quoteTimeInLong in the body"
    chain.meta.adjusted_roots = dict(parsed.adjusted_roots)
    for root, deliverable in parsed.adjusted_roots.items():
        n = chain.frame.filter(pl.col("root") == root).height
        chain.meta.notes.append(
            f"{n} contracts of the adjusted root {root} deliver {deliverable}, not 100 shares of "
            f"{chain.underlying}: kept apart from the standard contracts"
        )
    if parsed.truncated:
        chain.meta.partial = True
        chain.meta.coverage = "Schwab truncated the chain (isChainTruncated)"
    return chain


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
