"""Dask engine vs the local engine on the laiweibin archive (20 tickers × 65 days): ``pinning``,
``history SPY`` and ``scan --all`` as whole processes (a 2-worker LocalCluster started by each
``--engine dask`` run, as a user's command would), run in turn; and in one process with the
cluster already up, which is the cost a long-lived cluster pays per query. Prints progress, then
ONE JSON object last.

    python benchmarks/dask_engine.py [--corpus ../shared/chains] [--runs 5] [--keep DIR]

Needs ``pip install 'maxpain[dask]'``. No target: the issue asks for the ratio and the crossover.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from store_scale import archive_store, once  # noqa: E402


def in_process(archive: Path, runs: int) -> dict[str, float]:
    """Medians with the cluster already started (its start-up reported apart)."""
    from maxpain.analyses.history import history, history_on
    from maxpain.analyses.pinning import study, study_on
    from maxpain.analyses.scan import scan
    from maxpain.engine import make_engine
    from maxpain.store import Store
    from maxpain.timeline import load_timeline, load_timelines

    store = Store(archive)
    tickers = store.tickers()
    start = time.perf_counter()
    engine = make_engine("dask", workers=2)
    startup = time.perf_counter() - start

    def median(function) -> float:  # type: ignore[no-untyped-def]
        function()
        times = []
        for _ in range(runs):
            began = time.perf_counter()
            function()
            times.append(time.perf_counter() - began)
        return statistics.median(times)

    try:
        return {
            "cluster_start_s": startup,
            "pinning_local_s": median(lambda: study(load_timelines(store, tickers))),
            "pinning_dask_s": median(lambda: study_on(engine, str(archive), tickers)),
            "history_local_s": median(lambda: history(load_timeline(store, "SPY"))),
            "history_dask_s": median(lambda: history_on(engine, store, "SPY")),
            "scan_local_s": median(lambda: scan(store, tickers, at="2026-08-14")),
            "scan_dask_s": median(lambda: scan(store, tickers, at="2026-08-14", engine=engine)),
        }
    finally:
        engine.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus",
        default=os.environ.get("MAXPAIN_REAL_CORPUS", str(HERE.parent.parent / "shared" / "chains")),
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", default=None, help="Import the archive here and keep it.")
    args = parser.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="maxpain-dask-"))
    maxpain = [sys.executable, "-m", "maxpain_cli"]
    try:
        archive = archive_store(base, Path(args.corpus))
        result: dict[str, float] = {}
        for name, command in (
            ("pinning", ["pinning"]),
            ("history", ["history", "SPY"]),
            ("scan", ["scan", "--all", "--at", "2026-08-14"]),
        ):
            print(f"{name} …", file=sys.stderr)
            local = [*maxpain, "--store", str(archive), *command]
            dask = [*local, "--engine", "dask"]
            once(local)
            once(dask)
            pairs = [(once(dask), once(local)) for _ in range(args.runs)]
            result[f"{name}_process_local_s"] = statistics.median(b for _, b in pairs)
            result[f"{name}_process_dask_s"] = statistics.median(a for a, _ in pairs)
            result[f"{name}_process_dask_over_local"] = statistics.median(a / b for a, b in pairs)
        warm = in_process(archive, args.runs)
        result.update(warm)
        for name in ("pinning", "history", "scan"):
            result[f"{name}_warm_dask_over_local"] = warm[f"{name}_dask_s"] / warm[f"{name}_local_s"]
        print(json.dumps({k: round(v, 3) for k, v in result.items()}))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
