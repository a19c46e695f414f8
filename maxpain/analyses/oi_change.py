"""Open-interest change between two snapshots A → B (DESIGN "Definitions").

Contracts are matched on (root, expiration, strike, right); a contract absent on one side counts as
0 there and is marked new or closed. OI is published once a day, so two snapshots of one trading day
show no change by construction, and a snapshot missing far more contracts than its neighbour is
suspicious: both are said in ``warnings``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import polars as pl

from maxpain import kernels
from maxpain.chain import Chain, strike_thousandths
from maxpain.errors import InputError
from maxpain.market import trading_day
from maxpain.quality import compare_open_contracts, open_contracts_by_expiration

_ROOT_SHIFT, _EXP_SHIFT, _RIGHT_SHIFT = 52, 36, 35


def _contract_keys(frame: pl.DataFrame, roots: dict[str, int]) -> np.ndarray:
    """(root, expiration, strike, right) packed into one sortable int64."""
    strikes = frame.select(strike_thousandths(pl.col("strike"))).to_series().to_numpy()
    if len(strikes) and strikes.max() >= 2**35:
        msg = "a strike above 34 million cannot be matched across snapshots"
        raise InputError(msg)
    days = frame.get_column("expiration").cast(pl.Int32).to_numpy().astype(np.int64)
    right = (frame.get_column("right") == "P").to_numpy().astype(np.int64)
    root = frame.get_column("root").replace_strict(roots, return_dtype=pl.Int64).to_numpy()
    return (root << _ROOT_SHIFT) | (days << _EXP_SHIFT) | (right << _RIGHT_SHIFT) | strikes


@dataclass
class OIChange:
    """Open-interest change between two snapshots A → B."""

    captured_from: datetime
    captured_to: datetime
    changes: pl.DataFrame  # one row per contract of the union
    by_expiration: pl.DataFrame
    by_strike: pl.DataFrame
    warnings: list[str]

    def build_ups(self, top: int = 10) -> pl.DataFrame:
        """The largest OI increases.

        Parameters
        ----------
        top
            Rows returned.

        Returns
        -------
        polars.DataFrame
            Rows of ``changes`` with ``change > 0``, largest first (ties: earlier expiration, lower
            strike).
        """
        return _largest_build_ups(self.changes, top)

    def largest_build_up(self) -> dict[str, Any] | None:
        """The largest build-up in a contract that does not expire on the later snapshot's trading
        day (a position in a contract expiring that day is not positioning for anything ahead).

        Returns
        -------
        dict or None
            The contract's row of ``changes``; None when no OI was added.
        """
        ahead = self.changes.filter(pl.col("expiration") > trading_day(self.captured_to))
        rows = _largest_build_ups(ahead, 1)
        return rows.row(0, named=True) if rows.height else None

    def changed(self) -> pl.DataFrame:
        """Every contract whose OI changed or is unknown.

        Returns
        -------
        polars.DataFrame
            Rows of ``changes`` whose status is not ``unchanged``, largest absolute change first,
            unknown changes last.
        """
        return self.changes.filter(pl.col("status") != "unchanged").sort(
            pl.col("change").abs(), "expiration", "strike", descending=[True, False, False], nulls_last=True
        )

    def unwinds(self, top: int = 10) -> pl.DataFrame:
        """The largest OI decreases.

        Parameters
        ----------
        top
            Rows returned.

        Returns
        -------
        polars.DataFrame
            Rows of ``changes`` with ``change < 0``, most negative first.
        """
        return self.changes.filter(pl.col("change") < 0).sort(["change", "expiration", "strike"]).head(top)


def _largest_build_ups(changes: pl.DataFrame, top: int) -> pl.DataFrame:
    return (
        changes.filter(pl.col("change") > 0)
        .sort(["change", "expiration", "strike"], descending=[True, False, False])
        .head(top)
    )


def open_interest_change(a: Chain, b: Chain, *, until: date | None = None) -> OIChange:
    """Contracts of A and B matched on (root, expiration, strike, right); a contract absent on one
    side counts as 0 there and is marked ``new`` or ``closed``. Expirations that expired before B
    was captured are left out (their contracts did not close, they expired).

    Parameters
    ----------
    a, b
        The earlier and the later snapshot of one underlying.
    until
        Only expirations up to this date.

    Returns
    -------
    OIChange
        ``changes`` has one row per contract of the union: ``expiration, strike, right, root,
        contract_symbol, oi_from, oi_to, change`` (null when either OI is unknown) and ``status``
        (new, closed, up, down, unchanged, unknown).

    Raises
    ------
    InputError
        Different underlyings, A captured after B, or too many option roots to match.
    """
    if a.meta.underlying != b.meta.underlying:
        msg = f"cannot compare {a.meta.underlying} with {b.meta.underlying}"
        raise InputError(msg)
    if a.meta.captured_at > b.meta.captured_at:
        msg = f"the first snapshot ({a.meta.captured_at:%Y-%m-%d %H:%M}) was captured after the second ({b.meta.captured_at:%Y-%m-%d %H:%M}); swap them"
        raise InputError(msg)
    first_live = trading_day(b.meta.captured_at)

    def live(frame: pl.DataFrame) -> pl.DataFrame:
        kept = frame.filter(pl.col("expiration") >= first_live)
        return kept.filter(pl.col("expiration") <= until) if until is not None else kept

    frame_a, frame_b = live(a.frame), live(b.frame)
    changes = _matched_changes(frame_a, frame_b)
    warnings: list[str] = []
    expired = a.frame.filter(pl.col("expiration") < first_live).get_column("expiration").n_unique()
    if expired:
        warnings.append(expired_message(expired))
    warnings.extend(_publication_warnings(a, b, changes))
    warnings.extend(_row_loss_warnings(a, b, frame_a, frame_b))
    for chain in (a, b):
        if chain.meta.partial:
            warnings.append(
                f"the snapshot of {chain.meta.captured_at:%Y-%m-%d %H:%M} UTC is partial: missing expirations count as closed/new"
            )
    return OIChange(a.meta.captured_at, b.meta.captured_at, changes, *_totals(changes), warnings)


_CHANGES_SCHEMA = {
    "expiration": pl.Date,
    "strike": pl.Float64,
    "right": pl.String,
    "root": pl.String,
    "contract_symbol": pl.String,
    "oi_from": pl.Int64,
    "oi_to": pl.Int64,
    "change": pl.Int64,
    "status": pl.String,
}
_CONTRACT_COLUMNS = ["expiration", "strike", "right", "root", "contract_symbol"]


def _matched_changes(frame_a: pl.DataFrame, frame_b: pl.DataFrame) -> pl.DataFrame:
    """One row per contract of the union of A and B, with its OI on each side and its status."""
    if frame_a.height == 0 and frame_b.height == 0:
        return pl.DataFrame(schema=_CHANGES_SCHEMA)
    roots = {
        r: i for i, r in enumerate(sorted(set(frame_a["root"].to_list()) | set(frame_b["root"].to_list())))
    }
    if len(roots) >= 2**10:
        msg = "too many option roots to match"
        raise InputError(msg)
    keys_a, keys_b = _contract_keys(frame_a, roots), _contract_keys(frame_b, roots)
    order_a, order_b = np.argsort(keys_a, kind="stable"), np.argsort(keys_b, kind="stable")
    index_a, index_b = kernels.merge_sorted_keys(
        np.ascontiguousarray(keys_a[order_a]), np.ascontiguousarray(keys_b[order_b])
    )
    rows_a = np.where(index_a >= 0, order_a[np.maximum(index_a, 0)] if len(order_a) else 0, -1)
    rows_b = np.where(index_b >= 0, order_b[np.maximum(index_b, 0)] if len(order_b) else 0, -1)
    columns = [*_CONTRACT_COLUMNS, "open_interest"]
    side_a = frame_a.select(columns)[np.maximum(rows_a, 0)] if frame_a.height else None
    side_b = frame_b.select(columns)[np.maximum(rows_b, 0)] if frame_b.height else None
    in_a, in_b = pl.Series(rows_a >= 0), pl.Series(rows_b >= 0)

    def pick(column: str) -> pl.Series:
        if side_a is None or side_b is None:
            return (side_b if side_a is None else side_a).get_column(column)  # type: ignore[union-attr]
        return pl.select(
            pl.when(in_a).then(side_a.get_column(column)).otherwise(side_b.get_column(column))
        ).to_series()

    unknown = pl.Series([None] * len(rows_a), dtype=pl.Int64)
    oi_from = side_a.get_column("open_interest") if side_a is not None else unknown
    oi_to = side_b.get_column("open_interest") if side_b is not None else unknown
    return (
        pl.DataFrame({c: pick(c) for c in _CONTRACT_COLUMNS})
        .with_columns(
            right=pl.col("right").cast(pl.String),
            oi_from=pl.when(in_a).then(oi_from).otherwise(0),
            oi_to=pl.when(in_b).then(oi_to).otherwise(0),
        )
        .with_columns(change=pl.col("oi_to") - pl.col("oi_from"))
        .with_columns(
            status=pl.when(pl.col("change").is_null())
            .then(pl.lit("unknown"))
            .when(~in_a)
            .then(pl.lit("new"))
            .when(~in_b)
            .then(pl.lit("closed"))
            .when(pl.col("change") > 0)
            .then(pl.lit("up"))
            .when(pl.col("change") < 0)
            .then(pl.lit("down"))
            .otherwise(pl.lit("unchanged"))
        )
    )


def _totals(changes: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Change by expiration (with the OI now and new/closed counts) and by strike."""
    calls, puts = pl.col("right") == "C", pl.col("right") == "P"
    by_expiration = (
        changes.group_by("expiration")
        .agg(
            call_change=pl.col("change").filter(calls).sum(),
            put_change=pl.col("change").filter(puts).sum(),
            call_oi_to=pl.col("oi_to").filter(calls).sum(),
            put_oi_to=pl.col("oi_to").filter(puts).sum(),
            new_contracts=(pl.col("status") == "new").sum(),
            closed_contracts=(pl.col("status") == "closed").sum(),
        )
        .with_columns(net_change=pl.col("call_change") + pl.col("put_change"))
        .sort("expiration")
    )
    by_strike = (
        changes.group_by("strike")
        .agg(call_change=pl.col("change").filter(calls).sum(), put_change=pl.col("change").filter(puts).sum())
        .with_columns(net_change=pl.col("call_change") + pl.col("put_change"))
        .sort("strike")
    )
    return by_expiration, by_strike


def _publication_warnings(a: Chain, b: Chain, changes: pl.DataFrame) -> list[str]:
    """OI is published once a day: same trading day, or identical OI across days, means no news."""
    day_a, day_b = trading_day(a.meta.captured_at), trading_day(b.meta.captured_at)
    identical = changes.height > 0 and int(changes.get_column("change").abs().sum() or 0) == 0
    return publication_messages(day_a, day_b, identical=identical)


def expired_message(expired: int) -> str:
    """The warning of a comparison whose first snapshot holds ``expired`` expirations that
    expired before the second was captured."""
    plural = expired != 1
    return (
        f"{expired} expiration{'s' if plural else ''} of the first snapshot expired before the "
        f"second and {'are' if plural else 'is'} left out"
    )


def publication_messages(day_a: date, day_b: date, *, identical: bool) -> list[str]:
    """The warnings of a comparison across trading days ``day_a`` → ``day_b`` (``identical``:
    no contract's open interest changed)."""
    if day_a == day_b:
        return [
            f"both snapshots are from the trading day {day_a}: open interest is published once a day, "
            "so there is no change by construction"
        ]
    if identical:
        return [
            f"open interest is identical on {day_a} and {day_b}: no new figures were published "
            "between them (a market holiday such as Thanksgiving, or a stale source)"
        ]
    return []


@dataclass(frozen=True)
class NearVersusLater:
    """Where the change sits: expirations through ``near_until`` against the later ones."""

    near_until: date
    near_calls: int
    near_puts: int
    later_calls: int
    later_puts: int

    @property
    def near_share_of_new_calls(self) -> float | None:
        """The near expirations' part of the call OI added: near / (near + later), the later
        part counted only when it grew (a later loss would push the share past 100%); None
        when the near expirations added no calls."""
        if self.near_calls <= 0:
            return None
        return self.near_calls / (self.near_calls + max(self.later_calls, 0))

    def to_json(self) -> dict[str, object]:
        """The split as JSON fields (dates ISO; the share null when undefined)."""
        return {
            "near_until": self.near_until.isoformat(),
            "near_calls": self.near_calls,
            "near_puts": self.near_puts,
            "later_calls": self.later_calls,
            "later_puts": self.later_puts,
            "near_share_of_new_calls": self.near_share_of_new_calls,
        }


def split_near_later(change: OIChange, *, near_weeks: int = 4) -> NearVersusLater:
    """Net call and put change in the near expirations and in the later ones.

    Parameters
    ----------
    change
        An :func:`open_interest_change` result.
    near_weeks
        Expirations up to this many weeks after the later snapshot's trading day are near.

    Returns
    -------
    NearVersusLater
    """
    near_until = trading_day(change.captured_to) + timedelta(weeks=near_weeks)
    frame = change.by_expiration
    near = frame.filter(pl.col("expiration") <= near_until)
    later = frame.filter(pl.col("expiration") > near_until)

    def total(part: pl.DataFrame, column: str) -> int:
        return int(part[column].sum() or 0)

    return NearVersusLater(
        near_until=near_until,
        near_calls=total(near, "call_change"),
        near_puts=total(near, "put_change"),
        later_calls=total(later, "call_change"),
        later_puts=total(later, "put_change"),
    )


def _row_loss_warnings(a: Chain, b: Chain, frame_a: pl.DataFrame, frame_b: pl.DataFrame) -> list[str]:
    """A snapshot listing far fewer open contracts than the other looks incomplete."""
    comparison = compare_open_contracts(
        open_contracts_by_expiration(frame_a), open_contracts_by_expiration(frame_b), from_day=date.min
    )
    side = comparison.thin_side
    if side is None:
        return []
    thin = a if side == "a" else b
    return [thin_message(thin.meta.captured_at, comparison.count_a, comparison.count_b)]


def thin_message(thin_at: datetime, count_a: int, count_b: int) -> str:
    """The warning of a comparison one of whose snapshots (captured at ``thin_at``) lists far
    fewer open contracts than the other (``count_a`` and ``count_b`` on the expirations both list)."""
    smaller, larger = sorted((count_a, count_b))
    return (
        f"the snapshot of {thin_at:%Y-%m-%d %H:%M} UTC lists far fewer open contracts "
        f"({smaller:,} vs {larger:,}): it looks incomplete (Yahoo zeroes OI around half-days), so "
        "changes into or out of it are unreliable"
    )
