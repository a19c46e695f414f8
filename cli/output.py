"""Where output goes: rich consoles, the --svg/--html recording, JSON documents and stderr notes.
The only module that writes to the terminal."""

from __future__ import annotations

import json
import os
import sys
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


def page(settings: Settings, text: str) -> None:
    """Print long plain text: through the pager ($PAGER, else less) on a terminal, as it is
    otherwise; with --svg/--html, as a view like any other."""
    if settings.svg or settings.html:
        from rich.text import Text

        show(settings, Text(text.rstrip("\n")))
        return
    if console(settings).is_terminal:
        click.echo_via_pager(text)
    else:
        click.echo(text, nl=False)


def show(settings: Settings, *renderables: RenderableType | None) -> None:
    """Print renderables (skipping None); with --svg/--html also render them, in colour unless
    --no-color, into a recording console of the same width and save that."""
    shown = [r for r in renderables if r is not None]
    for path in (settings.svg, settings.html):
        if path:
            check_export(path, force=settings.force)  # refuse before anything is shown
    out = console(settings)
    for renderable in shown:
        out.print(renderable)
    if settings.svg or settings.html:
        import io

        from rich.console import Console

        # the export shows the whole view (every heatmap column and table column), not the
        # terminal's cut; sentences and panels wrap to that width rather than set it
        wide = Console(file=io.StringIO(), width=EXPORT_MAX_WIDTH)
        widest = max((_natural_width(wide, r) for r in shown), default=0)
        plain = _no_color(settings)
        recorder = Console(
            file=io.StringIO(),
            record=True,
            width=min(max(out.width, widest), EXPORT_MAX_WIDTH),
            force_terminal=True,
            highlight=False,
            color_system=None if plain else "truecolor",
            no_color=plain,
        )
        for renderable in shown:
            recorder.print(renderable)
        exports = []
        if settings.svg:
            exports.append((settings.svg, recorder.export_svg(title="maxpain", clear=False)))
        if settings.html:
            exports.append((settings.html, recorder.export_html(clear=False)))
        for path, text in exports:
            write_export(path, text, force=settings.force)


EXPORT_MAX_WIDTH = 600


def _natural_width(console: Console, renderable: RenderableType) -> int:
    """The width a board or table wants (side-by-side ones added up); 0 for text and panels,
    which wrap to whatever width the boards set."""
    from rich.columns import Columns
    from rich.console import Group
    from rich.measure import Measurement
    from rich.panel import Panel
    from rich.text import Text

    if isinstance(renderable, Text | Panel):
        return 0
    if isinstance(renderable, Columns):
        widths = [_natural_width(console, r) for r in renderable.renderables]
        return sum(widths) + 3 * max(len(widths) - 1, 0)
    if isinstance(renderable, Group):
        return max((_natural_width(console, r) for r in renderable.renderables), default=0)
    return Measurement.get(console, console.options, renderable).maximum


def check_export(path: str, *, force: bool) -> None:
    """Refuse an export path that is a folder, or an existing file without ``force``."""
    from pathlib import Path

    from maxpain.errors import InputError

    target = Path(path)
    if target.is_dir():
        raise InputError(f"{path} is a folder; name a file to save the view in")
    if (target.exists() or target.is_symlink()) and not force:
        raise InputError(f"{path} exists; pass --force to overwrite it")


def write_export(path: str, text: str, *, force: bool) -> None:
    """Write an export atomically (a temporary file renamed over the name): an existing file is
    kept unless ``force``, and a symlink is replaced, never written through.

    Raises
    ------
    InputError
        The file exists and ``force`` was not given, or it cannot be written.
    """
    import os
    import tempfile
    from pathlib import Path

    from maxpain.errors import InputError

    check_export(path, force=force)
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, target)  # replaces a symlink itself, not the file it points to
    except OSError as error:
        raise InputError(f"cannot save {path}: {error.strerror or error}") from None


def emit_csv(text: str) -> None:
    """Print a CSV table (the command's rows, as ``--json`` holds them, flattened)."""
    click.echo(text, nl=False)


def emit_json(document: Any) -> None:
    """One JSON document: NaN and infinities become null, never invalid JSON. Indented for a
    terminal; on one line into a pipe or a file (what scripts read: Python's encoder is ten times
    faster without indentation, which a 5,000-row scan notices)."""
    from .payloads import clean

    stream = sys.stdout
    indent = 2 if stream is not None and stream.isatty() else None
    click.echo(json.dumps(clean(document), indent=indent, ensure_ascii=False, allow_nan=False))


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


def first_line(error: BaseException) -> str:
    """The first line of an exception's message (a polars error can run to dozens)."""
    text = str(error).strip()
    return text.splitlines()[0][:200] if text else "no detail"


def error_sentence(error: MaxpainError) -> str:
    """``maxpain: <the error>`` with the option that fixes it, when the error names one."""
    flag = FLAGS.get(error.parameter or "")
    return f"maxpain: {error}" + (f" ({flag})" if flag else "")


def note(settings: Settings, message: str) -> None:
    """A side remark on stderr (never mixed into --json output)."""
    console(settings, stderr=True).print(message, style="dim", highlight=False, markup=False)
