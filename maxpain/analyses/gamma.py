"""Dealer gamma (DESIGN "Definitions", Dealer gamma): GEX by strike, the gamma flip, gamma walls,
and the expected move.

A contract's GEX is ``sign × Γ × open interest × multiplier × S² × 0.01``: the dollars of the
underlying its holders' hedgers trade per 1% move, with Black–Scholes Γ (no dividends) from the
contract's own IV, ACT/365 time to the expiration's 16:00 New York close and a given rate. The
sign is the *convention*, an assumption about who is short the options: ``naive`` (dealers long
calls, short puts) or ``dealer-short`` (dealers short every option). Every result carries it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from maxpain import choices, kernels, pricing
from maxpain.analyses.expected_move import ExpectedMove, expected_move, two_sided_mid
from maxpain.analyses.flip import nearest_flip, sweep_grid
from maxpain.analyses.window import Window, make_window
from maxpain.chain import Chain, strike_thousandths, strikes_of_units
from maxpain.errors import InputError
from maxpain.fields import IV_PLACEHOLDER_MAX
from maxpain.market import trading_day, years_to_expiry

if TYPE_CHECKING:
    pass

#: Sign of a call's and of a put's GEX under each convention.
CONVENTIONS: dict[str, tuple[int, int]] = dict(zip(choices.CONVENTIONS, ((1, -1), (-1, -1)), strict=True))
CONVENTION_TEXT = {
    "naive": "dealers long calls, short puts (calls +, puts −)",
    "dealer-short": "dealers short every option (calls −, puts −)",
}
DEFAULT_RATE = 0.04
#: Implied volatilities solved from mid prices are good to this (in volatility).
IV_TOLERANCE = 1e-6
UNIT = "USD per 1% move"
IV_SOLVED = "solved from mid prices"


@dataclass(frozen=True)
class GammaExposure:
    """Dealer gamma of one snapshot over a window of expirations."""

    ticker: str
    spot: float
    convention: str
    rate: float
    window: Window
    years: dict[date, float]
    by_strike: pl.DataFrame  # strike, call_gex, put_gex, net_gex (strikes with any counted contract)
    total_gex: float
    call_gex: float
    put_gex: float
    sweep: pl.DataFrame  # level, total_gex: the chain re-priced at 80-120% of spot
    flip: float | None
    flip_reason: str | None
    call_gamma_wall: float | None
    put_gamma_wall: float | None
    left_out: dict[str, int]
    counted: int
    iv_source: str  # "chain" or IV_SOLVED
    expected_move: ExpectedMove
    notes: list[str] = field(default_factory=list)

    @property
    def settled(self) -> list[date]:
        """Window expirations whose close is not after the capture: no gamma left, not counted."""
        return [e for e, years in self.years.items() if years <= 0]

    @property
    def convention_text(self) -> str:
        """What the convention assumes, in words."""
        return CONVENTION_TEXT[self.convention]

    @property
    def regime(self) -> str:
        """``long`` when net GEX is positive at spot, ``short`` when negative, ``flat`` at 0."""
        return "long" if self.total_gex > 0 else "short" if self.total_gex < 0 else "flat"


def _signs(convention: str) -> tuple[int, int]:
    signs = CONVENTIONS.get(convention)
    if signs is None:
        msg = f"unknown convention {convention!r}; use {' or '.join(CONVENTIONS)}"
        raise InputError(msg, parameter="convention")
    return signs


def usable_volatility(chain: Chain, frame: pl.DataFrame, rate: float) -> tuple[pl.Series, str]:
    """Each row's implied volatility as a fraction, null where unusable (missing, Yahoo's 1e-05
    placeholder, non-positive); solved from mid prices when the chain has no IV at all.

    Parameters
    ----------
    chain
        The snapshot (its capture time, spot and whether any IV was given).
    frame
        Rows of ``chain`` to price.
    rate
        Risk-free rate.

    Returns
    -------
    (polars.Series, str)
        The volatilities and where they came from (``chain`` or :data:`IV_SOLVED`).
    """
    given = chain.frame.get_column("implied_volatility")
    if given.is_not_null().any():
        iv = frame.get_column("implied_volatility")
        usable = pl.select(pl.when(iv > IV_PLACEHOLDER_MAX).then(iv).otherwise(None)).to_series()
        return usable.alias("iv"), "chain"
    spot = chain.meta.spot
    mids = frame.select(two_sided_mid(pl.col("bid"), pl.col("ask"))).to_series().to_numpy().astype(np.float64)
    years = _years(chain, frame)
    strikes = frame.get_column("strike").to_numpy()
    solved = pricing.implied_volatility(
        np.nan_to_num(mids, nan=-1.0),
        np.full(frame.height, spot if spot is not None else np.nan),
        strikes,
        years,
        float(rate),
        (frame.get_column("right") == "C").to_numpy(),
        IV_TOLERANCE,
    )
    return pl.Series("iv", solved, dtype=pl.Float64).fill_nan(None), IV_SOLVED


def _years(chain: Chain, frame: pl.DataFrame) -> np.ndarray:
    """ACT/365 years to each row's expiration close."""
    captured = chain.meta.captured_at
    listed = frame.get_column("expiration").unique().to_list()
    years = frame.get_column("expiration").replace_strict(
        listed, [years_to_expiry(captured, e) for e in listed], return_dtype=pl.Float64
    )
    return years.to_numpy().astype(np.float64, copy=False)


def _window_of(chain: Chain, until: date | None, weeks: int | None, every: bool) -> Window:
    if every:
        if until is not None or weeks is not None:
            raise InputError("--all takes every expiration: drop --until/--weeks, or drop --all")
        start = trading_day(chain.meta.captured_at)
        listed = chain.frame.get_column("expiration").unique().sort().to_list()
        return Window.of_expirations(start, [e for e in listed if e >= start])
    return make_window(chain, until=until, weeks=weeks)


def gamma_exposure(
    chain: Chain,
    *,
    until: date | None = None,
    weeks: int | None = None,
    every: bool = False,
    convention: str = "naive",
    rate: float = DEFAULT_RATE,
    move_expiration: date | None = None,
) -> GammaExposure:
    """GEX by strike over a window, net GEX, gamma walls, the gamma flip and the expected move.

    Parameters
    ----------
    chain
        The snapshot (needs a spot price).
    until, weeks, every
        The window: expirations up to ``until``, within ``weeks`` weeks (default 4 weeks), or all
        listed from the capture date on (``every``).
    convention
        ``naive`` or ``dealer-short`` (see :data:`CONVENTIONS`).
    rate
        Risk-free rate, a fraction.
    move_expiration
        The expiration of the expected move (default: the nearest at least one trading day out).

    Returns
    -------
    GammaExposure

    Raises
    ------
    InputError
        No spot price, an unknown convention, or conflicting window options.
    NotFoundError
        ``move_expiration`` or ``until`` not listed.
    """
    window = _window_of(chain, until, weeks, every)
    frame = chain.frame.filter(pl.col("expiration").is_in(list(window.expirations)))
    priced = price_contracts(chain, frame, convention=convention, rate=rate)
    spot, left_out = priced.spot, priced.left_out
    by_strike = gex_by_strike(frame, priced).drop("expiration")
    levels = spot * sweep_grid()
    keep = np.flatnonzero(priced.counted)
    totals = pricing.swept_gex(
        levels,
        priced.strikes[keep],
        priced.years[keep],
        priced.volatility[keep],
        float(rate),
        priced.weight[keep],
    )
    flip, flip_reason = nearest_flip(levels, totals, spot, convention, int(keep.shape[0]))
    return GammaExposure(
        ticker=chain.underlying,
        spot=spot,
        convention=convention,
        rate=float(rate),
        window=window,
        years={e: years_to_expiry(chain.meta.captured_at, e) for e in window.expirations},
        by_strike=by_strike,
        total_gex=float(by_strike.get_column("net_gex").sum()),
        call_gex=float(by_strike.get_column("call_gex").sum()),
        put_gex=float(by_strike.get_column("put_gex").sum()),
        sweep=pl.DataFrame({"level": levels, "total_gex": totals}),
        flip=flip,
        flip_reason=flip_reason,
        call_gamma_wall=_wall(by_strike, "call_gex"),
        put_gamma_wall=_wall(by_strike, "put_gex"),
        left_out=left_out,
        counted=int(keep.shape[0]),
        iv_source=priced.iv_source,
        expected_move=expected_move(chain, move_expiration),
        notes=priced.notes,
    )


@dataclass(frozen=True)
class PricedContracts:
    """The rows of a frame as the gamma kernels see them: strike, years, usable IV, signed weight
    (sign × OI × multiplier, 0 for a contract left out) and GEX at spot."""

    spot: float
    strikes: np.ndarray
    years: np.ndarray
    volatility: np.ndarray  # 0 where unusable
    weight: np.ndarray
    is_call: np.ndarray
    counted: np.ndarray  # OI > 0, time left, usable IV
    gex: np.ndarray
    left_out: dict[str, int]
    iv_source: str
    notes: list[str]


def price_contracts(
    chain: Chain, frame: pl.DataFrame, *, convention: str = "naive", rate: float = DEFAULT_RATE
) -> PricedContracts:
    """Each row's GEX at spot, and which rows count (open interest, time left, a usable IV).

    Parameters
    ----------
    chain
        The snapshot (spot, capture time, whether its source gave IV).
    frame
        Rows of ``chain`` (a window of it).
    convention, rate
        As :func:`gamma_exposure`.

    Returns
    -------
    PricedContracts

    Raises
    ------
    InputError
        No spot price, or an unknown convention.
    """
    call_sign, put_sign = _signs(convention)
    spot = chain.meta.spot
    if spot is None or not spot > 0:
        msg = f"the {chain.underlying} snapshot has no spot price: gamma exposure needs one"
        raise InputError(msg)
    iv, iv_source = usable_volatility(chain, frame, rate)
    years = _years(chain, frame)
    oi = frame.get_column("open_interest")
    holding = (oi.fill_null(0) > 0).to_numpy()
    expired = years <= 0.0
    no_iv = iv.is_null().to_numpy()
    counted = holding & ~expired & ~no_iv
    left_out = {
        "no_iv": int((holding & ~expired & no_iv).sum()),
        "expired": int((holding & expired).sum()),
        "unknown_oi": int(oi.null_count()),
    }
    notes = []
    if iv_source == IV_SOLVED:
        notes.append(
            f"this source gives no implied volatility: IV {IV_SOLVED} (Black–Scholes, rate {rate:g})"
        )
    if left_out["no_iv"]:
        notes.append(no_iv_note(left_out["no_iv"]))
    is_call = (frame.get_column("right") == "C").to_numpy()
    sign = np.where(is_call, float(call_sign), float(put_sign))
    size = oi.fill_null(0).to_numpy() * frame.get_column("multiplier").to_numpy()
    weight = np.where(counted, sign * size, 0.0).astype(np.float64)
    strikes = frame.get_column("strike").to_numpy().astype(np.float64)
    volatility = iv.fill_null(0.0).to_numpy().astype(np.float64)
    return PricedContracts(
        spot=float(spot),
        strikes=strikes,
        years=years,
        volatility=volatility,
        weight=weight,
        is_call=is_call,
        counted=counted,
        gex=pricing.dollar_gamma(float(spot), strikes, years, volatility, float(rate), weight),
        left_out=left_out,
        iv_source=iv_source,
        notes=notes,
    )


def gex_by_strike(
    frame: pl.DataFrame, priced: PricedContracts, *, by_expiration: bool = False
) -> pl.DataFrame:
    """Call, put and net GEX per strike (per expiration, or pooled): one kernel call over
    strike-sorted segments, keeping strikes with a counted contract.

    Parameters
    ----------
    frame
        The rows ``priced`` was made from.
    priced
        :func:`price_contracts` of ``frame``.
    by_expiration
        One segment per expiration (else one pooled segment).

    Returns
    -------
    polars.DataFrame
        ``expiration`` (null when pooled), ``strike, call_gex, put_gex, net_gex``.
    """
    units = frame.select(strike_thousandths(pl.col("strike"))).to_series().to_numpy()
    rows = np.flatnonzero(priced.counted)
    if by_expiration:
        days = frame.get_column("expiration").cast(pl.Int32).to_numpy()
        order = rows[np.lexsort((units[rows], days[rows]))]
        changes = np.flatnonzero(np.diff(days[order])) + 1
        offsets = np.concatenate(([0], changes, [order.shape[0]])).astype(np.int64)
    else:
        order = rows[np.argsort(units[rows], kind="stable")]
        offsets = np.array([0, order.shape[0]], dtype=np.int64)
    calls_in = np.where(priced.is_call[order], priced.gex[order], 0.0)
    puts_in = np.where(priced.is_call[order], 0.0, priced.gex[order])
    strike_units, calls, puts, new_offsets = kernels.sum_by_strike(units[order], calls_in, puts_in, offsets)
    expirations = pl.Series("expiration", [None] * strike_units.shape[0], dtype=pl.Date)
    if by_expiration and order.shape[0]:
        starts = days[order[offsets[:-1]]]
        expirations = pl.Series("expiration", np.repeat(starts, np.diff(new_offsets))).cast(pl.Date)
    return pl.DataFrame(
        {
            "expiration": expirations,
            "strike": strikes_of_units(pl.Series(strike_units)),
            "call_gex": calls,
            "put_gex": puts,
            "net_gex": calls + puts,
        },
        schema={
            "expiration": pl.Date,
            "strike": pl.Float64,
            "call_gex": pl.Float64,
            "put_gex": pl.Float64,
            "net_gex": pl.Float64,
        },
    )


def board_strikes(result: GammaExposure, *, max_pain: float | None, max_rows: int) -> pl.DataFrame:
    """The strikes a GEX board shows, highest first: the span from spot, the flip, the walls, max
    pain and the expected-move band, one listed strike beyond each end; when that is more than
    ``max_rows``, the strikes with the largest gross GEX in it (the walls, max pain and the strike
    nearest spot always kept).

    Parameters
    ----------
    result
        A :func:`gamma_exposure`.
    max_pain
        The window's pooled max pain (or None).
    max_rows
        At most this many strikes.

    Returns
    -------
    polars.DataFrame
        Rows of ``result.by_strike``.
    """
    frame = result.by_strike
    if frame.height == 0:
        return frame
    band = result.expected_move.band(result.spot)
    anchors = [
        v
        for v in (
            result.spot,
            result.flip,
            result.call_gamma_wall,
            result.put_gamma_wall,
            max_pain,
            *(band or ()),
        )
        if v is not None
    ]
    strikes = frame.get_column("strike")
    below = strikes.filter(strikes < min(anchors))
    above = strikes.filter(strikes > max(anchors))
    low = below.max() if below.len() else min(anchors)
    high = above.min() if above.len() else max(anchors)
    span = frame.filter(pl.col("strike").is_between(low, high))
    if span.height > max_rows:
        named = {v for v in (result.call_gamma_wall, result.put_gamma_wall, max_pain) if v is not None}
        named.add(min(strikes.to_list(), key=lambda s: (abs(s - result.spot), s)))
        span = (
            span.with_columns(
                gross=pl.col("call_gex").abs() + pl.col("put_gex").abs(),
                named=pl.col("strike").is_in(sorted(named)),
            )
            .sort(["named", "gross", "strike"], descending=[True, True, False])
            .head(max_rows)
            .drop("gross", "named")
        )
    return span.sort("strike", descending=True)


def _wall(by_strike: pl.DataFrame, column: str) -> float | None:
    """The strike where ``column`` is largest in size (the lowest on a tie); None when all 0.

    Under the naive convention this is the largest call GEX and the most negative put GEX; taking
    the size keeps the walls where the gamma is under either convention."""
    if by_strike.height == 0:
        return None
    size = by_strike.get_column(column).abs().to_numpy()
    if not size.max() > 0:
        return None
    return float(by_strike.get_column("strike")[int(np.argmax(size))])


def no_iv_note(count: int) -> str:
    """The note of a window where ``count`` contracts with open interest have no usable IV."""
    return f"{count:,} contracts with open interest have no usable IV: left out of GEX"
