"""Max pain of a chain (DESIGN "Definitions"): per expiration, pooled over a window, and the payout
curve, each built on the segment engine of :mod:`maxpain.analyses.max_pain_segments`.

payout(K) = Σ_calls mult·OI·max(0, K−k) + Σ_puts mult·OI·max(0, k−K) over the listed strikes K;
max pain = argmin, ties to the lowest strike. Unknown OI is left out and counted; all-zero OI is
undefined (null with a reason), never a made-up strike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl

from maxpain.analyses._frames import in_expirations, ratio
from maxpain.analyses.max_pain_segments import (
    COUNTS,
    REASONS,
    collected,
    max_pain_table,
    ranked_lists,
    segment_query,
)
from maxpain.analyses.window import Window, require_listed
from maxpain.chain import Chain
from maxpain.limits import EXACT_LIMIT, TOO_LARGE, jit_threshold

NO_PUTS = "no puts listed (the source listed calls only): max pain undefined"
NO_CALLS = "no calls listed (the source listed puts only): max pain undefined"


def expiration_table(
    frame: pl.DataFrame, by: Sequence[str] = (), *, top: int = 0, compiled: bool | None = None
) -> pl.DataFrame:
    """Max pain of every expiration (of every ``by`` key) with the one-sided rule applied.

    Parameters
    ----------
    frame
        Chain-shaped rows (one chain, or many keyed by ``by``: snapshots, tickers).
    by
        Keys above the expiration.
    compiled
        As :func:`max_pain_table`.

    Returns
    -------
    polars.DataFrame
        :func:`max_pain_table` by ``[*by, "expiration"]``, plus ``calls_listed``, ``puts_listed``,
        ``open_contracts`` (OI > 0) and ``note`` (set when the source listed only calls or only puts for that expiration: its
        max pain is then null, with the note as its ``reason``).
    """
    keys = [*by, "expiration"]
    if not (frame.height >= jit_threshold() if compiled is None else compiled):
        table = collected(segment_query(frame, keys, top=top))
        if top:
            table = ranked_lists(table)
    else:
        table = max_pain_table(frame, keys, compiled=True).join(
            frame.group_by(keys).agg(
                calls_listed=(pl.col("right") == "C").sum().cast(pl.Int64),
                puts_listed=(pl.col("right") == "P").sum().cast(pl.Int64),
                open_contracts=(pl.col("open_interest") > 0).sum().cast(pl.Int64),
            ),
            on=keys,
            how="left",
            maintain_order="left",
        )
    return table.with_columns(note=one_sided_note()).with_columns(
        max_pain=pl.when(pl.col("note").is_null()).then(pl.col("max_pain")),
        min_payout=pl.when(pl.col("note").is_null()).then(pl.col("min_payout")),
        reason=pl.coalesce(pl.col("note"), pl.col("reason")),
    )


def one_sided_note() -> pl.Expr:
    """Why an expiration has no max pain when its source listed only calls or only puts (from
    ``calls_listed`` and ``puts_listed``), else null. An expiration listing one side is a source
    defect (a collector that wrote the calls twice and the puts never): max pain over half a chain
    is not max pain, so it is undefined."""
    return (
        pl.when(pl.col("puts_listed") == 0)
        .then(pl.lit(NO_PUTS))
        .when(pl.col("calls_listed") == 0)
        .then(pl.lit(NO_CALLS))
        .otherwise(None)
    )


def max_pain_by_expiration(chain: Chain) -> pl.DataFrame:
    """Max pain of every expiration of ``chain`` with what a trader reads beside it.

    Parameters
    ----------
    chain
        The snapshot.

    Returns
    -------
    polars.DataFrame
        :func:`max_pain_table` by ``expiration``, plus ``distance_to_spot`` (max pain − spot),
        ``put_call_oi_ratio``, ``put_call_volume_ratio`` and ``note`` (see :func:`expiration_table`).
    """
    table = expiration_table(chain.frame)
    spot = chain.meta.spot
    return table.with_columns(
        distance_to_spot=(pl.col("max_pain") - spot) if spot is not None else pl.lit(None, dtype=pl.Float64),
        put_call_oi_ratio=ratio("put_oi", "call_oi"),
        put_call_volume_ratio=ratio("put_volume", "call_volume"),
    ).select(
        "expiration",
        *COUNTS,
        "max_pain",
        "min_payout",
        "reason",
        "distance_to_spot",
        "put_call_oi_ratio",
        "put_call_volume_ratio",
        "note",
    )


def rows_of(table: pl.DataFrame, expirations: Sequence[date]) -> pl.DataFrame:
    """The rows of a :func:`max_pain_by_expiration` table for ``expirations`` (in table order).

    Parameters
    ----------
    table
        A per-expiration table.
    expirations
        The expirations to keep.

    Returns
    -------
    polars.DataFrame
    """
    return table.filter(pl.col("expiration").is_in(list(expirations)))


def one_sided_notes(table: pl.DataFrame) -> dict[date, str]:
    """The expirations whose source listed only calls or only puts, with why.

    Parameters
    ----------
    table
        A :func:`max_pain_by_expiration` table (or rows of it).

    Returns
    -------
    dict
        Expiration → note (e.g. "no puts listed …").
    """
    noted = table.filter(pl.col("note").is_not_null())
    return dict(zip(noted["expiration"].to_list(), noted["note"].to_list(), strict=True))


def one_sided_warnings(table: pl.DataFrame) -> list[str]:
    """Warnings for the expirations whose source listed only calls or only puts.

    Parameters
    ----------
    table
        A :func:`max_pain_by_expiration` table (or rows of it).

    Returns
    -------
    list of str
        ``"<expiration>: <note>"`` for each such expiration.
    """
    return [f"{expiration}: {note}" for expiration, note in one_sided_notes(table).items()]


@dataclass(frozen=True)
class PooledMaxPain:
    """Max pain of a set of expirations pooled: ``strike`` None when undefined, with ``reason``."""

    strike: float | None
    payout: float | None
    reason: str | None
    call_oi: int
    put_oi: int
    contracts: int

    @property
    def defined(self) -> bool:
        return self.strike is not None


def pooled_max_pain(chain: Chain, window: Window) -> PooledMaxPain:
    """Max pain of all the window's contracts pooled; candidates = the union of their strikes.

    Parameters
    ----------
    chain
        The snapshot.
    window
        The expirations pooled.

    Returns
    -------
    PooledMaxPain
        ``strike`` None with a ``reason`` when undefined (no expiration, no OI, too large).
    """
    if not window.expirations:
        return PooledMaxPain(None, None, f"no expiration between {window.start} and {window.until}", 0, 0, 0)
    row = max_pain_table(in_expirations(chain.frame, window.expirations), []).row(0, named=True)
    return PooledMaxPain(
        row["max_pain"],
        row["min_payout"],
        row["reason"],
        row["call_oi"] or 0,
        row["put_oi"] or 0,
        row["contracts"],
    )


def payout_by_strike(chain: Chain, expirations: Sequence[date]) -> pl.DataFrame | None:
    """Payout to option holders at every listed strike of the pooled ``expirations``.

    Parameters
    ----------
    chain
        The snapshot.
    expirations
        The expirations pooled.

    Returns
    -------
    polars.DataFrame or None
        ``strike, call_payout, put_payout, total_payout`` (currency), strike ascending; None when
        the payouts exceed exact int64 arithmetic (the bound max pain checks, see
        :data:`maxpain.limits.EXACT_LIMIT`): never a silently wrapped number.
    """
    import numpy as np

    from maxpain import kernels
    from maxpain.analyses._frames import contract_arrays, from_thousandths

    arrays = contract_arrays(in_expirations(chain.frame, expirations).sort("strike"))
    call_weight, put_weight = kernels.contract_weights(arrays.is_put, arrays.open_interest, arrays.multiplier)
    if len(arrays.strike_units):
        weight = float(call_weight.sum(dtype=np.float64) + put_weight.sum(dtype=np.float64))
        span = float(arrays.strike_units[-1] - arrays.strike_units[0])
        if weight * span > EXACT_LIMIT:
            return None
    strikes, call_payout, put_payout = kernels.payout_at_strikes(arrays.strike_units, call_weight, put_weight)
    return pl.DataFrame(
        {
            "strike": from_thousandths(strikes),
            "call_payout": from_thousandths(call_payout),
            "put_payout": from_thousandths(put_payout),
            "total_payout": from_thousandths(call_payout + put_payout),
        }
    )


@dataclass(frozen=True)
class PainStudy:
    """What ``pain`` shows: the expiration table (all, or the ones asked for), the window's pooled
    max pain, and the payout curve of the chosen expirations with their pooled max pain."""

    window: Window
    expirations: pl.DataFrame
    pooled: PooledMaxPain
    curve_window: Window | None
    curve_max_pain: PooledMaxPain | None
    curve: pl.DataFrame | None
    curve_reason: str | None  # why there is no curve for a chosen window
    warnings: list[str]
    expiries_chosen: bool

    @property
    def curve_label(self) -> str:
        """What the curve pools: the chosen expirations, or the window."""
        if self.expiries_chosen and self.curve_window is not None:
            return ", ".join(e.isoformat() for e in self.curve_window.expirations)
        return f"window {self.window.start} to {self.window.until}"


def pain_study(chain: Chain, window: Window, expiries: Sequence[date] = ()) -> PainStudy:
    """Max pain by expiration and the payout curve for ``expiries`` (pooled when several), else
    for the window.

    Parameters
    ----------
    chain
        The snapshot.
    window
        The window whose pooled max pain is reported (and whose curve, without ``expiries``).
    expiries
        Expirations the table and the curve are restricted to.

    Returns
    -------
    PainStudy

    Raises
    ------
    NotFoundError
        An expiration in ``expiries`` that the snapshot does not list.
    """
    require_listed(chain, expiries)
    table = max_pain_by_expiration(chain)
    shown = rows_of(table, expiries) if expiries else table
    curve_expirations = tuple(sorted(expiries)) if expiries else window.expirations
    curve_window = Window.of_expirations(window.start, curve_expirations) if curve_expirations else None
    curve_pain = pooled_max_pain(chain, curve_window) if curve_window else None
    curve = payout_by_strike(chain, curve_expirations) if curve_window else None
    curve_reason = REASONS[TOO_LARGE] if curve_window and curve is None else None
    return PainStudy(
        window=window,
        expirations=shown,
        pooled=pooled_max_pain(chain, window),
        curve_window=curve_window,
        curve_max_pain=curve_pain,
        curve=curve,
        curve_reason=curve_reason,
        warnings=chain.warnings + one_sided_warnings(shown),
        expiries_chosen=bool(expiries),
    )


def curve_rows(
    curve: pl.DataFrame, *, spot: float | None, max_pain: float | None, max_rows: int
) -> pl.DataFrame:
    """The strikes of a payout curve worth drawing.

    From a little below the lower of spot and max pain to a little above the higher (a quarter of
    their gap, and four listed strikes beyond), thinned evenly to ``max_rows`` (max pain kept).

    Parameters
    ----------
    curve
        A :func:`payout_by_strike` frame.
    spot, max_pain
        The anchors (either may be None).
    max_rows
        Rows at most (plus max pain).

    Returns
    -------
    polars.DataFrame
        The chosen rows of ``curve``.
    """
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
