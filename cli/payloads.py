"""Stable JSON documents for ``--json`` (numbers as numbers, dates ISO, undefined = null + reason)."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import polars as pl

from maxpain.analysis import Exposure, MaxPain, OIChange, Walls, Window
from maxpain.chain import Chain
from maxpain.store import SnapshotInfo


def clean(value: Any) -> Any:
    """JSON-safe: dates ISO, NaN → null, nested containers cleaned."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [clean(row) for row in frame.iter_rows(named=True)]


def snapshot(chain: Chain, info: SnapshotInfo | None) -> dict[str, Any]:
    return {
        "id": info.id if info else None,
        "captured_at": chain.meta.captured_at.isoformat(),
        "spot": chain.meta.spot,
        "spot_estimated": chain.meta.spot_estimated,
        "source": chain.meta.source,
        "contracts": len(chain),
        "notes": chain.meta.notes,
    }


def window(value: Window | None, pooled: MaxPain | None) -> dict[str, Any] | None:
    if value is None:
        return None
    out: dict[str, Any] = value.to_json()
    if pooled is not None:
        out["pooled_max_pain"] = pooled.strike
        out["reason"] = pooled.reason
        out["call_oi"] = pooled.call_oi
        out["put_oi"] = pooled.put_oi
    return out


def expirations(table: pl.DataFrame) -> list[dict[str, Any]]:
    return records(
        table.select(
            "expiration",
            "max_pain",
            "distance_to_spot",
            "call_oi",
            "put_oi",
            "put_call_oi_ratio",
            "call_volume",
            "put_volume",
            "put_call_volume_ratio",
            "contracts",
            "unknown_oi",
            "min_payout",
            "reason",
            "note",
        )
    )


def walls(ticker: str, chain: Chain, info: SnapshotInfo | None, result: Walls) -> dict[str, Any]:
    return {
        "ticker": ticker,
        "snapshot": snapshot(chain, info),
        "window": window(result.window, None),
        "pooled_max_pain": result.pooled.strike,
        "pooled_max_pain_reason": result.pooled.reason,
        "put_total": result.put_total,
        "call_total": result.call_total,
        "put_call_oi_ratio": result.put_call_oi_ratio,
        "put_walls": records(result.put_walls),
        "call_walls": records(result.call_walls),
        "clusters": records(result.clusters),
        "notes": result.notes,
    }


def change(
    ticker: str,
    before: tuple[Chain, SnapshotInfo | None],
    after: tuple[Chain, SnapshotInfo | None],
    result: OIChange,
    top: int,
) -> dict[str, Any]:
    changed = result.changes.filter(pl.col("status") != "unchanged").sort(
        pl.col("change").abs(), "expiration", "strike", descending=[True, False, False], nulls_last=True
    )
    return {
        "ticker": ticker,
        "from": snapshot(*before),
        "to": snapshot(*after),
        "changes": records(
            changed.select("expiration", "strike", "right", "root", "oi_from", "oi_to", "change", "status")
        ),
        "build_ups": records(
            result.build_ups(top).select(
                "expiration", "strike", "right", "oi_from", "oi_to", "change", "status"
            )
        ),
        "unwinds": records(
            result.unwinds(top).select(
                "expiration", "strike", "right", "oi_from", "oi_to", "change", "status"
            )
        ),
        "by_expiration": records(result.by_expiration),
        "warnings": result.warnings,
    }


def exposure(result: Exposure) -> dict[str, Any]:
    return clean(
        {
            "ticker": result.ticker,
            "contracts": result.contracts,
            "strike": result.strike,
            "right": result.right,
            "expiration": result.expiration,
            "multiplier": result.multiplier,
            "shares": result.shares,
            "spot": result.spot,
            "spot_estimated": result.spot_estimated,
            "notional_at_spot": result.notional_at_spot,
            "notional_at_strike": result.notional_at_strike,
            "price": result.price,
            "price_basis": result.price_basis,
            "premium": result.premium,
            "notional_to_premium": result.notional_to_premium,
            "implied_volatility": result.implied_volatility,
            "years_to_expiry": result.years_to_expiry,
            "rate": result.rate,
            "delta": result.delta,
            "gamma": result.gamma,
            "delta_adjusted_notional": result.delta_adjusted_notional,
            "open_interest": result.open_interest,
            "reasons": result.reasons,
        }
    )
