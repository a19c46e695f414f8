"""Where output goes: rich consoles, the --svg/--html recording, JSON documents and stderr notes.
The only module that writes to the terminal."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

import click

from maxpain.errors import MaxpainError

from .options import Settings

if TYPE_CHECKING:
    from rich.console import Console, RenderableType


def _no_color(settings: Settings) -> bool:
    return settings.no_color or bool(os.environ.get("NO_COLOR"))


def console(settings: Settings, *, stderr: bool = False) -> Console:
    from rich.console import Console

    plain = _no_color(settings)
    return Console(stderr=stderr, no_color=plain, color_system=None if plain else "auto", highlight=False)


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

        plain = _no_color(settings)
        recorder = Console(
            file=io.StringIO(),
            record=True,
            width=out.width,
            force_terminal=True,
            highlight=False,
            color_system=None if plain else "truecolor",
            no_color=plain,
        )
        for renderable in shown:
            recorder.print(renderable)
        if settings.svg:
            recorder.save_svg(settings.svg, title="maxpain", clear=False)
        if settings.html:
            recorder.save_html(settings.html, clear=False)


def emit_json(document: Any) -> None:
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


# library parameter → the option that sets it
FLAGS = {
    "allow_partial": "--allow-partial",
    "captured_at": "--captured-at",
    "contracts": "--contracts",
    "expiration": "--expiry",
    "force_ticker": "--force-ticker",
    "right": "--right",
    "store": "--store",
    "ticker": "--ticker",
    "top": "--top",
    "until": "--until",
    "weeks": "--weeks",
}


def error_sentence(error: MaxpainError) -> str:
    """``maxpain: <the error>`` with the option that fixes it, when the error names one."""
    flag = FLAGS.get(error.parameter or "")
    return f"maxpain: {error}" + (f" ({flag})" if flag else "")


def note(settings: Settings, message: str) -> None:
    """A side remark on stderr (never mixed into --json output)."""
    console(settings, stderr=True).print(message, style="dim", highlight=False)
