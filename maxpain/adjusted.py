"""Adjusted option roots: contracts whose deliverable is not the standard 100 shares.

After a split, a reverse split or a special dividend, listed contracts are adjusted: they keep
their strike and their 100 multiplier but deliver something else (Schwab's ``VXX2`` delivers 25
VXX shares). Pooling them with standard contracts at face value counts each as 100 shares at its
listed strike: wrong by the adjustment factor. Analyses leave them out by default
(:func:`standard_chain`); pooled, they count at what they deliver: a contract delivering ``n``
shares for ``strike × multiplier`` dollars is ``n`` shares struck at ``strike × multiplier / n``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping

import polars as pl

from maxpain.chain import Chain

_SHARES = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+([A-Z0-9.\-^]+)\s*$")


def deliverable_shares(deliverable: str, underlying: str) -> float | None:
    """Shares of ``underlying`` an adjusted contract delivers, when that is all it delivers
    (``25 VXX`` → 25.0); None for cash or other securities (those cannot be pooled)."""
    match = _SHARES.match(deliverable.upper())
    if match is None or match.group(2) != underlying.upper():
        return None
    shares = float(match.group(1))
    return shares if shares > 0 and shares.is_integer() else None


def standard_frame(frame: pl.DataFrame, adjusted_roots: Mapping[str, str]) -> pl.DataFrame:
    """The rows the views read by default: ``frame`` without the contracts of adjusted roots (what
    :func:`standard_chain` keeps without ``include_adjusted``)."""
    if not adjusted_roots:
        return frame
    return frame.filter(~pl.col("root").is_in(list(adjusted_roots)))


def _counts(chain: Chain) -> dict[str, int]:
    roots = chain.frame.get_column("root")
    return {root: int((roots == root).sum()) for root in chain.meta.adjusted_roots}


def standard_chain(
    chain: Chain, *, include_adjusted: bool = False, hint: str = "pool them on request"
) -> Chain:
    """The chain the analyses read: adjusted roots left out, or pooled at their deliverable.

    Parameters
    ----------
    chain
        A chain whose ``meta.adjusted_roots`` names its adjusted roots (most have none: then it is
        returned as it is).
    include_adjusted
        Pool adjusted contracts that deliver shares of the underlying, re-expressed as ``n``
        shares at ``strike × multiplier / n``; those that deliver cash or other securities are
        still left out.

    hint
        How the note left-out contracts get says to pool them (a front end names its own option).

    Returns
    -------
    Chain
        A new chain, with a note saying what was left out or re-expressed.
    """
    adjusted = chain.meta.adjusted_roots
    if not adjusted:
        return chain
    frame = chain.frame
    notes: list[str] = []
    for root, deliverable in adjusted.items():
        rows = frame.filter(pl.col("root") == root)
        if not rows.height:
            continue
        shares = deliverable_shares(deliverable, chain.underlying) if include_adjusted else None
        if shares is None:
            frame = frame.filter(pl.col("root") != root)
            why = (
                "it delivers more than shares of the underlying"
                if include_adjusted
                else "pool them on request"
            )
            notes.append(
                f"{rows.height} contracts of the adjusted root {root} ({deliverable} each) left out of the "
                f"figures ({why})"
            )
            continue
        frame = frame.with_columns(
            strike=pl.when(pl.col("root") == root)
            .then((pl.col("strike") * pl.col("multiplier") / shares).round(3))
            .otherwise(pl.col("strike")),
            multiplier=pl.when(pl.col("root") == root)
            .then(pl.lit(round(shares)).cast(pl.Int32))
            .otherwise(pl.col("multiplier")),
        )
        notes.append(
            f"{rows.height} contracts of the adjusted root {root} pooled as {shares:g} {chain.underlying} shares "
            f"each, at strike × {int(rows['multiplier'][0]) / shares:g}"
        )
    # the stored note ("… kept apart from the standard contracts") is replaced by what was done
    kept = [
        n
        for n in chain.meta.notes
        if not any(
            n.startswith(f"{c} contracts of the adjusted root {r} deliver") for r, c in _counts(chain).items()
        )
    ]
    meta = dataclasses.replace(chain.meta, notes=[*kept, *notes])
    return Chain(frame=frame.sort(["expiration", "strike", "right", "root"]), meta=meta)
