"""CBOE's "delayed quotes" CSV download: the lines before its header.

The file opens with the underlying's name and ``Last:`` price, then ``Date: December 4, 2025 at
2:32 AM EST`` (New York time), then the side-by-side table (read by :mod:`maxpain.sources.tables`
and :mod:`maxpain.wide`). It holds the expirations picked on CBOE's page, never necessarily the
whole chain, so a chain read from it is marked partial.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from maxpain.errors import InputError
from maxpain.market import NEW_YORK

if TYPE_CHECKING:
    from maxpain.sources.tables import Table

_LAST = re.compile(r"\bLast:\s*\$?([0-9][0-9,]*(?:\.[0-9]+)?)")
_DATE = re.compile(
    r"\bDate:\s*([A-Z][a-z]+\.? \d{1,2}, \d{4})(?:\s+at\s+(\d{1,2}:\d{2})\s*([AP]M))?\s*(E[SD]?T)?",
    re.IGNORECASE,
)

#: What a chain read from such a file is missing: CBOE's download holds the chosen expirations only.
COVERAGE = "listed expirations only"


def preamble_facts(lines: list[str], table: Table, name: str) -> None:
    """Read the spot (``Last:``) and the capture time (``Date:``, New York) from the lines before
    the header into ``table``; a preamble with both marks the file as a CBOE download (partial).

    Raises
    ------
    InputError
        A ``Date:`` line whose date is not a calendar date.
    """
    text = "\n".join(lines)
    last = _LAST.search(text)
    if last:
        value = float(last.group(1).replace(",", ""))
        if value > 0:
            table.spot = value
            table.notes.append(f"spot {value:g} from the file's 'Last:' line")
    date = _DATE.search(text)
    if date:
        day, clock, half, _zone = date.groups()
        stamp = f"{day.replace('.', '')} {clock or '4:00'} {half or 'PM'}"
        try:
            local = datetime.strptime(stamp, "%B %d, %Y %I:%M %p")
        except ValueError:
            try:
                local = datetime.strptime(stamp, "%b %d, %Y %I:%M %p")
            except ValueError:
                msg = f"{name}: the line 'Date: {date.group(0)[5:].strip()}' is not a date such as December 4, 2025 at 2:32 AM EST"
                raise InputError(msg) from None
        table.captured_at = local.replace(tzinfo=NEW_YORK)
        if not clock:
            table.notes.append("the file's 'Date:' line gives no time: the close, 16:00 New York, assumed")
    if last and date:
        table.coverage = COVERAGE
