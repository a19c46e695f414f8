"""The one window rule: analyses and the live source choose the same expirations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maxpain import analyses
from maxpain.errors import InputError, NotFoundError
from maxpain.market import nearest_expiration, trading_day, window_end
from maxpain.sources.yahoo import select_expirations
from tests.strategies import chain_of

LISTED = [date(2025, 12, 5) + timedelta(weeks=w) for w in range(0, 60, 3)]


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 60), st.integers(0, 23))
def test_fetch_and_analyses_pick_the_same_window(weeks: int, hour: int) -> None:
    captured = datetime(2025, 12, 5, hour, 30, tzinfo=UTC)
    rows = [("XYZ", e, 100.0, "C", 1) for e in LISTED]
    chain = chain_of(rows, captured_at=captured)
    window = analyses.make_window(chain, weeks=weeks)
    today = trading_day(captured)
    fetched = select_expirations([e.isoformat() for e in LISTED], weeks=weeks, today=today)
    assert [e.isoformat() for e in window.expirations] == [
        e for e in fetched if date.fromisoformat(e) >= today
    ]
    assert window.until == window_end(today, weeks=weeks) == today + timedelta(weeks=weeks)


def test_window_defaults_and_refusals() -> None:
    start = date(2025, 12, 5)
    assert window_end(start) == start + timedelta(weeks=4)
    assert window_end(start, until=date(2026, 1, 2)) == date(2026, 1, 2)
    with pytest.raises(InputError, match="not both"):
        window_end(start, until=date(2026, 1, 2), weeks=2)
    with pytest.raises(InputError, match="positive"):
        window_end(start, weeks=0)
    chain = chain_of(
        [("XYZ", date(2025, 12, 19), 100.0, "C", 1)], captured_at=datetime(2025, 12, 5, 21, tzinfo=UTC)
    )
    with pytest.raises(InputError, match="before the snapshot's capture date"):
        analyses.make_window(chain, until=date(2025, 1, 1))
    with pytest.raises(InputError, match="before the snapshot's capture date"):
        analyses.open_expirations(chain, until=date(2025, 1, 1))


def test_nearest_expiration_hint_is_shared() -> None:
    assert nearest_expiration(date(2025, 12, 20), [date(2025, 12, 19), date(2025, 12, 26)]) == date(
        2025, 12, 19
    )
    assert nearest_expiration(date(2025, 12, 22), [date(2025, 12, 19), date(2025, 12, 25)]) == date(
        2025, 12, 19
    )
    assert nearest_expiration(date(2025, 12, 22), []) is None
    chain = chain_of(
        [("XYZ", date(2025, 12, 19), 100.0, "C", 1)], captured_at=datetime(2025, 12, 5, 21, tzinfo=UTC)
    )
    with pytest.raises(NotFoundError, match="nearest listed is 2025-12-19"):
        analyses.require_listed(chain, [date(2025, 12, 20)])
    with pytest.raises(NotFoundError, match="nearest listed is 2025-12-19"):
        select_expirations(["2025-12-19"], expiries=["2025-12-20"], today=date(2025, 12, 5))


def test_open_expirations_start_on_the_trading_day_in_new_york() -> None:
    # 02:00 UTC on Dec 6 is still Dec 5 in New York: the Dec 5 expiration is open
    rows = [("XYZ", date(2025, 12, 5), 100.0, "C", 1), ("XYZ", date(2025, 12, 12), 100.0, "C", 1)]
    chain = chain_of(rows, captured_at=datetime(2025, 12, 6, 2, 0, tzinfo=UTC))
    assert analyses.open_expirations(chain) == [date(2025, 12, 5), date(2025, 12, 12)]
    assert analyses.open_expirations(chain, until=date(2025, 12, 5)) == [date(2025, 12, 5)]


def test_requested_until_follows_the_window_rule() -> None:
    chain = chain_of(
        [("XYZ", date(2025, 12, 19), 100.0, "C", 1)], captured_at=datetime(2025, 12, 5, 21, tzinfo=UTC)
    )
    assert analyses.requested_until(chain) is None  # every open expiration
    assert analyses.requested_until(chain, weeks=2) == date(2025, 12, 19)
    assert analyses.requested_until(chain, until=date(2026, 1, 2)) == date(2026, 1, 2)
    with pytest.raises(InputError, match="before the snapshot's capture date"):
        analyses.requested_until(chain, until=date(2025, 1, 1))
    with pytest.raises(InputError, match="not both"):
        analyses.requested_until(chain, until=date(2026, 1, 2), weeks=2)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sets(st.dates(min_value=date(2019, 1, 1), max_value=date(2031, 12, 31)), max_size=12),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from([None, date(2026, 6, 18), date(2025, 4, 17), date(2024, 3, 28)]),
)
def test_monthly_rows_is_is_monthly_of_each_listing(listings: list[set[date]], thursday: date | None) -> None:
    """The scan's vectorised monthly test equals is_monthly row for row, listed Fridays included:
    a Thursday in the third week is a monthly only when its Friday is not listed beside it."""
    import numpy as np

    from maxpain.market import is_monthly, monthly_rows

    if thursday is not None:  # a holiday-shifted monthly, with and without its Friday listed
        listings = [*listings, {thursday}, {thursday, thursday + timedelta(days=1)}]
    epoch = date(1970, 1, 1)
    group, days, expected = [], [], []
    for g, listing in enumerate(listings):
        ordered = sorted(listing)
        for expiration in ordered:
            group.append(g)
            days.append((expiration - epoch).days)
            expected.append(is_monthly(expiration, ordered))
    found = monthly_rows(np.array(days, dtype=np.int32), np.array(group, dtype=np.int64))
    assert found.tolist() == expected
