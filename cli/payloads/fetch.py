"""The ``--json`` document of a watchlist ``fetch`` run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import clean

if TYPE_CHECKING:
    from maxpain.watchlist import Outcome


def fetch_run(outcomes: Sequence[Outcome], *, requests: int, seconds: float) -> dict[str, Any]:
    """``fetch --json`` of a watchlist run."""
    from maxpain.watchlist import STATUSES

    return clean(
        {
            "tickers": [
                {
                    "ticker": o.ticker,
                    "status": o.status,
                    "reason": o.reason,
                    "snapshot": o.snapshot,
                    "expirations": o.expirations,
                    "contracts": o.contracts,
                    "partial": o.partial,
                    "seconds": o.seconds,
                    "warnings": o.warnings,
                }
                for o in outcomes
            ],
            "counts": {s: sum(1 for o in outcomes if o.status == s) for s in STATUSES},
            "all_saved": all(o.status in ("saved", "skipped") for o in outcomes),
            "requests": requests,
            "seconds": seconds,
        }
    )
