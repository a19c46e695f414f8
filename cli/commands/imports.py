"""``maxpain import``: files (collector tables, raw Yahoo bodies) into the store. Every file is
tried whatever happens to the others, each outcome is said as it happens, and a summary closes."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

import click

from ..options import Settings, with_settings
from ..output import console, emit_json, error_sentence, first_line, show
from ..snapshots import open_store, save

if TYPE_CHECKING:
    from maxpain.chain import Chain
    from maxpain.errors import MaxpainError
    from maxpain.store import SaveResult, Store


class AlreadyReportedError(Exception):
    """The failure was already printed; exit with this code."""

    def __init__(self, exit_code: int) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


def _import_one(target: Store, path: str, **options: object) -> tuple[Chain, SaveResult]:
    """Read and store one file; every failure becomes a :class:`MaxpainError` naming the file."""
    from maxpain.errors import InputError, MaxpainError, StoreError
    from maxpain.sources.files import read_file

    try:
        chain = read_file(path, **options)  # type: ignore[arg-type]
        return chain, save(target, chain)
    except MaxpainError as error:
        if isinstance(error, StoreError):
            raise StoreError(f"{path}: {error}", parameter=error.parameter) from None
        raise
    except OSError as error:  # disk full, permissions: the store could not take it
        raise StoreError(f"{path}: cannot be stored ({error.strerror or error})") from None
    except Exception as error:  # a polars ComputeError and the like: the file, not us
        raise InputError(f"{path}: cannot be read ({type(error).__name__}: {first_line(error)})") from None
    except BaseException as error:  # polars' PanicException derives from BaseException
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        raise InputError(
            f"{path}: the reader crashed on it ({type(error).__name__}: {first_line(error)})"
        ) from None


@click.command(name="import", short_help="Import option tables or raw Yahoo bodies.")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=True))
@click.option("--ticker", default=None, help="Underlying symbol (default: the OCC root of the contracts).")
@click.option("--captured-at", default=None, help="Capture time, ISO 8601 (default: from the data).")
@click.option("--force-ticker", is_flag=True, help="Store under --ticker even if the contracts name another.")
@with_settings()
def import_(
    settings: Settings,
    paths: tuple[str, ...],
    ticker: str | None,
    captured_at: str | None,
    force_ticker: bool,
) -> None:
    """Import CSV/Parquet option tables or raw Yahoo v7 JSON bodies into the store.

    \b
    Every file is tried; each outcome is printed as it happens, then a summary.
    Example: maxpain import ../shared/chains/vraptunovich-stock/NVDA/*.parquet
    """
    from maxpain.chain import as_utc
    from maxpain.errors import InputError, MaxpainError

    from .. import payloads
    from ..render.saved import saved_lines

    moment = None
    if captured_at:
        try:
            moment = as_utc(datetime.fromisoformat(captured_at))
        except ValueError:
            raise InputError(
                f"--captured-at {captured_at!r} is not an ISO time such as 2025-12-01T21:15:00Z"
            ) from None
        except OverflowError:
            raise InputError(f"--captured-at {captured_at!r} is past the year 9999 in UTC") from None
    target = open_store(settings)
    documents = []
    failures: list[MaxpainError] = []
    outcomes: Counter[str] = Counter()
    interrupted = False
    for path in paths:
        try:
            chain, result = _import_one(
                target, path, ticker=ticker, captured_at=moment, force_ticker=force_ticker
            )
        except MaxpainError as error:
            failures.append(error)
            outcomes["refused"] += 1
            print(error_sentence(error), file=sys.stderr, flush=True)  # one unwrapped line per bad file
            continue
        except KeyboardInterrupt:
            interrupted = True
            break
        outcomes["stored" if result.created else "already stored"] += 1
        if settings.as_json:
            documents.append(payloads.saved(path, chain, result))
        else:
            show(settings, saved_lines(path, chain, result))
    if settings.as_json:
        emit_json(documents)
    else:
        _summary(settings, len(paths), outcomes, interrupted)
    if interrupted:
        raise AlreadyReportedError(130)
    if failures:
        codes = {f.exit_code for f in failures}
        raise AlreadyReportedError(failures[0].exit_code if len(codes) == 1 else InputError.exit_code)


def _summary(settings: Settings, given: int, outcomes: Counter[str], interrupted: bool) -> None:
    done = sum(outcomes.values())
    parts = [f"{outcomes[k]} {k}" for k in ("stored", "already stored", "refused") if outcomes[k]]
    line = f"import: {done} of {given} file{'s' if given != 1 else ''} — " + (", ".join(parts) or "nothing")
    if interrupted:
        line += f"; interrupted, {given - done} not tried"
    console(settings).print(line, style="bold", highlight=False, markup=False)
