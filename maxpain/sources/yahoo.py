"""Live source: option chains from Yahoo through yfinance.

yfinance is imported only when a fetch happens. Every HTTP answer passes through
:class:`ObservingSession`, which records the status codes so that the silent failures of yfinance
(an empty tuple after a 401 "Invalid Crumb", after a 429, or for a symbol without options) can be
told apart. Tests replace only the transport (``ObservingSession._send``) and keep yfinance's own
cookie, crumb and parsing code.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import random
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import polars as pl

from maxpain.chain import Chain, validate_ticker
from maxpain.errors import (
    AuthError,
    FetchIncompleteError,
    InputError,
    MaxpainError,
    NetworkError,
    NoOptionsError,
    NotFoundError,
    RateLimitedError,
)
from maxpain.market import nearest_expiration, trading_day, window_end
from maxpain.normalize import normalize

ProgressCallback = Callable[[int, int, str], None]


def _session_base() -> type:
    from curl_cffi import requests as curl_requests

    session_class: type = curl_requests.Session
    return session_class


_OBSERVING: type | None = None


def observing_session_class() -> type:
    """A curl_cffi Session subclass that records every (url, status) it sees.

    Built on first use so that importing this module does not import curl_cffi.
    """
    global _OBSERVING
    if _OBSERVING is None:
        base = _session_base()

        class ObservingSession(base):  # type: ignore[valid-type,misc]
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                kwargs.setdefault("impersonate", "chrome")
                super().__init__(*args, **kwargs)
                self.statuses: list[tuple[str, int]] = []
                self.silent_seconds = 0.0  # time spent waiting on requests that never answered

            def _send(self, method: str, url: str, **kwargs: Any) -> Any:
                return super().request(method, url, **kwargs)

            def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
                # A server that accepts the connection and never answers costs at most
                # SILENCE_BUDGET seconds over the whole fetch, however many requests yfinance tries.
                remaining = SILENCE_BUDGET - self.silent_seconds
                if remaining <= 0:
                    raise TimeoutError(
                        f"Yahoo has not answered for {SILENCE_BUDGET:.0f} s (operation timed out)"
                    )
                kwargs["timeout"] = min(
                    float(kwargs.get("timeout") or REQUEST_TIMEOUT), REQUEST_TIMEOUT, remaining
                )
                started = time.monotonic()
                try:
                    response = self._send(method, url, *args, **kwargs)
                except Exception as error:
                    if "timeout" in type(error).__name__.lower() or "timed out" in str(error).lower():
                        self.silent_seconds += time.monotonic() - started
                    raise
                self.statuses.append((url, int(response.status_code)))
                return response

        _OBSERVING = ObservingSession
    return _OBSERVING


#: Seconds one request may wait for Yahoo's answer, and all the unanswered requests of one fetch.
REQUEST_TIMEOUT = 10.0
SILENCE_BUDGET = 25.0


@contextlib.contextmanager
def quiet_yfinance() -> Iterator[None]:
    """yfinance logs its own errors to stderr; ours say the same in one sentence, so its logger is
    silenced while we fetch (and its warnings too)."""
    logger = logging.getLogger("yfinance")
    saved = (logger.handlers[:], logger.propagate, logger.level)
    logger.handlers, logger.propagate = [logging.NullHandler()], False
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.handlers, logger.propagate, _ = saved
        logger.setLevel(saved[2])


@dataclass
class FetchPolicy:
    """Retry policy for rate limits: bounded attempts, exponential back-off with jitter."""

    max_attempts: int = 4
    base_delay: float = 2.0
    max_delay: float = 30.0
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    #: Called before every request with what it is for (a run's shared token bucket).
    pace: Callable[[str], None] | None = None
    #: A run's global bound: a back-off that would pass it fails at once (DeadlineError).
    deadline: Any = None

    def wait(self, attempt: int, what: str) -> None:
        """The back-off before retry ``attempt + 1``, within the deadline."""
        seconds = self.delay(attempt)
        if self.deadline is not None:
            self.deadline.wait(seconds, f"a retry of {what}", self.sleep)
        else:
            self.sleep(seconds)

    def delay(self, attempt: int) -> float:
        raw = min(self.max_delay, self.base_delay * 2**attempt)
        return raw / 2 + self.rng.uniform(0, raw / 2)


def select_expirations(
    listed: Sequence[str],
    *,
    expiries: Sequence[str] | None = None,
    until: date | None = None,
    weeks: int | None = None,
    today: date | None = None,
) -> list[str]:
    """The expirations to fetch: ``expiries`` (each must be listed), else the window from ``today``
    (:func:`maxpain.market.window_end`) when ``until`` or ``weeks`` is given, else all."""
    today = today or trading_day(datetime.now(UTC))
    if expiries:
        chosen = []
        for wanted in expiries:
            if wanted not in listed:
                msg = f"expiration {wanted} is not listed; {_nearest_hint(wanted, listed)}"
                raise NotFoundError(msg)
            chosen.append(wanted)
        return sorted(set(chosen))
    if until is None and weeks is None:
        return list(listed)
    if until is not None and until < today:
        msg = f"until {until} is before today ({today}); nothing to fetch"
        raise InputError(msg, parameter="until")
    end = window_end(today, until=until, weeks=weeks)
    chosen = [e for e in listed if date.fromisoformat(e) <= end]
    if not chosen:
        msg = f"no expiration on or before {end}; the first listed is {listed[0]}"
        raise NotFoundError(msg)
    return chosen


def _nearest_hint(wanted: str, listed: Sequence[str]) -> str:
    try:
        target = date.fromisoformat(wanted)
    except ValueError:
        return "write it as YYYY-MM-DD"
    nearest = nearest_expiration(target, [date.fromisoformat(e) for e in listed])
    return f"the nearest listed is {nearest}" if nearest else "none are listed"


def _classify_empty(statuses: list[tuple[str, int]], ticker: str) -> MaxpainError:
    codes = [code for _, code in statuses]
    if 429 in codes:
        return RateLimitedError(
            f"Yahoo is rate limiting requests (HTTP 429) for {ticker}; try again in a few minutes"
        )
    if 401 in codes or 403 in codes:
        return AuthError(
            f"Yahoo refused the request for {ticker} (HTTP 401, invalid crumb); wait a minute and retry, "
            "or delete yfinance's cookie cache"
        )
    if any(code >= 500 for code in codes):
        return NetworkError(f"Yahoo answered with a server error for {ticker}; try again later")
    return NoOptionsError(
        f"{ticker} lists no options at Yahoo (unknown symbol, delisted, or no listed options)"
    )


def _call(action: Callable[[], Any], policy: FetchPolicy, ticker: str, what: str) -> Any:
    """Run one yfinance call with bounded, jittered retries on rate limits; translate failures."""
    import yfinance.exceptions as yf_exceptions

    for attempt in range(policy.max_attempts):
        if policy.pace is not None:
            policy.pace(f"{ticker} {what}")
        try:
            return action()
        except yf_exceptions.YFRateLimitError:
            if attempt + 1 >= policy.max_attempts:
                wait = int(policy.max_delay)
                msg = (
                    f"Yahoo is rate limiting requests for {ticker} ({what}) after {policy.max_attempts} "
                    f"attempts; try again in {wait} s or more"
                )
                raise RateLimitedError(msg) from None
            policy.wait(attempt, f"{ticker} {what}")
        except MaxpainError:
            raise
        except ValueError as error:
            text = str(error)
            if "cannot be found" in text:
                raise NotFoundError(
                    f"{what} for {ticker} vanished from Yahoo's list between requests"
                ) from None
            msg = f"Yahoo sent something that is not an option chain for {ticker} ({what}); try again later"
            raise NetworkError(msg) from None
        except Exception as error:
            kind = type(error).__name__
            if "Timeout" in kind or "timed out" in str(error).lower():
                raise NetworkError(f"the request to Yahoo timed out for {ticker} ({what})") from None
            raise NetworkError(f"cannot reach Yahoo for {ticker} ({what}): {kind}") from None
    raise AssertionError("unreachable")  # pragma: no cover


def _quietly(function: Callable[..., Chain]) -> Callable[..., Chain]:
    @functools.wraps(function)
    def quiet(*args: Any, **kwargs: Any) -> Chain:
        with quiet_yfinance():
            return function(*args, **kwargs)

    return quiet


@_quietly
def fetch_chain(
    ticker: str,
    *,
    expiries: Sequence[str] | None = None,
    until: date | None = None,
    weeks: int | None = None,
    allow_partial: bool = False,
    session: Any = None,
    policy: FetchPolicy | None = None,
    progress: ProgressCallback | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Chain:
    """Fetch a whole chain (or the chosen expirations) from Yahoo.

    A snapshot is all-or-nothing: if any expiration fails, :class:`FetchIncompleteError` is raised
    and nothing is returned, unless ``allow_partial`` (then the chain is marked partial and lists
    the missing expirations).

    Raises
    ------
    NoOptionsError, AuthError, RateLimitedError, NetworkError, NotFoundError, FetchIncompleteError
    """
    ticker = validate_ticker(ticker)
    policy = policy or FetchPolicy()
    import yfinance as yf

    if session is None:
        session = observing_session_class()()
    statuses: list[tuple[str, int]] = getattr(session, "statuses", [])
    handle = yf.Ticker(ticker, session=session)
    listed = tuple(_call(lambda: handle.options, policy, ticker, "the list of expirations"))
    if not listed:
        raise _classify_empty(statuses, ticker)
    captured_at = now()
    chosen = select_expirations(
        listed, expiries=expiries, until=until, weeks=weeks, today=trading_day(captured_at)
    )

    frames: list[pl.DataFrame] = []
    failures: list[tuple[str, str]] = []
    quote: dict[str, Any] = {}
    for index, expiration in enumerate(chosen):
        if progress:
            progress(index, len(chosen), expiration)
        try:
            answer = _call(
                partial(handle.option_chain, expiration), policy, ticker, f"expiration {expiration}"
            )
        except (RateLimitedError, NetworkError, NotFoundError) as error:
            failures.append((expiration, str(error)))
            if isinstance(error, RateLimitedError) and not allow_partial:
                break
            continue
        if answer.calls is None or answer.puts is None:
            failures.append((expiration, f"{_classify_empty(statuses, ticker)}"))
            continue
        quote = answer.underlying or quote
        for side, right in ((answer.calls, "C"), (answer.puts, "P")):
            if len(side):
                part = pl.from_pandas(side.reset_index(drop=True)).with_columns(
                    right=pl.lit(right), expiration=pl.lit(date.fromisoformat(expiration))
                )
                frames.append(part)
    if progress:
        progress(len(chosen), len(chosen), "")
    if failures and (not allow_partial or len(failures) == len(chosen)):
        first_expiration, first_reason = failures[0]
        msg = (
            f"{len(failures)} of {len(chosen)} expirations of {ticker} failed (first: {first_expiration}: "
            f"{first_reason.rstrip('.')}); nothing was saved — retry, or allow a partial snapshot"
        )
        error_type = RateLimitedError if "rate limit" in first_reason else FetchIncompleteError
        raise error_type(msg, parameter="allow_partial")
    if not frames:
        msg = f"Yahoo listed expirations for {ticker} but returned no contracts"
        raise NoOptionsError(msg)
    raw = pl.concat(frames, how="diagonal_relaxed")
    spot = quote.get("regularMarketPrice")
    quote_time = quote.get("regularMarketTime")
    chain = normalize(
        raw,
        underlying=ticker,
        captured_at=captured_at,
        spot=float(spot) if isinstance(spot, int | float) and spot > 0 else None,
        quote_time=datetime.fromtimestamp(quote_time, tz=UTC)
        if isinstance(quote_time, int | float)
        else None,
        source="yahoo",
        name=f"Yahoo {ticker}",
        source_versions={"yfinance": yf.__version__, "polars": pl.__version__},
    )
    if failures:
        chain.meta.partial = True
        chain.meta.missing_expirations = [e for e, _ in failures]
        chain.meta.notes.append(
            f"partial snapshot: {len(failures)} of {len(chosen)} expirations missing ({', '.join(chain.meta.missing_expirations)})"
        )
    market_state = quote.get("marketState")
    if market_state and market_state not in ("REGULAR",):
        chain.meta.notes.append(
            f"captured with the market {str(market_state).lower()}: open interest is the last settled figure"
        )
    return chain
