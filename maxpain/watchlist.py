"""Many-ticker fetches: a watchlist read from a file, paced to Yahoo's limits with one token bucket
shared by every request of the run, bounded by a global deadline, resumable, and summed up per
ticker. A ticker's snapshot is saved whole or not at all (:func:`maxpain.sources.yahoo.fetch_chain`
is all-or-nothing and :meth:`maxpain.store.Store.save` is atomic), so an interrupted or failed run
leaves nothing half-saved.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from maxpain.chain import validate_ticker
from maxpain.errors import (
    DeadlineError,
    InputError,
    MaxpainError,
    NoOptionsError,
    RateLimitedError,
)
from maxpain.market import trading_day

#: Default pace: Yahoo starts answering 429 past a few requests a second from one address.
DEFAULT_RATE = 2.0
DEFAULT_BURST = 4
#: After a ticker ends rate limited, the whole run waits this long (jittered) before the next one.
COOL_DOWN = 30.0

#: Outcome statuses, in the order the summary counts them.
STATUSES = ("saved", "skipped", "no options", "rate limited", "failed", "not tried")


def wall_clock() -> float:
    """The run's clock (monotonic seconds); tests replace it with a simulated one."""
    return time.monotonic()


def pause(seconds: float) -> None:
    """The run's sleep; tests replace it with one that advances their clock."""
    time.sleep(seconds)


def read_watchlist(path: str | Path) -> list[str]:
    """Tickers from a watchlist file: one a line, ``#`` starts a comment (a whole line or the end
    of one), blank lines ignored, duplicates kept once in first-seen order.

    Raises
    ------
    InputError
        The file cannot be read, a line is not a ticker symbol (naming file and line), or it
        lists no ticker.
    """
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        msg = f"cannot read the watchlist {source}: {getattr(error, 'strerror', None) or error}"
        raise InputError(msg, parameter="watchlist") from None
    tickers: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        try:
            ticker = validate_ticker(entry)
        except InputError as error:
            msg = f"{source}, line {number}: {error}"
            raise InputError(msg, parameter="watchlist") from None
        if ticker not in tickers:
            tickers.append(ticker)
    if not tickers:
        msg = f"the watchlist {source} lists no ticker (one a line; # starts a comment)"
        raise InputError(msg, parameter="watchlist")
    return tickers


class Deadline:
    """A wall-clock bound on a whole run (None: no bound)."""

    def __init__(self, seconds: float | None, clock: Callable[[], float] | None = None) -> None:
        self.seconds = seconds
        self.clock = clock or wall_clock
        self.ends = None if seconds is None else self.clock() + seconds

    def remaining(self) -> float:
        """Seconds left (infinite without a bound)."""
        return float("inf") if self.ends is None else self.ends - self.clock()

    def check(self, what: str) -> None:
        """Raise :class:`DeadlineError` once the bound has passed."""
        if self.remaining() <= 0:
            raise DeadlineError(f"the run's deadline of {self.seconds:g} s passed before {what}")

    def wait(self, seconds: float, what: str, sleep: Callable[[float], None]) -> None:
        """Sleep ``seconds``, or raise :class:`DeadlineError` at once if that would pass the bound."""
        if seconds > self.remaining():
            raise DeadlineError(
                f"waiting {seconds:.0f} s for {what} would pass the run's deadline of {self.seconds:g} s"
            )
        if seconds > 0:
            sleep(seconds)


class TokenBucket:
    """Requests per second shared by a whole run: ``rate`` tokens a second, at most ``burst`` saved
    up; :meth:`take` waits for a token (within the deadline). :meth:`hold` empties the bucket and
    makes every later request wait, after a rate limit."""

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        burst: int = DEFAULT_BURST,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise InputError("the request rate must be positive and the burst at least 1", parameter="rate")
        self.rate = rate
        self.burst = burst
        self.clock = clock or wall_clock
        self.sleep = sleep or pause
        self.deadline = deadline or Deadline(None, self.clock)
        self.tokens = float(burst)
        self.stamp = self.clock()
        self.requests = 0
        self.waited = 0.0
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(float(self.burst), self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def take(self, what: str = "the next request") -> None:
        """Wait until a token is free, then use it."""
        with self._lock:
            self.deadline.check(what)
            self._refill()
            if self.tokens < 1:
                wait = (1 - self.tokens) / self.rate
                self.deadline.wait(wait, what, self.sleep)
                self.waited += wait
                self._refill()
            self.tokens = max(0.0, self.tokens - 1)
            self.requests += 1

    def hold(self, seconds: float) -> None:
        """After a rate limit: no token for ``seconds`` (the debt is paid by the next takers)."""
        with self._lock:
            self._refill()
            self.tokens = min(self.tokens, 0.0) - seconds * self.rate


@dataclass
class Outcome:
    """What happened to one ticker of a run."""

    ticker: str
    status: str  # one of STATUSES
    reason: str | None = None
    snapshot: str | None = None
    expirations: int | None = None
    contracts: int | None = None
    partial: bool = False
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def status_of(error: MaxpainError) -> str:
    """The summary status of a failed ticker."""
    if isinstance(error, NoOptionsError):
        return "no options"
    if isinstance(error, RateLimitedError):
        return "rate limited"
    return "failed"


def captured_today(store: Any, ticker: str, today: date) -> str | None:
    """The id of ``ticker``'s latest snapshot when it was captured on the trading day ``today``."""
    from maxpain.errors import NotFoundError

    try:
        info = store.resolve(ticker, "latest")
    except NotFoundError:
        return None
    return info.id if trading_day(info.captured_at) == today else None


def fetch_watchlist(
    tickers: Sequence[str],
    store: Any,
    *,
    fetch: Callable[..., Any],
    bucket: TokenBucket,
    deadline: Deadline,
    skip_captured_today: bool = False,
    cool_down: float = COOL_DOWN,
    rng: random.Random | None = None,
    on_start: Callable[[int, str], None] | None = None,
    on_done: Callable[[int, Outcome], None] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
    **options: Any,
) -> list[Outcome]:
    """Fetch and save each ticker in turn; never raise for one ticker's failure.

    Parameters
    ----------
    tickers
        Validated, distinct symbols.
    store
        Where snapshots are saved (:class:`maxpain.store.Store`).
    fetch
        ``fetch(ticker, **options) -> Chain`` (the Yahoo source, paced by ``bucket``).
    bucket, deadline
        The run's shared pace and bound; a ticker whose turn comes after the deadline is
        ``not tried``.
    skip_captured_today
        Leave out tickers already captured on today's trading day (a resumed run).
    cool_down
        After a ticker ends rate limited, later requests wait this long (jittered ±25%).
    on_start, on_done
        Progress callbacks: ``(index, ticker)`` and ``(index, outcome)``.
    options
        Passed to ``fetch`` (expiries, until, weeks, allow_partial, progress).

    Returns
    -------
    list of Outcome
        One per ticker, in order.
    """
    rng = rng or random.Random()
    outcomes: list[Outcome] = []
    today = trading_day(now())
    out_of_time = False
    for index, ticker in enumerate(tickers):
        if on_start:
            on_start(index, ticker)
        started = wall_clock()
        if out_of_time or deadline.remaining() <= 0:
            why = f"the run's deadline of {deadline.seconds:g} s left no time for it"
            outcome = Outcome(ticker, "not tried", why)
        else:
            outcome, out_of_time = _one(ticker, store, fetch, skip_captured_today, today, options)
        outcome.seconds = wall_clock() - started
        if outcome.status == "rate limited":
            bucket.hold(cool_down * rng.uniform(0.75, 1.25))
        outcomes.append(outcome)
        if on_done:
            on_done(index, outcome)
    return outcomes


def _one(
    ticker: str,
    store: Any,
    fetch: Callable[..., Any],
    skip_captured_today: bool,
    today: date,
    options: dict[str, Any],
) -> tuple[Outcome, bool]:
    """One ticker's outcome, and whether the run is out of time."""
    if skip_captured_today:
        earlier = captured_today(store, ticker, today)
        if earlier is not None:
            return Outcome(ticker, "skipped", f"already captured today ({earlier})", snapshot=earlier), False
    try:
        chain = fetch(ticker, **options)
        result = store.save(chain)
    except DeadlineError as error:  # mid-fetch: this ticker is not saved, the next ones not tried
        return Outcome(ticker, "failed", f"{error}; nothing saved"), True
    except MaxpainError as error:
        return Outcome(ticker, status_of(error), str(error)), False
    outcome = Outcome(
        ticker,
        "saved",
        snapshot=result.info.id,
        expirations=int(chain.frame.get_column("expiration").n_unique()),
        contracts=len(chain),
        partial=chain.meta.partial,
        warnings=chain.meta.warnings,
    )
    return outcome, False
