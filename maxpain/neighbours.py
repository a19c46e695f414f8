"""A stored snapshot against its stored neighbours: is it complete, and is it a copy of the day
before? Read from the ticker's catalog (footer fields and per-expiration summaries), in one polars
pass over every snapshot asked about, so a listing of 10,000 snapshots checks them all at once.
(The completeness rule itself is :mod:`maxpain.quality`.)"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

import polars as pl

from maxpain import quality
from maxpain.catalog import LISTING_COLUMNS
from maxpain.catalog import summaries as catalog_summaries
from maxpain.footer import SnapshotInfo
from maxpain.market import NEW_YORK
from maxpain.store import Store

#: How a copy's warning starts (views and listings recognise it by this).
COPY_PREFIX = "identical to"
#: Positions this few contracts cannot tell a copy from a quiet day.
_MIN_CONTRACTS_FOR_COPY = 20
#: Trading days compared on each side (so that a run of thin sessions still meets a complete one).
_EACH_SIDE = 3


def copy_message(day: object, contracts: int) -> str:
    """The warning of a snapshot that holds its previous trading day's positions."""
    return (
        f"{COPY_PREFIX} {day}: market holiday or stale source (the same {contracts:,} contracts and "
        f"open interest as the snapshot of {day}; OI changes against it are zero)"
    )


#: Reads the ``id, open_counts`` rows of some snapshots (from the catalog file).
SummaryReader = Callable[[list[str]], pl.DataFrame]


def warnings_frame(
    frame: pl.DataFrame, ids: Sequence[str] | None = None, *, read_summaries: SummaryReader | None = None
) -> pl.DataFrame:
    """What comparing snapshots with their neighbours shows.

    Parameters
    ----------
    frame
        One ticker's catalog (:meth:`Store.catalog`): with its ``open_counts`` column, or without
        it and ``read_summaries`` to fetch the few that are needed.
    ids
        Only these snapshots (default: every intact one).
    read_summaries
        Fetches ``id, open_counts`` for a list of ids (when ``frame`` has none).

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
    thin = _incomplete(intact, targets, read_summaries)
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


def _incomplete(
    intact: pl.DataFrame, targets: pl.DataFrame, read_summaries: SummaryReader | None
) -> pl.DataFrame:
    """``id, incomplete``: the completeness warning of the targets that look incomplete.

    Neighbours are chosen by trading day, so that snapshots collected every few minutes are still
    compared with other sessions (a thin session's snapshots are all alike): the snapshot just
    before and just after on the same day, and on each of the :data:`_EACH_SIDE` trading days before
    (after) it that have snapshots, the one nearest in time (that day's last, or first). With one
    snapshot a day these are the three stored days on each side.
    """
    days = (
        intact.group_by("day")
        .agg(first=pl.col("i").min(), last=pl.col("i").max())
        .sort("day")
        .with_row_index("d")
        .with_columns(
            pl.col("d").cast(pl.Int64), pl.col("first").cast(pl.Int64), pl.col("last").cast(pl.Int64)
        )
    )
    located = targets.select("i", "id", "captured_at", "day").join(days.select("day", "d"), on="day")
    other_days = (
        located.join(
            pl.DataFrame({"step": [s for s in range(-_EACH_SIDE, _EACH_SIDE + 1) if s]}), how="cross"
        )
        .with_columns(nd=pl.col("d") + pl.col("step"))
        .join(days.select(nd="d", first="first", last="last"), on="nd", how="inner")
        .select("i", "id", "captured_at", j=pl.when(pl.col("step") < 0).then("last").otherwise("first"))
    )
    same_day = (
        located.join(pl.DataFrame({"step": [-1, 1]}), how="cross")
        .with_columns(j=pl.col("i").cast(pl.Int64) + pl.col("step"))
        .join(
            intact.select(pl.col("i").cast(pl.Int64).alias("j"), pl.col("day").alias("neighbour_day")), on="j"
        )
        .filter(pl.col("neighbour_day") == pl.col("day"))
        .select("i", "id", "captured_at", "j")
    )
    times = intact.select(pl.col("i").cast(pl.Int64).alias("j"), neighbour_at="captured_at")
    pairs = (
        pl.concat([other_days, same_day])
        .with_columns(pl.col("i").cast(pl.Int64))
        .join(times, on="j", how="inner")
        .with_columns(apart=(pl.col("neighbour_at") - pl.col("captured_at")).abs(), offset=pl.col("j"))
        .filter(pl.col("apart") <= timedelta(days=quality.NEIGHBOUR_DAYS))
        .with_columns(
            from_day=pl.max_horizontal("captured_at", "neighbour_at")
            .dt.convert_time_zone(NEW_YORK.key)
            .dt.date()
        )
    )
    if pairs.height == 0:
        return pl.DataFrame(schema={"id": pl.String, "incomplete": pl.String})
    # snapshots holding the same positions on the same day compare alike (Yahoo's open interest
    # changes once a day: a day collected every 15 minutes is one comparison, not 26)
    positions = intact.select(pl.col("i").cast(pl.Int64), "positions")
    keyed = (
        pairs.join(positions, on="i")
        .join(positions.rename({"i": "j", "positions": "their_positions"}), on="j")
        .with_columns(
            mine=pl.when(pl.col("positions") == "").then(pl.col("i").cast(pl.String)).otherwise("positions"),
            theirs=pl.when(pl.col("their_positions") == "")
            .then(pl.col("j").cast(pl.String))
            .otherwise("their_positions"),
        )
    )
    firsts = (
        pl.concat([keyed.select(key="mine", i="i"), keyed.select(key="theirs", i="j")])
        .group_by("key")
        .agg(pl.col("i").min())
    )
    wanted = intact.filter(pl.col("i").cast(pl.Int64).is_in(firsts["i"].implode()))
    if "open_counts" not in wanted.columns:
        if read_summaries is None:
            msg = "the catalog frame has no open counts and no reader was given"
            raise ValueError(msg)
        wanted = wanted.join(read_summaries(wanted["id"].to_list()), on="id", how="left")
    counts = (
        wanted.select(pl.col("i").cast(pl.Int64), "open_counts")
        .join(firsts, on="i")
        .explode("open_counts")
        .unnest("open_counts")
        .select("key", "expiration", "open_contracts")
    )
    distinct = keyed.select("mine", "theirs", "from_day").unique()
    compared_keys = (
        distinct.join(counts.rename({"key": "mine"}), on="mine")
        .join(counts.rename({"key": "theirs", "open_contracts": "their_count"}), on=["theirs", "expiration"])
        .filter(pl.col("expiration") >= pl.col("from_day"))
        .group_by("mine", "theirs", "from_day")
        .agg(count_a=pl.col("open_contracts").sum(), count_b=pl.col("their_count").sum())
    )
    compared = (
        keyed.join(compared_keys, on=["mine", "theirs", "from_day"], how="inner")
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
    return stored_warnings(store, store.catalog(info.ticker, columns=list(LISTING_COLUMNS)), info)


def stored_warnings(store: Store, listing: pl.DataFrame, info: SnapshotInfo) -> list[str]:
    """:func:`neighbour_warnings` with the ticker's catalog listing already read (only the
    summaries of the snapshot and its neighbours are read, however long the history)."""
    if info.damaged:
        return []
    found = warnings_frame(
        listing,
        [info.id],
        read_summaries=lambda ids: catalog_summaries(store.root, info.ticker, ids, "open_counts"),
    )
    return found["warnings"][0].to_list() if found.height else []


def checked_listing(store: Store, ticker: str) -> pl.DataFrame:
    """The ticker's catalog listing (files changed in place read again) with each snapshot's
    neighbour warnings: the listing columns of :mod:`maxpain.catalog` plus ``warnings``.

    Parameters
    ----------
    store
        The store.
    ticker
        The underlying.

    Returns
    -------
    polars.DataFrame
        Oldest first; ``warnings`` empty for snapshots without any (and for damaged files).
    """
    frame = store.catalog(ticker, columns=[*LISTING_COLUMNS, "open_counts"], validate=True)
    found = warnings_frame(frame)
    return (
        frame.drop("open_counts")
        .join(found, on="id", how="left", maintain_order="left")
        .with_columns(pl.col("warnings").fill_null(pl.lit([], dtype=pl.List(pl.String))))
    )


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
        checked = warnings_frame(store.catalog(ticker, columns=[*LISTING_COLUMNS, "open_counts"]))
        for snapshot, warnings in zip(checked["id"].to_list(), checked["warnings"].to_list(), strict=True):
            found[(ticker, snapshot)] = warnings
    for info in listed:
        info.warnings = [] if info.damaged else found.get((info.ticker, info.id), [])
    return listed
