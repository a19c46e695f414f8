"""The pinning study against a straightforward re-computation on the real laiweibin archive."""

from __future__ import annotations

import math
from datetime import timedelta
from pathlib import Path

import holidays
import polars as pl
import pytest

from maxpain.analyses.pinning import mcnemar_p, study, wilson
from maxpain.market import NEW_YORK
from maxpain.store import Store
from maxpain.timeline import load_timeline
from tests.naive import naive_max_pain, thousandths


def test_wilson_interval_matches_the_formula_on_known_values() -> None:
    share, low, high = wilson(8, 10)
    assert share == 0.8
    assert low == pytest.approx(0.4901624, abs=1e-6)  # textbook value for 8 of 10
    assert high == pytest.approx(0.9433178, abs=1e-6)
    assert wilson(0, 0) == (None, None, None)


def test_mcnemar_exact_p_value() -> None:
    assert mcnemar_p(0, 0) is None
    assert mcnemar_p(5, 5) == 1.0
    assert mcnemar_p(0, 6) == pytest.approx(2 / 64)  # 2 × 0.5^6
    assert mcnemar_p(2, 10) == pytest.approx(2 * sum(math.comb(12, i) for i in range(3)) / 4096)


@pytest.mark.corpus
@pytest.mark.slow
def test_pinning_equals_a_naive_loop_over_snapshots(laiweibin_store: Path) -> None:
    store = Store(laiweibin_store)
    closed = holidays.financial_holidays("NYSE", years=2026)
    events, skipped, left_out = [], {"no_spot": 0, "flagged": 0}, 0
    for ticker in store.tickers():
        by_day: dict = {}
        chains: dict = {}
        for info in store.snapshots(ticker):  # oldest first
            local = info.captured_at.astimezone(NEW_YORK)
            if local.weekday() >= 5 or local.date() in closed:
                left_out += 1
                continue
            by_day[local.date()] = info
        sessions = sorted(by_day)
        for day in sessions:
            previous = day - timedelta(days=1)
            while previous.weekday() >= 5 or previous in closed:
                previous -= timedelta(days=1)
            if previous not in by_day:
                continue
            earlier, at_close = by_day[previous], by_day[day]
            if earlier.id not in chains:
                chains[earlier.id] = store.load(earlier)
            frame = chains[earlier.id].frame
            if frame.filter(pl.col("expiration") == day).height == 0:
                continue  # not an expiration of this ticker
            if (
                earlier.spot_estimated
                or at_close.spot_estimated
                or earlier.spot is None
                or at_close.spot is None
            ):
                skipped["no_spot"] += 1
                continue

            def mp(expiration, frame=frame):  # type: ignore[no-untyped-def]
                rows = frame.filter(pl.col("expiration") == expiration)
                contracts = [
                    (k, str(r), oi, m)
                    for k, r, oi, m in rows.select(
                        "strike", "right", "open_interest", "multiplier"
                    ).iter_rows()
                ]
                return naive_max_pain(contracts)[0]

            later = sorted(e for e in frame["expiration"].unique().to_list() if e > day)
            placebo = mp(later[0]) if later else None
            events.append((ticker, day, earlier.spot, at_close.spot, mp(day), placebo))
    result = study([load_timeline(store, t) for t in store.tickers()])
    assert result.left_out == {"exchange_closed": left_out}
    assert left_out == 60  # Memorial Day and the two holiday copies, for 20 tickers
    assert result.skipped["no_spot"] == skipped["no_spot"] > 0
    assert result.skipped["flagged"] == skipped["flagged"] == 0
    defined = [e for e in events if e[4] is not None]
    got = result.events.sort("ticker", "expiration")
    assert got.height == len(defined)
    for row, (ticker, day, s0, s1, mp_value, placebo) in zip(
        got.iter_rows(named=True), sorted(defined, key=lambda e: (e[0], e[1])), strict=True
    ):
        assert (row["ticker"], row["expiration"]) == (ticker, day)
        assert (row["spot_before"], row["spot_after"]) == (s0, s1)
        assert thousandths(row["max_pain"]) == thousandths(mp_value)
        assert (row["placebo_max_pain"] is None) == (placebo is None)
        if placebo is not None:
            assert thousandths(row["placebo_max_pain"]) == thousandths(placebo)
    moved = sum(abs(s1 - mp_value) < abs(s0 - mp_value) for _, _, s0, s1, mp_value, _ in defined)
    assert result.max_pain.moved_toward == moved
    assert result.max_pain.share == pytest.approx(moved / len(defined))
    before = sorted(abs(s0 - m) / s1 for _, _, s0, s1, m, _ in defined)
    n = len(before)
    median = before[n // 2] if n % 2 else (before[n // 2 - 1] + before[n // 2]) / 2
    assert result.max_pain.median_distance_before == pytest.approx(median)
    with_placebo = [e for e in defined if e[5] is not None]
    assert result.placebo.events == len(with_placebo)
    assert result.placebo.moved_toward == sum(
        abs(s1 - p) < abs(s0 - p) for _, _, s0, s1, _, p in with_placebo
    )


@pytest.mark.corpus
@pytest.mark.slow
def test_holiday_copies_hold_the_previous_sessions_positions(laiweibin_store: Path) -> None:
    store = Store(laiweibin_store)
    listed = store.snapshots("SPY")
    for i, info in enumerate(listed):
        if info.captured_at.astimezone(NEW_YORK).date().isoformat() in ("2026-06-19", "2026-07-03"):
            copy, original = store.load(info).frame, store.load(listed[i - 1]).frame
            columns = ["contract_symbol", "open_interest"]
            assert copy.select(columns).equals(original.select(columns))
