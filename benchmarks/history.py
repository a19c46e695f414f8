"""History benchmark: ``history`` over 1,000 stored snapshots and ``pinning`` over the 20-ticker ×
65-day archive, as whole processes.

Builds (untimed) the 1,000-snapshot NVDA store of benchmarks/store_scale.py (the 9 real daily chains
of vraptunovich-stock/NVDA, ~5k contracts each, collected every 15 minutes) and imports the whole
laiweibin archive (1,300 snapshots, 6.2M contracts) into a second store. Then times, as the median
of --runs whole processes after one warm-up: ``history NVDA`` on the 1,000-snapshot store, the same
with its strike profiles removed before each run (the first history of a store computes them from
the snapshots' rows), ``history NVDA`` and ``history SPY`` on the archive (65 snapshots of distinct
positions each), and ``pinning`` over all 20 tickers. Prints progress, then ONE JSON object last.

    python benchmarks/history.py [--corpus ../shared/chains] [--runs 7] [--keep DIR]

Targets (2 cores): history_1000_s <= 0.6; pinning_s <= 2.0.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from store_scale import archive_store, build, print_verdict, whole  # noqa: E402

TARGETS = {"history_1000_s": 0.6, "pinning_s": 2.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus",
        default=os.environ.get("MAXPAIN_REAL_CORPUS", str(HERE.parent.parent / "shared" / "chains")),
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", default=None, help="Build the stores here and keep them.")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="maxpain-history-"))
    maxpain = [sys.executable, "-m", "maxpain_cli"]
    try:
        scale = base / "store-1000"
        if not (scale / "NVDA").is_dir():
            print("building the 1,000-snapshot store …", file=sys.stderr)
            build(corpus, scale, 1000, args.jobs)
        archive = archive_store(base, corpus)
        profiles = scale / ".catalog" / "NVDA.profiles-v1"
        forget = [
            sys.executable,
            "-c",
            f"import shutil; shutil.rmtree({str(profiles)!r}, ignore_errors=True)",
        ]
        result = {
            "history_1000_s": whole([*maxpain, "--store", str(scale), "history", "NVDA"], args.runs),
            "history_1000_cold_s": whole(
                [*maxpain, "--store", str(scale), "history", "NVDA"], max(3, args.runs // 2), after=forget
            ),
            "history_archive_nvda_s": whole(
                [*maxpain, "--store", str(archive), "history", "NVDA"], args.runs
            ),
            "history_archive_spy_s": whole([*maxpain, "--store", str(archive), "history", "SPY"], args.runs),
            "pinning_s": whole([*maxpain, "--store", str(archive), "pinning"], args.runs),
        }
        print_verdict(result, TARGETS)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
