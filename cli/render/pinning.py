"""The ``pinning`` view: what the study found in one paragraph, the pooled table (max pain
against the placebo) and one row per ticker."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.panel import Panel
from rich.text import Text

from .common import FittedTable
from .formats import DASH, count

if TYPE_CHECKING:
    from maxpain.analyses.pinning import Measures, Pinning

_REASONS = {
    "flagged": "a snapshot was flagged (a copy of the day before, incomplete or partial)",
    "no_spot": "a spot was missing or estimated from the chain",
    "before_close": "the expiration-day snapshot was taken before the close",
    "undefined_max_pain": "max pain was undefined",
}


def _pct(value: float | None, digits: int = 0) -> str:
    return DASH if value is None else f"{100 * value:.{digits}f}%"


def header(result: Pinning) -> Panel:
    lines = Text()
    lines.append(
        f"{count(len(result.tickers), 'ticker')} · lag {count(result.lag, 'session')} · "
        f"{count(result.max_pain.events, 'event')}",
        style="bold",
    )
    lines.append(
        f"\nevent: an expiration day E with a snapshot at its close and another {count(result.lag, 'session')} "
        "earlier; MP = that snapshot's max pain of E",
        style="dim",
    )
    lines.append(
        "\nplacebo: the max pain of the next expiration in the same snapshot (it does not expire on E)",
        style="dim",
    )
    return Panel(lines, title="maxpain pinning", title_align="left", border_style="cyan", expand=False)


def quality_lines(result: Pinning) -> list[str]:
    lines = [f"{count(n, 'event')} skipped: {_REASONS[reason]}" for reason, n in result.skipped.items() if n]
    closed = result.left_out.get("exchange_closed", 0)
    if closed:
        lines.append(
            f"{count(closed, 'snapshot')} taken on days the exchange was closed left out "
            "(a holiday's copy of the session before)"
        )
    return lines


def verdict(result: Pinning) -> Text:
    return Text(result.verdict())


def _cells(measures: Measures) -> list[str]:
    return [
        f"{measures.events:,}",
        _pct(measures.share),
        f"{_pct(measures.low)}–{_pct(measures.high)}" if measures.share is not None else DASH,
        _pct(measures.median_distance_before, 2),
        _pct(measures.median_distance_after, 2),
        _pct(measures.within_one_step),
    ]


def pooled_table(result: Pinning) -> FittedTable:
    out = FittedTable("All tickers pooled")
    out.add_column("target", justify="left")
    for name, priority in (
        ("events", 0),
        ("moved toward", 0),
        ("95% interval", 0),
        ("median |S0−T|/S1", 1),
        ("median |S1−T|/S1", 1),
        ("within 1 strike", 2),
    ):
        out.add_column(name, priority=priority)
    out.add_row("max pain", *_cells(result.max_pain), style="bold")
    out.add_row("placebo", *_cells(result.placebo))
    out.caption = "T = the target; S0 = spot the session before, S1 = the close on expiration day"
    return out


def by_ticker_table(result: Pinning) -> FittedTable:
    out = FittedTable("By ticker")
    out.add_column("ticker", justify="left")
    out.add_column("events")
    out.add_column("toward MP")
    out.add_column("95% interval", priority=2)
    out.add_column("toward placebo")
    out.add_column("MP dist. before", priority=3)
    out.add_column("MP dist. after", priority=3)
    out.add_column("within 1 strike", priority=1)
    for ticker, mp, placebo in result.by_ticker:
        out.add_row(
            ticker,
            f"{mp.events:,}",
            _pct(mp.share),
            f"{_pct(mp.low)}–{_pct(mp.high)}" if mp.share is not None else DASH,
            _pct(placebo.share),
            _pct(mp.median_distance_before, 2),
            _pct(mp.median_distance_after, 2),
            _pct(mp.within_one_step),
        )
    return out
