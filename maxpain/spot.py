"""Spot estimated from the chain itself, for sources that do not record the underlying price."""

from __future__ import annotations

import polars as pl

#: Put-call parity is read at this many of the nearest expirations with three strikes quoted on both sides.
_PARITY_EXPIRATIONS = 5


def _parity_spot(frame: pl.DataFrame, *, on_last: bool = False) -> tuple[float | None, str | None]:
    if on_last:  # a source without quotes: the last trades (near the money they are recent)
        quoted = frame.filter(pl.col("last") > 0).with_columns(mid=pl.col("last"))
    else:
        quoted = frame.filter(
            (pl.col("bid") > 0) & (pl.col("ask") > 0) & (pl.col("ask") >= pl.col("bid"))
        ).with_columns(mid=(pl.col("bid") + pl.col("ask")) / 2)
    estimates: list[tuple[float, str]] = []
    for (expiration,), group in quoted.sort("expiration").group_by("expiration", maintain_order=True):
        calls = group.filter(pl.col("right") == "C").group_by("strike").agg(call_mid=pl.col("mid").mean())
        puts = group.filter(pl.col("right") == "P").group_by("strike").agg(put_mid=pl.col("mid").mean())
        pairs = calls.join(puts, on="strike", how="inner")
        if pairs.height < 3:
            continue
        pairs = pairs.with_columns(gap=(pl.col("call_mid") - pl.col("put_mid")).abs()).sort("gap").head(3)
        values = pairs.select(pl.col("strike") + pl.col("call_mid") - pl.col("put_mid")).to_series()
        value = float(values.median())  # type: ignore[arg-type]
        if value > 0:
            estimates.append((value, str(expiration)))
        if len(estimates) == _PARITY_EXPIRATIONS:
            break
    if not estimates:
        return None, None
    # the median over the nearest expirations: one with stale prices (expiring that day) is outvoted
    value, expiration = sorted(estimates)[(len(estimates) - 1) // 2]
    where = (
        f"at {expiration}"
        if len(estimates) == 1
        else f"median of {len(estimates)} expirations from {estimates[0][1]}"
    )
    return value, f"put-call parity{' on last trades' if on_last else ''}, {where}"


def _itm_boundary(frame: pl.DataFrame, in_the_money: pl.Series | None) -> tuple[float, float] | None:
    if in_the_money is None:
        return None
    calls = frame.with_columns(itm=in_the_money).filter(pl.col("right") == "C")
    itm = calls.filter(pl.col("itm") == True)["strike"]  # noqa: E712
    otm = calls.filter(pl.col("itm") == False)["strike"]  # noqa: E712
    if itm.len() and otm.len():
        low, high = float(itm.max()), float(otm.min())  # type: ignore[arg-type]
        if low < high:
            return low, high
    return None


def estimate_spot(
    frame: pl.DataFrame, in_the_money: pl.Series | None = None
) -> tuple[float | None, str | None]:
    """Estimate the underlying price from the chain itself.

    Two witnesses. The source's in-the-money flags were set against its own spot at capture
    (an ITM call has K < S), so the highest ITM call strike and the lowest OTM one bracket the
    spot. Put–call parity at the nearest expiration with two-sided quotes, C − P ≈ S − K (rates
    and dividends are negligible over days), gives S ≈ K + C_mid − P_mid: the median over the three
    strikes nearest the money (on last trades when the source has no two-sided quotes). Option quotes can lag the underlying, so the bracket wins: parity
    is used when it falls inside it (or when there is no bracket), else the bracket's midpoint.
    """
    parity, parity_method = _parity_spot(frame)
    if parity is None:
        parity, parity_method = _parity_spot(frame, on_last=True)
    bracket = _itm_boundary(frame, in_the_money)
    if bracket is None:
        return parity, parity_method
    low, high = bracket
    if parity is not None and low < parity < high:
        return parity, f"{parity_method}, inside the in-the-money bracket {low:g}-{high:g}"
    detail = f" (put-call parity gave {parity:.2f})" if parity is not None else ""
    return (low + high) / 2, f"midpoint of the in-the-money bracket {low:g}-{high:g}{detail}"
