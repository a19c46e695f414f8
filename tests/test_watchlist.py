"""The watchlist run's parts: reading a watchlist, the shared token bucket and the deadline, on a
simulated clock."""

from __future__ import annotations

from pathlib import Path

import pytest

from maxpain.errors import DeadlineError, InputError
from maxpain.watchlist import Deadline, TokenBucket, read_watchlist


class SimulatedTime:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_watchlist_file_comments_blanks_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "mag7.txt"
    path.write_text(
        "# the Mag 7\nNVDA\naapl   # lower case is fine\n\n  MSFT\nNVDA\nBRK.B\n^SPX\n", encoding="utf-8"
    )
    assert read_watchlist(path) == ["NVDA", "AAPL", "MSFT", "BRK.B", "^SPX"]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("NVDA\n../etc\n", "line 2"),
        ("# nothing\n\n", "lists no ticker"),
        ("NVDA AAPL\n", "line 1"),
    ],
)
def test_bad_watchlists_name_the_line(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "list.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=fragment):
        read_watchlist(path)


def test_missing_watchlist_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the watchlist"):
        read_watchlist(tmp_path / "nope.txt")


def test_bucket_paces_requests_to_its_rate_after_the_burst() -> None:
    time = SimulatedTime()
    bucket = TokenBucket(2.0, 4, clock=time.clock, sleep=time.sleep)
    start = time.now
    for _ in range(24):
        bucket.take()
    # 4 at once, then one every half second: 20 more take 10 s
    assert time.now - start == pytest.approx(10.0)
    assert bucket.requests == 24 and bucket.waited == pytest.approx(10.0)
    time.now += 60  # idle: the bucket refills to its burst, not beyond
    before = time.now
    for _ in range(4):
        bucket.take()
    assert time.now == before


def test_hold_makes_the_next_requests_wait() -> None:
    time = SimulatedTime()
    bucket = TokenBucket(1.0, 2, clock=time.clock, sleep=time.sleep)
    bucket.take()
    bucket.hold(30.0)
    start = time.now
    bucket.take()
    assert time.now - start == pytest.approx(31.0)  # the 30 s hold, then one token at 1/s


def test_deadline_stops_waits_that_would_pass_it() -> None:
    time = SimulatedTime()
    deadline = Deadline(5.0, time.clock)
    bucket = TokenBucket(0.5, 1, clock=time.clock, sleep=time.sleep, deadline=deadline)
    bucket.take()
    bucket.take()  # waits 2 s
    bucket.take()  # waits 2 s: 4 s used
    with pytest.raises(DeadlineError, match="would pass the run's deadline of 5 s"):
        bucket.take()
    time.now += 10
    with pytest.raises(DeadlineError, match="passed before"):
        deadline.check("NVDA")
    assert Deadline(None, time.clock).remaining() == float("inf")
