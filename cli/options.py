"""Shared command options: one decorator adds ``--store/--json/--no-color`` (and ``--svg/--html``
for the views) and hands the command one :class:`Settings`; the option types and the options
several commands share are declared once here."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import click

from maxpain.choices import CONVENTIONS


@dataclass(frozen=True)
class Settings:
    """What every command needs besides its own arguments."""

    store: str | None = None
    as_json: bool = False
    no_color: bool = False
    svg: str | None = None
    html: str | None = None
    force: bool = False  # overwrite existing --svg/--html files
    include_adjusted: bool = False  # pool adjusted option roots (see maxpain.adjusted)

    def merged(self, **overrides: Any) -> Settings:
        """These settings with every override that was actually given (not None/False)."""
        return replace(self, **{k: v for k, v in overrides.items() if v not in (None, False)})


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
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]

STORE_OPTION = click.option(
    "--store", type=click.Path(file_okay=False), default=None, help="Snapshot store folder."
)
JSON_OPTION = click.option("--json", "as_json", is_flag=True, default=False, help="Print one JSON document.")
NO_COLOR_OPTION = click.option(
    "--no-color", is_flag=True, default=False, help="No colours (also: NO_COLOR=1)."
)
EXPORT_OPTIONS = (
    click.option(
        "--svg", type=click.Path(dir_okay=False), default=None, help="Also save what is shown as SVG."
    ),
    click.option(
        "--html", type=click.Path(dir_okay=False), default=None, help="Also save what is shown as HTML."
    ),
    click.option("--force", is_flag=True, default=False, help="Overwrite an existing --svg/--html file."),
    click.option(
        "--include-adjusted",
        is_flag=True,
        default=False,
        help="Pool adjusted roots (VXX2: non-standard deliverable) at what they deliver.",
    ),
)


def with_settings(*, exports: bool = False) -> Decorator:
    """Add the shared options (accepted after the command as well as before it) and call the
    command with ``settings`` first: the group's settings merged with the command's own."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def command(*args: Any, store: str | None, as_json: bool, no_color: bool, **kwargs: Any) -> Any:
            given = {"store": store, "as_json": as_json, "no_color": no_color}
            for name in ("svg", "html", "force", "include_adjusted"):
                if name in kwargs:
                    given[name] = kwargs.pop(name)
            base = click.get_current_context().find_object(Settings) or Settings()
            settings = base.merged(**given)
            if settings.as_json and (settings.svg or settings.html):
                raise click.UsageError("--svg/--html save the view as shown; they do not go with --json")
            return function(settings, *args, **kwargs)

        options = [*(EXPORT_OPTIONS if exports else ()), STORE_OPTION, JSON_OPTION, NO_COLOR_OPTION]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


def stack(*decorators: Decorator) -> Decorator:
    """Several option decorators as one, listed in ``--help`` in the order given."""

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return decorate


def at_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--at", "at", default="latest", show_default=True, help="Snapshot: latest, a date, an id, or live."
    )(function)


def until_option(help_text: str) -> Decorator:
    return click.option("--until", type=DATE, default=None, help=help_text)


def weeks_option(help_text: str) -> Decorator:
    return click.option("--weeks", type=click.IntRange(min=1, max=520), default=None, help=help_text)


window_options = stack(
    until_option("Window: expirations up to this date (default 4 weeks)."),
    weeks_option("Window: N weeks from the capture date."),
)


engine_options = stack(
    click.option(
        "--engine",
        type=click.Choice(["local", "dask"]),
        default="local",
        show_default=True,
        help="Where the per-ticker work runs: here, or on Dask (pip install 'maxpain[dask]').",
    ),
    click.option(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="With --engine dask: the scheduler (tcp://host:8786); default a local cluster.",
    ),
)


@contextlib.contextmanager
def engine_for(name: str, scheduler: str | None) -> Iterator[Any]:
    """The engine a command runs on (None for the local default), closed when the command ends."""
    if name == "local" and scheduler is None:
        yield None
        return
    from maxpain.engine import make_engine

    engine = make_engine(name, scheduler)
    try:
        yield engine
    finally:
        engine.close()


def convention_option(*, when: str | None = None) -> Decorator:
    """``--convention``, the dealers' side GEX assumes. With ``when`` (the option it goes with) it
    has no default, so a command can refuse it elsewhere."""
    text = "Who is short the options: naive = dealers long calls, short puts; dealer-short = short all."
    return click.option(
        "--convention",
        type=click.Choice(CONVENTIONS),
        default=None if when else "naive",
        show_default=when is None,
        help=f"For {when}: {text[0].lower()}{text[1:]} (default naive)" if when else text,
    )


def rate_option(what: str = "Black–Scholes", *, when: str | None = None) -> Decorator:
    """``--rate``, the risk-free rate (a fraction) for ``what``; ``when`` as in
    :func:`convention_option`."""
    text = f"Risk-free rate for {what} (0.04 = 4%)."
    return click.option(
        "--rate",
        type=click.FloatRange(min=-0.1, max=1.0),
        default=None if when else 0.04,
        show_default=when is None,
        help=f"For {when}: {text[0].lower()}{text[1:]} (default 0.04)" if when else text,
    )


def top_option(default: int, maximum: int, help_text: str) -> Decorator:
    return click.option(
        "--top", type=click.IntRange(min=1, max=maximum), default=default, show_default=True, help=help_text
    )


def csv_option(function: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--csv", "as_csv", is_flag=True, default=False, help="Print the table as CSV (one row per line)."
    )(function)
