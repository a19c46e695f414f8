"""Strike × expiration grids for heatmaps, and the choice of the rows and columns a board shows.

A grid is a long table ``expiration, strike, value``. Which strikes a board shows is a market
decision, made here: the user's range if given; else the span the view talks about (``focus``) or
the strikes holding any value; thinned, when there are too many, to the strikes listed in the most
expirations (the standard strike grid) nearest the spot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from maxpain.analyses._frames import in_expirations
from maxpain.analyses.walls import OIWalls, ranked_walls
from maxpain.analyses.window import Window
from maxpain.chain import Chain
from maxpain.choices import HEATMAP_METRICS
from maxpain.errors import InputError

if TYPE_CHECKING:
    from maxpain.analyses.oi_change import OIChange

#: Metrics whose values are signed (a diverging scale).
SIGNED_METRICS = ("net", "change", "gex")


def oi_grid(chain: Chain, metric: str, expirations: Sequence[date]) -> pl.DataFrame:
    """OI of ``expirations`` by (expiration, strike).

    Parameters
    ----------
    chain
        The snapshot.
    metric
        ``oi`` (calls + puts), ``calls``, ``puts`` or ``net`` (calls − puts).
    expirations
        The board's columns.

    Returns
    -------
    polars.DataFrame
        ``expiration, strike, value``, sorted.

    Raises
    ------
    InputError
        An unknown ``metric``.
    """
    if metric not in ("oi", "calls", "puts", "net"):
        msg = f"unknown metric {metric!r}; use one of {', '.join(HEATMAP_METRICS)}"
        raise InputError(msg)
    calls = pl.col("open_interest").filter(pl.col("right") == "C").sum()
    puts = pl.col("open_interest").filter(pl.col("right") == "P").sum()
    value = {"oi": calls + puts, "calls": calls, "puts": puts, "net": calls - puts}[metric]
    return (
        in_expirations(chain.frame, expirations)
        .group_by("expiration", "strike")
        .agg(value=value)
        .sort("expiration", "strike")
    )


def change_grid(change: OIChange, expirations: Sequence[date] | None = None) -> pl.DataFrame:
    """OI change (calls + puts) by (expiration, strike).

    Parameters
    ----------
    change
        An OI change between two snapshots.
    expirations
        Only these (default: all).

    Returns
    -------
    polars.DataFrame
        ``expiration, strike, value``, sorted.
    """
    frame = change.changes if expirations is None else in_expirations(change.changes, expirations)
    return (
        frame.group_by("expiration", "strike").agg(value=pl.col("change").sum()).sort("expiration", "strike")
    )


def gex_grid(
    chain: Chain, expirations: Sequence[date], *, convention: str = "naive", rate: float | None = None
) -> tuple[pl.DataFrame, list[str]]:
    """Net GEX by (expiration, strike), for a heatmap: ``expiration, strike, value``.

    Parameters
    ----------
    chain
        The snapshot (needs a spot price).
    expirations
        The board's columns.
    convention, rate
        As :func:`maxpain.analyses.gamma.gamma_exposure` (rate default: its ``DEFAULT_RATE``).

    Returns
    -------
    (polars.DataFrame, list[str])
        The cells, sorted by expiration and strike (contracts without usable IV count 0), and
        the notes on what was left out.
    """
    from maxpain.analyses.gamma import DEFAULT_RATE, gex_by_strike, price_contracts  # numpy: on use

    frame = chain.frame.filter(pl.col("expiration").is_in(list(expirations)))
    priced = price_contracts(chain, frame, convention=convention, rate=DEFAULT_RATE if rate is None else rate)
    grid = (
        gex_by_strike(frame, priced, by_expiration=True)
        .select("expiration", "strike", value=pl.col("net_gex"))
        .sort("expiration", "strike")
    )
    return grid, priced.notes


def max_pain_by_column(table: pl.DataFrame) -> dict[date, float | None]:
    """Each column's max pain, for marking it on a board.

    Parameters
    ----------
    table
        A :func:`~maxpain.analyses.max_pain.max_pain_by_expiration` table.

    Returns
    -------
    dict
        Expiration → max pain strike (None when undefined).
    """
    return dict(table.select("expiration", "max_pain").iter_rows())


@dataclass(frozen=True)
class BoardSpan:
    """The columns a summary board shows and the strike span it focuses on."""

    expirations: list[date]
    focus: tuple[float, float] | None
    anchors: list[float]  # strikes the board must show (walls, max pains, nearest spot)


def report_span(
    chain: Chain, window: Window, walls: OIWalls, *, columns: int = 6, margin: float = 0.03
) -> BoardSpan:
    """The report's board: which columns, and which strike span the rows focus on.

    Parameters
    ----------
    chain
        The snapshot.
    window
        The window the report is about: its expirations (else the first four listed), topped up
        with the next ones to ``columns``.
    walls
        The window's walls: the rows span spot, the pooled max pain and the top put and call
        walls, with ``margin`` (a fraction) either side.
    columns, margin
        See above.

    Returns
    -------
    BoardSpan
    """
    shown = list(window.expirations) or chain.expirations[:4]
    last = shown[-1] if shown else date.min
    expirations = shown + [e for e in chain.expirations if e > last][: max(0, columns - len(shown))]
    anchors = [walls.pooled.strike] if walls.pooled.strike is not None else []
    anchors += walls.put_walls["strike"].head(1).to_list() + walls.call_walls["strike"].head(1).to_list()
    return _span(expirations, anchors, chain.meta.spot, margin)


def _span(expirations: list[date], anchors: list[float], spot: float | None, margin: float) -> BoardSpan:
    """Rows from the lowest to the highest of ``anchors`` and spot, ``margin`` either side."""
    every = anchors + ([spot] if spot is not None else [])
    focus = (min(every) * (1 - margin), max(every) * (1 + margin)) if every else None
    return BoardSpan(expirations, focus, sorted(set(anchors)))


def heatmap_span(
    chain: Chain, expirations: Sequence[date], max_pains: dict[date, float | None], *, margin: float = 0.03
) -> BoardSpan:
    """A board's default rows: spanning spot, the max pain of every column and the put and call
    walls of the columns pooled, with ``margin`` either side.

    Parameters
    ----------
    chain
        The snapshot whose OI the anchors come from.
    expirations
        The board's columns.
    max_pains
        Each expiration's max pain (:func:`max_pain_by_column`).
    margin
        Fraction added either side of the span.

    Returns
    -------
    BoardSpan
    """
    frame = in_expirations(chain.frame, expirations)
    anchors = [p for e in expirations if (p := max_pains.get(e)) is not None]
    if frame.height:
        anchors += ranked_walls(frame, [], top=1)["strike"].to_list()
    return _span(list(expirations), anchors, chain.meta.spot, margin)


@dataclass(frozen=True)
class BoardLayout:
    """What a board shows: strikes (descending), expirations, and what was left out."""

    strikes: list[float]
    expirations: list[date]
    hidden_expirations: int
    thinned: bool


def lay_out_board(
    grid: pl.DataFrame,
    *,
    max_columns: int,
    max_rows: int,
    spot: float | None = None,
    strike_range: tuple[float, float] | None = None,
    focus: tuple[float, float] | None = None,
    keep: Sequence[float] = (),
) -> BoardLayout:
    """Choose the rows and columns of a board of ``grid``.

    Parameters
    ----------
    grid
        ``expiration, strike, value``.
    max_columns
        Expirations that fit; later ones are left out (counted in ``hidden_expirations``).
    max_rows
        Strikes at most (unless ``strike_range`` asks for every strike in it).
    spot
        Centre of the thinning (default: the middle strike).
    strike_range
        The user's explicit ``(low, high)``: every strike in it, nothing else.
    focus
        The span the view talks about, when no range was given.
    keep
        Strikes that stay on the board when it is thinned (walls, max pains).

    Returns
    -------
    BoardLayout
    """
    expirations = sorted(grid["expiration"].unique().to_list())
    hidden = max(0, len(expirations) - max(1, max_columns))
    expirations = expirations[: max(1, max_columns)]
    frame = in_expirations(grid, expirations)
    strikes = sorted(frame["strike"].unique().to_list())
    if strike_range is not None:
        low, high = strike_range
        return BoardLayout(
            sorted((s for s in strikes if low <= s <= high), reverse=True), expirations, hidden, False
        )
    holding = frame.filter(pl.col("value") != 0)
    if focus is not None:
        low, high = focus
        strikes = [s for s in strikes if low <= s <= high]
    elif holding.height:
        held = holding["strike"].to_list()
        lowest, highest = min(held), max(held)
        strikes = [s for s in strikes if lowest <= s <= highest]
    thinned = len(strikes) > max_rows
    if thinned:
        centre = spot if spot is not None else strikes[len(strikes) // 2]
        listed = holding.group_by("strike").len()
        columns_with = dict(zip(listed["strike"].to_list(), listed["len"].to_list(), strict=True))
        ranked = sorted(strikes, key=lambda s: (-columns_with.get(s, 0), abs(s - centre), s))
        must = [s for s in dict.fromkeys(keep) if s in strikes][:max_rows]
        strikes = must + [s for s in ranked if s not in must][: max_rows - len(must)]
    return BoardLayout(sorted(strikes, reverse=True), expirations, hidden, thinned)
