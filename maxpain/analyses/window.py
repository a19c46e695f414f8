"""The window of expirations an analysis looks at (DESIGN: expirations from the capture date up to
``until``, or ``weeks`` weeks; default 4 weeks). The date rule itself is
:func:`maxpain.market.window_end`, shared with the live source."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from maxpain.chain import Chain
from maxpain.errors import InputError, NotFoundError
from maxpain.market import not_listed_message, trading_day, window_end


@dataclass(frozen=True)
class Window:
    """Expirations from ``start`` (the capture's trading day) up to ``until``, inclusive."""

    start: date
    until: date
    expirations: tuple[date, ...]

    @classmethod
    def of_expirations(cls, start: date, expirations: Sequence[date]) -> Window:
        """A window made of exactly ``expirations`` (e.g. the ones a user named)."""
        chosen = tuple(sorted(expirations))
        return cls(start=start, until=chosen[-1] if chosen else start, expirations=chosen)

    def to_json(self) -> dict[str, object]:
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
    start = trading_day(chain.meta.captured_at)
    if until is not None and until < start:
        msg = f"until {until} is before the snapshot's capture date {start}; pick a later date"
        raise InputError(msg)
    end = window_end(start, until=until, weeks=weeks)
    expirations = tuple(e for e in chain.expirations if start <= e <= end)
    return Window(start=start, until=end, expirations=expirations)


def open_expirations(chain: Chain, *, until: date | None = None) -> list[date]:
    """The expirations still open at capture (from the capture's trading day on), up to ``until``
    when given, else all of them.

    Raises
    ------
    InputError
        ``until`` before the capture date.
    """
    start = trading_day(chain.meta.captured_at)
    if until is not None and until < start:
        msg = f"until {until} is before the snapshot's capture date {start}"
        raise InputError(msg)
    return [e for e in chain.expirations if e >= start and (until is None or e <= until)]


def require_listed(chain: Chain, expirations: Sequence[date]) -> None:
    """Raise :class:`NotFoundError` (with the nearest listed one) for an expiration not listed."""
    listed = chain.expirations
    for expiration in expirations:
        if expiration not in listed:
            raise NotFoundError(not_listed_message(chain.underlying, expiration, listed, "in this snapshot"))
