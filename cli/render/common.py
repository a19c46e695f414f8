"""Pieces every view uses: the house table, the snapshot header, the data-quality panel."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .formats import count, day, new_york, price, strike_text

if TYPE_CHECKING:
    from maxpain.snapshot import Snapshot


def titled_table(title: str, colour: str | None = None) -> Table:
    """The house table: left-aligned title (in ``colour`` if given), bold header, no edge padding."""
    return Table(
        title=title,
        title_justify="left",
        title_style=f"bold {colour}" if colour else None,
        header_style="bold",
        pad_edge=False,
    )


class FittedTable:
    """A house table that fits the width it is given by dropping its least important columns
    (never by cutting digits): built like a :class:`~rich.table.Table` (``add_column`` with a
    ``priority``, 0 = never dropped, higher = dropped first; ``add_row``), laid out when rendered,
    so it fits a terminal, a column of :class:`~rich.columns.Columns`, or an export alike. The
    caption says which columns a narrow terminal left out."""

    def __init__(self, title: str, colour: str | None = None) -> None:
        self.title = title
        self.colour = colour
        self.columns: list[tuple[str, str, int]] = []
        self.rows: list[tuple[list[str | Text], str | None]] = []
        self.caption: str | None = None

    def add_column(self, name: str, justify: str = "right", priority: int = 0) -> None:
        self.columns.append((name, justify, priority))

    def add_row(self, *cells: str | Text, style: str | None = None) -> None:
        self.rows.append((list(cells), style))

    def _widths(self) -> list[int]:
        """Each column's natural width: its widest cell or header, plus padding and a border."""
        widths = []
        for index, (name, _, _) in enumerate(self.columns):
            cells = [row[index] for row, _ in self.rows if index < len(row)]
            widest = max(
                [len(name), *(Text(c).cell_len if isinstance(c, str) else c.cell_len for c in cells)]
            )
            widths.append(widest + 3)
        return widths

    def _kept(self, width: int) -> list[int]:
        widths = self._widths()
        kept = list(range(len(self.columns)))
        droppable = sorted(
            (i for i in kept if self.columns[i][2] > 0), key=lambda i: (-self.columns[i][2], -i)
        )
        while sum(widths[i] for i in kept) - 1 > width and droppable:  # no edge padding
            kept.remove(droppable.pop(0))
        return kept

    def table(self, width: int) -> Table:
        """The rich table laid out for ``width`` columns."""
        kept = self._kept(width)
        table = titled_table(self.title, self.colour)
        for index in kept:
            name, justify, _ = self.columns[index]
            table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
        for cells, style in self.rows:
            table.add_row(*[cells[i] for i in kept if i < len(cells)], style=style)
        captions = [self.caption] if self.caption else []
        dropped = [self.columns[i][0] for i in range(len(self.columns)) if i not in kept]
        if dropped:
            captions.append(f"narrow terminal: {', '.join(dropped)} not shown")
        if captions:
            table.caption = "; ".join(captions)
            table.caption_justify = "left"
        return table

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table(options.max_width)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        widths = self._widths()
        essential = (
            sum(w for w, (_, _, priority) in zip(widths, self.columns, strict=True) if priority == 0) + 1
        )
        return Measurement(min(essential, options.max_width), min(sum(widths) - 1, options.max_width))


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
