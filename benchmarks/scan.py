"""Scan benchmark: ``scan --all`` over the 20-ticker × 65-day laiweibin archive at one date, as a
whole process. Prints progress, then ONE JSON object last.

    python benchmarks/scan.py [--corpus ../shared/chains] [--runs 7] [--keep DIR] [--at 2026-08-14]

The archive is imported (untimed) into a temporary store (or DIR/laiweibin with --keep, shared
with benchmarks/history.py). Times the median of --runs runs after one warm-up, beside the import
floor (a process that only imports polars, rich and click), run in turn.

Target (2 cores): scan_all_s <= 1.0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from store_scale import archive_store, once, print_verdict  # noqa: E402

TARGETS = {"scan_all_s": 1.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus",
        default=os.environ.get("MAXPAIN_REAL_CORPUS", str(HERE.parent.parent / "shared" / "chains")),
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", default=None, help="Import the archive here and keep it.")
    parser.add_argument("--at", default="2026-08-14")
    args = parser.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="maxpain-scan-"))
    maxpain = [sys.executable, "-m", "maxpain_cli"]
    try:
        archive = archive_store(base, Path(args.corpus))
        command = [*maxpain, "--store", str(archive), "scan", "--all", "--at", args.at]
        floor = [sys.executable, "-c", "import polars, rich.console, click"]
        once(command)
        once(floor)
        pairs = [(once(command), once(floor)) for _ in range(args.runs)]
        result: dict[str, object] = {
            "tickers": 20,
            "at": args.at,
            "scan_all_s": statistics.median(a for a, _ in pairs),
            "import_floor_s": statistics.median(b for _, b in pairs),
            "scan_over_floor": statistics.median(a / b for a, b in pairs),
        }
        print_verdict(result, TARGETS)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
