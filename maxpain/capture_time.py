"""When a snapshot was captured, for sources that do not say it out of band.

A capture column wins (``snap_date`` and the like; a date alone gets that day's latest trade, else
the end of that trading day, 16:00 New York), then the source's quote time, then the latest trade in the file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from maxpain.columns import datetimes
from maxpain.errors import InputError
from maxpain.market import NEW_YORK


def capture_time(
    frame: pl.DataFrame, found: dict[str, str | None], quote_time: datetime | None, name: str
) -> tuple[datetime, str]:
    """A capture column (a date alone gets that day's latest trade, else 16:00 New York), else the
    source's quote time, else the latest trade."""
    last_trades: pl.Series | None = None
    if found["last_trade"] is not None:
        last_trades = datetimes(frame.get_column(found["last_trade"]), name).drop_nulls()
    column = found["captured_at"]
    if column is not None:
        raw = frame.get_column(column).unique()  # one value per file, usually: parse each once
        stamps = datetimes(raw, name).drop_nulls()
        if stamps.len():
            latest: datetime = stamps.max()  # type: ignore[assignment]
            date_only = raw.dtype == pl.Date or (
                raw.dtype == pl.String and (raw.drop_nulls().str.len_chars() <= 10).all()
            )
            if date_only:
                # A date-only capture column (snap_date): use the latest trade of that day if
                # there is one, else the end of that trading day (16:00 New York).
                day = latest.date()
                if last_trades is not None and last_trades.len():
                    same_day = last_trades.filter(last_trades.dt.date() == day)
                    if same_day.len():
                        return same_day.max(), f"column {column} (date) + latest lastTradeDate that day"  # type: ignore[return-value]
                close = datetime(day.year, day.month, day.day, 16, 0, tzinfo=NEW_YORK).astimezone(UTC)
                return close, f"column {column} (a date: the end of that trading day, 16:00 New York)"
            return latest, f"column {column}"
    if quote_time is not None:
        return quote_time, "quote time (regularMarketTime)"
    if last_trades is not None and last_trades.len():
        return last_trades.max(), "latest lastTradeDate"  # type: ignore[return-value]
    msg = f"{name}: no capture time in the data (no snap_date, quote time or lastTradeDate); give the capture time"
    raise InputError(msg, parameter="captured_at")


#: A capture this long after the latest trade in the data is suspicious (weekends and a holiday
#: fit inside it).
STALE_AFTER = timedelta(days=5)
#: Trades stamped after the capture time mean the capture time is wrong.
EARLY_BY = timedelta(hours=1)


def capture_time_notes(
    frame: pl.DataFrame, found: dict[str, str | None], captured_at: datetime, name: str = "<frame>"
) -> list[str]:
    """Warnings when the capture time disagrees with the trades in the data.

    Parameters
    ----------
    frame, found
        The raw table and the column found for each role.
    captured_at
        The capture time (UTC).

    Returns
    -------
    list of str
        A note when the capture is more than :data:`STALE_AFTER` after the latest trade, or more
        than :data:`EARLY_BY` before it.
    """
    column = found["last_trade"]
    if column is None:
        return []
    trades = datetimes(frame.get_column(column), name).drop_nulls()
    trades = trades.filter(trades.dt.year().is_between(1971, 9998))
    if not trades.len():
        return []
    latest: datetime = trades.max()  # type: ignore[assignment]
    if captured_at - latest > STALE_AFTER:
        days = (captured_at - latest).days
        return [
            f"capture time {captured_at:%Y-%m-%d %H:%M} UTC is {days:,} days after the latest trade in the data "
            f"({latest:%Y-%m-%d %H:%M} UTC): the figures are older than the capture time says; check it"
        ]
    if latest - captured_at > EARLY_BY:
        return [
            f"capture time {captured_at:%Y-%m-%d %H:%M} UTC is before trades in the data (latest "
            f"{latest:%Y-%m-%d %H:%M} UTC); check it"
        ]
    return []
