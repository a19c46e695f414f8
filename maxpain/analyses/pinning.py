"""The pinning study: on expiration day, did the close move toward the max pain of the expiring
options, more often than toward a placebo?

An **event** is an expiration date E of a ticker with a stored snapshot at the close of E and one
``lag`` trading sessions earlier (day L; the last snapshot of each day). With MP = max pain of
expiration E in the snapshot of L, S0 = spot at L and S1 = spot at the close of E:

- *moved toward*: |S1 − MP| < |S0 − MP|;
- distances before and after: |S0 − MP| / S1 and |S1 − MP| / S1;
- *within one strike step*: |S1 − MP| ≤ the gap between MP and the nearest other strike listed
  for E in that snapshot.

The **placebo** is the max pain of the next expiration listed after E in the same snapshot (it does
not expire that day), with the same statistics, so that drift toward where open interest sits is
not mistaken for pinning. Events are skipped, and counted, when either snapshot is flagged (a copy
of the day before, incomplete or partial), a spot is missing or estimated, the snapshot of E was
taken before the close, or MP is undefined. Snapshots taken on a day the exchange did not trade
(a holiday's copy) are left out and counted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import TYPE_CHECKING

import polars as pl

from maxpain.market import after_close, is_session, sessions_before
from maxpain.timeline import Timeline, in_threads

if TYPE_CHECKING:
    from maxpain.engine import Engine

#: Two-sided 95% normal quantile.
Z95 = 1.959963984540054
#: Why an event is skipped, in the order the checks run.
SKIP_REASONS = ("flagged", "no_spot", "before_close", "undefined_max_pain")

EVENT_SCHEMA = {
    "ticker": pl.String,
    "expiration": pl.Date,
    "earlier": pl.String,  # the snapshot of day L
    "earlier_day": pl.Date,
    "snapshot": pl.String,  # the snapshot at the close of E
    "spot_before": pl.Float64,
    "spot_after": pl.Float64,
    "max_pain": pl.Float64,
    "strike_step": pl.Float64,
    "placebo_expiration": pl.Date,
    "placebo_max_pain": pl.Float64,
    "placebo_step": pl.Float64,
}


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float | None, float | None, float | None]:
    """Share and Wilson score interval of ``successes`` in ``trials`` (None, None, None for none)."""
    if trials == 0:
        return None, None, None
    share = successes / trials
    denominator = 1 + z * z / trials
    centre = (share + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials)) / denominator
    return share, max(0.0, centre - half), min(1.0, centre + half)


def mcnemar_p(only_a: int, only_b: int) -> float | None:
    """Two-sided exact McNemar p-value of paired outcomes (a binomial test of the discordant
    pairs at one half); None without any discordant pair."""
    n = only_a + only_b
    if n == 0:
        return None
    tail = sum(math.comb(n, i) for i in range(min(only_a, only_b) + 1)) / 2**n
    return min(1.0, 2 * tail)


@dataclass(frozen=True)
class Measures:
    """The statistics of one set of events against one target (max pain, or the placebo)."""

    events: int
    moved_toward: int
    share: float | None
    low: float | None
    high: float | None
    median_distance_before: float | None
    median_distance_after: float | None
    within_one_step: float | None

    @classmethod
    def of(cls, frame: pl.DataFrame, target: str, *, step: str | None) -> Measures:
        """Statistics of the events in ``frame`` whose ``target`` column is defined."""
        rows = frame.filter(pl.col(target).is_not_null())
        before = (pl.col("spot_before") - pl.col(target)).abs()
        after = (pl.col("spot_after") - pl.col(target)).abs()
        figures = rows.select(
            moved=(after < before).sum(),
            before=(before / pl.col("spot_after")).median(),
            after=(after / pl.col("spot_after")).median(),
            within=(after <= pl.col(step)).mean() if step else pl.lit(None, dtype=pl.Float64),
        ).row(0, named=True)
        moved = int(figures["moved"] or 0)
        share, low, high = wilson(moved, rows.height)
        return cls(
            rows.height,
            moved,
            share,
            low,
            high,
            figures["before"],
            figures["after"],
            figures["within"] if rows.height else None,
        )


@dataclass(frozen=True)
class Pinning:
    """The study's result: events, skips, the statistics pooled and per ticker."""

    lag: int
    tickers: tuple[str, ...]
    events: pl.DataFrame  # EVENT_SCHEMA
    skipped: dict[str, int]
    left_out: dict[str, int]  # snapshots left out: taken on a day the exchange was closed
    max_pain: Measures
    placebo: Measures
    max_pain_only: int  # paired events: moved toward max pain but not toward the placebo
    placebo_only: int
    p_value: float | None
    by_ticker: list[tuple[str, Measures, Measures]] = field(default_factory=list)

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def verdict(self) -> str:
        """What the numbers mean, in plain words."""
        mp, placebo = self.max_pain, self.placebo
        if mp.events == 0:
            return "No expiration day had the snapshots the study needs: nothing to conclude."
        text = (
            f"The close moved toward max pain in {_pct(mp.share)} of {mp.events:,} events "
            f"(95% interval {_pct(mp.low)}–{_pct(mp.high)}), and toward the placebo in "
            f"{_pct(placebo.share)} of {placebo.events:,} ({_pct(placebo.low)}–{_pct(placebo.high)})."
        )
        paired = self.max_pain_only + self.placebo_only
        if self.p_value is None:
            return text + " On the same events the two never disagreed: nothing to tell them apart."
        text += (
            f" On the same events, only max pain was approached {self.max_pain_only:,} times and only the "
            f"placebo {self.placebo_only:,} times (exact McNemar p = {self.p_value:.2g}, {paired:,} pairs that differ)."
        )
        if self.p_value < 0.05 and self.max_pain_only > self.placebo_only:
            return (
                text
                + " The close went toward max pain more often than toward the placebo, beyond chance at 5%."
            )
        if self.p_value < 0.05:
            return (
                text
                + " The close went toward the placebo more often than toward max pain, beyond chance at 5%."
            )
        return (
            text + " That difference is within chance: this data gives no evidence that closes are "
            "pulled toward max pain more than toward another expiration's max pain."
        )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f}%"


def _strike_steps(timeline: Timeline, wanted: pl.DataFrame) -> pl.DataFrame:
    """``earlier_position, expiration, strike_step``: for each row of ``wanted``
    (``earlier_position, expiration, mp_units``), the gap between that strike and the nearest other
    strike listed for the expiration in the snapshot (from its strike profile)."""
    wanted = wanted.filter(pl.col("mp_units").is_not_null()).unique()
    if wanted.height == 0:
        return pl.DataFrame(
            schema={"earlier_position": pl.UInt32, "expiration": pl.Date, "strike_step": pl.Float64}
        )
    profile_of = timeline.snapshots.select(earlier_position="position", profile="profile")
    listed = (
        timeline.profiles()
        .select("snapshot", "expiration", "units")
        .join(
            wanted.join(profile_of, on="earlier_position"),
            left_on=["snapshot", "expiration"],
            right_on=["profile", "expiration"],
        )
        .filter(pl.col("units") != pl.col("mp_units"))
        .group_by("earlier_position", "expiration")
        .agg(step_units=(pl.col("units") - pl.col("mp_units")).abs().min())
    )
    return listed.select(
        "earlier_position",
        "expiration",
        strike_step=pl.Series([u / 1000 for u in listed["step_units"].to_list()], dtype=pl.Float64),
    )


def ticker_events(
    timeline: Timeline, lag: int, start: date | None, end: date | None
) -> tuple[pl.DataFrame, dict[str, int], int]:
    """One ticker's events, its skipped counts and its snapshots left out (exchange closed).

    Returns
    -------
    (polars.DataFrame, dict, int)
        :data:`EVENT_SCHEMA` rows; skips by :data:`SKIP_REASONS`; snapshots on closed days.
    """
    snapshots = timeline.snapshots
    days = snapshots.get_column("day").to_list()
    session = pl.Series([is_session(d) for d in days], dtype=pl.Boolean)
    left_out = int((~session).sum())
    last_of_day = (
        snapshots.filter(session).sort("captured_at", "position").group_by("day", maintain_order=True).last()
    )
    closing = last_of_day.with_columns(
        earlier_day=pl.Series([sessions_before(d, lag) for d in last_of_day["day"].to_list()], dtype=pl.Date),
        closed=pl.Series([after_close(t) for t in last_of_day["captured_at"].to_list()], dtype=pl.Boolean),
    )
    if start is not None:
        closing = closing.filter(pl.col("day") >= start)
    if end is not None:
        closing = closing.filter(pl.col("day") <= end)
    earlier = last_of_day.select(
        earlier_day="day",
        earlier_position="position",
        earlier="id",
        spot_before="spot",
        before_estimated="spot_estimated",
        before_flagged="flagged",
    )
    summaries = timeline.summaries.select("position", "expiration", "max_pain")
    candidates = (
        closing.select(
            "earlier_day",
            "closed",
            expiration="day",
            snapshot="id",
            spot_after="spot",
            after_estimated="spot_estimated",
            after_flagged="flagged",
        )
        .join(earlier, on="earlier_day")
        .join(summaries, left_on=["earlier_position", "expiration"], right_on=["position", "expiration"])
    )  # only days that are an expiration listed in the earlier snapshot
    no_spot = (
        pl.col("spot_before").is_null()
        | pl.col("spot_after").is_null()
        | pl.col("before_estimated").fill_null(False)
        | pl.col("after_estimated").fill_null(False)
    )
    reason = (
        pl.when(pl.col("before_flagged") | pl.col("after_flagged"))
        .then(pl.lit("flagged"))
        .when(no_spot)
        .then(pl.lit("no_spot"))
        .when(~pl.col("closed"))
        .then(pl.lit("before_close"))
        .when(pl.col("max_pain").is_null())
        .then(pl.lit("undefined_max_pain"))
    )
    candidates = candidates.with_columns(skip=reason)
    counts = dict.fromkeys(SKIP_REASONS, 0)
    for skip, count in candidates.group_by("skip").len().iter_rows():
        if skip is not None:
            counts[skip] = count
    kept = candidates.filter(pl.col("skip").is_null()).with_columns(
        mp_units=(pl.col("max_pain") * 1000).round().cast(pl.Int64)
    )
    placebo = (
        kept.select("earlier_position", "expiration")
        .join(summaries, left_on="earlier_position", right_on="position", suffix="_next")
        .filter(pl.col("expiration_next") > pl.col("expiration"))
        .sort("expiration_next")
        .group_by("earlier_position", "expiration")
        .first()
        .select(
            "earlier_position",
            "expiration",
            placebo_expiration="expiration_next",
            placebo_max_pain="max_pain",
        )
    )
    kept = kept.join(placebo, on=["earlier_position", "expiration"], how="left")
    placebo_units = kept.select(
        "earlier_position",
        expiration="placebo_expiration",
        mp_units=(pl.col("placebo_max_pain") * 1000).round().cast(pl.Int64),
    )
    steps = _strike_steps(
        timeline, pl.concat([kept.select("earlier_position", "expiration", "mp_units"), placebo_units])
    )
    events = (
        kept.join(steps, on=["earlier_position", "expiration"], how="left")
        .join(
            steps.rename({"expiration": "placebo_expiration", "strike_step": "placebo_step"}),
            on=["earlier_position", "placebo_expiration"],
            how="left",
        )
        .with_columns(ticker=pl.lit(timeline.ticker))
        .sort("expiration")
        .select(list(EVENT_SCHEMA))
        .cast(EVENT_SCHEMA)  # type: ignore[arg-type]
    )
    return events, counts, left_out


def study(
    timelines: Sequence[Timeline], *, lag: int = 1, start: date | None = None, end: date | None = None
) -> Pinning:
    """The pinning study over every ticker's timeline (see the module text).

    Parameters
    ----------
    timelines
        One per ticker (:func:`maxpain.timeline.load_timeline`).
    lag
        Trading sessions between the snapshot whose max pain is tested and expiration day.
    start, end
        Only expiration days in this range.

    Returns
    -------
    Pinning
    """
    parts = in_threads(lambda t: ticker_events(t, lag, start, end), timelines)
    return combine([t.ticker for t in timelines], parts, lag=lag)


def ticker_part(
    root: str, ticker: str, *, lag: int = 1, start: date | None = None, end: date | None = None
) -> tuple[pl.DataFrame, dict[str, int], int]:
    """:func:`ticker_events` of a ticker of the store at ``root``: one engine task."""
    from maxpain.store import Store
    from maxpain.timeline import load_timeline

    return ticker_events(load_timeline(Store(root), ticker), lag, start, end)


def study_on(
    engine: Engine,
    root: str,
    tickers: Sequence[str],
    *,
    lag: int = 1,
    start: date | None = None,
    end: date | None = None,
) -> Pinning:
    """:func:`study` with each ticker's events computed as a task of ``engine``."""
    parts = engine.map(partial(ticker_part, root, lag=lag, start=start, end=end), tickers)
    return combine(tickers, parts, lag=lag)


def combine(
    tickers: Sequence[str], parts: Sequence[tuple[pl.DataFrame, dict[str, int], int]], *, lag: int
) -> Pinning:
    """The study from each ticker's events, skips and left-out count (in ``tickers`` order)."""
    frames, skipped, left_out = [], dict.fromkeys(SKIP_REASONS, 0), 0
    for events, counts, closed in parts:
        frames.append(events)
        left_out += closed
        for reason, count in counts.items():
            skipped[reason] += count
    events = pl.concat(frames) if frames else pl.DataFrame(schema=EVENT_SCHEMA)
    both = events.filter(pl.col("placebo_max_pain").is_not_null())
    toward_mp = (pl.col("spot_after") - pl.col("max_pain")).abs() < (
        pl.col("spot_before") - pl.col("max_pain")
    ).abs()
    toward_placebo = (pl.col("spot_after") - pl.col("placebo_max_pain")).abs() < (
        pl.col("spot_before") - pl.col("placebo_max_pain")
    ).abs()
    only_mp = int(both.select((toward_mp & ~toward_placebo).sum()).item())
    only_placebo = int(both.select((~toward_mp & toward_placebo).sum()).item())
    by_ticker = [
        (
            ticker,
            Measures.of(events.filter(pl.col("ticker") == ticker), "max_pain", step="strike_step"),
            Measures.of(events.filter(pl.col("ticker") == ticker), "placebo_max_pain", step="placebo_step"),
        )
        for ticker in tickers
    ]
    return Pinning(
        lag=lag,
        tickers=tuple(tickers),
        events=events,
        skipped=skipped,
        left_out={"exchange_closed": left_out},
        max_pain=Measures.of(events, "max_pain", step="strike_step"),
        placebo=Measures.of(events, "placebo_max_pain", step="placebo_step"),
        max_pain_only=only_mp,
        placebo_only=only_placebo,
        p_value=mcnemar_p(only_mp, only_placebo),
        by_ticker=by_ticker,
    )
