"""``maxpain import``: files and folders (collector tables, CBOE downloads, raw Yahoo and Schwab
bodies) into the store. Every file is tried whatever happens to the others; a few files are each
said as they are stored, many get a progress bar and one summary."""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..options import Settings, with_settings
from ..output import console, emit_json, error_sentence, show

if TYPE_CHECKING:
    from maxpain.importer import Outcome
    from maxpain.store import Store

#: From this many files (or any folder) on, import shows a progress bar and a summary instead of
#: a paragraph per file.
BULK_FROM = 20


class AlreadyReportedError(Exception):
    """The failure was already printed; exit with this code."""

    def __init__(self, exit_code: int) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


@click.command(name="import", short_help="Import chain files or folders (tables, CBOE, Yahoo, Schwab).")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("--ticker", default=None, help="Underlying (default: the OCC root, else the file name).")
@click.option("--captured-at", default=None, help="Capture time, ISO 8601 (default: from the data).")
@click.option("--force-ticker", is_flag=True, help="Store under --ticker even if the contracts name another.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1, max=64),
    default=None,
    help="Processes to read with (default: cores).",
)
@with_settings()
def import_(
    settings: Settings,
    paths: tuple[str, ...],
    ticker: str | None,
    captured_at: str | None,
    force_ticker: bool,
    jobs: int | None,
) -> None:
    """Import option chains into the store: files or folders (walked recursively).

    \b
    Reads CSV in any dialect (, ; or tab, decimal commas, a BOM, lines
    before the header), Parquet, side-by-side tables (a call and a put per
    row), CBOE quote downloads, raw Yahoo v7 and Schwab /chains bodies.
    Every file is tried; a few are each described, many get a progress bar
    and a summary.
    Example: maxpain import ../shared/chains/laiweibin456-us-option-data
    """
    from maxpain.chain import as_utc
    from maxpain.errors import InputError
    from maxpain.importer import expand, import_files

    from ..snapshots import open_store

    moment = None
    if captured_at:
        try:
            moment = as_utc(datetime.fromisoformat(captured_at))
        except ValueError:
            raise InputError(
                f"--captured-at {captured_at!r} is not an ISO time such as 2025-12-01T21:15:00Z"
            ) from None
        except OverflowError:
            raise InputError(f"--captured-at {captured_at!r} is past the year 9999 in UTC") from None
    files, walked = expand(paths)
    if not files:
        raise InputError(f"no files to import in {', '.join(paths)} (looked for .parquet, .csv, .tsv, .json)")
    target = open_store(settings)
    bulk = len(files) >= BULK_FROM or bool(walked)
    outcomes = import_files(
        target,
        files,
        walked=walked,
        ticker=ticker,
        captured_at=moment,
        force_ticker=force_ticker,
        workers=jobs,
    )
    start = time.perf_counter()
    done, interrupted = (_bulk if bulk else _one_by_one)(settings, outcomes, len(files))
    elapsed = time.perf_counter() - start
    stored = [o for o in done if o.result is not None]
    if bulk and stored:
        _flag_neighbours(target, stored)
    if settings.as_json:
        emit_json([_document(o) for o in done if o.meta is not None and o.result is not None])
    else:
        _summary(settings, len(files), done, interrupted, elapsed if bulk else None)
    if interrupted:
        raise AlreadyReportedError(130)
    failures = [o for o in done if o.status == "refused"]
    if failures:
        codes = {f.exit_code for f in failures}
        raise AlreadyReportedError(failures[0].exit_code if len(codes) == 1 else InputError.exit_code)


def _one_by_one(settings: Settings, outcomes: Iterable[Outcome], total: int) -> tuple[list[Outcome], bool]:
    """Each file's paragraph as it is stored (errors on stderr, one line each)."""
    from maxpain.neighbours import neighbour_warnings

    from ..render.saved import saved_lines
    from ..snapshots import open_store

    target = open_store(settings)
    done: list[Outcome] = []
    try:
        for outcome in outcomes:
            done.append(outcome)
            if outcome.result is None or outcome.meta is None:
                print(_error_line(outcome), file=sys.stderr, flush=True)
                continue
            outcome.result.info.warnings = neighbour_warnings(target, outcome.result.info)
            if not settings.as_json:
                show(settings, saved_lines(outcome.path, outcome.meta, outcome.result))
    except KeyboardInterrupt:
        return done, True
    return done, False


def _bulk(settings: Settings, outcomes: Iterable[Outcome], total: int) -> tuple[list[Outcome], bool]:
    """A progress bar over the files; refusals on stderr (the first few), the rest in the summary."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    progress_console = console(settings, stderr=True)
    done: list[Outcome] = []
    refused_shown = 0
    with Progress(
        TextColumn("[bold]importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}", style="dim"),
        TimeElapsedColumn(),
        console=progress_console,
        transient=True,
        disable=not progress_console.is_terminal,
    ) as progress:
        task = progress.add_task("import", total=total, last="")
        try:
            for outcome in outcomes:
                done.append(outcome)
                if outcome.status == "refused" and refused_shown < _SHOWN_REFUSALS:
                    refused_shown += 1
                    progress.console.print(
                        _error_line(outcome), markup=False, highlight=False, soft_wrap=True
                    )
                progress.update(task, advance=1, last=Path(outcome.path).name)
        except KeyboardInterrupt:
            return done, True
    return done, False


_SHOWN_REFUSALS = 20


def _error_line(outcome: Outcome) -> str:
    from maxpain.errors import MaxpainError

    return error_sentence(MaxpainError(outcome.error or "failed", parameter=outcome.parameter))


def _flag_neighbours(target: Store, stored: list[Outcome]) -> None:
    """The stored snapshots checked against their neighbours once, per ticker (not per file)."""
    from maxpain.neighbours import check_neighbours

    by_path = {o.result.info.path: o for o in stored if o.result is not None}
    for ticker in sorted({o.result.info.ticker for o in stored if o.result is not None}):
        for info in check_neighbours(target, target.snapshots(ticker)):
            if info.path in by_path:
                by_path[info.path].result.info.warnings = info.warnings  # type: ignore[union-attr]


def _document(outcome: Outcome) -> dict[str, object]:
    from .. import payloads

    return payloads.saved(outcome.path, outcome.meta, outcome.result)  # type: ignore[arg-type]


def _reason(outcome: Outcome) -> str:
    """A refusal's reason without the file's name and its particulars, to count alike ones."""
    text = (outcome.error or "").removeprefix(f"{outcome.path}: ")
    return text.split(";")[0].split(" (")[0].strip()


def _summary(
    settings: Settings, given: int, done: list[Outcome], interrupted: bool, elapsed: float | None
) -> None:
    from ..render.formats import count

    statuses = Counter(o.status for o in done)
    parts = [
        f"{statuses[k]:,} {k}" for k in ("stored", "already stored", "refused", "not a chain") if statuses[k]
    ]
    line = f"import: {len(done):,} of {count(given, 'file')} — " + (", ".join(parts) or "nothing")
    if elapsed is not None and done:
        line += f" in {elapsed:.1f} s ({len(done) / elapsed:,.0f} files/s)"
    if interrupted:
        line += f"; interrupted, {given - len(done):,} not tried"
    out = console(settings)
    out.print(line, style="bold", highlight=False, markup=False)
    if elapsed is None:
        return
    kept = [o for o in done if o.result is not None and o.meta is not None]
    if kept:
        tickers = Counter(o.result.info.ticker for o in kept)  # type: ignore[union-attr]
        out.print(
            f"  {count(len(tickers), 'ticker')}: "
            + ", ".join(f"{t} {n}" for t, n in sorted(tickers.items())[:24])
            + (" …" if len(tickers) > 24 else ""),
            highlight=False,
            markup=False,
        )
    flags = Counter[str]()
    for o in kept:
        warnings = [*o.result.info.warnings, *o.meta.warnings]  # type: ignore[union-attr]
        flags.update({_flag(w) for w in warnings})
    for flag, n in flags.most_common():
        out.print(f"  ! {n:,} flagged: {flag}", style="yellow", highlight=False, markup=False)
    for reason, n in Counter(_reason(o) for o in done if o.status == "refused").most_common():
        out.print(f"  refused {n:,}: {reason}", style="red", highlight=False, markup=False)
    for reason, n in Counter(_reason(o) for o in done if o.status == "not a chain").most_common():
        out.print(f"  passed over {n:,} (not a chain): {reason}", style="dim", highlight=False, markup=False)


def _flag(warning: str) -> str:
    """A warning's kind, to count alike ones (``identical to 2026-06-18: …`` → ``identical to the day before``)."""
    from maxpain.neighbours import COPY_PREFIX

    if warning.startswith(COPY_PREFIX):
        return "identical to the day before: market holiday or stale source"
    return warning.split(":")[0].split(" (")[0].strip()
