"""The ``--json``/``--csv`` documents of ``scan``, and the warnings its view lists."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import csv_text

if TYPE_CHECKING:
    from maxpain.analyses.scan import Scan


def scan(result: Scan) -> dict[str, Any]:
    """``scan --json`` (cleaned as :func:`~maxpain_cli.output.emit_json` prints it)."""
    return {
        "at": result.at,
        "convention": result.convention,
        "rate": result.rate,
        "unit": "USD per 1% move",
        "rows": result.rows,
        "missing": [{"ticker": t, "reason": why} for t, why in result.missing],
    }


def build_up_text(build_up: dict[str, Any] | None) -> str:
    """``2026-08-21 230 call +12,345``."""
    if build_up is None:
        return ""
    return f"{build_up['expiration']} {build_up['strike']:g} {build_up['right']} +{build_up['change']:,}"


def scan_csv(result: Scan) -> str:
    """``scan --csv``: the rows flattened (the build-up as its contract and change)."""
    rows = []
    for row in result.rows:
        flat = {k: v for k, v in row.items() if k not in ("top_build_up", "warnings")}
        build_up = row["top_build_up"] or {}
        flat["top_build_up"] = build_up_text(row["top_build_up"])
        flat["top_build_up_change"] = build_up.get("change")
        flat["warnings"] = " | ".join(row["warnings"])
        rows.append(flat)
    return csv_text(rows)


def scan_warnings(result: Scan) -> list[str]:
    """Every row's data-quality warnings, each prefixed with its ticker, then the tickers missing."""
    lines = [f"{row['ticker']}: {w}" for row in result.rows for w in row["warnings"]]
    lines += [f"{ticker}: not scanned: {why}" for ticker, why in result.missing]
    return lines
