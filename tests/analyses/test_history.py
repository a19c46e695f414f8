"""history against its naive twin on the real laiweibin archive, and its edge cases."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from maxpain.analyses.history import history
from maxpain.errors import InputError
from maxpain.market import trading_day
from maxpain.store import Store
from maxpain.timeline import load_timeline
from tests.naive import naive_max_pain, naive_walls, thousandths

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

#: Five tickers of the archive with small chains (the naive twin is quadratic).
TICKERS = ("HOOD", "SMCI", "TLT", "IBIT", "NFLX")


def _contracts(frame: pl.DataFrame) -> list[tuple[float, str, int | None, int]]:
    return [
        (k, str(r), oi, m)
        for k, r, oi, m in frame.select("strike", "right", "open_interest", "multiplier").iter_rows()
    ]


def _units(value: float | None) -> int | None:
    return None if value is None else thousandths(value)


@pytest.mark.parametrize("ticker", TICKERS)
def test_history_equals_naive_twin_for_every_snapshot(laiweibin_store: Path, ticker: str) -> None:
    store = Store(laiweibin_store)
    timeline = load_timeline(store, ticker)
    expiration = date(2026, 7, 17)
    result = history(timeline, expirations=[expiration], weeks=3)
    rows = {row["id"]: row for row in result.rows.iter_rows(named=True)}
    followed = {
        result.rows["id"][p]: v for p, v in result.max_pain.select("position", "max_pain").iter_rows()
    }
    assert len(rows) == 65
    for info in store.snapshots(ticker):
        chain = store.load(info)
        day = trading_day(chain.meta.captured_at)
        frame = chain.frame.filter(pl.col("expiration").is_between(day, day + timedelta(weeks=3)))
        row = rows[info.id]
        pooled, _ = naive_max_pain(_contracts(frame))
        assert _units(row["pooled_max_pain"]) == _units(pooled), info.id
        puts, calls = naive_walls([(k, r, oi) for k, r, oi, _ in _contracts(frame)], 1)
        assert _units(row["put_wall"]) == (thousandths(puts[0][0]) if puts else None), info.id
        assert row["put_wall_oi"] == (puts[0][1] if puts else None)
        assert _units(row["call_wall"]) == (thousandths(calls[0][0]) if calls else None), info.id
        assert row["call_wall_oi"] == (calls[0][1] if calls else None)
        one = chain.frame.filter(pl.col("expiration") == expiration)
        expected = naive_max_pain(_contracts(one))[0] if one.height else None
        assert _units(followed[info.id]) == _units(expected), info.id
        call_oi = int(frame.filter(pl.col("right") == "C")["open_interest"].sum() or 0)
        put_oi = int(frame.filter(pl.col("right") == "P")["open_interest"].sum() or 0)
        assert (row["call_oi"], row["put_oi"]) == (call_oi, put_oi)


def test_history_flags_the_holiday_copies_and_the_estimated_spot(laiweibin_store: Path) -> None:
    result = history(load_timeline(Store(laiweibin_store), "NVDA"))
    assert result.expirations == (date(2026, 8, 21),)
    flagged = result.rows.filter(pl.col("flagged"))["day"].to_list()
    assert flagged == [date(2026, 6, 19), date(2026, 7, 3)]
    estimated = result.rows.filter(pl.col("spot_estimated"))
    assert estimated["day"].to_list() == [date(2026, 7, 1)]
    assert any(w.startswith("spot not in the source") for w in estimated["warnings"][0])


def test_history_range_window_and_bad_expiration(laiweibin_store: Path) -> None:
    store = Store(laiweibin_store)
    timeline = load_timeline(store, "NVDA", start="2026-08-17", end="2026-08-21")
    assert timeline.snapshots["day"].to_list() == [date(2026, 8, d) for d in (17, 18, 19, 20, 21)]
    fixed = history(timeline, until=date(2026, 8, 19))
    after = fixed.rows.filter(pl.col("day") > date(2026, 8, 19))
    assert after["pooled_max_pain"].is_null().all()
    assert all(r.startswith("no expiration between") for r in after["pooled_reason"].to_list())
    with pytest.raises(InputError, match="no expiration 2026-08-22"):
        history(timeline, expirations=[date(2026, 8, 22)])
    with pytest.raises(InputError):
        history(timeline, until=date(2026, 9, 1), weeks=2)
