"""The ``maxpain`` command line: the group, its commands, and the error funnel.

Only click and the standard library load at start-up; each command imports the engine (polars,
numba) and, for live data, yfinance when it runs."""

from __future__ import annotations

import gc
import os
import sys

import click

from maxpain.errors import MaxpainError

from .commands.diff import diff
from .commands.exposure import exposure
from .commands.fetch import fetch
from .commands.gex import gex
from .commands.heatmap import heatmap
from .commands.history import history
from .commands.imports import AlreadyReportedError, import_
from .commands.pain import pain
from .commands.pinning import pinning
from .commands.report import report
from .commands.scan import scan
from .commands.snapshots import snapshots
from .commands.walls import walls
from .options import Settings
from .output import error_sentence, first_line

EPILOG = """\b
Snapshots (SNAP): latest (default), a date YYYY-MM-DD (the last snapshot of
that UTC day), an id such as 2025-12-01T201208Z or a unique prefix of it, or
live (fetch now from Yahoo without saving).
Store: --store DIR, else $MAXPAIN_HOME, else the user data folder.
Exit codes: 0 ok, 2 usage, 3 bad input, 4 not found, 5 no options listed,
6 rate limited, 7 Yahoo auth/crumb failure, 8 network, 9 store error,
10 incomplete fetch, 11 watchlist run not all saved, 130 interrupted.
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
    """maxpain: max pain, open-interest walls, clusters and OI change from snapshots of
    option chains."""
    ctx.obj = Settings(store=store, as_json=as_json, no_color=no_color)


for command in (
    fetch,
    import_,
    snapshots,
    report,
    pain,
    walls,
    heatmap,
    gex,
    diff,
    exposure,
    history,
    pinning,
    scan,
):
    app.add_command(command)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return the exit code; every failure is one sentence on stderr."""
    try:
        result = app.main(args=argv, prog_name="maxpain", standalone_mode=False)
        return result if isinstance(result, int) else 0
    except AlreadyReportedError as reported:
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
        print(error_sentence(error), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("maxpain: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except BaseException as error:  # polars' PanicException derives from BaseException
        if isinstance(error, SystemExit) or os.environ.get("MAXPAIN_DEBUG"):
            raise
        detail = f"{type(error).__name__}: {first_line(error)}"
        if _from_polars(error):
            print(
                f"maxpain: the data could not be processed ({detail}); check the file or snapshot it came from",
                file=sys.stderr,
            )
            return POLARS_EXIT_CODE
        print(
            f"maxpain: internal error ({detail}); rerun with MAXPAIN_DEBUG=1 and report it", file=sys.stderr
        )
        return 1


#: Exit code of a polars error or panic that escaped a command: the data could not be processed.
POLARS_EXIT_CODE = 3


def _from_polars(error: BaseException) -> bool:
    """Raised by polars (its own error classes, or a panic of its Rust core)."""
    module = type(error).__module__
    return module.startswith("polars") or module == "pyo3_runtime"


#: The cycle collector's thresholds for a command (see :func:`main`).
GC_THRESHOLDS = (50_000, 20, 20)


def main() -> None:
    """The console entry point: run, flush, and leave without the interpreter's teardown.

    Tearing down the modules of polars, numpy and rich takes ~0.1 s after the output is complete;
    every file the command writes is closed (and fsynced) before :func:`run` returns, so once the
    two streams are flushed there is nothing left to finish.

    A command is one short process whose start-up allocates millions of objects (polars, numba)
    that live to its end. CPython's default collector would run a young collection every 700
    allocations and, every few hundred, a full one over all of them: a whole-market scan spent
    ~0.2 s in 3 full and 400 young collections. With :data:`GC_THRESHOLDS` it runs a handful of
    young ones; cycles are still collected.
    """
    gc.set_threshold(*GC_THRESHOLDS)
    code = run()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (| head): nothing more to say
        pass
    except Exception:  # a stream that cannot flush: let the interpreter report it as usual
        sys.exit(code)
    os._exit(code)


if __name__ == "__main__":
    main()
