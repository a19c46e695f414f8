"""What ``fetch`` and ``import`` say about each snapshot they stored."""

from __future__ import annotations

from rich.text import Text

from maxpain.chain import Chain
from maxpain.store import SaveResult


def saved_lines(name: str, chain: Chain, result: SaveResult) -> Text:
    """Stored (or already stored) under which id, its size, spot, capture time and warnings."""
    info = result.info
    verb = "saved" if result.created else "already stored (identical), not saved again:"
    line = Text(f"{name} → {verb} {info.ticker}/{info.id}", style="bold" if result.created else "yellow")
    line.append(f"\n  {info.contracts:,} contracts, {info.expirations} expirations, spot ", style="dim")
    line.append(f"{info.spot:,.2f}" if info.spot is not None else "unknown", style="dim")
    line.append(" (estimated)" if chain.meta.spot_estimated else "", style="dim")
    line.append(
        f"\n  capture time from {chain.meta.captured_at_from}: {chain.meta.captured_at:%Y-%m-%d %H:%M:%S} UTC",
        style="dim",
    )
    for message in [*info.warnings, *chain.warnings]:
        line.append(f"\n  ! {message}", style="yellow")
    return line
