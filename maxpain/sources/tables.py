"""Reading option tables as users have them: Parquet, and CSV in any dialect.

A CSV's dialect is sniffed from its first lines: the delimiter (``,`` ``;`` tab), a decimal comma,
a byte-order mark, CRLF line ends, and lines before the header (CBOE's download opens with three:
the name and ``Last:`` price, the ``Date:`` line; see :mod:`maxpain.sources.cboe`). The header is
the first line naming at least two columns the normalizer knows. Names that repeat (calls and puts
side by side) are told apart (see :func:`maxpain.wide.side_by_side_header`). Only the columns the
normalizer reads are materialised.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from maxpain.columns import ALIASES, KNOWN_KEYS, header_key
from maxpain.errors import InputError, NotAChainError
from maxpain.wide import side_by_side_header

# CSV files above this size are read in chunks of whole lines (see _read_csv_chunked).
_CHUNKED_CSV_BYTES = 64 * 1024 * 1024
_CSV_CHUNK_BYTES = 16 * 1024 * 1024
# How much of a CSV is read to sniff its dialect, and how many lines may come before the header.
_SNIFF_BYTES = 64 * 1024
_MAX_PREAMBLE_LINES = 20
_DELIMITERS = ("\t", ";", ",")  # preferred in this order when several split a header as well
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+$")
_SIDE = re.compile(r"^(calls?|puts?|[cp](?=[\s_.\-]))[\s_.\-]*|[\s_.\-]*\(?(calls?|puts?)\)?$", re.IGNORECASE)


@dataclass
class Table:
    """A raw table and what the file says around it (a CSV preamble)."""

    frame: pl.DataFrame
    spot: float | None = None
    captured_at: datetime | None = None
    coverage: str | None = None  # why the file is not the whole chain, when it says so
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Dialect:
    separator: str
    skip_lines: int  # raw lines before the header
    names: list[str]  # the header, repeated names told apart
    decimal_comma: bool
    preamble: list[str]
    notes: list[str]


#: A header names one of these at least: a table without any is not an option chain.
_CORE_KEYS = frozenset(
    header_key(alias) for role in ("strike", "contract_symbol", "open_interest") for alias in ALIASES[role]
)


def _key(name: str) -> str:
    """The header key of a column, also as one side of a side-by-side table (``callOi`` → ``oi``)."""
    key = header_key(name)
    return key if key in KNOWN_KEYS else header_key(_SIDE.sub("", name.strip()))


def known(name: str) -> bool:
    """Whether the normalizer reads a column of this name (also as one side of a side-by-side table)."""
    return _key(name) in KNOWN_KEYS


def _wanted_columns(names: list[str]) -> list[str]:
    """The columns the normalizer knows; everything else is never materialised."""
    return [n for n in names if known(n)] or names


def _fields(line: str, separator: str) -> list[str]:
    """One line's fields as CSV; a line the csv module refuses (a stray carriage return inside a
    field) is split plainly: sniffing only needs its names."""
    try:
        return next(csv.reader([line], delimiter=separator), [])
    except csv.Error:
        return line.replace("\r", "").split(separator)


def sniff(path: Path) -> Dialect:
    """The CSV dialect of ``path`` from its first :data:`_SNIFF_BYTES`.

    Raises
    ------
    InputError
        No line in the first :data:`_MAX_PREAMBLE_LINES` looks like a chain's header.
    """
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    text = head.decode("utf-8-sig", errors="replace").replace("\ufeff", "")
    lines = text.split("\n")
    if len(head) == _SNIFF_BYTES:
        lines = lines[:-1]  # the last line may be cut
    lines = [line.rstrip("\r") for line in lines]
    best: tuple[int, int, int, list[str]] | None = None  # (line, -known, delimiter rank, fields)
    for index, line in enumerate(lines[:_MAX_PREAMBLE_LINES]):
        for rank, separator in enumerate(_DELIMITERS):
            fields = _fields(line, separator)
            keys = {_key(f) for f in fields}
            hits = len(keys & KNOWN_KEYS)
            core = bool(keys & _CORE_KEYS)
            if len(fields) >= 2 and hits >= 2 and core and (best is None or (index, -hits, rank) < best[:3]):
                best = (index, -hits, rank, fields)
        if best is not None:
            break
    if best is None:
        msg = (
            f"{path}: no header line naming option-chain columns (strike, openInterest, expiration, "
            "contractSymbol, …) in its first lines; is it an option chain?"
        )
        raise NotAChainError(msg)
    index, _, rank, fields = best
    chosen = _DELIMITERS[rank]
    names, notes = side_by_side_header([f.strip() for f in fields])
    separator = chosen
    sample = [_fields(line, separator) for line in lines[index + 1 : index + 200]]
    decimal_comma = separator != "," and any(_DECIMAL_COMMA.match(v.strip()) for row in sample for v in row)
    if separator == ",":
        ambiguous = next(
            (
                v
                for row in sample
                for v in row
                if _DECIMAL_COMMA.match(v.strip()) and not _THOUSANDS.match(v.strip())
            ),
            None,
        )
        if ambiguous is not None:
            msg = (
                f"{path}: the comma-separated file writes numbers with decimal commas ({ambiguous!r}), which "
                "cannot be told from thousands separators; save it with ';' as the delimiter or with decimal points"
            )
            raise InputError(msg)
    if separator != ",":
        shown = "tab" if separator == "\t" else repr(separator)
        notes.append(f"CSV delimiter {shown}{' with decimal commas' if decimal_comma else ''}")
    preamble = [line for line in lines[:index] if line.strip()]
    return Dialect(separator, index, names, decimal_comma, preamble, notes)


def read_csv(path: Path) -> Table:
    """A CSV table in any dialect (see :func:`sniff`), with its preamble's facts."""
    from maxpain.sources.cboe import preamble_facts

    dialect = sniff(path)
    keep = _wanted_columns(dialect.names)
    if path.stat().st_size > _CHUNKED_CSV_BYTES:
        frame = _read_csv_chunked(path, dialect, keep)
    else:
        frame = None
    if frame is None and not _has_rows(path, dialect):
        frame = pl.DataFrame(schema=dict.fromkeys(keep, pl.String))  # the normalizer says: no rows
    if frame is None:
        frame = pl.read_csv(
            path,
            separator=dialect.separator,
            skip_lines=dialect.skip_lines + 1,
            has_header=False,
            new_columns=dialect.names,
            columns=[dialect.names.index(n) for n in keep],
            infer_schema_length=10_000,
            decimal_comma=dialect.decimal_comma,
            truncate_ragged_lines=True,
            glob=False,
        )
        frame.columns = keep
    table = Table(frame, notes=list(dialect.notes))
    if dialect.preamble:
        preamble_facts(dialect.preamble, table, str(path))
    return table


def _has_rows(path: Path, dialect: Dialect) -> bool:
    with open(path, "rb") as handle:
        for _ in range(dialect.skip_lines + 1):
            handle.readline()
        return any(line.strip() for line in handle)


def _read_csv_chunked(path: Path, dialect: Dialect, keep: list[str]) -> pl.DataFrame | None:
    """Read a large CSV a chunk of whole lines at a time, keeping only the wanted columns (as
    text; the normalizer converts): peak memory follows the size of those columns, not of the
    file. Returns None when the file does not split cleanly on lines (quoted newlines), so the
    caller can fall back to the whole-file reader."""
    indexes = [dialect.names.index(n) for n in keep]
    with open(path, "rb") as handle:
        for _ in range(dialect.skip_lines + 1):
            handle.readline()
        parts = []
        while lines := handle.readlines(_CSV_CHUNK_BYTES):
            try:
                part = pl.read_csv(
                    io.BytesIO(b"".join(lines)),
                    separator=dialect.separator,
                    has_header=False,
                    new_columns=dialect.names,
                    columns=indexes,
                    schema_overrides=dict.fromkeys(keep, pl.String),
                    decimal_comma=dialect.decimal_comma,
                    truncate_ragged_lines=True,
                )
            except pl.exceptions.PolarsError:
                return None
            if part.height != len(lines):  # a quoted newline (or blank line) spans rows: not splittable
                return None
            part.columns = keep
            parts.append(part)
    if dialect.decimal_comma:
        return None  # text columns would keep their commas: let the whole-file reader parse them
    return pl.concat(parts) if parts else pl.DataFrame(schema=dict.fromkeys(keep, pl.String))


def read_table(path: Path) -> Table:
    """Read a CSV or Parquet table, with errors that name the file.

    Raises
    ------
    InputError
        Missing, unreadable, or not a table this reads.
    """
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            lazy = pl.scan_parquet(path, glob=False)  # the path as named, never a pattern
            # Only the columns the normalizer knows are read (Parquet reads just those column
            # chunks): a wide file costs memory for those columns alone.
            return Table(lazy.select(_wanted_columns(lazy.collect_schema().names())).collect())
        if suffix in (".csv", ".txt", ".tsv"):
            return read_csv(path)
    except FileNotFoundError:
        msg = f"{path}: no such file"
        raise InputError(msg) from None
    except InputError:
        raise
    except (pl.exceptions.PolarsError, OSError, ValueError, UnicodeDecodeError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        msg = f"{path}: cannot be read as {suffix.lstrip('.').upper()} ({first_line[:160]})"
        raise InputError(msg) from None
    msg = (
        f"{path}: unknown file type {suffix!r}; import reads .csv/.tsv/.parquet tables, raw Yahoo and "
        "Schwab .json bodies"
    )
    raise InputError(msg)
