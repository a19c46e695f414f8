"""The ``maxpain`` command line. Only click and the standard library load at start-up; each
command imports the engine (polars, numba) and, for live data, yfinance when it runs."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

from maxpain.errors import InputError, MaxpainError

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

    from maxpain.chain import Chain
    from maxpain.store import SnapshotInfo, Store


# ----------------------------------------------------------------------------- settings and output
@dataclass
class Settings:
    store: str | None = None
    as_json: bool = False
    no_color: bool = False
    svg: str | None = None
    html: str | None = None

    def merged(self, **overrides: Any) -> Settings:
        values = dict(self.__dict__)
        for key, value in overrides.items():
            if value not in (None, False):
                values[key] = value
        return Settings(**values)


def open_store(settings: Settings) -> Store:
    from maxpain.store import Store

    return Store(settings.store)


def console(settings: Settings, *, stderr: bool = False) -> Console:
    from rich.console import Console

    no_color = settings.no_color or bool(os.environ.get("NO_COLOR"))
    return Console(
        stderr=stderr, no_color=no_color, color_system=None if no_color else "auto", highlight=False
    )


def show(settings: Settings, *renderables: RenderableType | None) -> None:
    """Print renderables (skipping None); with --svg/--html also render them, in colour unless
    --no-color, into a recording console of the same width and save that."""
    shown = [r for r in renderables if r is not None]
    out = console(settings)
    for renderable in shown:
        out.print(renderable)
    if settings.svg or settings.html:
        import io

        from rich.console import Console

        no_color = settings.no_color or bool(os.environ.get("NO_COLOR"))
        recorder = Console(
            file=io.StringIO(),
            record=True,
            width=out.width,
            force_terminal=True,
            highlight=False,
            color_system=None if no_color else "truecolor",
            no_color=no_color,
        )
        for renderable in shown:
            recorder.print(renderable)
        if settings.svg:
            recorder.save_svg(settings.svg, title="maxpain", clear=False)
        if settings.html:
            recorder.save_html(settings.html, clear=False)


def emit_json(document: Any) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


def note(settings: Settings, message: str) -> None:
    """A side remark on stderr (never mixed into --json output)."""
    console(settings, stderr=True).print(message, style="dim", highlight=False)


# ----------------------------------------------------------------------------- parameter types
class DateType(click.ParamType):
    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date; write it as YYYY-MM-DD", param, ctx)


class StrikeRange(click.ParamType):
    name = "LO:HI"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[float, float]:
        if isinstance(value, tuple):
            return value
        try:
            low_text, high_text = str(value).split(":")
            low, high = float(low_text), float(high_text)
        except ValueError:
            self.fail(f"{value!r} is not a strike range; write it as LO:HI, e.g. 90:120", param, ctx)
        if not (0 <= low < high) or high == float("inf"):
            self.fail(f"{value!r}: the range needs 0 <= LO < HI", param, ctx)
        return low, high


DATE = DateType()


def shared_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--store/--json/--no-color accepted after the command as well as before it."""
    function = click.option("--no-color", is_flag=True, default=False, help="No colours (also: NO_COLOR=1).")(
        function
    )
    function = click.option(
        "--json", "as_json", is_flag=True, default=False, help="Print one JSON document."
    )(function)
    function = click.option(
        "--store", type=click.Path(file_okay=False), default=None, help="Snapshot store folder."
    )(function)
    return function


def export_options(function: Callable[..., Any]) -> Callable[..., Any]:
    function = click.option(
        "--html", type=click.Path(dir_okay=False), default=None, help="Also save what is shown as HTML."
    )(function)
    function = click.option(
        "--svg", type=click.Path(dir_okay=False), default=None, help="Also save what is shown as SVG."
    )(function)
    return function


def settings_of(ctx: click.Context, **overrides: Any) -> Settings:
    base: Settings = ctx.obj or Settings()
    return base.merged(**overrides)


def at_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--at", "at", default="latest", show_default=True, help="Snapshot: latest, a date, an id, or live."
    )(function)


def window_options(function: Callable[..., Any]) -> Callable[..., Any]:
    function = click.option(
        "--weeks",
        type=click.IntRange(min=1, max=520),
        default=None,
        help="Window: N weeks from the capture date.",
    )(function)
    function = click.option(
        "--until", type=DATE, default=None, help="Window: expirations up to this date (default 4 weeks)."
    )(function)
    return function


# ----------------------------------------------------------------------------- snapshot access
def fetch_live(settings: Settings, ticker: str, **kwargs: Any) -> Chain:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from maxpain.sources.yahoo import fetch_chain

    progress_console = console(settings, stderr=True)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[expiration]}"),
        TimeElapsedColumn(),
        console=progress_console,
        transient=True,
        disable=not progress_console.is_terminal,
    ) as progress:
        task = progress.add_task(f"fetching {ticker}", total=None, expiration="")

        def advance(done: int, total: int, expiration: str) -> None:
            progress.update(task, completed=done, total=total, expiration=expiration)

        return fetch_chain(ticker, progress=advance, **kwargs)


def open_snapshot(settings: Settings, ticker: str, selector: str) -> tuple[Chain, SnapshotInfo | None]:
    from maxpain.chain import validate_ticker

    ticker = validate_ticker(ticker)
    if selector == "live":
        return fetch_live(settings, ticker), None
    store = open_store(settings)
    info = store.resolve(ticker, selector)
    damaged = [s for s in store.snapshots(ticker) if s.damaged]
    if damaged:
        note(
            settings,
            f"warning: skipped {len(damaged)} damaged {ticker} snapshot file(s); see `maxpain snapshots {ticker} --verify`",
        )
    return store.load(info), info


def chain_warnings(chain: Chain) -> list[str]:
    notes = [n for n in chain.meta.notes if not n.startswith("SYNTHETIC")]
    if chain.meta.partial:
        notes.insert(0, "partial snapshot: " + ", ".join(chain.meta.missing_expirations) + " missing")
    synthetic = [n for n in chain.meta.notes if n.startswith("SYNTHETIC")]
    return synthetic + notes


# ----------------------------------------------------------------------------- the group
EPILOG = """\b
Snapshots (SNAP): latest (default), a date YYYY-MM-DD (last snapshot that UTC day), an id such as
2025-12-01T201208Z or a unique prefix of it, or live (fetch now from Yahoo without saving).
Store: --store DIR, else $MAXPAIN_HOME, else the platform's user data folder.
Exit codes: 0 ok, 2 usage, 3 bad input, 4 not found, 5 no options listed, 6 rate limited,
7 Yahoo auth/crumb failure, 8 network, 9 store error, 10 incomplete fetch, 130 interrupted.
"""


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}, epilog=EPILOG
)
@click.option(
    "--store",
    type=click.Path(file_okay=False),
    default=None,
    help="Snapshot store folder (default: $MAXPAIN_HOME or the user data dir).",
)
@click.option(
    "--json", "as_json", is_flag=True, default=False, help="Print one JSON document instead of tables."
)
@click.option("--no-color", is_flag=True, default=False, help="No colours (also: NO_COLOR=1).")
@click.version_option(package_name="maxpain", prog_name="maxpain")
@click.pass_context
def app(ctx: click.Context, store: str | None, as_json: bool, no_color: bool) -> None:
    """maxpain: max pain, open-interest walls, clusters and OI change from option-chain snapshots."""
    ctx.obj = Settings(store=store, as_json=as_json, no_color=no_color)


@app.command()
@click.argument("ticker")
@click.option("--expiry", "expiries", type=DATE, multiple=True, help="Only this expiration (repeatable).")
@window_options
@click.option("--allow-partial", is_flag=True, help="Save even if some expirations fail (marked partial).")
@shared_options
@click.pass_context
def fetch(
    ctx: click.Context,
    ticker: str,
    expiries: tuple[date, ...],
    until: date | None,
    weeks: int | None,
    allow_partial: bool,
    store: str | None,
    as_json: bool,
    no_color: bool,
) -> None:
    """Fetch TICKER's chain live from Yahoo and save it as a snapshot.

    \b
    Example: maxpain fetch NVDA --weeks 4
    """
    from maxpain.chain import validate_ticker

    settings = settings_of(ctx, store=store, as_json=as_json, no_color=no_color)
    if until and weeks:
        raise InputError("give either --until or --weeks, not both")
    chain = fetch_live(
        settings,
        validate_ticker(ticker),
        expiries=[e.isoformat() for e in expiries] or None,
        until=until,
        weeks=weeks,
        allow_partial=allow_partial,
    )
    result = open_store(settings).save(chain)
    report_saved(settings, [(f"Yahoo {chain.underlying}", chain, result)])


def report_saved(settings: Settings, saved: list[tuple[str, Chain, Any]]) -> None:
    if settings.as_json:
        emit_json(
            [
                {
                    "input": name,
                    **result.info.to_json(),
                    "created": result.created,
                    "captured_at_from": chain.meta.captured_at_from,
                }
                for name, chain, result in saved
            ]
        )
        return
    from rich.text import Text

    lines = []
    for name, chain, result in saved:
        info = result.info
        verb = "saved" if result.created else "already stored (identical), not saved again:"
        line = Text(f"{name} → {verb} {info.ticker}/{info.id}", style="bold" if result.created else "yellow")
        line.append(f"\n  {info.contracts:,} contracts, {info.expirations} expirations, spot ", style="dim")
        line.append(f"{info.spot:,.2f}" if info.spot is not None else "unknown", style="dim")
        line.append(" (estimated)" if chain.meta.spot_estimated else "", style="dim")
        line.append(
            f"\n  capture time from {chain.meta.captured_at_from}: {chain.meta.captured_at:%Y-%m-%d %H:%M:%S} UTC",
            style="dim",
        )
        for message in chain_warnings(chain):
            line.append(f"\n  ! {message}", style="yellow")
        lines.append(line)
    show(settings, *lines)


@app.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("--ticker", default=None, help="Underlying symbol (default: the OCC root of the contracts).")
@click.option("--captured-at", default=None, help="Capture time, ISO 8601 (default: from the data).")
@shared_options
@click.pass_context
def import_(
    ctx: click.Context,
    paths: tuple[str, ...],
    ticker: str | None,
    captured_at: str | None,
    store: str | None,
    as_json: bool,
    no_color: bool,
) -> None:
    """Import CSV/Parquet option tables or raw Yahoo v7 JSON bodies into the store.

    \b
    Example: maxpain import ../shared/chains/vraptunovich-stock/NVDA/*.parquet
    """
    from maxpain.chain import _as_utc
    from maxpain.sources.files import read_file

    settings = settings_of(ctx, store=store, as_json=as_json, no_color=no_color)
    moment = None
    if captured_at:
        try:
            moment = _as_utc(datetime.fromisoformat(captured_at))
        except ValueError:
            raise InputError(
                f"--captured-at {captured_at!r} is not an ISO time such as 2025-12-01T21:15:00Z"
            ) from None
    target = open_store(settings)
    saved = []
    failures: list[MaxpainError] = []
    for path in paths:
        try:
            chain = read_file(path, ticker=ticker, captured_at=moment)
            saved.append((path, chain, target.save(chain)))
        except MaxpainError as error:
            failures.append(error)
            print(f"maxpain: {error}", file=sys.stderr)  # one unwrapped line per bad file
    if saved:
        report_saved(settings, saved)
    if failures:
        if len(failures) == 1 and not saved:
            raise _AlreadyReportedError(failures[0].exit_code)
        raise _AlreadyReportedError(
            failures[0].exit_code if len({f.exit_code for f in failures}) == 1 else InputError.exit_code
        )


class _AlreadyReportedError(Exception):
    """The failure was already printed; exit with this code."""

    def __init__(self, exit_code: int) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


@app.command()
@click.argument("ticker", required=False)
@click.option("--verify", is_flag=True, help="Read every file completely and report damaged ones.")
@shared_options
@click.pass_context
def snapshots(
    ctx: click.Context, ticker: str | None, verify: bool, store: str | None, as_json: bool, no_color: bool
) -> None:
    """List stored snapshots (all tickers, or TICKER).

    \b
    Example: maxpain snapshots NVDA
    """
    from .render import snapshots_table

    settings = settings_of(ctx, store=store, as_json=as_json, no_color=no_color)
    target = open_store(settings)
    listed = target.verify(ticker) if verify else target.snapshots(ticker)
    if settings.as_json:
        emit_json([s.to_json() for s in listed])
        return
    if not listed:
        note(settings, f"no snapshots{' of ' + ticker.upper() if ticker else ''} in {target.root}")
        return
    show(settings, snapshots_table(listed, console(settings).width))
    damaged = [s for s in listed if s.damaged]
    if damaged:
        note(settings, f"{len(damaged)} damaged file(s) skipped: remove them or re-import")


@app.command()
@click.argument("ticker")
@at_option
@window_options
@click.option(
    "--top", type=click.IntRange(min=1, max=50), default=3, show_default=True, help="Walls per side."
)
@export_options
@shared_options
@click.pass_context
def report(
    ctx: click.Context,
    ticker: str,
    at: str,
    until: date | None,
    weeks: int | None,
    top: int,
    svg: str | None,
    html: str | None,
    store: str | None,
    as_json: bool,
    no_color: bool,
) -> None:
    """One screen: spot, max pain by expiry, walls and clusters, a heatmap, warnings.

    \b
    Example: maxpain report NVDA --until 2025-12-26
    """
    from rich.columns import Columns

    from maxpain import analysis

    from . import payloads
    from .render import (
        Heatmap,
        clusters_table,
        expiration_table,
        fresh_positioning_table,
        snapshot_header,
        walls_sentence,
        walls_tables,
        warnings_panel,
    )

    settings = settings_of(ctx, store=store, as_json=as_json, no_color=no_color, svg=svg, html=html)
    chain, info = open_snapshot(settings, ticker, at)
    window = analysis.make_window(chain, until=until, weeks=weeks)
    table = analysis.max_pain_by_expiration(chain)
    result = analysis.walls(chain, window, top=top)
    fresh = analysis.volume_oi(chain, expirations=window.expirations, top=5)
    if settings.as_json:
        emit_json(
            {
                **payloads.walls(chain.underlying, chain, info, result),
                "window": payloads.window(window, result.pooled),
                "expirations": payloads.expirations(table),
                "fresh_positioning": payloads.records(fresh),
                "warnings": chain_warnings(chain) + result.notes + analysis.one_sided_warnings(table),
            }
        )
        return
    shown = list(window.expirations) or chain.expirations[:4]
    heat_expirations = (
        shown
        + [e for e in chain.expirations if e > (shown[-1] if shown else date.min)][: max(0, 6 - len(shown))]
    )
    pain = {row[0]: row[1] for row in table.select("expiration", "max_pain").iter_rows()}
    # the board spans what the report talks about: walls, pooled max pain and spot
    anchors = [v for v in (chain.meta.spot, result.pooled.strike) if v is not None]
    anchors += result.put_walls["strike"].head(1).to_list() + result.call_walls["strike"].head(1).to_list()
    heatmap = Heatmap(
        analysis.oi_grid(chain, "oi", heat_expirations),
        title="Open interest (calls + puts) by strike and expiration",
        spot=chain.meta.spot,
        max_pain=pain,
        focus=(min(anchors) * 0.97, max(anchors) * 1.03) if anchors else None,
        max_rows=18,
    )
    show(
        settings,
        snapshot_header(chain, info, f"maxpain report · {chain.underlying}"),
        expiration_table(table, chain.meta.spot, window),
        walls_sentence(chain.underlying, result),
        Columns(
            [
                walls_tables(result),
                clusters_table(result.clusters, chain.meta.spot),
                fresh_positioning_table(fresh),
            ],
            padding=(0, 3),
        ),
        heatmap,
        warnings_panel(chain_warnings(chain) + result.notes + analysis.one_sided_warnings(table)),
    )


@app.command()
@click.argument("ticker")
@at_option
@click.option(
    "--expiry", "expiries", type=DATE, multiple=True, help="Curve of this expiration (repeatable: pooled)."
)
@window_options
@export_options
@shared_options
@click.pass_context
def pain(
    ctx: click.Context,
    ticker: str,
    at: str,
    expiries: tuple[date, ...],
    until: date | None,
    weeks: int | None,
    svg: str | None,
    html: str | None,
    store: str | None,
    as_json: bool,
    no_color: bool,
) -> None:
    """Max pain by expiration, the window's pooled max pain, and the payout curve.

    \b
    The curve is for the --expiry given (several: pooled), else for the window.
    Example: maxpain pain NVDA --expiry 2025-12-19
    """
    from rich.text import Text

    from maxpain import analysis
    from maxpain.errors import NotFoundError

    from . import payloads
    from .render import expiration_table, payout_bars, price, snapshot_header, strike_text, warnings_panel

    settings = settings_of(ctx, store=store, as_json=as_json, no_color=no_color, svg=svg, html=html)
    chain, info = open_snapshot(settings, ticker, at)
    window = analysis.make_window(chain, until=until, weeks=weeks)
    for expiry in expiries:
        if expiry not in chain.expirations:
            nearest = min(chain.expirations, key=lambda e: abs((e - expiry).days))
            raise NotFoundError(
                f"{chain.underlying} has no expiration {expiry} in this snapshot; the nearest listed is {nearest}"
            )
    table = analysis.max_pain_by_expiration(chain)
    if expiries:
        table_shown = table.filter(table["expiration"].is_in(list(expiries)))
        curve_expirations: tuple[date, ...] = tuple(sorted(expiries))
    else:
        table_shown = table
        curve_expirations = window.expirations
    pooled = analysis.pooled_max_pain(chain, window)
    curve_pain = (
        analysis.pooled_max_pain(
            chain, analysis.Window(window.start, max(curve_expirations), curve_expirations)
        )
        if curve_expirations
        else None
    )
    if settings.as_json:
        emit_json(
            {
                "ticker": chain.underlying,
                "snapshot": payloads.snapshot(chain, info),
                "expirations": payloads.expirations(table_shown),
                "window": payloads.window(window, pooled),
                "curve": {
                    "expirations": [e.isoformat() for e in curve_expirations],
                    "max_pain": curve_pain.strike if curve_pain else None,
                    "points": payloads.records(analysis.payout_curve(chain, curve_expirations))
                    if curve_expirations
                    else [],
                },
                "warnings": chain_warnings(chain) + analysis.one_sided_warnings(table_shown),
            }
        )
        return
    width = console(settings).width
    label = (
        ", ".join(e.isoformat() for e in curve_expirations)
        if expiries
        else f"window {window.start} to {window.until}"
    )
    pooled_line = Text(
        f"Pooled max pain of the window through {window.until} ({len(window.expirations)} expirations): "
        + (strike_text(pooled.strike) if pooled.strike is not None else f"undefined: {pooled.reason}")
        + (f", spot {price(chain.meta.spot)}" if chain.meta.spot is not None else ""),
        style="bold",
    )
    curve: RenderableType | None = None
    if curve_pain is not None and curve_pain.strike is not None:
        curve = payout_bars(
            analysis.payout_curve(chain, curve_expirations),
            spot=chain.meta.spot,
            max_pain=curve_pain.strike,
            width=width,
        )
        curve.title = (
            f"Payout to option holders at expiry · {label} · max pain {strike_text(curve_pain.strike)}"
        )
    elif curve_expirations:
        curve = Text(
            f"No payout curve for {label}: {curve_pain.reason if curve_pain else 'no expirations'}",
            style="yellow",
        )
    show(
        settings,
        snapshot_header(chain, info, f"maxpain pain · {chain.underlying}"),
        expiration_table(table_shown, chain.meta.spot, None if expiries else window),
        pooled_line,
        curve,
        warnings_panel(chain_warnings(chain) + analysis.one_sided_warnings(table_shown)),
    )


@app.command()
@click.argument("ticker")
@at_option
@window_options
@click.option(
    "--top", type=click.IntRange(min=1, max=100), default=5, show_default=True, help="Walls per side."
)
@click.option(
    "--min-share",
    type=click.FloatRange(min=0.0, max=1.0),
    default=0.05,
    show_default=True,
    help="Cluster peaks hold at least this share of the side's OI.",
)
@export_options
@shared_options
@click.pass_context
def walls(
    ctx: click.Context,
    ticker: str,
    at: str,
    until: date | None,
    weeks: int | None,
    top: int,
    min_share: float,
    svg: str | None,
    html: str | None,
    store: str | None,
    as_json: bool,
    no_color: bool,
) -> None:
    """Put and call walls and OI clusters over a window, against spot and pooled max pain.

    \b
    Example: maxpain walls NVDA --until 2025-12-26 --top 5
    """
    from maxpain import analysis

    from . import payloads
    from .render import clusters_table, snapshot_header, walls_sentence, walls_tables, warnings_panel

    settings = settings_of(ctx, store=store, as_json=as_json, no_color=no_color, svg=svg, html=html)
    chain, info = open_snapshot(settings, ticker, at)
    window = analysis.make_window(chain, until=until, weeks=weeks)
    result = analysis.walls(chain, window, top=top, min_share=min_share)
    if settings.as_json:
        emit_json(
            {
                **payloads.walls(chain.underlying, chain, info, result),
                "warnings": chain_warnings(chain) + result.notes,
            }
        )
        return
    from rich.text import Text

    summary = Text(
        f"Window {window.start} to {window.until}: {len(window.expirations)} expirations, "
        f"put OI {result.put_total:,}, call OI {result.call_total:,}, P/C {result.put_call_oi_ratio or 0:.2f}",
        style="dim",
    )
    show(
        settings,
        snapshot_header(chain, info, f"maxpain walls · {chain.underlying}"),
        walls_sentence(chain.underlying, result),
        summary,
        walls_tables(result),
        clusters_table(result.clusters, chain.meta.spot),
        warnings_panel(chain_warnings(chain) + result.notes),
    )


def resolve_pair(
    settings: Settings, ticker: str, start: str | None, end: str
) -> tuple[tuple[Chain, SnapshotInfo | None], tuple[Chain, SnapshotInfo | None]]:
    """(from, to) snapshots; without --from, the snapshot stored just before --to."""
    from maxpain.errors import NotFoundError

    after = open_snapshot(settings, ticker, end)
    if start is None:
        store = open_store(settings)
        previous = store.resolve(ticker, "latest") if after[1] is None else store.previous(after[1])
        if previous is None:
            raise NotFoundError(
                f"no {after[0].underlying} snapshot before {after[1].id if after[1] else 'now'} to compare with; import or fetch an earlier one, or pass --from"
            )
        return (store.load(previous), previous), after
    return open_snapshot(settings, ticker, start), after


@app.command()
@click.argument("ticker")
@at_option
@click.option(
    "--metric",
    type=click.Choice(["oi", "calls", "puts", "net", "change"]),
    default="oi",
    show_default=True,
    help="What the cells show.",
)
@click.option(
    "--from",
    "start",
    default=None,
    help="For --metric change: the earlier snapshot (default: the one before --to).",
)
@click.option("--to", "end", default=None, help="For --metric change: the later snapshot (default: --at).")
@click.option("--until", type=DATE, default=None, help="Only expirations up to this date.")
@click.option(
    "--strikes", type=StrikeRange(), default=None, help="Strike range LO:HI (default: around spot)."
)
@click.option(
    "--rows",
    type=click.IntRange(min=5, max=500),
    default=40,
    show_default=True,
    help="At most this many strikes.",
)
@export_options
@shared_options
@click.pass_context
def heatmap(
    ctx: click.Context,
    ticker: str,
    at: str,
    metric: str,
    start: str | None,
    end: str | None,
    until: date | None,
    strikes: tuple[float, float] | None,
    rows: int,
    svg: str | None,
    html: str | None,
    store: str | None,
    as_json: bool,
    no_color: bool,
) -> None:
    """Strike × expiration heatmap of OI, calls, puts, net (calls − puts) or change.

    \b
    Examples: maxpain heatmap NVDA --until 2026-01-16
              maxpain heatmap GOOG --metric change --from 2025-12-01 --to 2025-12-05
    """
    from maxpain import analysis

    from . import payloads
    from .render import Heatmap, snapshot_header, warnings_panel

    settings = settings_of(ctx, store=store, as_json=as_json, no_color=no_color, svg=svg, html=html)
    warnings: list[str] = []
    if metric == "change":
        before, after = resolve_pair(settings, ticker, start, end or at)
        chain, info = after
        change = analysis.oi_change(before[0], chain, until=until)
        grid = analysis.change_grid(change)
        warnings = change.warnings
        title = f"OI change {before[0].meta.captured_at:%Y-%m-%d} → {chain.meta.captured_at:%Y-%m-%d} (calls + puts)"
    else:
        if start or end:
            raise InputError("--from/--to go with --metric change; use --at to pick the snapshot")
        chain, info = open_snapshot(settings, ticker, at)
        expirations = [
            e
            for e in chain.expirations
            if e >= analysis.trading_day(chain.meta.captured_at) and (until is None or e <= until)
        ]
        if until is not None and until < analysis.trading_day(chain.meta.captured_at):
            raise InputError(
                f"--until {until} is before the snapshot's capture date {analysis.trading_day(chain.meta.captured_at)}"
            )
        grid = analysis.oi_grid(chain, metric, expirations)
        title = {
            "oi": "Open interest (calls + puts)",
            "calls": "Call open interest",
            "puts": "Put open interest",
            "net": "Net open interest (calls − puts)",
        }[metric]
    pain = {
        row[0]: row[1]
        for row in analysis.max_pain_by_expiration(chain).select("expiration", "max_pain").iter_rows()
    }
    if settings.as_json:
        emit_json(
            {
                "ticker": chain.underlying,
                "snapshot": payloads.snapshot(chain, info),
                "metric": metric,
                "cells": payloads.records(grid),
                "max_pain": {k.isoformat(): v for k, v in pain.items()},
                "warnings": warnings,
            }
        )
        return
    show(
        settings,
        snapshot_header(chain, info, f"maxpain heatmap · {chain.underlying}"),
        Heatmap(
            grid,
            title=title,
            spot=chain.meta.spot,
            max_pain=pain,
            diverging=metric in ("net", "change"),
            strikes=strikes,
            max_rows=rows,
        ),
        warnings_panel(warnings + chain_warnings(chain)),
    )


@app.command()
@click.argument("ticker")
@click.option("--from", "start", default=None, help="Earlier snapshot (default: the one stored before --to).")
@click.option("--to", "end", default="latest", show_default=True, help="Later snapshot.")
@click.option("--until", type=DATE, default=None, help="Only expirations up to this date.")
@click.option(
    "--near",
    "near_weeks",
    type=click.IntRange(min=1, max=52),
    default=4,
    show_default=True,
    help="Weeks that count as near expirations.",
)
@click.option(
    "--top",
    type=click.IntRange(min=1, max=200),
    default=10,
    show_default=True,
    help="Rows of build-ups and unwinds.",
)
@export_options
@shared_options
@click.pass_context
def diff(
    ctx: click.Context,
    ticker: str,
    start: str | None,
    end: str,
    until: date | None,
    near_weeks: int,
    top: int,
    svg: str | None,
    html: str | None,
    store: str | None,
    as_json: bool,
    no_color: bool,
) -> None:
    """Open-interest build-ups and unwinds between two snapshots, by contract and by expiration.

    \b
    Example: maxpain diff GOOG --from 2025-12-01 --to 2025-12-05
    """
    from datetime import timedelta

    from rich.text import Text

    from maxpain import analysis

    from . import payloads
    from .render import by_expiration_table, change_tables, concentration_sentence, warnings_panel

    settings = settings_of(ctx, store=store, as_json=as_json, no_color=no_color, svg=svg, html=html)
    before, after = resolve_pair(settings, ticker, start, end)
    change = analysis.oi_change(before[0], after[0], until=until)
    if settings.as_json:
        emit_json(payloads.change(after[0].underlying, before, after, change, top))
        return
    near_until = analysis.trading_day(after[0].meta.captured_at) + timedelta(weeks=near_weeks)
    header = Text(
        f"maxpain diff · {after[0].underlying}: {before[1].id if before[1] else 'live'} → {after[1].id if after[1] else 'live'}",
        style="bold cyan",
    )
    show(
        settings,
        header,
        concentration_sentence(after[0].underlying, change, near_until),
        change_tables(change, top),
        by_expiration_table(change, near_until),
        warnings_panel(change.warnings),
    )


@app.command()
@click.argument("ticker")
@click.option("--strike", type=float, required=True, help="Strike of the contract.")
@click.option("--right", type=click.Choice(["put", "call"], case_sensitive=False), required=True)
@click.option("--expiry", type=DATE, required=True, help="Expiration date YYYY-MM-DD.")
@click.option("--contracts", type=click.IntRange(min=1), required=True, help="Number of contracts.")
@at_option
@click.option(
    "--rate",
    type=click.FloatRange(min=-0.1, max=1.0),
    default=0.04,
    show_default=True,
    help="Risk-free rate for delta.",
)
@export_options
@shared_options
@click.pass_context
def exposure(
    ctx: click.Context,
    ticker: str,
    strike: float,
    right: str,
    expiry: date,
    contracts: int,
    at: str,
    rate: float,
    svg: str | None,
    html: str | None,
    store: str | None,
    as_json: bool,
    no_color: bool,
) -> None:
    """What a position amounts to: shares, notional, premium, delta-adjusted notional.

    \b
    Example: maxpain exposure PLTR --strike 50 --right put --expiry 2027-01-15 --contracts 50000
    """
    from maxpain import analysis

    from . import payloads
    from .render import exposure_panel, snapshot_header, warnings_panel

    settings = settings_of(ctx, store=store, as_json=as_json, no_color=no_color, svg=svg, html=html)
    chain, info = open_snapshot(settings, ticker, at)
    result = analysis.exposure(
        chain, strike=strike, right=right, expiration=expiry, contracts=contracts, rate=rate
    )
    if settings.as_json:
        emit_json(payloads.exposure(result))
        return
    show(
        settings,
        snapshot_header(chain, info, f"maxpain exposure · {chain.underlying}"),
        exposure_panel(result),
        warnings_panel([m for m in chain_warnings(chain) if "spot" in m]),
    )


# ----------------------------------------------------------------------------- entry point
def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; every failure is one sentence on stderr."""
    try:
        result = app.main(args=argv, prog_name="maxpain", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except _AlreadyReportedError as reported:
        return reported.exit_code
    except click.exceptions.Exit as done:
        return done.exit_code
    except click.ClickException as error:
        hint = ""
        if isinstance(error, click.UsageError) and error.ctx is not None:
            hint = f" (see {error.ctx.command_path} --help)"
        print(f"maxpain: {error.format_message()}{hint}", file=sys.stderr)
        return error.exit_code
    except click.exceptions.Abort:
        print("maxpain: interrupted", file=sys.stderr)
        return 130
    except MaxpainError as error:
        print(f"maxpain: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("maxpain: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:
        if os.environ.get("MAXPAIN_DEBUG"):
            raise
        print(
            f"maxpain: internal error ({type(error).__name__}: {str(error)[:200]}); rerun with MAXPAIN_DEBUG=1 and report it",
            file=sys.stderr,
        )
        return 1


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
