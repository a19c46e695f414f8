"""Array plumbing shared by the analyses: strike-ordered segments and the kernels' view of a frame.

A *segment* is a run of rows that one kernel call treats as one unit: ``by=["expiration"]`` makes
one segment per expiration, ``by=[]`` one segment of the whole frame (a pooled window); any other
key columns (ticker, snapshot, ...) work the same way. Inside a segment rows are sorted by strike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from maxpain.chain import RIGHT_DTYPE, STRIKE_SCALE, strike_thousandths

if TYPE_CHECKING:  # numpy loads with the kernels, not with this module (one-ticker commands skip it)
    import numpy as np


@dataclass(frozen=True)
class Segments:
    """A frame ordered by (keys..., strike), its group keys (one row per segment) and the segment
    offsets into it: what the kernels consume. Build it once with :func:`segment` and share it
    between analyses of the same frame."""

    frame: pl.DataFrame
    keys: pl.DataFrame
    offsets: np.ndarray


@dataclass(frozen=True)
class ContractArrays:
    """The kernels' view of a chain-shaped frame, as contiguous numpy arrays: strike as float and in
    thousandths, put flag (physical code of the C/P enum), OI and volume (−1 = unknown), and
    multiplier."""

    strike: np.ndarray
    strike_units: np.ndarray
    is_put: np.ndarray
    open_interest: np.ndarray
    volume: np.ndarray
    multiplier: np.ndarray


def _ordered(frame: pl.DataFrame, columns: Sequence[str]) -> bool:
    """True when rows are already in non-decreasing lexicographic order of ``columns``
    (snapshots read from the store are), so the sort can be skipped."""
    if frame.height < 2:
        return True
    condition: pl.Expr = pl.lit(True)
    for name in reversed(columns):
        column, previous = pl.col(name), pl.col(name).shift(1)
        condition = (column > previous) | ((column == previous) & condition)
    return bool(frame.select(condition.fill_null(True).all()).item())


def segment(frame: pl.DataFrame, by: Sequence[str]) -> Segments:
    """Order ``frame`` by (by..., strike) (skipped when it already is) and find its segments.

    Parameters
    ----------
    frame
        Any frame with a ``strike`` column and the ``by`` columns.
    by
        Key columns: one segment per distinct key, in key order; ``[]`` = one segment.

    Returns
    -------
    Segments
    """
    import numpy as np

    columns = [*by, "strike"]
    ordered = frame if _ordered(frame, columns) else frame.sort(columns)
    if not by or ordered.height == 0:
        offsets = np.array([0, ordered.height], dtype=np.int64)
        return Segments(ordered, pl.DataFrame(), offsets)
    changed: pl.Expr = pl.lit(False)
    for name in by:
        changed = changed | (pl.col(name) != pl.col(name).shift(1))
    starts = np.flatnonzero(ordered.select(changed.fill_null(True)).to_series().to_numpy())
    offsets = np.append(starts, ordered.height).astype(np.int64)
    return Segments(ordered, ordered.select(list(by))[starts], offsets)


def put_codes(frame: pl.DataFrame) -> np.ndarray:
    """1 for a put, 0 for a call, per row of ``frame``: the right's physical code (uint32; no
    copy when the column is already of :data:`~maxpain.chain.RIGHT_DTYPE`)."""
    right = frame.get_column("right")
    if right.dtype != RIGHT_DTYPE:
        right = right.cast(pl.String).cast(RIGHT_DTYPE)
    return right.to_physical().to_numpy()


def contract_arrays(ordered: pl.DataFrame) -> ContractArrays:
    """The kernels' arrays of a frame with ``strike, right, open_interest, volume, multiplier``."""
    import numpy as np

    columns = ordered.select(
        strike_units=strike_thousandths(pl.col("strike")),
        open_interest=pl.col("open_interest").fill_null(-1),
        volume=pl.col("volume").fill_null(-1),
    )
    return ContractArrays(
        strike=np.ascontiguousarray(ordered.get_column("strike").to_numpy(), dtype=np.float64),
        strike_units=np.ascontiguousarray(columns.get_column("strike_units").to_numpy(), dtype=np.int64),
        is_put=np.ascontiguousarray(put_codes(ordered), dtype=np.uint32),
        open_interest=np.ascontiguousarray(columns.get_column("open_interest").to_numpy(), dtype=np.int64),
        volume=np.ascontiguousarray(columns.get_column("volume").to_numpy(), dtype=np.int64),
        multiplier=np.ascontiguousarray(ordered.get_column("multiplier").to_numpy(), dtype=np.int64),
    )


def from_thousandths(values: np.ndarray) -> np.ndarray:
    """Kernel strikes or payouts (thousandths) back in currency units."""
    return values / float(STRIKE_SCALE)


def rows_where(frame: pl.DataFrame, mask: np.ndarray) -> pl.DataFrame:
    """The rows of ``frame`` where ``mask`` holds: a slice (no copy) when they are one run of
    rows, else a filter (which copies every column it keeps)."""
    import numpy as np

    rows = np.flatnonzero(mask)
    if rows.shape[0] and int(rows[-1] - rows[0]) + 1 == rows.shape[0]:
        return frame.slice(int(rows[0]), rows.shape[0])
    return frame.filter(pl.Series(mask))


def in_expirations(frame: pl.DataFrame, expirations: Sequence[date]) -> pl.DataFrame:
    """The rows of ``frame`` whose expiration is one of ``expirations``."""
    return frame.filter(pl.col("expiration").is_in(list(expirations)))


def ratio(numerator: str, denominator: str) -> pl.Expr:
    """numerator / denominator, null where the denominator is not positive."""
    return (
        pl.when(pl.col(denominator) > 0)
        .then(pl.col(numerator) / pl.col(denominator))
        .otherwise(None)
        .cast(pl.Float64)
    )
