"""The store's catalog: derived from the footers, and true after everything that can happen to a
store: missing, damaged, stale (files added or removed by hand), files changed in place, writers
killed mid-write, concurrent writers, a summary definition that changed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from maxpain import audit, catalog, summary
from maxpain.footer import read_info
from maxpain.store import Store
from tests.test_store import small_chain

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2025, 12, 1, 20, 0, tzinfo=UTC)


def stored(tmp_path: Path, count: int = 4, ticker: str = "XYZ") -> Store:
    store = Store(tmp_path / "store")
    for day in range(count):
        store.save(small_chain(T0 + timedelta(days=day), ticker=ticker, oi_scale=day + 1))
    return store


def settle(store: Store, ticker: str = "XYZ") -> None:
    """Age the ticker's folder so the catalog may trust its modification time."""
    folder = store.root / ticker
    past = time.time() - 60
    os.utime(folder, (past, past))


def truth(store: Store, ticker: str = "XYZ") -> list[tuple[str, str, str | None]]:
    """(id, content hash, damaged) of every snapshot file, read from the footers themselves."""
    rows = []
    for path in sorted((store.root / ticker).glob("*.parquet")):
        info = read_info(path)
        rows.append((info.id, info.content_hash, info.damaged))
    return rows


def listed(store: Store, ticker: str = "XYZ") -> list[tuple[str, str, str | None]]:
    frame = store.catalog(ticker, columns=["id", "content_hash", "damaged"], validate=True)
    return sorted(frame.iter_rows())


def test_built_on_first_read_then_trusted_without_listing_the_folder(tmp_path: Path) -> None:
    store = stored(tmp_path)
    settle(store)
    _, first = catalog.load_with_report(store.root, "XYZ")
    assert first.rebuilt == "missing" and first.read_footers == 4 and first.written
    _, second = catalog.load_with_report(store.root, "XYZ")
    assert (second.read_footers, second.rebuilt, second.written) == (0, None, False)
    assert listed(store) == truth(store)


def test_a_new_save_is_picked_up_reading_only_its_footer(tmp_path: Path) -> None:
    store = stored(tmp_path)
    settle(store)
    catalog.load(store.root, "XYZ")
    store.save(small_chain(T0 + timedelta(days=10), oi_scale=9))
    frame, report = catalog.load_with_report(store.root, "XYZ")
    assert report.read_footers == 1 and report.rebuilt is None
    assert frame["id"].to_list()[-1] == "2025-12-11T200000Z"
    assert store.resolve("XYZ").id == "2025-12-11T200000Z"


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "other-version", "a-folder"])
def test_a_damaged_or_outdated_catalog_is_rebuilt(tmp_path: Path, damage: str) -> None:
    store = stored(tmp_path)
    catalog.load(store.root, "XYZ")
    path = catalog.catalog_path(store.root, "XYZ")
    if damage == "garbage":
        path.write_bytes(b"PAR1 this is not parquet PAR1")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "other-version":
        frame = pl.read_parquet(path)
        frame.write_parquet(path, metadata={catalog.META_KEY: json.dumps({"format": 0})})
    else:  # something else sits where the catalog goes: it cannot be written, reads still work
        path.unlink()
        path.mkdir()
    frame, report = catalog.load_with_report(store.root, "XYZ")
    assert report.rebuilt is not None and report.read_footers == 4
    assert report.written == (damage != "a-folder")
    assert listed(store) == truth(store)
    assert frame.height == 4


def test_files_added_or_removed_by_hand_are_seen(tmp_path: Path) -> None:
    store = stored(tmp_path)
    other = stored(tmp_path / "other", count=6)
    settle(store)
    catalog.load(store.root, "XYZ")
    # copied in with its modification time kept, and one removed
    extra = other.root / "XYZ" / "2025-12-06T200000Z.parquet"
    shutil.copy2(extra, store.root / "XYZ" / extra.name)
    (store.root / "XYZ" / "2025-12-01T200000Z.parquet").unlink()
    assert listed(store) == truth(store)
    assert store.resolve("XYZ").id == "2025-12-06T200000Z"
    assert next(s.id for s in store.snapshots("XYZ")) == "2025-12-02T200000Z"


def test_a_file_changed_in_place_is_read_again(tmp_path: Path) -> None:
    store = stored(tmp_path)
    settle(store)
    catalog.load(store.root, "XYZ")
    victim = store.root / "XYZ" / "2025-12-04T200000Z.parquet"
    victim.write_bytes(victim.read_bytes()[:100])  # cut short in place: the folder time stays
    settle(store)
    assert listed(store) == truth(store)
    assert dict((i, d) for i, _, d in listed(store))["2025-12-04T200000Z"].startswith("unreadable")
    # a command that opens the latest without listing: the load fails, the catalog learns it
    from maxpain.snapshot import open_snapshot

    catalog.load(store.root, "XYZ")
    assert open_snapshot(store, "XYZ").id == "2025-12-03T200000Z"


def test_a_writer_killed_mid_write_never_leaves_a_wrong_catalog(tmp_path: Path) -> None:
    store = stored(tmp_path, count=8)
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from pathlib import Path
        from maxpain import catalog
        while True:
            catalog.load(Path({str(store.root)!r}), "XYZ", rebuild=True)
        """
    )
    for delay in (0.3, 0.45, 0.6, 0.8):
        writer = subprocess.Popen([sys.executable, "-c", script])
        time.sleep(delay)
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        # whatever moment it died at: the catalog is the old one or the new one, and true
        assert listed(store) == truth(store)
        assert audit.rebuild_and_compare(store.root, "XYZ") == []


def test_concurrent_writers_and_readers_end_with_every_snapshot_listed(tmp_path: Path) -> None:
    store = stored(tmp_path, count=1)
    script = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, {repo!r})
        sys.path.insert(0, {repo!r} + "/tests")
        from datetime import UTC, datetime, timedelta
        from maxpain.store import Store
        from tests.test_store import small_chain
        store = Store({root!r})
        for k in range(6):
            store.save(small_chain(datetime(2026, 1, 5, 20, tzinfo=UTC) + timedelta(hours={offset} + 2 * k)))
            store.snapshots("XYZ")
        """
    )
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", script.format(repo=str(REPO), root=str(store.root), offset=n)]
        )
        for n in (0, 1)
    ]
    for writer in writers:
        assert writer.wait(timeout=120) == 0
    assert len(listed(store)) == 13
    assert listed(store) == truth(store)


def test_a_changed_summary_definition_is_recomputed_from_the_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = stored(tmp_path)
    before = store.summaries("XYZ")
    monkeypatch.setattr(summary, "VERSION", summary.VERSION + 1)
    _frame, report = catalog.load_with_report(store.root, "XYZ")
    assert report.rebuilt == "unreadable or outdated"
    assert report.from_rows == 4  # the footers hold the old version: recomputed from rows
    after = store.summaries("XYZ")
    assert after.equals(before)  # the same definitions give the same figures either way


def test_snapshots_stored_before_summaries_get_them_from_their_rows(tmp_path: Path) -> None:
    demo = tmp_path / "store"
    shutil.copytree(REPO / "fixtures" / "demo-store", demo, ignore=shutil.ignore_patterns(".catalog"))
    assert all(read_info(p).summary is None for p in (demo / "DEMO").glob("*.parquet"))
    frame, report = catalog.load_with_report(demo, "DEMO")
    assert report.from_rows == 5
    assert frame.get_column("positions").str.len_chars().min() == 32  # filled from the rows too
    store = Store(demo)
    for info in store.snapshots("DEMO"):
        chain = store.load(info)
        expected = summary.summary_of(chain).to_dicts()
        got = store.catalog("DEMO").filter(pl.col("id") == info.id)["summary"].to_list()[0]
        assert got == expected


def test_verify_rebuilds_and_says_what_was_stale(tmp_path: Path) -> None:
    store = stored(tmp_path)
    settle(store)
    catalog.load(store.root, "XYZ")
    # the catalog goes stale behind the store's back: an entry for a file that is gone
    (store.root / "XYZ" / "2025-12-02T200000Z.parquet").unlink()
    settle(store)  # ... and a folder time that says nothing changed
    path = catalog.catalog_path(store.root, "XYZ")
    frame = pl.read_parquet(path)
    meta = json.loads(pl.read_parquet_metadata(path)[catalog.META_KEY])
    meta["folder_mtime_ns"] = (store.root / "XYZ").stat().st_mtime_ns
    frame.write_parquet(path, metadata={catalog.META_KEY: json.dumps(meta)})
    assert len(catalog.load(store.root, "XYZ")) == 4  # trusted, stale
    checked = audit.verify(store, "XYZ")
    assert store.catalog_checks == ["the XYZ catalog was stale (1 listed files gone): rebuilt"]
    assert [s.id for s in checked] == ["2025-12-01T200000Z", "2025-12-03T200000Z", "2025-12-04T200000Z"]
    assert audit.verify(store, "XYZ") and store.catalog_checks == []


def test_verify_catches_a_summary_that_disagrees_with_its_rows(tmp_path: Path) -> None:
    store = stored(tmp_path)
    victim = store.root / "XYZ" / "2025-12-03T200000Z.parquet"
    meta = json.loads(pl.read_parquet_metadata(victim)["maxpain"])
    meta["summary"]["expirations"][0]["max_pain"] = 12345.0
    pl.read_parquet(victim).write_parquet(victim, metadata={"maxpain": json.dumps(meta)})
    damaged = {s.id: s.damaged for s in audit.verify(store, "XYZ") if s.damaged}
    assert list(damaged) == ["2025-12-03T200000Z"] and "summary disagrees" in damaged["2025-12-03T200000Z"]


def test_history_from_summaries_matches_the_analyses(tmp_path: Path) -> None:
    from maxpain import analyses

    store = stored(tmp_path)
    history = store.summaries("XYZ")
    for info in store.snapshots("XYZ"):
        table = analyses.max_pain_by_expiration(store.load(info))
        mine = history.filter(pl.col("id") == info.id)
        assert mine["max_pain"].to_list() == table["max_pain"].to_list()
        assert mine["call_oi"].to_list() == table["call_oi"].to_list()
        assert mine["put_oi"].to_list() == table["put_oi"].to_list()


def test_a_save_writes_only_the_recent_rows_until_they_are_merged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = stored(tmp_path)
    settle(store)
    catalog.load(store.root, "XYZ")
    base = catalog.catalog_path(store.root, "XYZ")
    recent = base.with_suffix(".recent")
    before = base.stat()
    store.save(small_chain(T0 + timedelta(days=10)))
    assert listed(store) == truth(store)
    assert recent.exists() and base.stat().st_ino == before.st_ino  # the history is not rewritten
    assert store.resolve("XYZ").id == "2025-12-11T200000Z"
    monkeypatch.setattr(catalog, "_RECENT_ROWS", 1)
    store.save(small_chain(T0 + timedelta(days=11)))
    assert listed(store) == truth(store)
    assert not recent.exists() and base.stat().st_ino != before.st_ino  # merged into a new base


@pytest.mark.parametrize("damage", ["garbage", "another-base"])
def test_a_damaged_or_foreign_recent_file_is_not_trusted(tmp_path: Path, damage: str) -> None:
    store = stored(tmp_path)
    settle(store)
    catalog.load(store.root, "XYZ")
    store.save(small_chain(T0 + timedelta(days=10)))
    catalog.load(store.root, "XYZ")
    recent = catalog.catalog_path(store.root, "XYZ").with_suffix(".recent")
    if damage == "garbage":
        recent.write_bytes(b"not parquet")
    else:  # written for a base that has since been replaced
        frame = pl.read_parquet(recent)
        meta = json.loads(pl.read_parquet_metadata(recent)[catalog.META_KEY])
        frame.write_parquet(recent, metadata={catalog.META_KEY: json.dumps({**meta, "base": "old"})})
    assert listed(store) == truth(store)
    assert store.resolve("XYZ").id == "2025-12-11T200000Z"
