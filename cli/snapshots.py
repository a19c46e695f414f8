"""Opening snapshots for a command: the store from the settings, live fetches with a progress bar,
and a note on stderr when damaged files were passed over."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING, Any

from .options import Settings
from .output import console, note

if TYPE_CHECKING:
    from maxpain.chain import Chain
    from maxpain.snapshot import Snapshot
    from maxpain.store import SaveResult, Store


def open_store(settings: Settings) -> Store:
    from maxpain.store import Store

    return Store(settings.store)


def save(target: Store, chain: Chain) -> SaveResult:
    """Store ``chain`` and check the stored snapshot against its neighbours (its ``warnings``: a
    copy of the day before, or incomplete)."""
    from maxpain.neighbours import neighbour_warnings

    result = target.save(chain)
    result.info.warnings = neighbour_warnings(target, result.info)
    return result


def fetch_live(settings: Settings, ticker: str, **kwargs: Any) -> Chain:
    """Fetch ``ticker`` from Yahoo with a progress bar over its expirations (on a terminal)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from maxpain.sources.yahoo import fetch_chain

    progress_console = console(settings, stderr=True)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[expiration]}"),
        TimeElapsedColumn(),
        console=progress_console,
        transient=True,
        disable=not progress_console.is_terminal,
    ) as progress:
        task = progress.add_task(f"fetching {ticker}", total=None, expiration="")

        def advance(done: int, total: int, expiration: str) -> None:
            progress.update(task, completed=done, total=total, expiration=expiration)

        return fetch_chain(ticker, progress=advance, **kwargs)


def _warn_damaged(settings: Settings, snapshot: Snapshot) -> None:
    from .render.formats import count

    if snapshot.damaged_skipped:
        ticker = snapshot.chain.underlying
        note(
            settings,
            f"warning: skipped {count(snapshot.damaged_skipped, f'damaged {ticker} snapshot file')}; see `maxpain snapshots {ticker} --verify`",
        )


def _standard(settings: Settings, opened: Snapshot) -> Snapshot:
    """The snapshot the views read: adjusted roots left out unless --include-adjusted."""
    from maxpain.adjusted import standard_chain

    chain = standard_chain(opened.chain, include_adjusted=settings.include_adjusted)
    if chain is opened.chain:
        return opened
    # the library's note names no flag; here it can (standard_chain gave the chain its own meta)
    chain.meta.notes = [
        n.replace("(pool them on request)", "(--include-adjusted pools them)") for n in chain.meta.notes
    ]
    return replace(opened, chain=chain)


def snapshot(settings: Settings, ticker: str, selector: str) -> Snapshot:
    """The snapshot ``selector`` picks (``live`` fetches now without saving)."""
    from maxpain.snapshot import open_snapshot

    opened = open_snapshot(open_store(settings), ticker, selector, live=partial(fetch_live, settings))
    _warn_damaged(settings, opened)
    return _standard(settings, opened)


def snapshot_pair(
    settings: Settings, ticker: str, earlier: str | None, later: str
) -> tuple[Snapshot, Snapshot]:
    """(earlier, later); without ``earlier``, the snapshot stored just before ``later``."""
    from maxpain.snapshot import snapshot_pair as pair

    before, after = pair(open_store(settings), ticker, earlier, later, live=partial(fetch_live, settings))
    _warn_damaged(settings, after)
    return _standard(settings, before), _standard(settings, after)
