"""Store-scale benchmark: do one-ticker commands stay as fast with 5,000 stored snapshots as with 9?

Builds, in a temporary folder, an NVDA store from the 9 real daily chains of the corpus
(vraptunovich-stock/NVDA, ~5k contracts each) and a 5,000-snapshot one: the same 9 chains
collected every 15 minutes (26 a session) over 43 weeks, their dates shifted two weeks per cycle
(expirations too), saved through the store as an import saves them. Then times, as whole
processes (the median of --runs), ``report NVDA`` at 9 and 5,000 and one ``import`` of a new chain
at 9 and 5,000 (the new snapshot removed after each run and the catalog brought up to date,
untimed), each pair run in turn so that the ratio
(the median of run-by-run ratios) holds while the machine's speed drifts; ``snapshots NVDA`` at
5,000; and, on a 1,000-snapshot store, max pain per expiration of every snapshot from the summaries (in
process: ``Store.summaries``; the whole process is printed too). Prints progress, then ONE JSON
object last.

    python benchmarks/store_scale.py [--corpus ../shared/chains] [--runs 7] [--keep DIR]

Targets (2 cores): report_s["9"] <= 0.5 and report_s["5000"] within 10% of it;
snapshots_s["5000"] <= 1.0; import_s["5000"] within 10% of import_s["9"]; history_1000_s <= 0.3.
"""

from __future__ import annotations

import argparse
import compileall
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


def archive_store(base: Path, corpus: Path) -> Path:
    """``base/laiweibin``: the laiweibin archive imported by ``maxpain import`` (untimed; kept
    between runs with ``--keep``, shared by the benchmarks that read it)."""
    archive = base / "laiweibin"
    if not (archive / "SPY").is_dir():
        print("importing the laiweibin archive …", file=sys.stderr)
        source = corpus / "laiweibin456-us-option-data"
        command = [sys.executable, "-m", "maxpain_cli", "--store", str(archive), "import", str(source)]
        subprocess.run(command, check=True, capture_output=True)
    return archive


def print_verdict(result: dict[str, object], targets: dict[str, float], digits: int = 3) -> None:
    """Print ``result`` as the benchmark's one JSON line, with its targets (upper bounds) and
    whether all were met."""
    result["targets"] = targets
    result["met"] = all(result[k] <= v for k, v in targets.items())  # type: ignore[operator]
    print(json.dumps({k: round(v, digits) if isinstance(v, float) else v for k, v in result.items()}))


def once(command: list[str], after: list[str] | None = None) -> float:
    """Wall seconds of ``command`` as a process (``after`` runs untimed after it)."""
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()[:500]}")
    if after:
        subprocess.run(after, check=True)
    return elapsed


def whole(command: list[str], runs: int, after: list[str] | None = None) -> float:
    """Median wall seconds of ``command`` over ``runs`` (after one uncounted warm-up run)."""
    once(command, after)
    return statistics.median(once(command, after) for _ in range(runs))


def paired(
    a: list[str], b: list[str], runs: int, after_a: list[str] | None = None, after_b: list[str] | None = None
) -> tuple[float, float, float]:
    """Medians of ``a`` and ``b`` run in turn (A B A B …, after a warm-up of each), and the median
    of the run-by-run ratios a/b: pairing keeps the ratio true while the machine's speed drifts."""
    once(a, after_a)
    once(b, after_b)
    pairs = [(once(a, after_a), once(b, after_b)) for _ in range(runs)]
    return (
        statistics.median(x for x, _ in pairs),
        statistics.median(y for _, y in pairs),
        statistics.median(x / y for x, y in pairs),
    )


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
    # the package as installed: with its bytecode (an editable install under PYTHONDONTWRITEBYTECODE
    # would compile every module from source in every timed process)
    for package in ("maxpain", "cli"):
        compileall.compile_dir(REPO / package, quiet=1)
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
        big, small = str(stores[5000]), str(stores[9])
        report_big, report_small, report_ratio = paired(
            [*cli, "--store", big, "report", "NVDA"], [*cli, "--store", small, "report", "NVDA"], args.runs
        )
        print(f"report: {report_small:.3f} s at 9, {report_big:.3f} s at 5,000", file=sys.stderr)
        added = "2026-10-02T200000Z.parquet"
        import_big, import_small, import_ratio = paired(
            [*cli, "--store", big, "import", str(newcomer)],
            [*cli, "--store", small, "import", str(newcomer)],
            args.runs,
            _forget(stores[5000], added),
            _forget(stores[9], added),
        )
        print(f"import: {import_small:.3f} s at 9, {import_big:.3f} s at 5,000", file=sys.stderr)
        listing = whole([*cli, "--store", big, "snapshots", "NVDA"], args.runs)
        probe = f"from maxpain.store import Store; Store({str(stores[1000])!r}).summaries('NVDA')"
        result: dict[str, object] = {
            "report_s": {"9": report_small, "5000": report_big},
            "snapshots_s": {"5000": listing},
            "import_s": {"9": import_small, "5000": import_big},
            "history_1000_s": _history_in_process(stores[1000], args.runs),
            "history_1000_process_s": whole([sys.executable, "-c", probe], args.runs),
            "ratios": {"report_5000_vs_9": report_ratio, "import_5000_vs_9": import_ratio},
        }
        result["targets"] = TARGETS
        result["runs"] = args.runs
        print(json.dumps(result))
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    return 0


def _forget(store: Path, name: str) -> list[str]:
    """Untimed, after each import: remove the imported snapshot and bring the catalog up to date,
    so every timed import lands on a current catalog, as a collector's next import does."""
    refresh = f"from maxpain.store import Store; Store({str(store)!r}).catalog('NVDA')"
    return ["sh", "-c", f'rm -f {store / "NVDA" / name} && {sys.executable} -c "{refresh}"']


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
