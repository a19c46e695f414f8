"""Opening snapshots for a command: the store from the settings, live fetches with a progress bar,
and a note on stderr when damaged files were passed over."""

from __future__ import annotations

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
    """Store ``chain`` and check the stored snapshot against its neighbours (its ``warnings``)."""
    from maxpain.neighbours import completeness_warning

    result = target.save(chain)
    warning = completeness_warning(target, result.info)
    result.info.warnings = [warning] if warning else []
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


def snapshot(settings: Settings, ticker: str, selector: str) -> Snapshot:
    """The snapshot ``selector`` picks (``live`` fetches now without saving)."""
    from maxpain.snapshot import open_snapshot

    opened = open_snapshot(open_store(settings), ticker, selector, live=partial(fetch_live, settings))
    _warn_damaged(settings, opened)
    return opened


def snapshot_pair(
    settings: Settings, ticker: str, earlier: str | None, later: str
) -> tuple[Snapshot, Snapshot]:
    """(earlier, later); without ``earlier``, the snapshot stored just before ``later``."""
    from maxpain.snapshot import snapshot_pair as pair

    before, after = pair(open_store(settings), ticker, earlier, later, live=partial(fetch_live, settings))
    _warn_damaged(settings, after)
    return before, after
