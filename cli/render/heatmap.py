"""The strike × expiration heatmap renderable."""

from __future__ import annotations

import math
from datetime import date
from typing import TYPE_CHECKING

import polars as pl
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.style import Style
from rich.text import Text

from maxpain.analyses import lay_out_board

from .formats import compact, count, price, strike_text

if TYPE_CHECKING:
    from maxpain.snapshot import Snapshot

SEQUENTIAL = ["#1d2b3a", "#1f4e79", "#2a7ab0", "#46a3c9", "#7fc9d6", "#c4e8dc", "#fff3b0"]
# Diverging scale safe for red-green colour blindness: orange below zero, blue above, a neutral
# grey band around zero (|value| under NEUTRAL_SHARE of the largest) so noise is not coloured.
DIVERGING_NEG = ["#7f3b08", "#b35806", "#e08214", "#fdb863"]  # most negative first
DIVERGING_POS = ["#b2abd2", "#8073ac", "#542788", "#2d004b"]  # least positive first
NEUTRAL = "#4a4a4a"
NEUTRAL_SHARE = 0.05
GLYPHS = " ░▒▓█"
CELL = 8


class Heatmap:
    """Strike × expiration grid: strikes descending, the spot line between rows, each column's
    max pain in brackets, a sequential (sizes) or diverging (net, change) colour scale, and a glyph
    ramp so it stays legible without colour. Drops columns that do not fit, with a note."""

    def __init__(
        self,
        grid: pl.DataFrame,
        *,
        title: str,
        spot: float | None,
        max_pain: dict[date, float | None] | None = None,
        diverging: bool = False,
        strikes: tuple[float, float] | None = None,
        focus: tuple[float, float] | None = None,
        max_rows: int = 40,
        flagged: dict[date, str] | None = None,
        keep: list[float] | None = None,
    ) -> None:
        self.grid = grid
        self.title = title
        self.spot = spot
        self.max_pain = max_pain or {}
        self.diverging = diverging
        self.strike_range = strikes
        self.focus = focus
        self.max_rows = max_rows
        self.flagged = flagged or {}
        self.keep = (
            keep or []
        )  # strikes kept when the board is thinned  # columns whose data is defective, with why

    def _rows_and_columns(self, width: int) -> tuple[list[float], list[date], list[str]]:
        layout = lay_out_board(
            self.grid,
            max_columns=max(1, (width - 15) // (CELL + 1)),  # strike label, cells, " spot"
            max_rows=self.max_rows,
            keep=self.keep,
            spot=self.spot,
            strike_range=self.strike_range,
            focus=self.focus,
        )
        notes = []
        if layout.hidden_expirations:
            notes.append(
                f"{count(layout.hidden_expirations, 'later expiration')} not shown: widen the terminal or use --until"
            )
        if layout.thinned:
            notes.append(
                f"{len(layout.strikes)} strikes shown, those listed in the most expirations between "
                f"{strike_text(layout.strikes[-1])} and {strike_text(layout.strikes[0])}; pick others with --strikes LO:HI or --rows N"
            )
        return layout.strikes, layout.expirations, notes

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        columns = self.grid["expiration"].n_unique()
        wanted = 15 + columns * (CELL + 1)
        return Measurement(min(40, wanted), min(options.max_width, max(wanted, 60)))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        strikes, expirations, notes = self._rows_and_columns(options.max_width)
        values = {(e, s): v for e, s, v in self.grid.select("expiration", "strike", "value").iter_rows()}
        shown = [values.get((e, s)) for e in expirations for s in strikes]
        magnitudes = [abs(v) for v in shown if v]
        top = max(magnitudes) if magnitudes else 0
        colour = console.color_system is not None
        yield Text(self.title, style="bold")
        header = Text(f"{'strike':>8} ")
        with_year = len(expirations) > 1 and (expirations[-1] - expirations[0]).days > 365
        for expiration in expirations:
            mark = "!" if expiration in self.flagged else ""
            label = column_label(expiration, with_year)[: CELL - len(mark)] + mark
            header.append(label.rjust(CELL) + " ", style="bold yellow" if mark else "bold")
        yield header
        if not strikes or not expirations:
            yield Text("  (nothing to show in this range)", style="dim")
        spot_drawn = self.spot is None
        for strike in strikes:
            if not spot_drawn and strike < self.spot:  # type: ignore[operator]
                yield Text(
                    f"{price(self.spot):>8} " + "─" * ((CELL + 1) * len(expirations) - 1) + " spot",
                    style="cyan",
                )
                spot_drawn = True
            line = Text(f"{strike_text(strike):>8} ")
            for expiration in expirations:
                value = values.get((expiration, strike))
                is_pain = self.max_pain.get(expiration) == strike
                if expiration in self.flagged:  # half a chain: shown, never painted as if whole
                    line.append(
                        compact(value, plus=self.diverging).rjust(CELL) if value else "·".rjust(CELL),
                        style="dim",
                    )
                else:
                    line.append_text(self._cell(value, top, colour, is_pain))
                line.append(" ")
            yield line
        if not spot_drawn:
            yield Text(
                f"{price(self.spot):>8} " + "─" * ((CELL + 1) * len(expirations) - 1) + " spot", style="cyan"
            )
        yield self._legend(top, colour)
        for expiration in expirations:
            if expiration in self.flagged:
                yield Text(f"! {expiration}: {self.flagged[expiration]}", style="yellow")
        for note in notes:
            yield Text(f"note: {note}", style="dim")

    def _level(self, value: float, top: float, steps: int) -> int:
        if top <= 0:
            return 0
        # square-root scale: OI is heavy-tailed, a linear scale would show one dark cell
        return min(steps - 1, int(math.sqrt(abs(value) / top) * steps))

    def _cell(self, value: float | None, top: float, colour: bool, is_pain: bool) -> Text:
        if value is None or value == 0:
            body = "·" if value is None else "0"
            text = f"[{body}]" if is_pain else body
            return Text(text.rjust(CELL), style="dim" if not is_pain else "bold magenta")
        number = compact(value, plus=self.diverging)
        if is_pain:
            number = f"[{number}]"
        if colour:
            if self.diverging and abs(value) < NEUTRAL_SHARE * top:
                background = NEUTRAL
            elif self.diverging:
                scale = DIVERGING_POS if value > 0 else DIVERGING_NEG[::-1]
                background = scale[self._level(value, top, len(scale))]
            else:
                background = SEQUENTIAL[self._level(value, top, len(SEQUENTIAL))]
            style = Style(bgcolor=background, color=readable_on(background), bold=is_pain, underline=is_pain)
            return Text(number.rjust(CELL), style=style)
        glyph = GLYPHS[max(1, self._level(value, top, len(GLYPHS)))]
        return Text((number + glyph).rjust(CELL))

    def _legend(self, top: float, colour: bool) -> Text:
        legend = Text("legend: ", style="dim")
        if colour:
            # most negative (dark orange) ... neutral ... most positive (dark purple-blue)
            scale = [*DIVERGING_NEG, NEUTRAL, *DIVERGING_POS] if self.diverging else SEQUENTIAL
            for background in scale:
                legend.append("  ", style=Style(bgcolor=background))
            low = compact(-top, plus=True) if self.diverging else "0"
            legend.append(f" {low} … {compact(top, plus=self.diverging)}", style="dim")
        else:
            legend.append(f"{GLYPHS[1:]} small…{compact(top)} (√ scale)", style="dim")
        legend.append("  [n] max pain  ── spot  · not listed", style="dim")
        return legend


def readable_on(background: str) -> str:
    """Black or white text, whichever contrasts more with a ``#rrggbb`` background (WCAG relative
    luminance)."""
    channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "black" if (luminance + 0.05) / 0.05 > 1.05 / (luminance + 0.05) else "white"


def column_label(expiration: date, with_year: bool) -> str:
    """A column header: ``12-19``, or ``Dec19'25`` when the board spans more than a year."""
    return f"{expiration:%b%d'%y}" if with_year else f"{expiration:%m-%d}"


TITLES = {
    "oi": "Open interest (calls + puts)",
    "calls": "Call open interest",
    "puts": "Put open interest",
    "net": "Net open interest (calls − puts)",
}


def board_title(metric: str, earlier: Snapshot | None, later: Snapshot, convention: str = "naive") -> str:
    """What the cells of a heatmap are."""
    if metric == "gex":
        signs = "calls +, puts −" if convention == "naive" else "every option −"
        return f"Net dealer gamma (GEX, USD per 1% move; {convention} convention: {signs})"
    if metric == "change" and earlier is not None:
        return (
            f"OI change {earlier.chain.meta.captured_at:%Y-%m-%d} → {later.chain.meta.captured_at:%Y-%m-%d} "
            "(calls + puts)"
        )
    return TITLES[metric]
