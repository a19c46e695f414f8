"""``maxpain fetch``: live chains from Yahoo, saved as snapshots: one ticker, several, or a
watchlist paced to Yahoo's limits."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import click

from ..options import DATE, Settings, window_options, with_settings
from ..output import console, emit_json, show
from ..snapshots import fetch_live, open_store, save

if TYPE_CHECKING:
    from maxpain.watchlist import Outcome


@click.command(short_help="Fetch chains live from Yahoo and save them (one ticker or a watchlist).")
@click.argument("tickers", nargs=-1)
@click.option(
    "--watchlist",
    type=click.Path(dir_okay=False),
    default=None,
    help="A file of tickers, one a line (# starts a comment), fetched after TICKERS.",
)
@click.option("--expiry", "expiries", type=DATE, multiple=True, help="Only this expiration (repeatable).")
@window_options
@click.option("--allow-partial", is_flag=True, help="Save even if some expirations fail (marked partial).")
@click.option(
    "--skip-captured-today",
    is_flag=True,
    help="Leave out tickers already captured on today's trading day (resume a run).",
)
@click.option(
    "--deadline",
    type=click.FloatRange(min=1),
    default=None,
    help="Stop the whole run after this many seconds (tickers not reached: not tried).",
)
@click.option(
    "--pace",
    type=click.FloatRange(min=0.05, max=50),
    default=2.0,
    show_default=True,
    help="Requests a second to Yahoo, shared by every ticker of the run.",
)
@with_settings()
def fetch(
    settings: Settings,
    tickers: tuple[str, ...],
    watchlist: str | None,
    expiries: tuple[date, ...],
    until: date | None,
    weeks: int | None,
    allow_partial: bool,
    skip_captured_today: bool,
    deadline: float | None,
    pace: float,
) -> None:
    """Fetch TICKERS' chains live from Yahoo (every expiration unless told otherwise) and save each
    as a snapshot. Several tickers or a --watchlist run as one paced job with one progress display
    and a summary per ticker; exit 0 only if every ticker was saved (or skipped as already
    captured today), else 11.

    \b
    Examples: maxpain fetch NVDA --weeks 4
              maxpain fetch --watchlist mag7.txt --skip-captured-today
    """
    from maxpain.chain import validate_ticker
    from maxpain.errors import InputError

    if until and weeks:
        raise InputError("give either --until or --weeks, not both")
    names = [validate_ticker(t) for t in tickers]
    if watchlist is not None:
        from maxpain.watchlist import read_watchlist

        names += read_watchlist(watchlist)
    names = list(dict.fromkeys(names))
    if not names:
        raise click.UsageError("name a ticker (or several), or give --watchlist FILE")
    options: dict[str, Any] = {
        "expiries": [e.isoformat() for e in expiries] or None,
        "until": until,
        "weeks": weeks,
        "allow_partial": allow_partial,
    }
    if len(names) == 1 and watchlist is None and not skip_captured_today and deadline is None:
        _single(settings, names[0], options)
        return
    _run(settings, names, options, skip_captured_today=skip_captured_today, deadline=deadline, pace=pace)


def _single(settings: Settings, ticker: str, options: dict[str, Any]) -> None:
    """One ticker: its errors are the command's (exit codes 5-10)."""
    from .. import payloads
    from ..render.saved import saved_lines

    chain = fetch_live(settings, ticker, **options)
    result = save(open_store(settings), chain)
    name = f"Yahoo {chain.underlying}"
    if settings.as_json:
        emit_json([payloads.saved(name, chain.meta, result)])
        return
    show(settings, saved_lines(name, chain.meta, result))


def _run(
    settings: Settings,
    names: list[str],
    options: dict[str, Any],
    *,
    skip_captured_today: bool,
    deadline: float | None,
    pace: float,
) -> None:
    """A watchlist run: one progress display, a line per ticker as it ends, then the summary."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from maxpain import watchlist as run
    from maxpain.sources.yahoo import FetchPolicy, fetch_chain

    from ..payloads.fetch import fetch_run
    from ..render.saved import outcome_line, run_summary
    from .imports import AlreadyReportedError

    store = open_store(settings)
    bound = run.Deadline(deadline)
    bucket = run.TokenBucket(pace, max(1, round(2 * pace)), deadline=bound)
    policy = FetchPolicy(pace=bucket.take, deadline=bound, sleep=lambda seconds: run.pause(seconds))
    started = run.wall_clock()
    notes = console(settings, stderr=True)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[detail]}"),
        TimeElapsedColumn(),
        console=notes,
        transient=True,
        disable=not notes.is_terminal,
    ) as progress:
        overall = progress.add_task("tickers", total=len(names), detail="")
        current = [""]

        def begin(index: int, ticker: str) -> None:
            current[0] = ticker
            progress.update(overall, completed=index, detail=ticker)

        def advance(done: int, total: int, expiration: str) -> None:
            progress.update(overall, detail=f"{current[0]} {done}/{total} {expiration}".rstrip())

        def done(index: int, outcome: Outcome) -> None:
            progress.update(overall, completed=index + 1)
            progress.console.print(outcome_line(outcome), highlight=False)

        outcomes = run.fetch_watchlist(
            names,
            store,
            fetch=fetch_chain,
            bucket=bucket,
            deadline=bound,
            skip_captured_today=skip_captured_today,
            on_start=begin,
            on_done=done,
            policy=policy,
            progress=advance,
            **options,
        )
    elapsed = run.wall_clock() - started
    if settings.as_json:
        emit_json(fetch_run(outcomes, requests=bucket.requests, seconds=elapsed))
    else:
        show(settings, run_summary(outcomes, requests=bucket.requests, seconds=elapsed))
    if any(o.status not in ("saved", "skipped") for o in outcomes):
        raise AlreadyReportedError(11)
