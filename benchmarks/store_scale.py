"""Store-scale benchmark: do one-ticker commands stay as fast with 5,000 stored snapshots as with 9?

Builds, in a temporary folder, an NVDA store from the 9 real daily chains of the corpus
(vraptunovich-stock/NVDA, ~5k contracts each) and a 5,000-snapshot one: the same 9 chains
collected every 15 minutes (26 a session) over 43 weeks, their dates shifted two weeks per cycle
(expirations too), saved through the store as an import saves them. Then times, as whole
processes (the median of --runs), ``report NVDA`` at 9 and 5,000, ``snapshots NVDA`` at 5,000 and
one ``import`` of a new chain at 9 and 5,000 (the new snapshot is removed after each run), and,
on a 1,000-snapshot store, max pain per expiration of every snapshot from the summaries (in
process: ``Store.summaries``; the whole process is printed too). Prints progress, then ONE JSON
object last.

    python benchmarks/store_scale.py [--corpus ../shared/chains] [--runs 7] [--keep DIR]

Targets (2 cores): report_s["9"] <= 0.5 and report_s["5000"] within 10% of it;
snapshots_s["5000"] <= 1.0; import_s["5000"] within 10% of import_s["9"]; history_1000_s <= 0.3.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import polars as pl  # noqa: E402

from maxpain.chain import Chain  # noqa: E402
from maxpain.sources.files import read_file  # noqa: E402
from maxpain.store import Store  # noqa: E402

PER_DAY = 26  # every 15 minutes over a 6.5-hour session
CYCLE_DAYS = 14  # the 9 real sessions span two calendar weeks
TARGETS = {"report_s_9": 0.5, "snapshots_s_5000": 1.0, "history_1000_s": 0.3, "ratio": 1.10}


def real_chains(corpus: Path) -> list[Chain]:
    files = sorted((corpus / "vraptunovich-stock" / "NVDA").glob("*.parquet"))
    return [read_file(path) for path in files]


def shifted(chain: Chain, days: int, slot: int) -> Chain:
    """The chain ``days`` later (expirations too), captured at 14:30 UTC + 15 minutes × slot."""
    session = chain.meta.captured_at.astimezone(UTC).date() + timedelta(days=days)
    captured = datetime(session.year, session.month, session.day, 14, 30, tzinfo=UTC) + timedelta(
        minutes=15 * slot
    )
    frame = chain.frame.with_columns(pl.col("expiration") + pl.duration(days=days))
    return Chain(frame=frame, meta=replace(chain.meta, captured_at=captured, notes=list(chain.meta.notes)))


def plan(count: int) -> list[tuple[int, int, int]]:
    """(real chain index, day shift, intraday slot) of each of ``count`` snapshots."""
    out = []
    cycle = 0
    while len(out) < count:
        for index in range(9):
            for slot in range(PER_DAY):
                out.append((index, CYCLE_DAYS * cycle, slot))
        cycle += 1
    return out[:count]


def _save_slice(args: tuple[str, str, list[tuple[int, int, int]]]) -> int:
    corpus, store, items = args
    chains = real_chains(Path(corpus))
    target = Store(store)
    for index, days, slot in items:
        target.save(shifted(chains[index], days, slot))
    return len(items)


def build(corpus: Path, store: Path, count: int, jobs: int) -> None:
    items = plan(count)
    slices = [(str(corpus), str(store), items[i::jobs]) for i in range(jobs)]
    # spawned, not forked: a fork of a process whose polars thread pool is running can hang
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        done = sum(pool.map(_save_slice, slices))
    assert done == count
    Store(store).catalog("NVDA")  # the first read builds the catalog (not timed)


def whole(command: list[str], runs: int, after: list[str] | None = None) -> float:
    """Median wall seconds of ``command`` as a process (``after`` runs untimed after each)."""
    times = []
    for _ in range(runs + 1):  # the first run warms the file cache and is not counted
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[:500]}")
        if after:
            subprocess.run(after, check=True)
    return statistics.median(times[1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", default=os.environ.get("MAXPAIN_REAL_CORPUS", str(REPO.parent / "shared" / "chains"))
    )
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", default=None, help="Build the stores here and keep them.")
    args = parser.parse_args()
    corpus = Path(args.corpus)
    if not (corpus / "vraptunovich-stock" / "NVDA").is_dir():
        print(f"no NVDA chains under {corpus} (give --corpus or set MAXPAIN_REAL_CORPUS)", file=sys.stderr)
        return 2
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="maxpain-scale-"))
    base.mkdir(parents=True, exist_ok=True)
    stores = {n: base / f"store-{n}" for n in (9, 1000, 5000)}
    try:
        for count, store in stores.items():
            if not (store / "NVDA").is_dir():
                start = time.perf_counter()
                build(corpus, store, count, args.jobs) if count != 9 else _save_real(corpus, store)
                print(f"built {count} snapshots in {time.perf_counter() - start:.1f} s", file=sys.stderr)
        newcomer = base / "new-NVDA.parquet"
        _write_newcomer(corpus, newcomer)
        cli = [sys.executable, "-m", "maxpain_cli"]
        result: dict[str, object] = {"report_s": {}, "snapshots_s": {}, "import_s": {}}
        for count in (9, 5000):
            store = str(stores[count])
            result["report_s"][str(count)] = whole([*cli, "--store", store, "report", "NVDA"], args.runs)  # type: ignore[index]
            added = stores[count] / "NVDA" / "2026-10-02T200000Z.parquet"
            result["import_s"][str(count)] = whole(  # type: ignore[index]
                [*cli, "--store", store, "import", str(newcomer)], args.runs, ["rm", "-f", str(added)]
            )
            print(f"{count}: report {result['report_s']}, import {result['import_s']}", file=sys.stderr)
        result["snapshots_s"]["5000"] = whole([*cli, "--store", str(stores[5000]), "snapshots", "NVDA"], args.runs)  # type: ignore[index]
        result["history_1000_s"] = _history_in_process(stores[1000], args.runs)
        probe = f"from maxpain.store import Store; Store({str(stores[1000])!r}).summaries('NVDA')"
        result["history_1000_process_s"] = whole([sys.executable, "-c", probe], args.runs)
        report = result["report_s"]  # type: ignore[assignment]
        imports = result["import_s"]  # type: ignore[assignment]
        result["ratios"] = {
            "report_5000_vs_9": report["5000"] / report["9"],  # type: ignore[index]
            "import_5000_vs_9": imports["5000"] / imports["9"],  # type: ignore[index]
        }
        result["targets"] = TARGETS
        result["runs"] = args.runs
        print(json.dumps(result))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


def _save_real(corpus: Path, store: Path) -> None:
    target = Store(store)
    for chain in real_chains(corpus):
        target.save(chain)
    target.catalog("NVDA")


def _write_newcomer(corpus: Path, path: Path) -> None:
    """A chain file to import: the last real chain, captured 2026-10-02 20:00 UTC (after every
    stored snapshot), in the store's own column names."""
    chain = real_chains(corpus)[-1]
    frame = chain.frame.with_columns(
        captured_at=pl.lit("2026-10-02T20:00:00+00:00"),
        underlying=pl.lit("NVDA"),
        spot=pl.lit(chain.meta.spot),
    )
    frame.write_parquet(path)


def _history_in_process(store: Path, runs: int) -> float:
    """Max pain per expiration of every snapshot, from the summaries: a fresh Store each run."""
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        table = Store(store).summaries("NVDA").select("id", "expiration", "max_pain")
        times.append(time.perf_counter() - start)
    assert table.get_column("id").n_unique() == 1000, table.get_column("id").n_unique()
    return statistics.median(times[1:])


if __name__ == "__main__":
    sys.exit(main())
