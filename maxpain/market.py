"""Market calendar facts every layer shares: the trading day of a moment, the one window rule, the
nearest listed expiration, and time to expiry. Standard library only, so sources, analyses and the
command line can all use it without importing the engine."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
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
    close = datetime.combine(expiration, time(16, 0), tzinfo=NEW_YORK).astimezone(UTC)
    return max((close - captured_at).total_seconds(), 0.0) / (365.0 * 86400.0)


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
