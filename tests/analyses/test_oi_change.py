"""OI change between two synthetic snapshots against the naive twin, and its warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maxpain import analyses
from maxpain.chain import Chain
from maxpain.errors import InputError
from tests import naive
from tests.strategies import CHAIN_ROW, chain_of

pytestmark = pytest.mark.kernels

BEFORE = datetime(2025, 12, 4, 21, 0, tzinfo=UTC)
AFTER = datetime(2025, 12, 5, 21, 0, tzinfo=UTC)


def rows_of(chain: Chain, live: date) -> list[tuple]:
    return naive.keyed_contracts(chain.frame.filter(pl.col("expiration") >= live))


@settings(max_examples=150, deadline=None)
@given(st.lists(CHAIN_ROW, min_size=1, max_size=60), st.lists(CHAIN_ROW, min_size=1, max_size=60))
def test_change_of_every_contract_matches_naive(rows_a: list, rows_b: list) -> None:
    a, b = chain_of(rows_a, captured_at=BEFORE), chain_of(rows_b, captured_at=AFTER)
    change = analyses.open_interest_change(a, b)
    expected = naive.naive_oi_change(rows_of(a, AFTER.date()), rows_of(b, AFTER.date()))
    got = naive.engine_changes(change.changes)
    assert got == expected
    # totals by expiration are the sums of the contracts' changes
    for row in change.by_expiration.iter_rows(named=True):
        calls = [v[2] or 0 for k, v in expected.items() if k[1] == row["expiration"] and k[3] == "C"]
        puts = [v[2] or 0 for k, v in expected.items() if k[1] == row["expiration"] and k[3] == "P"]
        assert (row["call_change"], row["put_change"]) == (sum(calls), sum(puts))
    # expirations before the later snapshot's trading day are left out; its own day stays in
    assert all(e >= AFTER.date() for e in change.changes["expiration"].to_list())
    # near vs later splits the same totals
    split = analyses.split_near_later(change, near_weeks=2)
    assert split.near_calls + split.later_calls == sum(change.by_expiration["call_change"].to_list())
    assert split.near_puts + split.later_puts == sum(change.by_expiration["put_change"].to_list())


def test_identical_snapshots_on_two_days_say_no_figures_were_published() -> None:
    rows = [("XYZ", date(2025, 12, 19), 100.0, "C", 10), ("XYZ", date(2025, 12, 19), 100.0, "P", 5)]
    change = analyses.open_interest_change(
        chain_of(rows, captured_at=BEFORE), chain_of(rows, captured_at=AFTER)
    )
    assert any("identical" in w for w in change.warnings)
    same_day = analyses.open_interest_change(
        chain_of(rows, captured_at=BEFORE), chain_of(rows, captured_at=BEFORE.replace(hour=22))
    )
    assert any("same" in w or "once a day" in w for w in same_day.warnings)


def test_snapshots_in_the_wrong_order_are_refused() -> None:
    rows = [("XYZ", date(2025, 12, 19), 100.0, "C", 10)]
    with pytest.raises(InputError, match="swap them"):
        analyses.open_interest_change(chain_of(rows, captured_at=AFTER), chain_of(rows, captured_at=BEFORE))


def test_near_share_of_new_calls() -> None:
    before = [("XYZ", date(2025, 12, 19), 100.0, "C", 10), ("XYZ", date(2026, 6, 19), 100.0, "C", 10)]
    after = [("XYZ", date(2025, 12, 19), 100.0, "C", 40), ("XYZ", date(2026, 6, 19), 100.0, "C", 20)]
    change = analyses.open_interest_change(
        chain_of(before, captured_at=BEFORE), chain_of(after, captured_at=AFTER)
    )
    split = analyses.split_near_later(change, near_weeks=4)
    assert (split.near_calls, split.later_calls) == (30, 10)
    assert split.near_share_of_new_calls == pytest.approx(0.75)


def test_near_share_never_exceeds_all_of_it() -> None:
    """When later expirations lose calls the near ones carry all of the added call OI, not 203%."""
    before = [("XYZ", date(2025, 12, 19), 100.0, "C", 10), ("XYZ", date(2026, 6, 19), 100.0, "C", 50)]
    after = [("XYZ", date(2025, 12, 19), 100.0, "C", 40), ("XYZ", date(2026, 6, 19), 100.0, "C", 20)]
    change = analyses.open_interest_change(
        chain_of(before, captured_at=BEFORE), chain_of(after, captured_at=AFTER)
    )
    split = analyses.split_near_later(change, near_weeks=4)
    assert (split.near_calls, split.later_calls) == (30, -30)
    assert split.near_share_of_new_calls == 1.0
