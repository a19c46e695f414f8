"""Exposure of a position (DESIGN "Definitions"): what a block of contracts amounts to.

Shares controlled = contracts × multiplier; notional at spot and at strike; premium = shares × mid
(last trade when there is no two-sided quote); delta-adjusted notional from Black–Scholes delta with
the chain's IV, time to the expiration's 16:00 New York close (ACT/365), and a given rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import polars as pl

from maxpain import kernels
from maxpain.analyses.window import require_listed
from maxpain.chain import Chain
from maxpain.errors import InputError, NotFoundError
from maxpain.market import years_to_expiry


@dataclass
class PositionExposure:
    """What a position of ``contracts`` contracts amounts to."""

    ticker: str
    contracts: int
    strike: float
    right: str
    expiration: date
    multiplier: int
    shares: int
    spot: float | None
    spot_estimated: bool
    notional_at_spot: float | None
    notional_at_strike: float
    price: float | None
    price_basis: str | None
    premium: float | None
    implied_volatility: float | None
    years_to_expiry: float
    rate: float
    delta: float | None
    gamma: float | None
    delta_adjusted_notional: float | None
    open_interest: int | None
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def notional_to_premium(self) -> float | None:
        """How many times the headline notional exceeds what the position cost."""
        if self.premium and self.notional_at_spot is not None:
            return self.notional_at_spot / self.premium
        return None

    @property
    def delta_shares(self) -> float | None:
        """The shares the position behaves like today: |delta| × shares controlled."""
        return abs(self.delta) * self.shares if self.delta is not None else None


def position_exposure(
    chain: Chain,
    *,
    strike: float,
    right: str,
    expiration: date,
    contracts: int,
    rate: float = 0.04,
) -> PositionExposure:
    """Shares controlled, notional at spot and at strike, premium (mid, else last), Black–Scholes
    delta from the chain's IV, and the delta-adjusted notional of a position.

    Parameters
    ----------
    chain
        The snapshot that prices the contract.
    strike, right, expiration
        The contract (``right``: put/call or P/C); when several roots list it, the standard root
        (the underlying's own) is preferred.
    contracts
        Position size (positive).
    rate
        Risk-free rate for delta (a fraction: 0.04 = 4%).

    Returns
    -------
    PositionExposure
        Undefined figures are None, each with its reason in ``reasons``.

    Raises
    ------
    InputError
        Non-positive ``contracts`` or an unknown ``right``.
    NotFoundError
        The expiration or the strike is not listed (the message names the nearest).
    """
    if contracts <= 0:
        msg = f"contracts must be a positive number, got {contracts}"
        raise InputError(msg, parameter="contracts")
    code = {"call": "C", "c": "C", "put": "P", "p": "P"}.get(right.strip().lower())
    if code is None:
        msg = f"right must be put or call (or P/C), got {right!r}"
        raise InputError(msg, parameter="right")
    require_listed(chain, [expiration])
    on_expiry = chain.frame.filter(pl.col("expiration") == expiration)
    rows = on_expiry.filter((pl.col("right") == code) & ((pl.col("strike") - strike).abs() < 1e-6))
    if rows.height == 0:
        listed_strikes = (
            on_expiry.filter(pl.col("right") == code).get_column("strike").unique().sort().to_numpy()
        )
        near: Any = (
            listed_strikes[np.argsort(np.abs(listed_strikes - strike), kind="stable")[:3]]
            if len(listed_strikes)
            else []
        )
        hint = f"; nearest listed: {', '.join(f'{s:g}' for s in sorted(near))}" if len(near) else ""
        side = "put" if code == "P" else "call"
        msg = f"{chain.underlying} {expiration} has no {strike:g} {side} in this snapshot{hint}"
        raise NotFoundError(msg)
    preferred = rows.filter(pl.col("root") == chain.underlying.lstrip("^"))
    row = (preferred if preferred.height else rows).row(0, named=True)
    reasons: dict[str, str] = {}
    multiplier = int(row["multiplier"])
    shares = contracts * multiplier
    spot = chain.meta.spot
    bid, ask, last = row["bid"], row["ask"], row["last"]
    if bid is not None and ask is not None and bid > 0 and ask >= bid:
        price, basis = (bid + ask) / 2, "mid"
    elif last is not None and last > 0:
        price, basis = last, "last"
        reasons["premium"] = "no two-sided quote: priced at the last trade"
    else:
        price, basis = None, None
        reasons["premium"] = "no quote and no last trade"
    years = years_to_expiry(chain.meta.captured_at, expiration)
    iv = row["implied_volatility"]
    delta = gamma = None
    if spot is None:
        reasons["delta"] = "no spot price in the snapshot"
        reasons["notional_at_spot"] = "no spot price in the snapshot"
    elif iv is None:
        reasons["delta"] = "no implied volatility for this contract (Yahoo placeholder)"
    elif years <= 0:
        reasons["delta"] = "the contract has expired at capture time"
    else:
        d, g = kernels.black_scholes_greeks(
            np.array([spot]),
            np.array([float(row["strike"])]),
            np.array([years]),
            np.array([float(iv)]),
            float(rate),
            np.array([code == "C"]),
        )
        delta, gamma = float(d[0]), float(g[0])
        if math.isnan(delta):
            delta = gamma = None
            reasons["delta"] = "Black-Scholes does not apply to these inputs"
    return PositionExposure(
        ticker=chain.underlying,
        contracts=contracts,
        strike=float(row["strike"]),
        right="put" if code == "P" else "call",
        expiration=expiration,
        multiplier=multiplier,
        shares=shares,
        spot=spot,
        spot_estimated=chain.meta.spot_estimated,
        notional_at_spot=shares * spot if spot is not None else None,
        notional_at_strike=shares * float(row["strike"]),
        price=price,
        price_basis=basis,
        premium=shares * price if price is not None else None,
        implied_volatility=iv,
        years_to_expiry=years,
        rate=rate,
        delta=delta,
        gamma=gamma,
        delta_adjusted_notional=delta * shares * spot if delta is not None and spot is not None else None,
        open_interest=row["open_interest"],
        reasons=reasons,
    )
