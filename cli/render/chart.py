"""A terminal line chart in braille dots (2 × 4 dots a cell), as a rich renderable that fits the
width it is given: several series over one x axis, a y scale on the left, dates below, a legend.

Written here rather than taken from a plotting library: the one that draws such charts took
~160 ms to import, a quarter of the ``history`` view's budget, and its output would still have to
be turned into rich text for ``--svg``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

# dot (column, row) inside a cell → its bit in the braille block U+2800
_BITS = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


@dataclass(frozen=True)
class Series:
    """One line: its legend label, style, and a value (or None: a gap) per x position."""

    label: str
    style: str
    values: Sequence[float | None]


class LineChart:
    """Series over shared x positions labelled by dates."""

    def __init__(
        self, dates: Sequence[date], series: Sequence[Series], *, height: int = 12, title: str = ""
    ) -> None:
        self.dates = list(dates)
        self.series = list(series)
        self.height = height
        self.title = title

    def _range(self) -> tuple[float, float] | None:
        values = [v for s in self.series for v in s.values if v is not None]
        if not values:
            return None
        low, high = min(values), max(values)
        if high == low:
            low, high = low - 1, high + 1
        pad = (high - low) * 0.04
        return low - pad, high + pad

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(min(40, options.max_width), options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        bounds = self._range()
        if self.title:
            yield Text(self.title, style="bold")
        if bounds is None or not self.dates:
            yield Text("nothing to draw: no value in the range", style="dim")
            return
        low, high = bounds
        labels = [f"{high:,.1f}", f"{(low + high) / 2:,.1f}", f"{low:,.1f}"]
        axis = max(len(t) for t in labels) + 1
        columns = max(10, min(options.max_width - axis - 1, 2 * len(self.dates) + 8, 160))
        rows = self.height
        bits = [[0] * columns for _ in range(rows)]
        owner: list[list[str | None]] = [[None] * columns for _ in range(rows)]
        width_dots, height_dots = 2 * columns, 4 * rows
        last = max(len(self.dates) - 1, 1)

        def dot(x: int, y: int, style: str) -> None:
            if 0 <= x < width_dots and 0 <= y < height_dots:
                bits[y // 4][x // 2] |= _BITS[x % 2][y % 4]
                owner[y // 4][x // 2] = style

        def position(i: int, value: float) -> tuple[int, int]:
            x = round(i * (width_dots - 1) / last)
            y = round((high - value) * (height_dots - 1) / (high - low))
            return x, y

        for series in self.series:
            previous: tuple[int, int] | None = None
            for i, value in enumerate(series.values):
                if value is None:
                    previous = None
                    continue
                point = position(i, value)
                if previous is None:
                    dot(*point, series.style)
                else:
                    (x0, y0), (x1, y1) = previous, point
                    steps = max(abs(x1 - x0), abs(y1 - y0), 1)
                    for step in range(steps + 1):
                        dot(
                            round(x0 + (x1 - x0) * step / steps),
                            round(y0 + (y1 - y0) * step / steps),
                            series.style,
                        )
                previous = point
        label_rows = {0: labels[0], rows // 2: labels[1], rows - 1: labels[2]}
        for r in range(rows):
            line = Text(
                label_rows.get(r, "").rjust(axis - 1) + " ┤" if r in label_rows else " " * axis + "│",
                style="dim",
            )
            for c in range(columns):
                code = bits[r][c]
                line.append(chr(0x2800 + code) if code else " ", style=owner[r][c] or "")
            yield line
        yield Text(" " * axis + "└" + "─" * columns, style="dim")
        yield self._dates_line(axis + 1, columns)
        yield from self._legend(axis + 1, options.max_width)

    def _legend(self, indent: int, width: int) -> list[Text]:
        """The legend, entries packed into lines of ``width`` (an entry never splits)."""
        lines, line, used = [], Text(" " * indent), indent
        for series in self.series:
            size = 3 + len(series.label) + 3
            if used + size > width and used > indent:
                lines.append(line)
                line, used = Text(" " * indent), indent
            line.append("━━ ", style=series.style)
            line.append(series.label + "   ")
            used += size
        lines.append(line)
        return lines

    def _dates_line(self, indent: int, columns: int) -> Text:
        """The first, middle and last dates under their columns."""
        out = [" "] * columns
        count = len(self.dates)
        picks = sorted({0, count // 2, count - 1}) if count > 2 else list(range(count))
        for i in picks:
            text = self.dates[i].isoformat()
            at = round(i * (columns - 1) / max(count - 1, 1))
            start = min(max(0, at - len(text) // 2), columns - len(text))
            if start < 0 or any(c != " " for c in out[max(0, start - 1) : start + len(text) + 1]):
                continue
            out[start : start + len(text)] = list(text)
        return Text(" " * indent + "".join(out), style="dim")
