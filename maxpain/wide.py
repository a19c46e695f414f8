"""Side-by-side chains: tables whose every row pairs a call and a put of one strike.

Brokers' and exchanges' chain pages put calls on the left and puts on the right, and the tables
users download keep that shape: ``callOi … putOi`` (a collector's JSON), ``C Bid … P Bid``, or
CBOE's CSV where the same names appear twice (``Calls, Last Sale, … Strike, Puts, Last Sale, …``).
:func:`long_from_wide` finds the two column families and turns each row into two contracts (one
row per contract), the shape every other step of the normalizer reads. Columns outside the
families (expiration, strike, a spot column) are shared by both sides.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from maxpain.columns import find_column, header_key

_PREFIX = re.compile(r"^(calls?|puts?)[\s_.\-]*(.+)$", re.IGNORECASE)
_LETTER_PREFIX = re.compile(r"^([CP])[\s_.\-]+(.+)$", re.IGNORECASE)
_SUFFIX = re.compile(r"^(.+?)[\s_.\-]*\(?(calls?|puts?)\)?$", re.IGNORECASE)

#: A table is side by side when at least this many fields appear in both families.
MIN_PAIRED_FIELDS = 2

#: Marker columns of CBOE's layout: each holds the side's contract symbols and opens its family.
_MARKERS = {"calls": "C", "puts": "P"}


def _side_of(column: str) -> tuple[str, str] | None:
    """(``C`` or ``P``, the field's name without the side) for a column of a side's family."""
    for pattern, side_group, rest_group in ((_PREFIX, 1, 2), (_LETTER_PREFIX, 1, 2), (_SUFFIX, 2, 1)):
        match = pattern.match(column.strip())
        if match and header_key(match.group(rest_group)):
            return match.group(side_group)[0].upper(), match.group(rest_group)
    return None


def families(columns: Sequence[str]) -> tuple[dict[str, str], dict[str, str], list[str]] | None:
    """The call and put families (field key → column) and the shared columns, or None when the
    columns are not a side-by-side layout (fewer than :data:`MIN_PAIRED_FIELDS` fields on both
    sides, or a call/put column already saying each row's side)."""
    if find_column(columns, "right") is not None:
        return None
    calls: dict[str, str] = {}
    puts: dict[str, str] = {}
    shared: list[str] = []
    for column in columns:
        sided = _side_of(column)
        if sided is None:
            shared.append(column)
            continue
        side, rest = sided
        (calls if side == "C" else puts).setdefault(header_key(rest), column)
    if len(calls.keys() & puts.keys()) < MIN_PAIRED_FIELDS:
        return None
    return calls, puts, shared


def long_from_wide(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """One row per contract from a side-by-side table (a long table is returned as it is).

    Parameters
    ----------
    frame
        The raw table.

    Returns
    -------
    tuple
        The long table, with a ``right`` column (``C``/``P``) and each field under its name
        without the side (``callOi`` → ``Oi``), and the notes on how it was read. A side whose
        every field is empty on a row (a strike listed for calls only) is not a contract.
    """
    found = families(frame.columns)
    if found is None:
        return frame, []
    calls, puts, shared = found
    keys = list(dict.fromkeys([*calls, *puts]))
    names = {key: _field_name(calls.get(key) or puts[key]) for key in keys}
    mixed = {
        key
        for key in keys
        if key in calls and key in puts and frame.schema[calls[key]] != frame.schema[puts[key]]
    }
    sides = []
    for side, family in (("C", calls), ("P", puts)):
        fields = [
            (pl.col(family[key]).cast(pl.String) if key in mixed else pl.col(family[key])).alias(names[key])
            if key in family
            else pl.lit(None).alias(names[key])
            for key in keys
        ]
        present = pl.any_horizontal(_filled(pl.col(family[key]), frame.schema[family[key]]) for key in family)
        part = frame.filter(present).select(*[pl.col(c) for c in shared], *fields, right=pl.lit(side))
        sides.append(part)
    long = pl.concat(sides, how="vertical_relaxed")
    note = f"side-by-side table: {frame.height:,} rows pairing a call and a put read as {long.height:,} contracts"
    return long, [note]


def _filled(column: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    if dtype == pl.String:
        return column.is_not_null() & (column.str.strip_chars() != "")
    if dtype.is_float():
        return column.is_not_null() & column.is_not_nan()
    return column.is_not_null()


def _field_name(column: str) -> str:
    sided = _side_of(column)
    return sided[1].strip() if sided else column


def side_by_side_header(names: Sequence[str]) -> tuple[list[str], list[str]]:
    """Unique names for a header where the side-by-side families repeat the same names.

    CBOE's download: ``Expiration Date, Calls, Last Sale, …, Strike, Puts, Last Sale, …``. The
    ``Calls``/``Puts`` marker columns hold each side's contract symbols and open its family; a
    repeated name after a marker belongs to that side. Without markers, the first of two equal
    names is the call's (calls are on the left in every chain layout), with a note.

    Returns
    -------
    tuple
        The renamed header (``call Last Sale`` …, markers as ``call contract``/``put contract``) and
        the notes; the header unchanged when no name repeats.
    """
    keys = [header_key(n) for n in names]
    if len(set(keys)) == len(keys):
        return list(names), []
    repeated = {k for k in keys if keys.count(k) > 1}
    out: list[str] = []
    side: str | None = None
    seen: dict[str, int] = {}
    notes: list[str] = []
    markers = any(k in _MARKERS for k in keys)
    for name, key in zip(names, keys, strict=True):
        if markers and key in _MARKERS:
            side = _MARKERS[key]
            out.append(f"{'call' if side == 'C' else 'put'} contract")
            continue
        if key in repeated:
            turn = seen.get(key, 0)
            seen[key] = turn + 1
            which = side if markers and side else ("C" if turn == 0 else "P")
            out.append(f"{'call' if which == 'C' else 'put'} {name}")
        else:
            out.append(name)
    if not markers:
        notes.append("repeated column names: the first of each pair taken as the call's (calls on the left)")
    return out, notes
