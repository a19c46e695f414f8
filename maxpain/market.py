"""Market calendar facts every layer shares: the trading day of a moment, the exchange's sessions
(NYSE holidays from the ``holidays`` package, loaded on first use), the one window rule, the nearest
listed expiration, and time to expiry. Standard library only at import, so sources, analyses and
the command line can all use it without importing the engine."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from maxpain.errors import InputError

NEW_YORK = ZoneInfo("America/New_York")

#: The window when neither ``until`` nor ``weeks`` is given.
DEFAULT_WEEKS = 4


def trading_day(moment: datetime) -> date:
    """The US trading date of a moment (options settle on New York time).

    Parameters
    ----------
    moment
        A timezone-aware time.

    Returns
    -------
    date
        The date in New York.
    """
    return moment.astimezone(NEW_YORK).date()


#: The regular session's close in New York (expirations settle on it).
CLOSE = time(16, 0)


@functools.cache
def _exchange_holidays(year: int) -> frozenset[date]:
    import holidays  # ~60 ms: only the commands that count sessions pay for it

    return frozenset(holidays.financial_holidays("NYSE", years=year))


def is_session(day: date) -> bool:
    """Whether the New York Stock Exchange trades on ``day`` (a weekday that is not one of its
    holidays, special closures included, e.g. 2025-01-09)."""
    return day.weekday() < 5 and day not in _exchange_holidays(day.year)


def sessions_before(day: date, count: int) -> date:
    """The trading day ``count`` sessions before ``day`` (``day`` itself need not be one).

    Parameters
    ----------
    day
        The day counted from.
    count
        Sessions back, at least 1.

    Returns
    -------
    date
    """
    if count < 1:
        msg = f"a lag must be at least 1 trading day, got {count}"
        raise InputError(msg, parameter="lag")
    found = 0
    while found < count:
        day -= timedelta(days=1)
        found += is_session(day)
    return day


def after_close(moment: datetime) -> bool:
    """Whether ``moment`` is at or after 16:00 New York on its day: its price is that day's close
    (a snapshot taken before it saw an intraday price)."""
    return moment.astimezone(NEW_YORK).time() >= CLOSE


def window_end(start: date, *, until: date | None = None, weeks: int | None = None) -> date:
    """The last expiration date of the window that starts on ``start``: the one window rule.

    Parameters
    ----------
    start
        The first day of the window (a snapshot's trading day, or today for a fetch).
    until
        Last expiration date to include.
    weeks
        Alternatively, the window's length in weeks from ``start``.

    Returns
    -------
    date
        ``until``, else ``start`` + ``weeks`` weeks, else ``start`` + :data:`DEFAULT_WEEKS` weeks.

    Raises
    ------
    InputError
        Both ``until`` and ``weeks``, a non-positive ``weeks``, or ``until`` before ``start``.
    """
    if until is not None and weeks is not None:
        msg = "give either an end date (until) or a number of weeks, not both"
        raise InputError(msg, parameter="weeks")
    if weeks is not None:
        if weeks <= 0:
            msg = f"the window must be a positive number of weeks, got {weeks}"
            raise InputError(msg, parameter="weeks")
        until = start + timedelta(weeks=weeks)
    if until is None:
        until = start + timedelta(weeks=DEFAULT_WEEKS)
    if until < start:
        msg = f"the window's end {until} is before its start {start}; pick a later date"
        raise InputError(msg, parameter="until")
    return until


def nearest_expiration(wanted: date, listed: Sequence[date]) -> date | None:
    """The listed expiration closest to ``wanted``.

    Parameters
    ----------
    wanted
        The date asked for.
    listed
        The expirations listed.

    Returns
    -------
    date or None
        The closest (the earlier one on a tie); None when nothing is listed.
    """
    return min(listed, key=lambda e: (abs((e - wanted).days), e)) if listed else None


def not_listed_message(underlying: str, wanted: date, listed: Sequence[date], where: str) -> str:
    """One sentence for an expiration that is not listed, with the nearest one as a hint.

    Parameters
    ----------
    underlying
        The ticker.
    wanted
        The expiration asked for.
    listed
        The expirations listed.
    where
        Where it is missing, e.g. ``"in this snapshot"``.

    Returns
    -------
    str
    """
    nearest = nearest_expiration(wanted, listed)
    hint = f"; the nearest listed is {nearest}" if nearest else "; none are listed"
    return f"{underlying} has no expiration {wanted} {where}{hint}"


def years_to_expiry(captured_at: datetime, expiration: date) -> float:
    """ACT/365 years from capture to the expiration's 16:00 New York close.

    Parameters
    ----------
    captured_at
        The capture time (timezone-aware).
    expiration
        The expiration date.

    Returns
    -------
    float
        Years, 0 once the close has passed.
    """
    close = datetime.combine(expiration, CLOSE, tzinfo=NEW_YORK).astimezone(UTC)
    return max((close - captured_at).total_seconds(), 0.0) / YEAR_SECONDS


#: ACT/365: seconds in a year.
YEAR_SECONDS = 365.0 * 86400.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def microseconds(moment: datetime) -> int:
    """A timezone-aware moment as whole microseconds since 1970-01-01 UTC (exact)."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def close_microseconds(expiration: date) -> int:
    """The expiration's 16:00 New York close as :func:`microseconds`."""
    return microseconds(datetime.combine(expiration, CLOSE, tzinfo=NEW_YORK))


def years_to_expiry_rows(captured: Sequence[datetime], chain: Any, days: Any) -> Any:
    """:func:`years_to_expiry` of many rows at once, equal to it bit for bit: row ``i`` is
    captured at ``captured[chain[i]]`` and expires ``days[i]`` days after 1970-01-01 (numpy
    integer arrays). In int64 microseconds a difference below 2⁵³ converts to float64 exactly, and
    one division by 10⁶ rounds as ``timedelta.total_seconds`` does."""
    import numpy as np

    days = np.asarray(days, dtype=np.int64)
    moments = np.array([microseconds(c) for c in captured], dtype=np.int64)
    if days.shape[0] == 0:
        return np.zeros(0)
    # each distinct day's close, looked up by offset (expirations span a few thousand days at most:
    # a table over the span costs less than sorting millions of rows to find the distinct ones)
    first = int(days.min())
    span = np.zeros(int(days.max()) - first + 1, dtype=bool)
    span[days - first] = True
    close = np.zeros(span.shape[0], dtype=np.int64)
    epoch = date(1970, 1, 1)
    for offset in np.flatnonzero(span).tolist():
        close[offset] = close_microseconds(epoch + timedelta(days=first + offset))
    return np.maximum((close[days - first] - moments[chain]) / 1e6, 0.0) / YEAR_SECONDS


def monthly_rows(days: Any, group: Any) -> Any:
    """:func:`is_monthly` of many expirations at once: row ``i`` expires ``days[i]`` days after
    1970-01-01 and is listed beside the other rows of its group ``group[i]``; rows in (group, day)
    order, no day twice in a group (numpy integer arrays; a boolean array back)."""
    import numpy as np

    days = np.asarray(days, dtype=np.int64)
    group = np.asarray(group)
    stamp = days.astype("datetime64[D]")
    day = (stamp - stamp.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0, as date.weekday()
    # a Thursday's Friday is listed beside it exactly when it is the group's next row
    friday_listed = np.zeros(days.shape[0], dtype=bool)
    friday_listed[:-1] = (group[1:] == group[:-1]) & (days[1:] == days[:-1] + 1)
    thursday_shifted = (weekday == 3) & (day + 1 <= 21) & ~friday_listed
    return (day >= 15) & (day <= 21) & ((weekday == 4) | thursday_shifted)


def is_monthly(expiration: date, listed: Sequence[date] = ()) -> bool:
    """Whether ``expiration`` is a standard monthly expiration: the third Friday of its month, or
    the Thursday before it when that Friday is a market holiday (2026-06-18 for Juneteenth), which
    shows as a Thursday in the third week with no Friday listed after it.

    Parameters
    ----------
    expiration
        An expiration date.
    listed
        The expirations listed beside it (to tell a holiday-shifted monthly from a daily).

    Returns
    -------
    bool
    """
    if not 15 <= expiration.day <= 21:
        return False
    if expiration.weekday() == 4:
        return True
    following_friday = expiration + timedelta(days=1)
    return expiration.weekday() == 3 and following_friday.day <= 21 and following_friday not in listed
