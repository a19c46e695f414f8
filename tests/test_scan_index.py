"""The scan's store-wide index (maxpain.scan_index): a scan through it gives the rows a scan
without it gives, reads nothing one by one once it is written, and never uses an entry whose
ticker folder, catalog or snapshot file changed since; a damaged index or a read-only store only
costs speed."""

from __future__ import annotations

import dataclasses
import os
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from maxpain import bulk, catalog, scan_index
from maxpain.analyses.market_scan import CATALOG_COLUMNS, COLUMNS, scan_batch
from maxpain.analyses.scan import scan
from maxpain.store import Store

DEMO = Path(__file__).resolve().parents[1] / "fixtures" / "demo-store"
NAMES = ["DEMO", "AAA", "BBB", "CCC", "DDD"]


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """The demo store plus four copies of its ticker under other names (two snapshots each), and
    an index written from two tickers on (every ticker's catalog trusted unread)."""
    monkeypatch.setattr(scan_index, "MIN_FILES", 2)
    root = tmp_path / "store"
    shutil.copytree(DEMO, root)
    demo = Store(root)
    chains = [demo.load(info) for info in demo.snapshots("DEMO")[-2:]]
    for name in NAMES[1:]:
        for chain in chains:
            frame = chain.frame.with_columns(root=pl.lit(name))
            meta = dataclasses.replace(chain.meta, underlying=name)
            demo.save(dataclasses.replace(chain, frame=frame, meta=meta))
    settle(root)
    return Store(root)


def settle(root: Path) -> None:
    """Age every folder past the catalogs' settling time and refresh the catalogs, so that each
    is trusted unread (what a store looks like a few seconds after its last save)."""
    old = os.stat(root).st_mtime_ns - 10 * catalog.SETTLE_NS
    for name in NAMES:
        os.utime(root / name, ns=(old, old))
        catalog.load(root, name, rebuild=True)


class Reads:
    """Counts what a scan reads one by one: catalogs trusted unread, and snapshot files."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.fresh: list[str] = []
        self.files: list[str] = []
        fresh, rows = catalog.fresh, bulk.snapshot_rows

        def counted_fresh(root: Path, ticker: str) -> bool:
            self.fresh.append(ticker)
            return fresh(root, ticker)

        def counted_rows(paths: Any, columns: Any, counts: Any) -> pl.DataFrame:
            self.files += [Path(p).parent.name for p in paths]
            return rows(paths, columns, counts)

        monkeypatch.setattr(catalog, "fresh", counted_fresh)
        monkeypatch.setattr(bulk, "snapshot_rows", counted_rows)

    def clear(self) -> None:
        self.fresh.clear()
        self.files.clear()


def rows_of(store: Store, at: str = "latest", *, index: bool) -> dict[str, dict[str, Any]]:
    batch = scan_batch(store, NAMES, at=at, index=index)
    assert batch.others == []
    return batch.rows


def test_a_scan_through_the_index_gives_the_same_rows_and_reads_nothing_one_by_one(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = Reads(monkeypatch)
    plain = rows_of(store, index=False)
    assert not (scan_index.folder(store.root)).exists()  # without it, nothing is written
    first = rows_of(store, index=True)
    assert sorted(reads.fresh) == sorted(NAMES * 2)  # the one without and the one writing it
    written = sorted(p.name for p in scan_index.folder(store.root).iterdir())
    read = {r["snapshot"] for r in first.values()} | {r["top_build_up"]["since"] for r in first.values()}
    assert written == sorted(["listing.index", *{f"{snapshot[:10]}.rows" for snapshot in read}])
    reads.clear()
    second = rows_of(store, index=True)
    assert reads.fresh == [] and reads.files == []
    assert plain == first == second
    earlier = str(store.snapshots("AAA")[0].captured_at.date())
    assert rows_of(store, earlier, index=True) == rows_of(store, earlier, index=False)


def test_a_ticker_changed_since_is_read_again(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    rows_of(store, index=True)
    reads = Reads(monkeypatch)
    # a snapshot added by hand: AAA's folder changed, its entry is stale
    newest = store.resolve("AAA")
    shutil.copyfile(newest.path, newest.path.with_name("2025-12-06T000000Z.parquet"))
    again = rows_of(store, index=True)
    assert reads.fresh == ["AAA"]  # its catalog is refreshed: not trusted unread
    assert again["AAA"]["snapshot"] == "2025-12-06T000000Z"
    assert again == rows_of(store, index=False)
    # a catalog rewritten (its file's time changes) is read again too
    reads.clear()
    catalog.load(store.root, "BBB", rebuild=True)
    rows_of(store, index=True)
    assert "BBB" in reads.fresh and "CCC" not in reads.fresh


def test_catalogs_refreshed_after_a_day_of_saves_are_indexed(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows_of(store, index=True)
    for name in NAMES:  # the next day's collection: a snapshot saved for every ticker
        chain = store.load(store.resolve(name))
        later = dataclasses.replace(chain.meta, captured_at=chain.meta.captured_at + timedelta(days=1))
        store.save(dataclasses.replace(chain, meta=later))
    loads: list[str] = []
    load = catalog.load

    def counted(root: Path, ticker: str, **options: Any) -> pl.DataFrame:
        loads.append(ticker)
        return load(root, ticker, **options)

    monkeypatch.setattr(catalog, "load", counted)
    assert rows_of(store, index=True) == rows_of(store, index=False)
    # the folders changed too recently to record: each catalog is refreshed, nothing indexed yet
    assert sorted(set(loads)) == sorted(NAMES)
    old = os.stat(store.root).st_mtime_ns - 5 * catalog.SETTLE_NS  # later than the fixture's
    for name in NAMES:
        os.utime(store.root / name, ns=(old, old))
    loads.clear()
    refreshed = rows_of(store, index=True)  # refreshed (their new rows in .recent files) and indexed
    assert sorted(loads) == sorted(NAMES)
    assert (store.root / ".catalog" / "AAA.recent").exists()  # so not trusted unread
    assert refreshed == rows_of(store, index=False)
    reads = Reads(monkeypatch)
    loads.clear()
    assert rows_of(store, index=True) == refreshed
    assert loads == [] and reads.fresh == [] and reads.files == []


def test_a_file_whose_catalog_row_changed_is_not_read_from_the_index(store: Store) -> None:
    rows_of(store, index=True)
    listing = bulk.catalogs(store.root, NAMES, CATALOG_COLUMNS, index=True)
    latest = listing.group_by("ticker", maintain_order=True).last()
    files = [
        scan_index.SnapshotFile(r["ticker"], r["id"], r["size"], r["mtime_ns"], r["contracts"])
        for r in latest.iter_rows(named=True)
    ]
    frames, covered = scan_index.read_rows(store.root, files, list(COLUMNS))
    assert covered.all()
    direct = bulk.snapshot_rows(
        [os.path.join(store.root, f.ticker, f.id + ".parquet") for f in files],
        COLUMNS,
        [f.rows for f in files],
    )
    assert pl.concat(frames).sort("file", maintain_order=True).equals(direct)
    # another size or time than the entry's: that file is not covered, the others still are
    files[1] = files[1]._replace(mtime_ns=files[1].mtime_ns + 1)
    frames, covered = scan_index.read_rows(store.root, files, list(COLUMNS))
    assert covered.tolist() == [True, False, True, True, True]
    assert 1 not in pl.concat(frames).get_column("file").to_list()
    # columns the index does not hold: not read from it
    assert not scan_index.read_rows(store.root, files, [*COLUMNS, "bid"])[1].any()


def test_a_damaged_index_costs_only_speed(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = rows_of(store, index=True)
    with monkeypatch.context() as later:  # written by another version: not read, written anew
        later.setattr(scan_index, "FORMAT", scan_index.FORMAT + 1)
        reads = Reads(later)
        assert rows_of(store, index=True) == expected
        assert sorted(reads.fresh) == sorted(NAMES)
    for path in scan_index.folder(store.root).iterdir():
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])  # cut short
    assert rows_of(store, index=True) == expected
    for path in scan_index.folder(store.root).iterdir():  # written again, whole
        path.write_bytes(b"garbage")
    assert rows_of(store, index=True) == expected


def test_an_index_that_cannot_be_written_costs_only_speed(store: Store) -> None:
    scan_index.folder(store.root).write_text("a file where the index folder goes")  # mkdir fails
    assert rows_of(store, index=True) == rows_of(store, index=False)
    assert scan_index.folder(store.root).is_file()


def test_only_the_row_files_written_last_are_kept(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_index, "KEEP_DAYS", 1)
    rows_of(store, index=True)  # writes the two days'
    found = sorted(p.name for p in scan_index.folder(store.root).glob("*.rows"))
    assert len(found) == 1


def test_the_whole_scan_writes_it_a_distributed_part_does_not(store: Store) -> None:
    class Serial:  # an engine that maps in turn (what a cluster's parts do, one by one)
        def map(self, function: Any, items: Any) -> list[Any]:
            return [function(item) for item in items]

    parted = scan(store, NAMES, engine=Serial())  # type: ignore[arg-type]
    assert not scan_index.folder(store.root).exists()
    whole = scan(store, NAMES)
    assert (scan_index.folder(store.root) / "listing.index").exists()
    assert parted.rows == whole.rows


def test_below_the_threshold_nothing_is_written(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_index, "MIN_FILES", len(NAMES) + 1)
    rows_of(store, index=True)
    assert not scan_index.folder(store.root).exists()
    np.testing.assert_equal(len(NAMES), len(rows_of(store, index=True)))


def test_a_scan_comparing_nothing_indexes_the_roots_it_does_not_read(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At its first snapshot no ticker is compared with an earlier one, so the scan reads no
    roots; the day's index it writes holds them all the same, and a scan of the next day (which
    matches contracts by root) reads that day from the index, not file by file."""
    names = NAMES[1:]  # (DEMO has snapshots before theirs)
    first_day = str(store.snapshots("AAA")[0].captured_at.date())
    asked: list[list[str]] = []
    read_rows = scan_index.read_rows

    def recorded(root: Any, files: Any, columns: Any) -> Any:
        asked.append(list(columns))
        return read_rows(root, files, columns)

    monkeypatch.setattr(scan_index, "read_rows", recorded)
    early = scan_batch(store, names, at=first_day, index=True)
    assert early.others == [] and all(r["top_build_up"] is None for r in early.rows.values())
    assert "root" not in asked[0]  # what the scan reads; the index written then holds the roots
    listing = bulk.catalogs(store.root, names, CATALOG_COLUMNS)
    firsts = listing.group_by("ticker", maintain_order=True).first()
    files = [
        scan_index.SnapshotFile(r["ticker"], r["id"], r["size"], r["mtime_ns"], r["contracts"])
        for r in firsts.iter_rows(named=True)
    ]
    assert read_rows(store.root, files, list(COLUMNS))[1].all()
    reads = Reads(monkeypatch)
    later = scan_batch(store, names, at="latest", index=True)
    assert sorted(reads.files) == sorted(names)  # the latest snapshots only: the first day indexed
    assert later.rows == scan_batch(store, names, at="latest", index=False).rows
    assert all(r["top_build_up"] is not None for r in later.rows.values())


def test_rows_of_two_days_read_as_one_chunk_per_column(store: Store) -> None:
    """The rows of files of two days, from the index or from the files, come back contiguous:
    a column cut in several chunks beside the scan's own one-chunk columns would make polars copy
    the whole frame in many operations."""
    listing = bulk.catalogs(store.root, NAMES[1:], CATALOG_COLUMNS)
    files = [
        scan_index.SnapshotFile(r["ticker"], r["id"], r["size"], r["mtime_ns"], r["contracts"])
        for r in listing.iter_rows(named=True)
    ]
    assert len({f.day for f in files}) == 2
    for _ in range(2):  # read from the files and indexed, then from the index
        rows = bulk.read_snapshots(store.root, files, COLUMNS, index=True, indexed=COLUMNS)
        assert rows.n_chunks("all") == [1] * len(rows.columns)
        assert rows.get_column("file").to_list() == sorted(rows.get_column("file").to_list())
    assert scan_index.read_rows(store.root, files, list(COLUMNS))[1].all()
