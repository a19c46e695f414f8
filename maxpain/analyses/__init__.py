"""The analyses: polars in, results out, one module per analysis. Never prints.

Each analysis unwraps a frame into the kernels' arrays (strike-sorted segments with offsets; see
``_frames``), calls :mod:`maxpain.kernels`, and wraps the result. Undefined answers come back as
``None``/null together with a ``reason`` string, never as a made-up number.

========================  ======================================================================
module                    answers
========================  ======================================================================
``window``                which expirations a view pools (the window rule)
``max_pain``              max pain per expiration and pooled, the payout curve
``walls``                 put and call walls, OI clusters
``oi_change``             OI build-ups and unwinds between two snapshots, near vs later
``positioning``           fresh positioning (volume / OI) inside one snapshot
``exposure``              what a position amounts to (notional, premium, delta)
``grid``                  strike × expiration grids and the rows/columns a board shows
========================  ======================================================================
"""

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
    max_pain_table,
    one_sided_notes,
    one_sided_warnings,
    pain_study,
    payout_by_strike,
    pooled_max_pain,
    rows_of,
)
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
