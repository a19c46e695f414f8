"""The window of expirations an analysis looks at (DESIGN: expirations from the capture date up to
``until``, or ``weeks`` weeks; default 4 weeks). The date rule itself is
:func:`maxpain.market.window_end`, shared with the live source."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from maxpain.chain import Chain
from maxpain.errors import InputError, NotFoundError
from maxpain.market import is_monthly, not_listed_message, trading_day, window_end


@dataclass(frozen=True)
class Window:
    """Expirations from ``start`` (the capture's trading day) up to ``until``, inclusive."""

    start: date
    until: date
    expirations: tuple[date, ...]

    @classmethod
    def of_expirations(cls, start: date, expirations: Sequence[date]) -> Window:
        """A window made of exactly ``expirations`` (e.g. the ones a user named).

        Parameters
        ----------
        start
            The capture's trading day.
        expirations
            The expirations pooled; ``until`` becomes the last of them.

        Returns
        -------
        Window
        """
        chosen = tuple(sorted(expirations))
        return cls(start=start, until=chosen[-1] if chosen else start, expirations=chosen)

    def to_json(self) -> dict[str, object]:
        """``from``, ``until`` and ``expirations`` as ISO dates."""
        return {
            "from": self.start.isoformat(),
            "until": self.until.isoformat(),
            "expirations": [e.isoformat() for e in self.expirations],
        }


def make_window(chain: Chain, *, until: date | None = None, weeks: int | None = None) -> Window:
    """The window of ``chain``'s expirations from its capture date to ``until`` (or ``weeks`` weeks;
    default 4 weeks). Expirations on the capture day itself are included.

    Parameters
    ----------
    chain
        The snapshot.
    until
        Last expiration date of the window.
    weeks
        Alternatively, the window's length in weeks from the capture date.

    Returns
    -------
    Window

    Raises
    ------
    InputError
        ``until`` before the capture date, both ``until`` and ``weeks``, or a non-positive ``weeks``.
    """
    start, end = window_bounds(chain.meta.captured_at, until=until, weeks=weeks)
    expirations = tuple(e for e in chain.expirations if start <= e <= end)
    return Window(start=start, until=end, expirations=expirations)


def window_bounds(
    captured_at: datetime, *, until: date | None = None, weeks: int | None = None
) -> tuple[date, date]:
    """The first and last expiration dates of the window of a snapshot captured at
    ``captured_at`` (see :func:`make_window`).

    Raises
    ------
    InputError
        As :func:`make_window`.
    """
    start = trading_day(captured_at)
    if until is not None and until < start:
        msg = f"until {until} is before the snapshot's capture date {start}; pick a later date"
        raise InputError(msg, parameter="until")
    return start, window_end(start, until=until, weeks=weeks)


def open_expirations(chain: Chain, *, until: date | None = None) -> list[date]:
    """The expirations still open at capture (from the capture's trading day on).

    Parameters
    ----------
    chain
        The snapshot.
    until
        Last expiration date (default: all of them).

    Returns
    -------
    list of date
        Ascending.

    Raises
    ------
    InputError
        ``until`` before the capture date.
    """
    start = trading_day(chain.meta.captured_at)
    if until is not None and until < start:
        msg = f"until {until} is before the snapshot's capture date {start}"
        raise InputError(msg, parameter="until")
    return [e for e in chain.expirations if e >= start and (until is None or e <= until)]


def requested_until(chain: Chain, *, until: date | None = None, weeks: int | None = None) -> date | None:
    """The last expiration a view that shows every open expiration by default was asked for:
    ``until``, or ``weeks`` weeks from the capture date (the window rule), else None (all).

    Raises
    ------
    InputError
        As :func:`maxpain.market.window_end`.
    """
    if until is None and weeks is None:
        return None
    start = trading_day(chain.meta.captured_at)
    if until is not None and until < start:
        msg = f"until {until} is before the snapshot's capture date {start}"
        raise InputError(msg, parameter="until")
    return window_end(start, until=until, weeks=weeks)


def require_listed(chain: Chain, expirations: Sequence[date]) -> None:
    """Check that ``chain`` lists every one of ``expirations``.

    Parameters
    ----------
    chain
        The snapshot.
    expirations
        The expirations a user asked for.

    Raises
    ------
    NotFoundError
        For the first one not listed, naming the nearest listed expiration.
    """
    listed = chain.expirations
    for expiration in expirations:
        if expiration not in listed:
            message = not_listed_message(chain.underlying, expiration, listed, "in this snapshot")
            raise NotFoundError(message, parameter="expiration")


#: Monthly expirations a summary shows after the window.
SUMMARY_MONTHLIES = 6


def summary_expirations(chain: Chain, window: Window, *, monthlies: int = SUMMARY_MONTHLIES) -> list[date]:
    """The expirations a one-screen summary lists: the window's, then the next ``monthlies``
    standard monthly expirations after it (the ones most open interest sits in).

    Parameters
    ----------
    chain
        The snapshot.
    window
        The window of the summary.
    monthlies
        Monthly expirations after the window.

    Returns
    -------
    list of date
        Ascending.
    """
    listed = chain.expirations
    later = [e for e in listed if e > window.until and is_monthly(e, listed)][:monthlies]
    return [*window.expirations, *later]
