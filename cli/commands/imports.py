"""``maxpain import``: files (collector tables, raw Yahoo bodies) into the store, one outcome per
file, every file tried whatever the others do."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from ..options import Settings, with_settings
from ..output import emit_json, error_sentence, show
from ..snapshots import open_store, save


class AlreadyReportedError(Exception):
    """The failure was already printed; exit with this code."""

    def __init__(self, exit_code: int) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


@click.command(name="import")
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
    Example: maxpain import ../shared/chains/vraptunovich-stock/NVDA/*.parquet
    """
    from maxpain.chain import as_utc
    from maxpain.errors import InputError, MaxpainError
    from maxpain.sources.files import read_file

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
    saved = []
    failures: list[MaxpainError] = []
    for path in paths:
        try:
            chain = read_file(path, ticker=ticker, captured_at=moment, force_ticker=force_ticker)
            saved.append((path, chain, save(target, chain)))
        except MaxpainError as error:
            failures.append(error)
            print(error_sentence(error), file=sys.stderr)  # one unwrapped line per bad file
    if saved and settings.as_json:
        emit_json([payloads.saved(*entry) for entry in saved])
    elif saved:
        show(settings, *(saved_lines(*entry) for entry in saved))
    if failures:
        codes = {f.exit_code for f in failures}
        raise AlreadyReportedError(failures[0].exit_code if len(codes) == 1 else InputError.exit_code)
