"""Pieces every view uses: the house table, the snapshot header, the data-quality panel."""

from __future__ import annotations

from collections.abc import Iterable

from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from maxpain.snapshot import Snapshot

from .formats import count, day, new_york, price, strike_text


def titled_table(title: str, colour: str | None = None) -> Table:
    """The house table: left-aligned title (in ``colour`` if given), bold header, no edge padding."""
    return Table(
        title=title,
        title_justify="left",
        title_style=f"bold {colour}" if colour else None,
        header_style="bold",
        pad_edge=False,
    )


def snapshot_header(snapshot: Snapshot, title: str) -> Panel:
    """Which snapshot a view shows: ticker, spot, capture time, id, size and source."""
    chain, info = snapshot.chain, snapshot.info
    meta = chain.meta
    spot = price(meta.spot) + (" (estimated)" if meta.spot_estimated else "")
    lines = Text()
    lines.append(f"{meta.underlying} · spot {spot}", style="bold")
    lines.append(f" · captured {new_york(meta.captured_at)}")
    lines.append(
        f"\nsnapshot {info.id if info else 'live (not saved)'} · {count(len(chain), 'contract')} · "
        f"{count(len(chain.expirations), 'expiration')}",
        style="dim",
    )
    lines.append(f"\nsource {meta.source}", style="dim")
    return Panel(lines, title=title, title_align="left", border_style="cyan", expand=False)


def warnings_panel(messages: Iterable[str]) -> Panel | None:
    """The data-quality panel (None when there is nothing to say); repeated messages shown once."""
    unique = list(dict.fromkeys(m for m in messages if m))
    if not unique:
        return None
    body = Text("\n".join(f"! {m}" for m in unique), style="yellow")
    return Panel(body, title="data quality", title_align="left", border_style="yellow", expand=False)


def contract_cells(row: dict[str, object]) -> tuple[str, str, str]:
    """Expiration, strike and call/put of a contract row, as table cells."""
    return day(row["expiration"]), strike_text(row["strike"]), "call" if row["right"] == "C" else "put"  # type: ignore[arg-type]
