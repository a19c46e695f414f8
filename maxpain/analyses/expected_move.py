"""The expected move of an expiration (DESIGN "Definitions", Dealer gamma): what the options
price for the move to it, from the at-the-money straddle, with the IV move beside it."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from maxpain.analyses.window import require_listed
from maxpain.chain import Chain
from maxpain.fields import IV_PLACEHOLDER_MAX
from maxpain.market import trading_day, years_to_expiry


@dataclass(frozen=True)
class ExpectedMove:
    """The market's priced move to an expiration: the at-the-money straddle and the IV move."""

    expiration: date | None
    strike: float | None = None
    straddle: float | None = None  # points: call price + put price at ``strike``
    move_pct: float | None = None  # straddle / spot × 100
    iv_move: float | None = None  # S × σ_ATM × √T, points
    basis: str | None = None  # "mid", "last" or "mid and last"
    years: float | None = None
    reason: str | None = None

    def band(self, spot: float | None) -> tuple[float, float] | None:
        """spot ± straddle."""
        if spot is None or self.straddle is None:
            return None
        return spot - self.straddle, spot + self.straddle


def two_sided_mid(bid: pl.Expr, ask: pl.Expr) -> pl.Expr:
    """The mid of a two-sided quote (bid > 0, ask ≥ bid), else null."""
    return pl.when((bid > 0) & (ask >= bid)).then((bid + ask) / 2).otherwise(None)


def _first_after(listed: Sequence[date], day: date) -> date | None:
    later = [e for e in listed if e > day]
    return min(later) if later else None


def expected_move(chain: Chain, expiration: date | None = None) -> ExpectedMove:
    """The expected move of an expiration: the at-the-money straddle (strike nearest spot listed
    with a call and a put, the lower on a tie; each leg at its mid, else its last trade) in points
    and % of spot, and the IV move S·σ_ATM·√T (σ_ATM = the mean IV of the two legs that have one).

    Parameters
    ----------
    chain
        The snapshot.
    expiration
        Default: the nearest listed at least one trading day after the capture date.

    Returns
    -------
    ExpectedMove
        Undefined parts are None with a ``reason``.
    """
    spot = chain.meta.spot
    listed = chain.frame.get_column("expiration").unique().sort().to_list()
    if expiration is None:
        expiration = _first_after(listed, trading_day(chain.meta.captured_at))
        if expiration is None:
            return ExpectedMove(None, reason="no expiration listed after the capture date")
    else:
        require_listed(chain, [expiration])
    if spot is None:
        return ExpectedMove(expiration, reason="no spot price in the snapshot")
    rows = chain.frame.filter(pl.col("expiration") == expiration)
    root = chain.underlying.lstrip("^")
    standard = rows.filter(pl.col("root") == root)
    rows = standard if standard.height else rows
    priced = rows.with_columns(
        mid=two_sided_mid(pl.col("bid"), pl.col("ask")),
        last_ok=pl.when(pl.col("last") > 0).then(pl.col("last")).otherwise(None),
    ).with_columns(
        value=pl.coalesce("mid", "last_ok"),
        basis=pl.when(pl.col("mid").is_not_null())
        .then(pl.lit("mid"))
        .when(pl.col("last_ok").is_not_null())
        .then(pl.lit("last"))
        .otherwise(None),
    )
    legs = (
        priced.group_by("strike")
        .agg(
            call=pl.col("value").filter(pl.col("right") == "C").first(),
            put=pl.col("value").filter(pl.col("right") == "P").first(),
            call_basis=pl.col("basis").filter(pl.col("right") == "C").first(),
            put_basis=pl.col("basis").filter(pl.col("right") == "P").first(),
            call_iv=pl.col("implied_volatility").filter(pl.col("right") == "C").first(),
            put_iv=pl.col("implied_volatility").filter(pl.col("right") == "P").first(),
        )
        .filter(pl.col("call").is_not_null() & pl.col("put").is_not_null())
        .with_columns(distance=(pl.col("strike") - spot).abs())
        .sort("distance", "strike")
    )
    years = years_to_expiry(chain.meta.captured_at, expiration)
    if legs.height == 0:
        return ExpectedMove(
            expiration, years=years, reason="no strike has both a call and a put with a price"
        )
    atm = legs.row(0, named=True)
    straddle = float(atm["call"] + atm["put"])
    bases = {atm["call_basis"], atm["put_basis"]}
    ivs = [v for v in (atm["call_iv"], atm["put_iv"]) if v is not None and v > IV_PLACEHOLDER_MAX]
    iv_move = spot * (sum(ivs) / len(ivs)) * math.sqrt(years) if ivs and years > 0 else None
    return ExpectedMove(
        expiration=expiration,
        strike=float(atm["strike"]),
        straddle=straddle,
        move_pct=straddle / spot * 100,
        iv_move=iv_move,
        basis="mid" if bases == {"mid"} else "last" if bases == {"last"} else "mid and last",
        years=years,
        reason=None if iv_move is not None else "no usable IV at the money (or no time left)",
    )
