"""The list of stored snapshots."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl
from rich.table import Table
from rich.text import Text

from maxpain.footer import SnapshotInfo
from maxpain.market import NEW_YORK
from maxpain.neighbours import COPY_PREFIX

from .common import titled_table
from .formats import DASH, integer, price

#: Said in the plain listing's title (the CLI switches to plain rows past this many).
TABLE_ROWS_HINT = 200


def snapshots_table(snapshots: Sequence[SnapshotInfo], width: int = 120) -> Table:
    """Stored snapshots; below 110 columns the capture time (the id spells it) and the source go,
    below 72 the expirations and (for one ticker, named in the title) the ticker: the notes, which
    carry the quality flags, always keep their room."""
    wide = width >= 110
    narrow = width < 72
    tickers = sorted({s.ticker for s in snapshots})
    one = narrow and len(tickers) == 1
    columns = (
        ([] if one else ["ticker"])
        + ["id"]
        + (["captured (New York)"] if wide else [])
        + ["spot", "contracts"]
        + ([] if narrow else ["exp."])
        + (["source"] if wide else [])
        + ["notes"]
    )
    table = titled_table(f"Stored snapshots · {tickers[0]}" if one else "Stored snapshots")
    for name in columns:
        wraps = name in ("source", "notes")
        table.add_column(
            name,
            justify="right" if name in ("spot", "contracts", "exp.") else "left",
            overflow="fold" if wraps else "ellipsis",
            no_wrap=not wraps,
            min_width={"id": 18, "captured (New York)": 16, "spot": 7, "contracts": 9, "notes": 14}.get(name),
        )
    for info in snapshots:
        cells: dict[str, str | Text]
        if info.damaged:
            cells = {
                "ticker": info.ticker,
                "id": info.id,
                "notes": Text(f"DAMAGED: {info.damaged}", style="red"),
            }
        else:
            own = "; ".join(n for n in info.notes if not n.startswith("SYNTHETIC")) or (
                "synthetic demo" if info.notes else ""
            )
            flags = [_flag(w) for w in info.warnings]
            flags += ["PARTIAL"] if info.partial else []
            notes = "; ".join([*flags, own] if own else flags)
            cells = {
                "ticker": info.ticker,
                "id": info.id,
                "captured (New York)": f"{info.captured_at.astimezone(NEW_YORK):%Y-%m-%d %H:%M}"
                if info.captured_at
                else DASH,
                "spot": price(info.spot) + ("~" if info.spot_estimated else ""),
                "contracts": integer(info.contracts),
                "exp.": str(info.expirations),
                "source": info.source,
                "notes": notes,
            }
        # Text, not str: a file or folder name like "[red]x" is shown as written, never as markup
        table.add_row(
            *[
                Text(value) if isinstance(value, str) else value
                for value in (cells.get(n, DASH) for n in columns)
            ]
        )
    if snapshots and any(s.spot_estimated for s in snapshots):
        table.caption = "~ spot estimated from the chain (no spot in the source)"
        table.caption_justify = "left"
    return table


def _flag(warning: str) -> str:
    """A neighbour warning as the listing's short flag."""
    if warning.startswith(COPY_PREFIX):
        return "COPY of " + warning.removeprefix(COPY_PREFIX).split(":")[0].strip() + " (holiday or stale)"
    return "INCOMPLETE vs its neighbours"


def plain_rows(frames: Mapping[str, pl.DataFrame], width: int = 120) -> str:
    """Stored snapshots as plain aligned rows (the table's columns and flags, no layout pass):
    what long histories print. ``frames`` are :func:`maxpain.neighbours.checked_listing` frames
    by ticker."""
    wide = width >= 110
    narrow = width < 72
    several = len(frames) > 1
    header = (
        (["ticker".ljust(8)] if several else [])
        + ["id".ljust(20)]
        + (["captured (New York)".ljust(17)] if wide else [])
        + ["spot".rjust(9), "contracts".rjust(9)]
        + ([] if narrow else ["exp.".rjust(4)])
        + ["notes"]
    )
    total = sum(f.height for f in frames.values())
    names = ", ".join(frames)
    lines = [f"Stored snapshots · {names} · {total:,} (plain rows past {TABLE_ROWS_HINT})", " ".join(header)]
    for ticker, frame in frames.items():
        columns = frame.select(
            "id", "captured_at", "spot", "spot_estimated", "contracts", "expirations", "partial",
            "notes", "damaged", "warnings",
        )  # fmt: skip
        for row in columns.iter_rows():
            snapshot, captured, spot, estimated, contracts, expirations, partial, notes, damaged, warnings = (
                row
            )
            if damaged:
                cells = [DASH.rjust(9), DASH.rjust(9), DASH.rjust(4), f"DAMAGED: {damaged}"]
                when = DASH
            else:
                own = "; ".join(n for n in notes if not n.startswith("SYNTHETIC")) or (
                    "synthetic demo" if notes else ""
                )
                flags = [_flag(w) for w in warnings] + (["PARTIAL"] if partial else [])
                cells = [
                    (price(spot) + ("~" if estimated else "")).rjust(9),
                    integer(contracts).rjust(9),
                    str(expirations).rjust(4),
                    "; ".join([*flags, own] if own else flags),
                ]
                when = f"{captured.astimezone(NEW_YORK):%Y-%m-%d %H:%M}" if captured else DASH
            if narrow:
                del cells[2]  # the expirations go first, as in the table
            line = (
                ([ticker.ljust(8)] if several else [])
                + [snapshot.ljust(20)]
                + ([when.ljust(17)] if wide else [])
                + cells
            )
            lines.append(" ".join(line).rstrip())
    return "\n".join(lines) + "\n"
