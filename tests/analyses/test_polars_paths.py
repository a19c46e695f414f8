"""The engine's two paths agree: below the JIT threshold max pain, strike totals and walls run as
polars queries (no numpy: what one-ticker commands use), above it the numba kernels. (The other
tests run with the threshold at 0, so these compare the polars path explicitly.)"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maxpain.analyses import _frames
from maxpain.analyses.max_pain_segments import _max_pain_kernels, max_pain_query
from maxpain.analyses.walls import StrikeOI, ranked_strikes, strike_table
from maxpain.sources.files import read_file
from tests import naive
from tests.strategies import CONTRACT, frame_of, unique_contracts

pytestmark = pytest.mark.kernels

EXPIRATIONS = [date(2025, 12, 5), date(2025, 12, 12), date(2025, 12, 19)]


def segmented(segments: list[list[tuple[float, str, int | None, int]]]) -> pl.DataFrame:
    frames = [
        frame_of(unique_contracts(contracts), EXPIRATIONS[i % 3]) for i, contracts in enumerate(segments)
    ]
    return pl.concat(frames) if frames else frame_of([])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CONTRACT, min_size=0, max_size=40), min_size=0, max_size=3))
def test_max_pain_query_equals_the_kernels(segments: list[list[tuple[float, str, int | None, int]]]) -> None:
    frame = segmented(segments)
    if frame.height:
        by_expiration = max_pain_query(frame, ["expiration"])
        assert by_expiration.equals(_max_pain_kernels(frame, ["expiration"], None))
        pooled = max_pain_query(frame, [])
        assert pooled.equals(_max_pain_kernels(frame, [], None))
        # and the naive definition, pooled
        contracts = [
            (k, r, oi, m)
            for k, r, oi, m in frame.select("strike", "right", "open_interest", "multiplier").iter_rows()
        ]
        expected, _ = naive.naive_max_pain(contracts)
        assert pooled["max_pain"][0] == expected
    else:  # nothing pooled: one row that says so
        assert max_pain_query(frame, [])["reason"][0] == "no contracts"


def test_too_large_for_exact_arithmetic_is_reported_by_the_query() -> None:
    frame = frame_of([(1.0, "C", 10**12, 100), (30_000.0, "P", 10**12, 100)])
    row = max_pain_query(frame, ["expiration"]).row(0, named=True)
    assert row["max_pain"] is None and "too large" in row["reason"]


@settings(max_examples=200, deadline=None)
@given(st.lists(CONTRACT, min_size=1, max_size=60), st.integers(1, 6))
def test_strike_table_and_ranked_strikes_equal_the_kernels(
    contracts: list[tuple[float, str, int | None, int]], top: int
) -> None:
    frame = frame_of(unique_contracts(contracts))
    totals = StrikeOI.of(_frames.segment(frame, []))
    table = strike_table(frame)
    assert table.equals(totals.table())
    assert ranked_strikes(table, top).equals(totals.ranked(top))


def test_real_chains_agree_on_both_paths(corpus: Path) -> None:
    for ticker in ("NVDA", "GOOG", "PLTR"):
        for path in sorted((corpus / "vraptunovich-stock" / ticker).glob("*.parquet")):
            frame = read_file(path).frame
            assert max_pain_query(frame, ["expiration"]).equals(
                _max_pain_kernels(frame, ["expiration"], None)
            )
            assert max_pain_query(frame, []).equals(_max_pain_kernels(frame, [], None))
            totals = StrikeOI.of(_frames.segment(frame, []))
            assert strike_table(frame).equals(totals.table())
            assert ranked_strikes(strike_table(frame), 5).equals(totals.ranked(5))


def test_summary_top_strikes_are_the_walls_of_each_expiration(corpus: Path) -> None:
    from maxpain.analyses.walls import ranked_walls
    from maxpain.summary import TOP, summarize

    for path in sorted((corpus / "vraptunovich-stock" / "GOOG").glob("*.parquet")):
        frame = read_file(path).frame
        summary = summarize(frame)
        walls = ranked_walls(frame, ["expiration"], top=TOP)
        for side, prefix in (("call", "top_call"), ("put", "top_put")):
            mine = (
                walls.filter(pl.col("side") == side)
                .group_by("expiration", maintain_order=True)
                .agg(strikes=pl.col("strike"), oi=pl.col("open_interest"))
            )
            joined = summary.join(mine, on="expiration", how="left")
            for row in joined.iter_rows(named=True):
                assert row[f"{prefix}_strikes"] == (row["strikes"] or [])
                assert row[f"{prefix}_oi"] == (row["oi"] or [])


def test_summaries_agree_on_both_paths(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from maxpain.summary import summarize

    for path in sorted((corpus / "vraptunovich-stock" / "PLTR").glob("*.parquet")):
        frame = read_file(path).frame
        monkeypatch.setenv("MAXPAIN_JIT_THRESHOLD", "0")
        kernels = summarize(frame)
        monkeypatch.setenv("MAXPAIN_JIT_THRESHOLD", "50000")
        assert summarize(frame).equals(kernels)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(CONTRACT, min_size=0, max_size=40), min_size=0, max_size=3))
def test_max_pain_of_strike_profiles_equals_max_pain_of_the_contracts(
    segments: list[list[tuple[float, str, int | None, int]]],
) -> None:
    """Pooled max pain from strikes (the scan's window totals by ticker and strike) equals max pain
    of the contracts, on the query and on the kernels, and no rows give no rows on both."""
    from maxpain.analyses.max_pain_segments import max_pain_of_strikes, max_pain_table
    from maxpain.chain import strike_thousandths

    frame = segmented(segments).with_columns(ticker=pl.lit("T"))
    oi = pl.col("open_interest")
    known = pl.when(oi > 0).then(oi).otherwise(0).cast(pl.Int64) * pl.col("multiplier").cast(pl.Int64)
    put = pl.col("right") == "P"
    strikes = (
        frame.group_by("ticker", units=strike_thousandths(pl.col("strike")))
        .agg(
            call_weight=pl.when(put).then(0).otherwise(known).sum(),
            put_weight=pl.when(put).then(known).otherwise(0).sum(),
            contracts=pl.len().cast(pl.Int64),
            unknown_oi=oi.is_null().sum().cast(pl.Int64),
        )
        .sort("ticker", "units")
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MAXPAIN_JIT_THRESHOLD", "0")
        kernels = max_pain_of_strikes(strikes, ["ticker"])
        patch.setenv("MAXPAIN_JIT_THRESHOLD", "1000000000")
        query = max_pain_of_strikes(strikes, ["ticker"])
    assert kernels.equals(query)
    if frame.height == 0:
        assert kernels.height == 0
        return
    contracts = max_pain_table(frame, ["ticker"], compiled=False)
    assert kernels["max_pain"].to_list() == contracts["max_pain"].to_list()
