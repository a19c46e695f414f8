"""What ``fetch`` and ``import`` say about each snapshot they stored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from .formats import count, new_york

if TYPE_CHECKING:
    from maxpain.chain import ChainMeta
    from maxpain.store import SaveResult


def saved_lines(name: str, meta: ChainMeta, result: SaveResult) -> Text:
    """Stored (or already stored) under which id, its size, spot, capture time and warnings."""
    info = result.info
    verb = "saved" if result.created else "already stored (identical), not saved again:"
    line = Text(f"{name} → {verb} {info.ticker}/{info.id}", style="bold" if result.created else "yellow")
    line.append(
        f"\n  {count(info.contracts, 'contract')}, {count(info.expirations, 'expiration')}, spot ",
        style="dim",
    )
    line.append(f"{info.spot:,.2f}" if info.spot is not None else "unknown", style="dim")
    line.append(" (estimated)" if meta.spot_estimated else "", style="dim")
    line.append(
        f"\n  capture time from {meta.captured_at_from}: {new_york(meta.captured_at)}",
        style="dim",
    )
    for how in meta.read_notes:
        line.append(f"\n  · {how}", style="dim")
    for message in [*info.warnings, *meta.warnings]:
        line.append(f"\n  ! {message}", style="yellow")
    return line
