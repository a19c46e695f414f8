"""The ``--json`` contract: one stable document per command (numbers as numbers, dates ISO,
undefined values null with a ``reason``). Every figure a view prints is in its document."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from maxpain.analyses import (
        NearVersusLater,
        OIChange,
        OIWalls,
        PainStudy,
        PooledMaxPain,
        PositionExposure,
        Window,
    )
    from maxpain.analyses.history import History
    from maxpain.analyses.pinning import Measures, Pinning
    from maxpain.chain import ChainMeta
    from maxpain.footer import SnapshotInfo
    from maxpain.snapshot import Snapshot
    from maxpain.store import SaveResult


_CONTRACT_CHANGE = ("expiration", "strike", "right", "oi_from", "oi_to", "change", "status")
_EXPIRATION_FIELDS = (
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


def clean(value: Any) -> Any:
    """JSON-safe: dates ISO, NaN → null, floats to 12 significant digits (no binary noise such as
    -2.4099999999999966 for 180 − 182.41), nested containers cleaned."""
    kind = type(value)
    if kind is str or kind is int or value is None or kind is bool:  # most values: as they are
        return value
    if kind is float:
        return float(f"{value:.12g}") if math.isfinite(value) else None
    if kind is dict:  # the scalars of a row inline (a 5,000-row scan cleans 100,000 of them)
        out = {}
        for key, item in value.items():
            of = type(item)
            if of is str or of is int or item is None or of is bool:
                out[key] = item
            elif of is float:
                out[key] = float(f"{item:.12g}") if math.isfinite(item) else None
            else:
                out[key] = clean(item)
        return out
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float):
        return float(f"{value:.12g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    return value


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [clean(row) for row in frame.iter_rows(named=True)]


def snapshot(opened: Snapshot) -> dict[str, Any]:
    chain = opened.chain
    return {
        "id": opened.id,
        "captured_at": chain.meta.captured_at.isoformat(),
        "spot": chain.meta.spot,
        "spot_estimated": chain.meta.spot_estimated,
        "source": chain.meta.source,
        "contracts": len(chain),
        "notes": chain.meta.notes,
    }


def window(value: Window | None, pooled: PooledMaxPain | None) -> dict[str, Any] | None:
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
    return records(table.select(_EXPIRATION_FIELDS))


def walls(opened: Snapshot, result: OIWalls) -> dict[str, Any]:
    return {
        "ticker": opened.chain.underlying,
        "snapshot": snapshot(opened),
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


def report(
    opened: Snapshot, result: OIWalls, table: pl.DataFrame, fresh: pl.DataFrame, warnings: list[str]
) -> dict[str, Any]:
    return {
        **walls(opened, result),
        "window": window(result.window, result.pooled),
        "expirations": expirations(table),
        "fresh_positioning": records(fresh),
        "warnings": warnings,
    }


def pain(opened: Snapshot, study: PainStudy, warnings: list[str]) -> dict[str, Any]:
    curve = study.curve_window
    return {
        "ticker": opened.chain.underlying,
        "snapshot": snapshot(opened),
        "expirations": expirations(study.expirations),
        "window": window(study.window, study.pooled),
        "curve": {
            "expirations": [e.isoformat() for e in curve.expirations] if curve else [],
            "max_pain": study.curve_max_pain.strike if study.curve_max_pain else None,
            "points": records(study.curve) if study.curve is not None else [],
            "reason": study.curve_reason,
        },
        "warnings": warnings,
    }


def heatmap(
    opened: Snapshot,
    metric: str,
    grid: pl.DataFrame,
    max_pain: dict[date, float | None],
    warnings: list[str],
    earlier: Snapshot | None = None,
    gamma: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "ticker": opened.chain.underlying,
        "snapshot": snapshot(opened),
        **({"from": snapshot(earlier)} if earlier is not None else {}),
        "metric": metric,
        **(gamma or {}),
        "cells": records(grid),
        "max_pain": {k.isoformat(): v for k, v in max_pain.items()},
        "warnings": warnings,
    }


def change(
    before: Snapshot, after: Snapshot, result: OIChange, split: NearVersusLater, top: int, warnings: list[str]
) -> dict[str, Any]:
    return {
        "ticker": after.chain.underlying,
        "from": snapshot(before),
        "to": snapshot(after),
        "changes": records(
            result.changed().select(
                "expiration", "strike", "right", "root", "oi_from", "oi_to", "change", "status"
            )
        ),
        "build_ups": records(result.build_ups(top).select(_CONTRACT_CHANGE)),
        "unwinds": records(result.unwinds(top).select(_CONTRACT_CHANGE)),
        "by_expiration": records(result.by_expiration),
        "largest_build_up": clean(
            {k: v for k, v in (result.largest_build_up() or {}).items() if k in _CONTRACT_CHANGE} or None
        ),
        "near_versus_later": split.to_json(),
        "warnings": warnings,
    }


def exposure(result: PositionExposure, warnings: list[str]) -> dict[str, Any]:
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
            "delta_shares": result.delta_shares,
            "gamma": result.gamma,
            "delta_adjusted_notional": result.delta_adjusted_notional,
            "open_interest": result.open_interest,
            "reasons": result.reasons,
            "warnings": warnings,
        }
    )


def snapshots(listed: Sequence[SnapshotInfo]) -> list[dict[str, Any]]:
    return [info.to_json() for info in listed]


def saved(name: str, meta: ChainMeta, result: SaveResult) -> dict[str, Any]:
    return {
        "input": name,
        **result.info.to_json(),
        "created": result.created,
        "captured_at_from": meta.captured_at_from,
        "read_notes": meta.read_notes,
    }


def history_rows(result: History) -> list[dict[str, Any]]:
    """The rows of ``history --json``: one per snapshot, oldest first."""
    by_position: dict[int, dict[str, float | None]] = {}
    for position, expiration, value in result.max_pain.select(
        "position", "expiration", "max_pain"
    ).iter_rows():
        by_position.setdefault(position, {})[expiration.isoformat()] = value
    rows = []
    for row in result.rows.iter_rows(named=True):
        rows.append(
            {
                "snapshot": row["id"],
                "captured_at": row["captured_at"],
                "spot": row["spot"],
                "spot_estimated": row["spot_estimated"],
                "max_pain": by_position.get(row["position"], {}),
                "pooled_max_pain": row["pooled_max_pain"],
                "pooled_reason": row["pooled_reason"],
                "window_until": row["window_until"],
                "window_expirations": row["window_expirations"],
                "put_wall": row["put_wall"],
                "put_wall_oi": row["put_wall_oi"],
                "call_wall": row["call_wall"],
                "call_wall_oi": row["call_wall_oi"],
                "put_call_oi": row["put_call_oi"],
                "call_oi": row["call_oi"],
                "put_oi": row["put_oi"],
                "total_oi": row["total_oi"],
                "flagged": row["flagged"],
                "warnings": row["warnings"],
            }
        )
    return rows


def history(result: History) -> dict[str, Any]:
    """``history --json``."""
    return clean(
        {
            "ticker": result.ticker,
            "expirations": list(result.expirations),
            "expirations_chosen": result.chosen,
            "window": {"until": result.until, "weeks": result.weeks, "rule": result.window_label},
            "rows": history_rows(result),
        }
    )


def history_csv(result: History) -> str:
    """``history --csv``: the rows flattened (one ``max_pain_<expiration>`` column each)."""
    rows = []
    for row in history_rows(result):
        flat = {k: v for k, v in row.items() if k not in ("max_pain", "warnings")}
        for expiration in result.expirations:
            flat[f"max_pain_{expiration.isoformat()}"] = row["max_pain"].get(expiration.isoformat())
        flat["warnings"] = " | ".join(row["warnings"])
        rows.append(flat)
    return csv_text(rows)


def csv_text(rows: list[dict[str, Any]]) -> str:
    """Rows of dicts as CSV (header from the first row), values cleaned as in JSON."""
    import csv
    import io

    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: clean(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def _measures(measures: Measures) -> dict[str, Any]:
    return {
        "events": measures.events,
        "moved_toward": {
            "count": measures.moved_toward,
            "share": measures.share,
            "low": measures.low,
            "high": measures.high,
        },
        "median_distance_before": measures.median_distance_before,
        "median_distance_after": measures.median_distance_after,
        "within_one_step": measures.within_one_step,
    }


def pinning(result: Pinning) -> dict[str, Any]:
    """``pinning --json``: the pooled statistics, the placebo's, the paired test, per ticker."""
    pooled = _measures(result.max_pain)
    return clean(
        {
            "lag": result.lag,
            "tickers": list(result.tickers),
            "events": pooled["events"],
            "skipped": result.skipped_total,
            "skipped_by_reason": result.skipped,
            "left_out_snapshots": result.left_out,
            "moved_toward": pooled["moved_toward"],
            "median_distance_before": pooled["median_distance_before"],
            "median_distance_after": pooled["median_distance_after"],
            "within_one_step": pooled["within_one_step"],
            "placebo": _measures(result.placebo),
            "paired": {
                "max_pain_only": result.max_pain_only,
                "placebo_only": result.placebo_only,
                "p_value": result.p_value,
            },
            "verdict": result.verdict(),
            "by_ticker": [
                {"ticker": ticker, **_measures(mp), "placebo": _measures(placebo)}
                for ticker, mp, placebo in result.by_ticker
            ],
            "event_rows": result.events.to_dicts(),
        }
    )


def pinning_csv(result: Pinning) -> str:
    """``pinning --csv``: one row per event, with whether the close moved toward each target."""
    rows = []
    for row in result.events.to_dicts():
        mp, placebo = row["max_pain"], row["placebo_max_pain"]
        s0, s1 = row["spot_before"], row["spot_after"]
        row["moved_toward_max_pain"] = abs(s1 - mp) < abs(s0 - mp)
        row["moved_toward_placebo"] = None if placebo is None else abs(s1 - placebo) < abs(s0 - placebo)
        rows.append(row)
    return csv_text(rows)
