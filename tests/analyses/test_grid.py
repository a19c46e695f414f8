"""Heatmap grids against direct sums, and the rows and columns a board shows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maxpain import analyses
from maxpain.errors import InputError
from tests.strategies import CHAIN_ROW, chain_of

CAPTURED = datetime(2025, 12, 4, 21, 0, tzinfo=UTC)


@settings(max_examples=80, deadline=None)
@given(st.lists(CHAIN_ROW, min_size=1, max_size=60), st.sampled_from(["oi", "calls", "puts", "net"]))
def test_oi_grid_matches_direct_sums(rows: list, metric: str) -> None:
    chain = chain_of(rows, captured_at=CAPTURED)
    grid = analyses.oi_grid(chain, metric, chain.expirations)
    expected: dict[tuple[date, float], int] = {}
    for row in chain.frame.iter_rows(named=True):
        oi = row["open_interest"] or 0
        sign = {
            "oi": 1,
            "calls": row["right"] == "C",
            "puts": row["right"] == "P",
            "net": 1 if row["right"] == "C" else -1,
        }[metric]
        key = (row["expiration"], row["strike"])
        expected[key] = expected.get(key, 0) + int(sign) * oi
    assert {(e, k): v for e, k, v in grid.iter_rows()} == expected


def test_unknown_metric_is_refused() -> None:
    chain = chain_of([("XYZ", date(2025, 12, 19), 100.0, "C", 1)], captured_at=CAPTURED)
    with pytest.raises(InputError, match="unknown metric"):
        analyses.oi_grid(chain, "gamma", chain.expirations)


def board(values: dict[tuple[date, float], int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "expiration": [k[0] for k in values],
            "strike": [k[1] for k in values],
            "value": list(values.values()),
        }
    )


def test_board_layout_keeps_the_standard_grid_near_spot_and_counts_what_it_hides() -> None:
    expirations = [date(2025, 12, d) for d in (5, 12, 19, 26)]
    values = {(e, float(k)): 10 for e in expirations for k in range(80, 121, 5)}  # the standard grid
    values.update({(expirations[0], k + 2.5): 1 for k in range(80, 120, 5)})  # weekly-only strikes
    layout = analyses.lay_out_board(board(values), max_columns=3, max_rows=5, spot=101.0)
    assert layout.expirations == expirations[:3] and layout.hidden_expirations == 1
    assert layout.thinned and layout.strikes == [110.0, 105.0, 100.0, 95.0, 90.0]
    explicit = analyses.lay_out_board(board(values), max_columns=9, max_rows=5, strike_range=(97.0, 103.0))
    assert explicit.strikes == [102.5, 100.0, 97.5] and not explicit.thinned
    focused = analyses.lay_out_board(board(values), max_columns=9, max_rows=50, focus=(94.0, 106.0))
    assert focused.strikes[0] <= 106.0 and focused.strikes[-1] >= 94.0


def test_report_span_covers_spot_max_pain_and_both_walls() -> None:
    rows = [
        ("XYZ", date(2025, 12, 19), float(k), r, 100 if k in (80, 130) else 1)
        for k in range(60, 151, 5)
        for r in "CP"
    ]
    chain = chain_of(rows, captured_at=CAPTURED)
    window = analyses.make_window(chain)
    walls = analyses.find_walls(chain, window)
    span = analyses.report_span(chain, window, walls)
    assert span.focus is not None
    low, high = span.focus
    for anchor in (100.0, walls.pooled.strike, walls.put_walls["strike"][0], walls.call_walls["strike"][0]):
        assert low <= anchor <= high


def test_thinning_keeps_the_anchors() -> None:
    """Walls and max pains asked to be kept stay on a thinned board even off the standard grid."""
    expirations = [date(2025, 12, d) for d in (5, 12, 19)]
    values = {(e, float(k)): 10 for e in expirations for k in range(60, 141, 5)}
    values[(expirations[0], 62.5)] = 1
    layout = analyses.lay_out_board(board(values), max_columns=9, max_rows=6, spot=100.0, keep=[62.5, 140.0])
    assert 62.5 in layout.strikes and 140.0 in layout.strikes and len(layout.strikes) == 6
