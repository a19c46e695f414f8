"""Rich renderers. Each returns a renderable; only the commands print."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date

import polars as pl
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text

from maxpain.analysis import Exposure, OIChange, Walls, Window
from maxpain.chain import Chain
from maxpain.store import SnapshotInfo

# ----------------------------------------------------------------------------- number formats
DASH = "—"


def integer(value: float | int | None) -> str:
    return DASH if value is None else f"{int(value):,}"


def signed(value: float | int | None) -> str:
    return DASH if value is None else f"{int(value):+,}"


def price(value: float | None, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return DASH
    return f"{value:,.{digits}f}"


def strike_text(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{value:g}" if value < 1e6 else f"{value:,.0f}"


def distance(value: float | None) -> str:
    return DASH if value is None else f"{value:+,.2f}"


def signed_text(value: float | int | None) -> Text:
    """A signed count, green when positive, red when negative."""
    style = "green" if (value or 0) > 0 else "red" if (value or 0) < 0 else ""
    return Text(signed(value), style=style)


def ratio(value: float | None) -> str:
    return DASH if value is None else f"{value:.2f}"


def share(value: float | None) -> str:
    return DASH if value is None else f"{value:.1%}"


def money(value: float | None) -> str:
    if value is None:
        return DASH
    size = abs(value)
    sign = "-" if value < 0 else ""
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if size >= limit:
            return f"{sign}${size / limit:,.2f}{suffix}"
    return f"{sign}${size:,.0f}"


def compact(value: float | int | None, plus: bool = False) -> str:
    """Short numbers for heatmap cells: 950, 12.3k, 1.2M."""
    if value is None:
        return ""
    size = abs(value)
    sign = "-" if value < 0 else ("+" if plus and value > 0 else "")
    if size >= 1e6:
        return f"{sign}{size / 1e6:.1f}M"
    if size >= 1e4:
        return f"{sign}{size / 1e3:.0f}k"
    if size >= 1e3:
        return f"{sign}{size / 1e3:.1f}k"
    return f"{sign}{int(size)}"


def day(value: date | None) -> str:
    return DASH if value is None else value.isoformat()


# ----------------------------------------------------------------------------- pieces
def titled_table(title: str, colour: str | None = None) -> Table:
    """The house table: left-aligned title (in ``colour`` if given), bold header, no edge padding."""
    return Table(
        title=title,
        title_justify="left",
        title_style=f"bold {colour}" if colour else None,
        header_style="bold",
        pad_edge=False,
    )


def snapshot_header(chain: Chain, info: SnapshotInfo | None, title: str) -> Panel:
    meta = chain.meta
    spot = price(meta.spot) + (" (estimated)" if meta.spot_estimated else "")
    lines = Text()
    lines.append(f"{meta.underlying} · spot {spot}", style="bold")
    lines.append(f" · captured {meta.captured_at:%Y-%m-%d %H:%M} UTC")
    lines.append(
        f"\nsnapshot {info.id if info else 'live (not saved)'} · {len(chain):,} contracts · "
        f"{len(chain.expirations)} expirations",
        style="dim",
    )
    lines.append(f"\nsource {meta.source}", style="dim")
    return Panel(lines, title=title, title_align="left", border_style="cyan", expand=False)


def warnings_panel(messages: Iterable[str]) -> Panel | None:
    unique = list(dict.fromkeys(m for m in messages if m))
    if not unique:
        return None
    body = Text("\n".join(f"! {m}" for m in unique), style="yellow")
    return Panel(body, title="data quality", title_align="left", border_style="yellow", expand=False)


def expiration_table(table: pl.DataFrame, spot: float | None, window: Window | None = None) -> Table:
    grid = titled_table("Max pain by expiration")
    grid.add_column("expiration")
    grid.add_column("max pain", justify="right")
    grid.add_column("vs spot", justify="right")
    grid.add_column("call OI", justify="right")
    grid.add_column("put OI", justify="right")
    grid.add_column("P/C OI", justify="right")
    grid.add_column("P/C vol", justify="right")
    for row in table.iter_rows(named=True):
        in_window = window is not None and row["expiration"] in window.expirations
        style = "bold" if in_window else None
        pain: str | Text = (
            strike_text(row["max_pain"]) if row["max_pain"] is not None else Text("undefined", style="yellow")
        )
        if row.get("note") and row["max_pain"] is not None:
            pain = Text(strike_text(row["max_pain"]) + " !", style="yellow")  # one-sided: see warnings
        grid.add_row(
            day(row["expiration"]) + (" *" if in_window else ""),
            pain,
            distance(row["distance_to_spot"]),
            integer(row["call_oi"]),
            integer(row["put_oi"]),
            ratio(row["put_call_oi_ratio"]),
            ratio(row["put_call_volume_ratio"]),
            style=style,
        )
    if window is not None:
        grid.caption = f"* in the window through {window.until}"
        grid.caption_justify = "left"
    return grid


def walls_tables(result: Walls) -> Group:
    parts = []
    for label, frame, colour in (
        ("Put walls", result.put_walls, "red"),
        ("Call walls", result.call_walls, "green"),
    ):
        table = titled_table(label, colour)
        for name, justify in (
            ("strike", "right"),
            ("OI", "right"),
            ("share", "right"),
            ("vs spot", "right"),
            ("vs max pain", "right"),
        ):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        for row in frame.iter_rows(named=True):
            table.add_row(
                strike_text(row["strike"]),
                integer(row["open_interest"]),
                share(row["share"]),
                distance(row["distance_to_spot"]),
                distance(row["distance_to_max_pain"]),
            )
        if frame.height == 0:
            table.add_row(DASH, DASH, DASH, DASH, DASH)
        parts.append(table)
    return Group(*parts)


def clusters_table(clusters: pl.DataFrame, spot: float | None) -> Table:
    table = titled_table("Open-interest clusters")
    for name in ("side", "band", "peak", "centre", "OI", "share", "centre vs spot"):
        table.add_column(name, justify="left" if name in ("side", "band") else "right")
    for row in clusters.iter_rows(named=True):
        band = (
            strike_text(row["low"])
            if row["low"] == row["high"]
            else f"{strike_text(row['low'])}-{strike_text(row['high'])}"
        )
        table.add_row(
            Text(row["side"], style="red" if row["side"] == "put" else "green"),
            band,
            strike_text(row["peak"]),
            price(row["center"]),
            integer(row["open_interest"]),
            share(row["share"]),
            distance(row["center"] - spot) if spot is not None else DASH,
        )
    if clusters.height == 0:
        table.add_row(DASH, "no strike holds the minimum share", "", "", "", "", "")
    return table


def contract_cells(row: dict[str, object]) -> tuple[str, str, str]:
    """Expiration, strike and call/put of a contract row, as table cells."""
    return day(row["expiration"]), strike_text(row["strike"]), "call" if row["right"] == "C" else "put"  # type: ignore[arg-type]


def fresh_positioning_table(frame: pl.DataFrame) -> Table:
    """Contracts trading most heavily against their open interest (volume / OI)."""
    table = titled_table("Fresh positioning (volume / OI)")
    for name in ("expiration", "strike", "right", "volume", "OI", "vol/OI"):
        table.add_column(name, justify="left" if name in ("expiration", "right") else "right")
    for row in frame.iter_rows(named=True):
        table.add_row(
            *contract_cells(row),
            integer(row["volume"]),
            integer(row["open_interest"]),
            f"{row['volume_oi']:.2f}",
        )
    if frame.height == 0:
        table.add_row(DASH, "", "", "", "", "")
    return table


def walls_sentence(ticker: str, result: Walls) -> Text:
    """One line in the style of an analyst's note."""
    until = result.window.until
    pain = result.pooled.strike
    parts = []
    for side, frame in (("put", result.put_walls), ("call", result.call_walls)):
        if frame.height == 0:
            continue
        top = frame.row(0, named=True)
        text = f"largest {side} OI through {until} sits at {strike_text(top['strike'])} ({integer(top['open_interest'])} contracts)"
        if pain is not None:
            gap = top["strike"] - pain
            where = "at" if gap == 0 else ("below" if gap < 0 else "above")
            amount = "" if gap == 0 else f"{abs(gap):g} "
            text += f", {amount}{where} the pooled max pain of {strike_text(pain)}"
        parts.append(text)
    if not parts:
        return Text(f"{ticker}: no open interest in the window through {until}.", style="yellow")
    sentence = f"{ticker}: " + "; ".join(parts) + "."
    return Text(sentence[0].upper() + sentence[1:] if sentence[0].islower() else sentence, style="bold")


def _curve_rows(
    curve: pl.DataFrame, spot: float | None, max_pain: float | None, max_rows: int
) -> pl.DataFrame:
    """The strikes to draw: from a little below the lower of spot and max pain to a little above
    the higher, thinned evenly (max pain always kept) when there are too many."""
    strikes = curve["strike"].to_list()
    anchors = [v for v in (spot, max_pain) if v is not None] or [strikes[len(strikes) // 2]]
    low, high = min(anchors), max(anchors)
    margin = max((high - low) * 0.25, 1e-9)
    inside = [k for k in strikes if low - margin <= k <= high + margin]
    below = [k for k in strikes if k < low - margin][-4:]
    above = [k for k in strikes if k > high + margin][:4]
    chosen = below + inside + above
    if len(chosen) > max_rows:
        step = len(chosen) / max_rows
        thinned = {chosen[int(i * step)] for i in range(max_rows)}
        if max_pain is not None:
            thinned.add(max_pain)
        chosen = sorted(thinned)
    return curve.filter(pl.col("strike").is_in(chosen))


def payout_bars(
    curve: pl.DataFrame, *, spot: float | None, max_pain: float | None, width: int, max_rows: int = 30
) -> Table:
    """The payout curve as horizontal bars of the payout *above its minimum* (so the bottom of the
    curve is visible), split into what call and put holders are owed; strikes descending."""
    frame = _curve_rows(curve, spot, max_pain, max_rows).sort("strike", descending=True)
    floor = float(curve["total_payout"].min() or 0.0)  # type: ignore[arg-type]
    top = float(frame["total_payout"].max() or 0.0) - floor  # type: ignore[arg-type]
    bar_width = max(10, width - 34)
    table = Table(
        title="Payout to option holders at expiry",
        title_justify="left",
        header_style="bold",
        box=None,
        pad_edge=False,
    )
    table.add_column("strike", justify="right")
    table.add_column("payout", justify="right")
    table.add_column("above the minimum: █ calls ▒ puts", no_wrap=True)
    spot_drawn = spot is None
    for row in frame.iter_rows(named=True):
        if not spot_drawn and row["strike"] < spot:
            table.add_row(
                Text(f"{price(spot)}", style="cyan"), "", Text("─" * bar_width + " spot", style="cyan")
            )
            spot_drawn = True
        excess = row["total_payout"] - floor
        cells = round(bar_width * excess / top) if top > 0 else 0
        call_cells = round(cells * row["call_payout"] / row["total_payout"]) if row["total_payout"] else 0
        bar = Text("█" * call_cells, style="green") + Text("▒" * (cells - call_cells), style="red")
        is_pain = max_pain is not None and row["strike"] == max_pain
        label = Text(strike_text(row["strike"]), style="bold magenta" if is_pain else "")
        if is_pain:
            bar.append("◀ max pain (minimum payout)", style="bold magenta")
        table.add_row(label, money(row["total_payout"]), bar)
    if not spot_drawn:
        table.add_row(Text(price(spot), style="cyan"), "", Text("─" * bar_width + " spot", style="cyan"))
    table.caption = "bar = payout minus the minimum; its colours split it by who is owed"
    table.caption_justify = "left"
    return table


# ----------------------------------------------------------------------------- heatmap
SEQUENTIAL = ["#1d2b3a", "#1f4e79", "#2a7ab0", "#46a3c9", "#7fc9d6", "#c4e8dc", "#fff3b0"]
DIVERGING_NEG = ["#5c1a1a", "#9e2a2b", "#d1495b", "#ee9b9b"]
DIVERGING_POS = ["#b8e0c2", "#6fbf73", "#2e8b57", "#1b4d2e"]
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
    ) -> None:
        self.grid = grid
        self.title = title
        self.spot = spot
        self.max_pain = max_pain or {}
        self.diverging = diverging
        self.strike_range = strikes
        self.focus = focus
        self.max_rows = max_rows

    def _rows_and_columns(self, width: int) -> tuple[list[float], list[date], list[str]]:
        notes = []
        expirations = sorted(self.grid["expiration"].unique().to_list())
        fit = max(1, (width - 10) // (CELL + 1))
        if len(expirations) > fit:
            notes.append(
                f"{len(expirations) - fit} later expiration(s) not shown: widen the terminal or use --until"
            )
            expirations = expirations[:fit]
        frame = self.grid.filter(pl.col("expiration").is_in(expirations))
        strikes = sorted(frame["strike"].unique().to_list())
        if self.strike_range is not None:  # the user's explicit range: every strike in it
            low, high = self.strike_range
            strikes = [s for s in strikes if low <= s <= high]
            return sorted(strikes, reverse=True), expirations, notes
        if self.focus is not None:
            low, high = self.focus
            strikes = [s for s in strikes if low <= s <= high]
        else:
            holding = frame.filter(pl.col("value") != 0)["strike"].unique().to_list()
            if holding:
                strikes = [s for s in strikes if min(holding) <= s <= max(holding)]
        if len(strikes) > self.max_rows:
            # keep the strikes listed across most expirations (the standard grid), then those
            # nearest the spot: a thinned but evenly informative board
            centre = self.spot if self.spot is not None else strikes[len(strikes) // 2]
            listed = frame.filter(pl.col("value") != 0).group_by("strike").len()
            columns_with = dict(zip(listed["strike"].to_list(), listed["len"].to_list(), strict=True))
            ranked = sorted(strikes, key=lambda s: (-columns_with.get(s, 0), abs(s - centre), s))
            strikes = sorted(ranked[: self.max_rows])
            notes.append(
                f"{len(strikes)} strikes shown, those listed in the most expirations between "
                f"{strike_text(strikes[0])} and {strike_text(strikes[-1])}; pick others with --strikes LO:HI or --rows N"
            )
        return sorted(strikes, reverse=True), expirations, notes

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        columns = self.grid["expiration"].n_unique()
        wanted = 10 + columns * (CELL + 1)
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
        for expiration in expirations:
            header.append(f"{expiration:%m-%d}".rjust(CELL) + " ", style="bold")
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
                line.append_text(self._cell(value, top, colour, is_pain))
                line.append(" ")
            yield line
        if not spot_drawn:
            yield Text(
                f"{price(self.spot):>8} " + "─" * ((CELL + 1) * len(expirations) - 1) + " spot", style="cyan"
            )
        yield self._legend(top, colour)
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
            if self.diverging:
                scale = DIVERGING_POS if value > 0 else DIVERGING_NEG[::-1]
                background = scale[self._level(value, top, len(scale))]
            else:
                background = SEQUENTIAL[self._level(value, top, len(SEQUENTIAL))]
            level = self._level(value, top, 7)
            foreground = (
                "black"
                if (not self.diverging and level >= 4) or (self.diverging and self._level(value, top, 4) <= 1)
                else "white"
            )
            style = Style(bgcolor=background, color=foreground, bold=is_pain, underline=is_pain)
            return Text(number.rjust(CELL), style=style)
        glyph = GLYPHS[max(1, self._level(value, top, len(GLYPHS)))]
        return Text((number + glyph).rjust(CELL))

    def _legend(self, top: float, colour: bool) -> Text:
        legend = Text("legend: ", style="dim")
        if colour:
            # most negative (dark red) ... zero ... most positive (dark green)
            scale = (DIVERGING_NEG + DIVERGING_POS) if self.diverging else SEQUENTIAL
            for background in scale:
                legend.append("  ", style=Style(bgcolor=background))
            low = compact(-top, plus=True) if self.diverging else "0"
            legend.append(f" {low} … {compact(top, plus=self.diverging)}", style="dim")
        else:
            legend.append(f"{GLYPHS[1:]} small…{compact(top)} (√ scale)", style="dim")
        legend.append("  [n] max pain  ── spot  · not listed", style="dim")
        return legend


# ----------------------------------------------------------------------------- diff and exposure
def change_tables(change: OIChange, top: int) -> Group:
    parts = []
    for label, frame, colour in (
        ("Top build-ups", change.build_ups(top), "green"),
        ("Top unwinds", change.unwinds(top), "red"),
    ):
        table = titled_table(label, colour)
        for name in ("expiration", "strike", "right", "OI before", "OI after", "change", "status"):
            table.add_column(name, justify="left" if name in ("expiration", "right", "status") else "right")
        for row in frame.iter_rows(named=True):
            table.add_row(
                *contract_cells(row),
                integer(row["oi_from"]),
                integer(row["oi_to"]),
                Text(signed(row["change"]), style=colour),
                row["status"],
            )
        if frame.height == 0:
            table.add_row(DASH, "", "", "", "", "none", "")
        parts.append(table)
    return Group(*parts)


def by_expiration_table(change: OIChange, near_until: date) -> Table:
    table = titled_table("OI change by expiration")
    for name in ("expiration", "calls", "puts", "net", "call OI now", "put OI now", "new"):
        table.add_column(name, justify="left" if name == "expiration" else "right")
    for row in change.by_expiration.iter_rows(named=True):
        near = row["expiration"] <= near_until
        table.add_row(
            Text(day(row["expiration"]) + (" *" if near else ""), style="bold" if near else ""),
            signed_text(row["call_change"]),
            signed_text(row["put_change"]),
            signed(row["net_change"]),
            integer(row["call_oi_to"]),
            integer(row["put_oi_to"]),
            integer(row["new_contracts"]),
        )
    table.caption = (
        f"* near expirations (through {near_until}); new = contracts absent from the earlier snapshot"
    )
    table.caption_justify = "left"
    return table


def concentration_sentence(ticker: str, change: OIChange, near_until: date) -> Text:
    frame = change.by_expiration
    near = frame.filter(pl.col("expiration") <= near_until)
    later = frame.filter(pl.col("expiration") > near_until)
    near_calls = int(near["call_change"].sum() or 0)
    later_calls = int(later["call_change"].sum() or 0)
    near_puts = int(near["put_change"].sum() or 0)
    later_puts = int(later["put_change"].sum() or 0)
    builds = change.build_ups(1)
    lead = ""
    if builds.height:
        top = builds.row(0, named=True)
        side = "call" if top["right"] == "C" else "put"
        lead = f"{ticker}: the largest build-up is the {day(top['expiration'])} {strike_text(top['strike'])} {side} ({signed(top['change'])}). "
    text = (
        f"{lead}Through {near_until}: calls {signed(near_calls)}, puts {signed(near_puts)}; "
        f"later expirations: calls {signed(later_calls)}, puts {signed(later_puts)}."
    )
    added_calls = near_calls + later_calls
    if near_calls > 0 and added_calls > 0:
        text += f" The near expirations carry {near_calls / added_calls:.0%} of the net new call OI."
    return Text(text, style="bold")


def exposure_panel(result: Exposure) -> Group:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_column(style="dim")
    spot_note = " (estimated)" if result.spot_estimated else ""
    rows = [
        ("multiplier", f"{result.multiplier}", "shares per contract"),
        ("shares controlled", integer(result.shares), "contracts × multiplier"),
        ("spot", price(result.spot) + spot_note, ""),
        (
            "notional at spot",
            money(result.notional_at_spot),
            result.reasons.get("notional_at_spot", "shares × spot"),
        ),
        ("notional at strike", money(result.notional_at_strike), "shares × strike"),
        ("option price", price(result.price), result.price_basis or result.reasons.get("premium", "")),
        ("premium", money(result.premium), "shares × price: what the position cost"),
        (
            "implied volatility",
            share(result.implied_volatility) if result.implied_volatility else DASH,
            "from the chain",
        ),
        (
            "delta",
            f"{result.delta:+.3f}" if result.delta is not None else DASH,
            result.reasons.get(
                "delta", f"Black-Scholes, rate {result.rate:.2%}, {result.years_to_expiry:.2f} y"
            ),
        ),
        ("delta-adjusted notional", money(result.delta_adjusted_notional), "delta × shares × spot"),
        ("open interest", integer(result.open_interest), "of this contract in the snapshot"),
        (
            "notional / premium",
            f"{result.notional_to_premium:,.0f}×" if result.notional_to_premium else DASH,
            "",
        ),
    ]
    for label, value, note in rows:
        table.add_row(label, value, note)
    position = Text(
        f"{result.contracts:,} × {result.ticker} {result.expiration} {strike_text(result.strike)} {result.right}",
        style="bold",
    )
    return Group(position, table, Text(""), exposure_sentence(result))


def exposure_sentence(result: Exposure) -> Text:
    side = result.right
    text = f"{result.contracts:,} {result.ticker} {strike_text(result.strike)}-strike {side}s ({result.multiplier} shares each) control {result.shares:,} shares"
    if result.notional_at_spot is not None:
        text += f", a headline {money(result.notional_at_spot)} at spot"
    if result.premium is not None:
        text += f", yet the position cost about {money(result.premium)} in premium"
        if result.notional_to_premium:
            text += f" ({result.notional_to_premium:,.0f}× less)"
    if result.delta_adjusted_notional is not None and result.delta is not None:
        direction = "short" if result.delta_adjusted_notional < 0 else "long"
        equivalent = abs(result.delta) * result.shares
        text += f"; its delta of {result.delta:+.2f} makes it behave like being {direction} about {equivalent:,.0f} shares ({money(abs(result.delta_adjusted_notional))}) today"
    return Text(text + ".", style="bold")


def snapshots_table(snapshots: Sequence[SnapshotInfo], width: int = 120) -> Table:
    """Stored snapshots; below 110 columns the capture time (the id spells it) and the source go."""
    wide = width >= 110
    columns = (
        ["ticker", "id"]
        + (["captured (UTC)"] if wide else [])
        + ["spot", "contracts", "exp."]
        + (["source"] if wide else [])
        + ["notes"]
    )
    table = titled_table("Stored snapshots")
    for name in columns:
        wraps = name in ("source", "notes")
        table.add_column(
            name,
            justify="right" if name in ("spot", "contracts", "exp.") else "left",
            overflow="fold" if wraps else "ellipsis",
            no_wrap=not wraps,
            min_width={"id": 18, "captured (UTC)": 16, "spot": 7, "contracts": 9, "notes": 14}.get(name),
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
            notes = "; ".join(n for n in info.notes if not n.startswith("SYNTHETIC")) or (
                "synthetic demo" if info.notes else ""
            )
            if info.partial:
                notes = "PARTIAL; " + notes
            cells = {
                "ticker": info.ticker,
                "id": info.id,
                "captured (UTC)": f"{info.captured_at:%Y-%m-%d %H:%M}" if info.captured_at else DASH,
                "spot": price(info.spot) + ("~" if info.spot_estimated else ""),
                "contracts": integer(info.contracts),
                "exp.": str(info.expirations),
                "source": info.source,
                "notes": notes,
            }
        table.add_row(*[cells.get(name, DASH) for name in columns])
    if snapshots and any(s.spot_estimated for s in snapshots):
        table.caption = "~ spot estimated from the chain (no spot in the source)"
        table.caption_justify = "left"
    return table
