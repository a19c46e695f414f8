"""Bulk import benchmark: `maxpain import <folder>` of the real laiweibin archive (20 tickers × 65
days, 1,300 wide Parquet files, 6.2M contracts) into a fresh temporary store, as a whole process.
Prints progress, then ONE JSON object last.

    python benchmarks/bulk_import.py [--corpus ../shared/chains] [--repeat 3] [--jobs N]

Target (2 cores): files_per_s >= 30, the median of --repeat whole-process runs (each run imports
every file into an empty store: read, normalize, content hash, atomic durable write).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGETS = {"files_per_s": 30.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", default=os.environ.get("MAXPAIN_REAL_CORPUS", str(REPO.parent / "shared" / "chains"))
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    folder = Path(args.corpus) / "laiweibin456-us-option-data"
    if not folder.is_dir():
        print(f"no laiweibin archive at {folder} (give --corpus or set MAXPAIN_REAL_CORPUS)", file=sys.stderr)
        return 2
    files = len(list(folder.glob("*/*.parquet")))
    runs = []
    for attempt in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            command = [sys.executable, "-m", "maxpain_cli", "--store", f"{tmp}/store", "import", str(folder)]
            if args.jobs:
                command += ["--jobs", str(args.jobs)]
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            elapsed = time.perf_counter() - start
            stored = len(list(Path(tmp, "store").glob("*/*.parquet")))
        if done.returncode != 0 or stored != files:
            print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
            print(f"run {attempt + 1}: exit {done.returncode}, {stored} of {files} stored", file=sys.stderr)
            return 1
        runs.append(elapsed)
        print(
            f"run {attempt + 1}: {files} files in {elapsed:.1f} s ({files / elapsed:.1f} files/s)",
            file=sys.stderr,
        )
    seconds = statistics.median(runs)
    result = {
        "files": files,
        "cores": os.cpu_count(),
        "median_s": round(seconds, 2),
        "files_per_s": round(files / seconds, 1),
        "targets": TARGETS,
    }
    result["meets_targets"] = result["files_per_s"] >= TARGETS["files_per_s"]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
