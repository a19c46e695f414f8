"""Raw Schwab Trader API ``/marketdata/v1/chains`` bodies.

The body nests contracts by side, then expiration (``"2025-03-28:2"``), then strike (``"25.0"``),
each a list of contracts: OCC ``symbol`` padded with spaces (``GME   250328C00005000``),
``openInterest``, ``totalVolume``, ``volatility`` in percent (``-999`` when none), greeks,
``quoteTimeInLong`` (epoch ms), ``optionRoot``, and for adjusted contracts (a split or a reverse
split changed what one contract delivers) ``nonStandard`` with the real deliverable in
``optionDeliverablesList``. ``isChainTruncated`` says whether Schwab cut the chain.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import polars as pl

from maxpain.errors import InputError, NoOptionsError

_SIDES = (("callExpDateMap", "C"), ("putExpDateMap", "P"))
# Schwab writes this (and other large negative numbers) when it has no volatility or greek.
_NO_VALUE_BELOW = -900.0


@dataclass
class SchwabBody:
    """One body flattened: a row per contract, and what the body says about the whole chain."""

    frame: pl.DataFrame
    symbol: str
    spot: float | None
    quote_time: datetime | None
    truncated: bool
    adjusted_roots: dict[str, str] = field(default_factory=dict)  # root → deliverable, e.g. "25 VXX"


def is_schwab_body(body: Any) -> bool:
    return isinstance(body, dict) and ("callExpDateMap" in body or "putExpDateMap" in body)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) and value > _NO_VALUE_BELOW else None


def _deliverable(contract: dict[str, Any], symbol: str) -> str:
    """What one adjusted contract delivers, as Schwab says it (``25 VXX``)."""
    note = contract.get("deliverableNote")
    if isinstance(note, str) and note.strip():
        return note.strip()
    parts = [
        f"{_number(d.get('deliverableUnits')) or 0:g} {d.get('symbol') or symbol}"
        for d in contract.get("optionDeliverablesList") or []
        if isinstance(d, dict)
    ]
    return " + ".join(parts) or "a non-standard deliverable"


def schwab_frame(body: dict[str, Any], name: str) -> SchwabBody:
    """Flatten a ``/chains`` body into one row per contract.

    Raises
    ------
    NoOptionsError
        The body lists no contracts (``status`` other than SUCCESS, or empty maps).
    InputError
        The maps are not expiration → strike → list of contracts.
    """
    symbol = str(body.get("symbol") or "").strip().upper()
    rows: list[dict[str, Any]] = []
    adjusted: dict[str, str] = {}
    latest_quote = 0.0
    for key, right in _SIDES:
        by_expiration = body.get(key) or {}
        if not isinstance(by_expiration, dict):
            msg = f"{name}: {key} is not a map of expirations; is this a Schwab /chains body?"
            raise InputError(msg)
        for expiration_key, strikes in by_expiration.items():
            if not isinstance(strikes, dict):
                msg = f"{name}: {key}[{expiration_key!r}] is not a map of strikes"
                raise InputError(msg)
            for strike_key, contracts in strikes.items():
                for contract in contracts if isinstance(contracts, list) else []:
                    if not isinstance(contract, dict):
                        continue
                    root = str(contract.get("optionRoot") or symbol).strip().upper()
                    if (
                        contract.get("nonStandard") is True
                    ):  # SPXW beside SPX is standard: only the flag counts
                        adjusted.setdefault(root, _deliverable(contract, symbol))
                    quote = _number(contract.get("quoteTimeInLong")) or 0.0
                    latest_quote = max(latest_quote, quote)
                    volatility = _number(contract.get("volatility"))
                    rows.append(
                        {
                            "contractSymbol": contract.get("symbol"),
                            "right": right,
                            "expiration": str(expiration_key).split(":")[0],
                            "strike": _number(contract.get("strikePrice")) or _number(_float(strike_key)),
                            "openInterest": _number(contract.get("openInterest")),
                            "volume": _number(contract.get("totalVolume")),
                            "bid": _number(contract.get("bid")),
                            "ask": _number(contract.get("ask")),
                            "last": _number(contract.get("last")),
                            # percent; zero or negative means none
                            "impliedVolatility": volatility / 100 if volatility and volatility > 0 else None,
                            "delta": _number(contract.get("delta")),
                            "gamma": _number(contract.get("gamma")),
                            "multiplier": _number(contract.get("multiplier")) or 100.0,
                        }
                    )
    if not rows:
        status = body.get("status")
        detail = f" (status {status})" if status and status != "SUCCESS" else ""
        msg = f"{name}: the Schwab body for {symbol or 'its symbol'} holds no contracts{detail}"
        raise NoOptionsError(msg)
    spot = _number(body.get("underlyingPrice"))
    underlying = body.get("underlying")
    if spot is None and isinstance(underlying, dict):
        spot = _number(underlying.get("last")) or _number(underlying.get("mark"))
    return SchwabBody(
        frame=pl.DataFrame(rows, infer_schema_length=None),
        symbol=symbol,
        spot=spot if spot and spot > 0 else None,
        quote_time=datetime.fromtimestamp(latest_quote / 1000, tz=UTC) if latest_quote > 0 else None,
        truncated=bool(body.get("isChainTruncated")),
        adjusted_roots=adjusted,
    )


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
