"""The analyses: polars in, results out, one module per analysis. Never prints.

Each analysis unwraps a frame into the kernels' arrays (strike-sorted segments with offsets; see
``_frames``), calls :mod:`maxpain.kernels`, and wraps the result. Undefined answers come back as
``None``/null together with a ``reason`` string, never as a made-up number.

========================  ======================================================================
module                    answers
========================  ======================================================================
``window``                which expirations a view pools (the window rule)
``max_pain``              max pain per expiration and pooled, the payout curve
``max_pain_segments``     max pain of any segments of rows (polars query or kernels): the engine
``walls``                 put and call walls, OI clusters
``oi_change``             OI build-ups and unwinds between two snapshots, near vs later
``positioning``           fresh positioning (volume / OI) inside one snapshot
``exposure``              what a position amounts to (notional, premium, delta)
``grid``                  strike × expiration grids and the rows/columns a board shows
``history``               max pain, walls and OI over a ticker's stored snapshots
``pinning``               did expiration-day closes move toward max pain (with a placebo)
``gamma``                 dealer gamma: GEX by strike, gamma walls, the flip
``flip``                  the gamma flip of a sweep, or of many chains searched outward from spot
``expected_move``         the at-the-money straddle and the IV move of an expiration
``scan``                  one row per ticker at a date (the one-ticker reference row)
``market_scan``           the scan of many tickers in one pass (ticker × expiration segments)
``market_tables``         the pass's tables: sides listed, open interest by strike, walls
``build_ups``             OI build-ups of many tickers at once, with each comparison's warnings
========================  ======================================================================

Names load their module on first use (PEP 562), so a command pays only for the analyses it runs:
``report`` never imports the OI-change or exposure modules, nor numpy for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from maxpain.analyses._frames import Segments, segment
    from maxpain.analyses.exposure import PositionExposure, position_exposure
    from maxpain.analyses.grid import (
        HEATMAP_METRICS,
        SIGNED_METRICS,
        BoardLayout,
        BoardSpan,
        change_grid,
        heatmap_span,
        lay_out_board,
        max_pain_by_column,
        oi_grid,
        report_span,
    )
    from maxpain.analyses.max_pain import (
        PainStudy,
        PooledMaxPain,
        curve_rows,
        max_pain_by_expiration,
        one_sided_notes,
        one_sided_warnings,
        pain_study,
        payout_by_strike,
        pooled_max_pain,
        rows_of,
    )
    from maxpain.analyses.max_pain_segments import max_pain_table
    from maxpain.analyses.oi_change import NearVersusLater, OIChange, open_interest_change, split_near_later
    from maxpain.analyses.positioning import fresh_positioning
    from maxpain.analyses.walls import (
        DEFAULT_CLUSTER_SHARE,
        OIWalls,
        StrikeOI,
        distinct_clusters,
        find_clusters,
        find_walls,
        ranked_walls,
    )
    from maxpain.analyses.window import (
        Window,
        make_window,
        open_expirations,
        requested_until,
        require_listed,
        summary_expirations,
    )

#: Which module of this package defines each public name.
_HOMES = {
    "BoardLayout": "grid",
    "BoardSpan": "grid",
    "DEFAULT_CLUSTER_SHARE": "walls",
    "HEATMAP_METRICS": "grid",
    "NearVersusLater": "oi_change",
    "OIChange": "oi_change",
    "OIWalls": "walls",
    "PainStudy": "max_pain",
    "PooledMaxPain": "max_pain",
    "PositionExposure": "exposure",
    "SIGNED_METRICS": "grid",
    "Segments": "_frames",
    "StrikeOI": "walls",
    "Window": "window",
    "change_grid": "grid",
    "curve_rows": "max_pain",
    "distinct_clusters": "walls",
    "find_clusters": "walls",
    "find_walls": "walls",
    "fresh_positioning": "positioning",
    "heatmap_span": "grid",
    "lay_out_board": "grid",
    "make_window": "window",
    "max_pain_by_column": "grid",
    "max_pain_by_expiration": "max_pain",
    "max_pain_table": "max_pain_segments",
    "oi_grid": "grid",
    "one_sided_notes": "max_pain",
    "one_sided_warnings": "max_pain",
    "open_expirations": "window",
    "open_interest_change": "oi_change",
    "pain_study": "max_pain",
    "payout_by_strike": "max_pain",
    "pooled_max_pain": "max_pain",
    "position_exposure": "exposure",
    "ranked_walls": "walls",
    "report_span": "grid",
    "requested_until": "window",
    "require_listed": "window",
    "rows_of": "max_pain",
    "segment": "_frames",
    "split_near_later": "oi_change",
    "summary_expirations": "window",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        msg = f"module {__name__!r} has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_CLUSTER_SHARE",
    "HEATMAP_METRICS",
    "SIGNED_METRICS",
    "BoardLayout",
    "BoardSpan",
    "NearVersusLater",
    "OIChange",
    "OIWalls",
    "PainStudy",
    "PooledMaxPain",
    "PositionExposure",
    "Segments",
    "StrikeOI",
    "Window",
    "change_grid",
    "curve_rows",
    "distinct_clusters",
    "find_clusters",
    "find_walls",
    "fresh_positioning",
    "heatmap_span",
    "lay_out_board",
    "make_window",
    "max_pain_by_column",
    "max_pain_by_expiration",
    "max_pain_table",
    "oi_grid",
    "one_sided_notes",
    "one_sided_warnings",
    "open_expirations",
    "open_interest_change",
    "pain_study",
    "payout_by_strike",
    "pooled_max_pain",
    "position_exposure",
    "ranked_walls",
    "report_span",
    "requested_until",
    "require_listed",
    "rows_of",
    "segment",
    "split_near_later",
    "summary_expirations",
]
