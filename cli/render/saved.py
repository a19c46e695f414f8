"""What ``fetch`` and ``import`` say about each snapshot they stored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from .formats import count, new_york

if TYPE_CHECKING:
    from maxpain.chain import ChainMeta
    from maxpain.store import SaveResult
    from maxpain.watchlist import Outcome


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


STATUS_STYLE = {
    "saved": "green",
    "skipped": "dim",
    "no options": "yellow",
    "rate limited": "red",
    "failed": "red",
    "not tried": "yellow",
}


def outcome_line(outcome: Outcome) -> Text:
    """One ticker of a watchlist run, as it ends: ``NVDA saved 2026-…Z · 23 expirations …``."""
    line = Text(f"{outcome.ticker:<6} ", style="bold")
    line.append(outcome.status, style=STATUS_STYLE.get(outcome.status, ""))
    if outcome.status == "saved":
        partial = " (partial)" if outcome.partial else ""
        line.append(
            f" {outcome.snapshot} · {count(outcome.expirations or 0, 'expiration')}, "
            f"{count(outcome.contracts or 0, 'contract')}{partial} · {outcome.seconds:.1f} s",
            style="dim",
        )
    elif outcome.reason:
        line.append(f": {outcome.reason}", style="dim")
    return line


def run_summary(outcomes: list[Outcome], *, requests: int, seconds: float) -> Table:
    """The table closing a watchlist run: every ticker's status and why, then the counts."""
    from maxpain.watchlist import STATUSES

    table = Table(title="Watchlist run", title_justify="left", header_style="bold", box=None, pad_edge=False)
    table.add_column("ticker", style="bold")
    table.add_column("status")
    table.add_column("exp.", justify="right")
    table.add_column("contracts", justify="right")
    table.add_column("snapshot or reason", overflow="fold", min_width=20)
    for outcome in outcomes:
        saved = outcome.status == "saved"
        table.add_row(
            outcome.ticker,
            Text(
                outcome.status + (" (partial)" if outcome.partial else ""), style=STATUS_STYLE[outcome.status]
            ),
            f"{outcome.expirations:,}" if saved and outcome.expirations is not None else "",
            f"{outcome.contracts:,}" if saved and outcome.contracts is not None else "",
            outcome.snapshot if saved else (outcome.reason or ""),
        )
    counts = {s: sum(1 for o in outcomes if o.status == s) for s in STATUSES}
    parts = [f"{n} {s}" for s, n in counts.items() if n and s != "saved"]
    table.caption = (
        f"{counts['saved']} of {len(outcomes)} saved · "
        + " · ".join(parts)
        + f" · {requests:,} requests in {seconds:.0f} s"
    )
    table.caption_justify = "left"
    return table
