"""A stored snapshot against its stored neighbours: is it complete, and is it a copy of the day
before? Read from the ticker's catalog (footer fields and per-expiration summaries), in one polars
pass over every snapshot asked about, so a listing of 10,000 snapshots checks them all at once.
(The completeness rule itself is :mod:`maxpain.quality`.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import polars as pl

from maxpain import quality
from maxpain.footer import SnapshotInfo
from maxpain.market import NEW_YORK
from maxpain.store import Store

#: How a copy's warning starts (views and listings recognise it by this).
COPY_PREFIX = "identical to"
#: Positions this few contracts cannot tell a copy from a quiet day.
_MIN_CONTRACTS_FOR_COPY = 20
#: Neighbours compared on each side (so that a run of thin snapshots still meets a complete one).
_EACH_SIDE = 3


def copy_message(day: object, contracts: int) -> str:
    """The warning of a snapshot that holds its previous trading day's positions."""
    return (
        f"{COPY_PREFIX} {day}: market holiday or stale source (the same {contracts:,} contracts and "
        f"open interest as the snapshot of {day}; OI changes against it are zero)"
    )


def warnings_frame(frame: pl.DataFrame, ids: Sequence[str] | None = None) -> pl.DataFrame:
    """What comparing snapshots with their neighbours shows.

    Parameters
    ----------
    frame
        One ticker's catalog (:meth:`Store.catalog`), with its summaries.
    ids
        Only these snapshots (default: every intact one).

    Returns
    -------
    polars.DataFrame
        ``id, warnings`` (list of text): ``identical to <day>: …`` when it holds exactly the
        contracts and open interest of the snapshot stored last on the previous trading day (a
        market holiday's copy, or a source that did not update); else ``incomplete snapshot: …``
        when it lists far fewer open contracts than most of its neighbours (see
        :func:`maxpain.quality.incomplete_message`). Snapshots with neither are left out.
    """
    intact = (
        frame.filter(pl.col("damaged").is_null() & pl.col("captured_at").is_not_null())
        .with_row_index("i")
        .with_columns(day=pl.col("captured_at").dt.convert_time_zone(NEW_YORK.key).dt.date())
    )
    targets = intact if ids is None else intact.filter(pl.col("id").is_in(list(ids)))
    if targets.height == 0:
        return pl.DataFrame(schema={"id": pl.String, "warnings": pl.List(pl.String)})
    copies = _copies(intact, targets)
    thin = _incomplete(intact, targets)
    both = (
        targets.select("id")
        .join(copies, on="id", how="left")
        .join(thin, on="id", how="left")
        .with_columns(warning=pl.coalesce("copy", "incomplete"))  # a copy is as complete as its original
        .filter(pl.col("warning").is_not_null())
    )
    return both.select("id", warnings=pl.concat_list("warning"))


def _copies(intact: pl.DataFrame, targets: pl.DataFrame) -> pl.DataFrame:
    """``id, copy``: the copy warning of the targets that are copies."""
    last_per_day = intact.group_by("day").agg(pl.all().sort_by("i").last()).sort("day")
    previous = last_per_day.select(
        "day",
        previous_day=pl.col("day").shift(1),
        previous_contracts=pl.col("contracts").shift(1),
        previous_positions=pl.col("positions").shift(1),
    )
    matched = targets.join(previous, on="day", how="left").filter(
        (pl.col("contracts") >= _MIN_CONTRACTS_FOR_COPY)
        & (pl.col("positions") != "")
        & (pl.col("positions") == pl.col("previous_positions"))
        & (pl.col("contracts") == pl.col("previous_contracts"))
    )
    messages = [
        copy_message(day, contracts)
        for day, contracts in zip(
            matched["previous_day"].to_list(), matched["contracts"].to_list(), strict=True
        )
    ]
    return pl.DataFrame({"id": matched["id"], "copy": pl.Series(messages, dtype=pl.String)})


def _incomplete(intact: pl.DataFrame, targets: pl.DataFrame) -> pl.DataFrame:
    """``id, incomplete``: the completeness warning of the targets that look incomplete."""
    offsets = pl.DataFrame({"offset": [o for o in range(-_EACH_SIDE, _EACH_SIDE + 1) if o]})
    times = intact.select(j="i", neighbour_at="captured_at")
    pairs = (
        targets.select("i", "id", "captured_at")
        .join(offsets, how="cross")
        .with_columns(j=pl.col("i").cast(pl.Int64) + pl.col("offset"))
        .join(times.with_columns(pl.col("j").cast(pl.Int64)), on="j", how="inner")
        .with_columns(apart=(pl.col("neighbour_at") - pl.col("captured_at")).abs())
        .filter(pl.col("apart") <= timedelta(days=quality.NEIGHBOUR_DAYS))
        .with_columns(
            from_day=pl.max_horizontal("captured_at", "neighbour_at")
            .dt.convert_time_zone(NEW_YORK.key)
            .dt.date()
        )
    )
    if pairs.height == 0:
        return pl.DataFrame(schema={"id": pl.String, "incomplete": pl.String})
    wanted = set(pairs["i"].to_list()) | set(pairs["j"].to_list())
    counts = (
        intact.filter(pl.col("i").is_in(list(wanted)))
        .select(pl.col("i").cast(pl.Int64), "summary")
        .explode("summary")
        .unnest("summary")
        .select("i", "expiration", "open_contracts")
    )
    compared = (
        pairs.with_columns(pl.col("i").cast(pl.Int64))
        .join(counts, on="i")
        .join(counts.rename({"i": "j", "open_contracts": "theirs"}), on=["j", "expiration"])
        .filter(pl.col("expiration") >= pl.col("from_day"))
        .group_by("id", "j", "offset", "apart", "neighbour_at")
        .agg(count_a=pl.col("open_contracts").sum(), count_b=pl.col("theirs").sum())
        .filter(pl.max_horizontal("count_a", "count_b") >= quality.MIN_COMMON)
        .with_columns(thin=quality.thin_expr(pl.col("count_a"), pl.col("count_b")))
    )
    verdict = (
        compared.sort("id", "apart", "offset")
        .group_by("id")
        .agg(
            compared=pl.len(),
            thin=pl.col("thin").sum(),
            nearest=pl.struct("neighbour_at", "count_a", "count_b").filter(pl.col("thin")).first(),
        )
        .filter(pl.col("thin") * 2 > pl.col("compared"))
        .unnest("nearest")
    )
    messages = [
        quality.incomplete_message(at, a, b)
        for at, a, b in zip(
            verdict["neighbour_at"].to_list(),
            verdict["count_a"].to_list(),
            verdict["count_b"].to_list(),
            strict=True,
        )
    ]
    return pl.DataFrame({"id": verdict["id"], "incomplete": pl.Series(messages, dtype=pl.String)})


def neighbour_warnings(store: Store, info: SnapshotInfo) -> list[str]:
    """What comparing one stored snapshot with its stored neighbours shows (see
    :func:`warnings_frame`); nothing for a damaged one."""
    if info.damaged:
        return []
    found = warnings_frame(store.catalog(info.ticker), [info.id])
    return found["warnings"][0].to_list() if found.height else []


def check_neighbours(store: Store, listed: list[SnapshotInfo]) -> list[SnapshotInfo]:
    """Set each listed snapshot's ``warnings`` from :func:`warnings_frame`.

    Parameters
    ----------
    store
        The store holding them.
    listed
        Snapshots from :meth:`Store.snapshots` (of one or several tickers).

    Returns
    -------
    list of SnapshotInfo
        ``listed``, checked.
    """
    found: dict[tuple[str, str], list[str]] = {}
    for ticker in sorted({s.ticker for s in listed}):
        checked = warnings_frame(store.catalog(ticker))
        for snapshot, warnings in zip(checked["id"].to_list(), checked["warnings"].to_list(), strict=True):
            found[(ticker, snapshot)] = warnings
    for info in listed:
        info.warnings = [] if info.damaged else found.get((info.ticker, info.id), [])
    return listed
