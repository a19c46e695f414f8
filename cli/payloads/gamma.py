"""The ``--json``/``--csv`` documents of dealer gamma: ``gex``, and ``report``'s GEX line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import clean, csv_text, records, snapshot

if TYPE_CHECKING:
    from maxpain.analyses.gamma import GammaExposure
    from maxpain.snapshot import Snapshot


def gex(
    opened: Snapshot, result: GammaExposure, max_pain: float | None, warnings: list[str]
) -> dict[str, Any]:
    """``gex --json``."""
    from maxpain.analyses.gamma import CONVENTION_TEXT, UNIT

    move = result.expected_move
    return clean(
        {
            "ticker": result.ticker,
            "snapshot": snapshot(opened),
            "captured_at": opened.chain.meta.captured_at,
            "spot": result.spot,
            "convention": result.convention,
            "convention_means": CONVENTION_TEXT[result.convention],
            "rate": result.rate,
            "unit": UNIT,
            "iv_source": result.iv_source,
            "window": result.window.to_json(),
            "expirations": [{"expiration": e, "years": y} for e, y in result.years.items()],
            "by_strike": records(result.by_strike),
            "total_gex": result.total_gex,
            "call_gex": result.call_gex,
            "put_gex": result.put_gex,
            "flip": result.flip,
            "flip_reason": result.flip_reason,
            "call_gamma_wall": result.call_gamma_wall,
            "put_gamma_wall": result.put_gamma_wall,
            "max_pain": max_pain,
            "left_out": result.left_out,
            "contracts_counted": result.counted,
            "expected_move": {
                "expiration": move.expiration,
                "strike": move.strike,
                "straddle": move.straddle,
                "move_pct": move.move_pct,
                "iv_move": move.iv_move,
                "basis": move.basis,
                "years": move.years,
                "reason": move.reason,
            },
            "sweep": records(result.sweep),
            "warnings": warnings,
        }
    )


def gex_line(result: GammaExposure | None, reason: str | None) -> dict[str, Any] | None:
    """``report --json``'s ``gex``: the headline figures of ``gex`` (default convention), or null
    with the reason in ``gex_reason``."""
    if result is None:
        return {"reason": reason}
    move = result.expected_move
    return clean(
        {
            "convention": result.convention,
            "rate": result.rate,
            "unit": "USD per 1% move",
            "total_gex": result.total_gex,
            "flip": result.flip,
            "flip_reason": result.flip_reason,
            "call_gamma_wall": result.call_gamma_wall,
            "put_gamma_wall": result.put_gamma_wall,
            "expected_move": {
                "expiration": move.expiration,
                "straddle": move.straddle,
                "move_pct": move.move_pct,
                "iv_move": move.iv_move,
            },
            "left_out": result.left_out,
            "warnings": result.notes,
            "reason": None,
        }
    )


def gex_csv(result: GammaExposure) -> str:
    """``gex --csv``: GEX by strike, with the convention and unit on every row."""
    return csv_text(
        [
            {**row, "convention": result.convention, "unit": "USD per 1% move"}
            for row in result.by_strike.iter_rows(named=True)
        ]
    )
