"""The dealer-gamma board: mirrored GEX bars by strike with spot, flip, walls, max pain and the
expected-move band, the figures above it and the sentence that reads them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from .formats import DASH, money, price, strike_text

if TYPE_CHECKING:
    from maxpain.analyses.gamma import GammaExposure

CALL = "green"
PUT = "red"
NET = "bold white"
BAND = "yellow"


def gex_money(value: float | None) -> str:
    """Signed dollars per 1% move: +$3.51B, -$10.52B."""
    if value is None:
        return DASH
    text = money(value)
    return text if value < 0 else "+" + text if value > 0 else "$0"


def figures(result: GammaExposure, max_pain: float | None) -> Table:
    """Net GEX, the flip, the walls, max pain and the expected move, as a two-column grid."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="dim", no_wrap=True, min_width=13)
    table.add_column(overflow="fold")
    net = Text(gex_money(result.total_gex), style=CALL if result.total_gex > 0 else PUT)
    net.append(f"  (calls {gex_money(result.call_gex)}, puts {gex_money(result.put_gex)})", style="dim")
    table.add_row("net GEX", net)
    if result.flip is not None:
        side = "above" if result.spot > result.flip else "below"
        table.add_row(
            "gamma flip",
            Text(f"{price(result.flip)}  ({_pct(result.flip, result.spot)} from spot; spot is {side} it)"),
        )
    else:
        table.add_row("gamma flip", Text(f"none: {result.flip_reason}", style="dim"))
    table.add_row(
        "gamma walls",
        Text.assemble(
            ("call ", "dim"),
            (strike_text(result.call_gamma_wall) if result.call_gamma_wall is not None else DASH, CALL),
            ("   put ", "dim"),
            (strike_text(result.put_gamma_wall) if result.put_gamma_wall is not None else DASH, PUT),
        ),
    )
    table.add_row("max pain", strike_text(max_pain) if max_pain is not None else DASH)
    move = result.expected_move
    if move.straddle is not None and move.expiration is not None:
        text = Text(f"±{price(move.straddle)} ({move.move_pct:.2f}%) to {move.expiration}", style=BAND)
        detail = f"  {strike_text(move.strike)} straddle at {move.basis}"
        if move.iv_move is not None:
            detail += f"; IV move ±{price(move.iv_move)}"
        text.append(detail, style="dim")
        table.add_row("expected move", text)
    else:
        table.add_row("expected move", Text(f"none: {move.reason}", style="dim"))
    return table


def _pct(level: float, spot: float) -> str:
    return f"{(level - spot) / spot * 100:+.2f}%"


def sentence(result: GammaExposure) -> Text:
    """What the figures say, only as far as the convention allows."""
    ticker = result.ticker
    size = gex_money(result.total_gex)
    if result.convention == "dealer-short":
        walls = []
        if result.put_gamma_wall is not None:
            walls.append(f"{strike_text(result.put_gamma_wall)} (puts)")
        if result.call_gamma_wall is not None:
            walls.append(f"{strike_text(result.call_gamma_wall)} (calls)")
        where = f": gamma is heaviest at {' and '.join(walls)}" if walls else ""
        return Text(
            f"Under dealer-short every option is assumed sold by dealers, so {ticker}'s GEX is negative by "
            f"construction ({size} per 1% move) and there is no flip to read; the profile matters, not the "
            f"sign{where}.",
        )
    if result.total_gex == 0:
        return Text(f"No gamma is counted in this window for {ticker}.")
    long = result.total_gex > 0
    text = (
        f"Assuming dealers are long the calls and short the puts (naive), they are net "
        f"{'long' if long else 'short'} gamma at {price(result.spot)} ({size} per 1% move): hedging "
        f"{'damps' if long else 'amplifies'} moves"
    )
    if result.flip is not None:
        above = result.spot > result.flip
        text += (
            f" while {ticker} stays {'above' if above else 'below'} the flip at {price(result.flip)}; "
            f"{'below' if above else 'above'} it they turn {'short' if long else 'long'} gamma."
        )
    else:
        text += " across 80-120% of spot (no flip in range)."
    return Text(text + " Open interest does not say who holds the options: the sign is an assumption.")


def gamma_line(result: GammaExposure | None, reason: str | None) -> Text:
    """``report``'s line on dealer gamma (default convention), its caveat first: one line at 160."""
    if result is None:
        return Text(f"Dealer gamma: none ({reason})", style="dim")
    caveat = (
        f"; {result.left_out['no_iv']:,} contracts without IV left out" if result.left_out["no_iv"] else ""
    )
    text = Text("Dealer gamma ", style="bold")
    text.append(f"({result.convention}{caveat}): ", style="yellow" if caveat else "dim")
    text.append(gex_money(result.total_gex), style=CALL if result.total_gex > 0 else PUT)
    text.append(" per 1% move")
    text.append(
        f" · flip {price(result.flip)}" if result.flip is not None else " · no flip in 80-120% of spot"
    )
    walls = [
        f"{side} {strike_text(value)}"
        for side, value in (("call", result.call_gamma_wall), ("put", result.put_gamma_wall))
        if value is not None
    ]
    if walls:
        text.append(" · gamma walls " + ", ".join(walls))
    move = result.expected_move
    if move.straddle is not None and move.expiration is not None:
        text.append(
            f" · move ±{price(move.straddle)} ({move.move_pct:.2f}%) to {move.expiration:%m-%d}", style=BAND
        )
    return text


class GexBoard:
    """Mirrored bars by strike, strikes descending: put GEX to the left of the axis, call GEX to
    the right, the net marked ◆ on its side; spot and flip lines between strikes; the walls and
    max pain named at their rows; strikes inside the expected-move band flagged ┃."""

    def __init__(self, result: GammaExposure, *, max_pain: float | None, max_rows: int = 30) -> None:
        self.result = result
        self.max_pain = max_pain
        self.max_rows = max_rows

    def rows(self) -> tuple[list[dict[str, float]], int]:
        """The strikes shown (descending) and how many strikes have GEX at all."""
        from maxpain.analyses.gamma import board_strikes

        shown = board_strikes(self.result, max_pain=self.max_pain, max_rows=self.max_rows)
        return shown.to_dicts(), self.result.by_strike.height

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        # bars stop growing at 40 cells a side: past ~150 columns more width adds nothing
        return Measurement(min(40, options.max_width), min(options.max_width, 150))

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        rows, total = self.rows()
        r = self.result
        title = Text(f"Dealer gamma by strike · {r.convention} convention · USD per 1% move", style="bold")
        yield title
        if not rows:
            yield Text("no contract in the window has open interest and a usable IV", style="dim")
            return
        values = width >= 96  # put and call figures beside the bars
        net_column = width >= 72
        longest = max(len(", ".join(self._names(row["strike"]))) for row in rows)
        marker_width = longest + 4 if longest else 0
        fixed = 9 + 1 + (20 if values else 0) + (11 if net_column else 0) + marker_width + 1
        half = min(40, max(6, (width - fixed) // 2))
        top = max(max(abs(row["call_gex"]), abs(row["put_gex"]), abs(row["net_gex"])) for row in rows)
        band = r.expected_move.band(r.spot)
        lines_pending = sorted(
            [(r.spot, f"spot {price(r.spot)}", "cyan", "─")]
            + ([(r.flip, f"flip {price(r.flip)}", "magenta", "┄")] if r.flip is not None else []),
            key=lambda item: -item[0],
        )
        header = Text(" " * 10)
        if values:
            header.append("put GEX".rjust(10) + " ", style=PUT)
        header.append("puts ◀".rjust(half), style=PUT)
        header.append("│")
        header.append("▶ calls".ljust(half), style=CALL)
        if values:
            header.append("call GEX".rjust(10), style=CALL)
        if net_column:
            header.append("net".rjust(11), style="bold")
        yield header
        for row in rows:
            while lines_pending and lines_pending[0][0] > row["strike"]:
                yield self._level_line(lines_pending.pop(0), half, values)
            line = self._bar_line(row, top, half, values, net_column, band)
            line.truncate(width, overflow="ellipsis")
            yield line
        for pending in lines_pending:
            yield self._level_line(pending, half, values)
        shown = f"{len(rows)} of {total} strikes" if len(rows) < total else f"all {total} strikes"
        caption = (
            f"{shown} (the span from the walls, max pain, flip and expected move; the largest gross GEX "
            f"where it is wider) · ◆ net · ┃ inside the expected move · {r.counted:,} contracts, rate "
            f"{r.rate:g}, Black–Scholes with each contract's IV"
        )
        yield Text(caption, style="dim")

    def _level_line(self, item: tuple[float, str, str, str], half: int, values: bool) -> Text:
        _, label, style, glyph = item
        line = Text(" " * 10 + (" " * 11 if values else ""))
        line.append(glyph * (2 * half + 1) + " " + label, style=style)
        return line

    def _bar_line(
        self,
        row: dict[str, float],
        top: float,
        half: int,
        values: bool,
        net_column: bool,
        band: tuple[float, float] | None,
    ) -> Text:
        strike = row["strike"]
        inside = band is not None and band[0] <= strike <= band[1]
        named = self._names(strike)
        line = Text()
        line.append("┃" if inside else " ", style=BAND)
        line.append(strike_text(strike).rjust(8) + " ", style="bold" if named else "")
        if values:
            line.append(gex_money(row["put_gex"]).rjust(10) + " ", style=PUT)
        left = self._cells(abs(row["put_gex"]), top, half)
        right = self._cells(abs(row["call_gex"]), top, half)
        put_bar = list(" " * (half - left) + "█" * left)
        call_bar = list("█" * right + " " * (half - right))
        net = row["net_gex"]
        net_cells = self._cells(abs(net), top, half)
        if net_cells:
            if net > 0:
                call_bar[net_cells - 1] = "◆"
            elif net < 0:
                put_bar[half - net_cells] = "◆"
        for cell in put_bar:
            line.append(cell, style=NET if cell == "◆" else PUT)
        line.append("│", style="dim")
        for cell in call_bar:
            line.append(cell, style=NET if cell == "◆" else CALL)
        if values:
            line.append(gex_money(row["call_gex"]).rjust(10), style=CALL)
        if net_column:
            line.append(gex_money(net).rjust(11), style=CALL if net > 0 else PUT if net < 0 else "dim")
        if named:
            line.append("  ◀ " + ", ".join(named), style="bold magenta")
        return line

    def _names(self, strike: float) -> list[str]:
        """What a strike's row is named for: max pain, the call wall, the put wall."""
        r = self.result
        marks = (
            ("max pain", self.max_pain),
            ("call wall", r.call_gamma_wall),
            ("put wall", r.put_gamma_wall),
        )
        return [name for name, value in marks if value is not None and strike == value]

    @staticmethod
    def _cells(value: float, top: float, width: int) -> int:
        if top <= 0 or value <= 0:
            return 0
        return max(1, round(width * value / top))
