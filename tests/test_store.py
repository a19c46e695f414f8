"""The snapshot store: round trip, selection rules, atomicity under SIGKILL, concurrent writers,
damaged files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from maxpain import audit
from maxpain.chain import Chain
from maxpain.errors import InputError, NotFoundError, StoreError
from maxpain.normalize import normalize
from maxpain.store import Store, snapshot_id

REPO = Path(__file__).resolve().parent.parent


def small_chain(
    captured_at: datetime, ticker: str = "XYZ", oi_scale: int = 1, spot: float | None = 101.0
) -> Chain:
    rows = []
    for expiration in (date(2025, 12, 5), date(2025, 12, 19)):
        for strike in (90.0, 95.0, 100.0, 105.0, 110.0):
            for right in ("C", "P"):
                rows.append(
                    {
                        "contractSymbol": f"{ticker}{expiration:%y%m%d}{right}{int(strike * 1000):08d}",
                        "strike": strike,
                        "type": right,
                        "expiration": expiration.isoformat(),
                        "openInterest": float(int(strike) * oi_scale) if strike != 95.0 else float("nan"),
                        "volume": 3.0,
                        "bid": 1.0,
                        "ask": 1.2,
                        "lastPrice": 1.1,
                        "impliedVolatility": 0.35 if strike != 110.0 else 1e-05,
                    }
                )
    return normalize(pl.DataFrame(rows), captured_at=captured_at, spot=spot, source="test")


T0 = datetime(2025, 12, 1, 20, 12, 8, tzinfo=UTC)


def test_round_trip_preserves_every_column_and_metadata(tmp_path: Path) -> None:
    store = Store(tmp_path)
    chain = small_chain(T0)
    chain.meta.notes.append("a note")
    result = store.save(chain)
    assert result.created
    assert result.info.id == "2025-12-01T201208Z"
    assert result.info.path == tmp_path / "XYZ" / "2025-12-01T201208Z.parquet"
    loaded = store.load(store.resolve("XYZ"))
    assert loaded.frame.equals(chain.frame)
    assert loaded.frame.schema == chain.frame.schema
    assert loaded.meta == chain.meta
    # unknown OI survives as null, the IV placeholder as null
    assert loaded.frame["open_interest"].null_count() == 4
    assert loaded.frame["implied_volatility"].null_count() == 4


def test_identical_reimport_is_not_stored_twice(tmp_path: Path) -> None:
    store = Store(tmp_path)
    assert store.save(small_chain(T0)).created
    again = store.save(small_chain(T0))
    assert not again.created
    assert len(store.snapshots("XYZ")) == 1
    # same rows at another time is another snapshot (a holiday copy is still a day's snapshot)
    assert store.save(small_chain(T0 + timedelta(days=1))).created


def test_selection_rules(tmp_path: Path) -> None:
    store = Store(tmp_path)
    stamps = [T0, T0 + timedelta(hours=2), T0 + timedelta(days=1), T0 + timedelta(days=3)]
    for i, stamp in enumerate(stamps):
        store.save(small_chain(stamp, oi_scale=i + 1))
    assert store.resolve("XYZ").id == snapshot_id(stamps[-1])
    assert store.resolve("xyz", "latest").id == snapshot_id(stamps[-1])
    # a date selects the last snapshot of that day
    assert store.resolve("XYZ", "2025-12-01").id == snapshot_id(stamps[1])
    assert store.resolve("XYZ", "2025-12-02").id == snapshot_id(stamps[2])
    # an id, and a unique prefix
    assert store.resolve("XYZ", "2025-12-01T201208Z").id == "2025-12-01T201208Z"
    assert store.resolve("XYZ", "2025-12-04T").id == snapshot_id(stamps[3])
    with pytest.raises(InputError, match="matches 2"):
        store.resolve("XYZ", "2025-12-01T")
    with pytest.raises(NotFoundError, match="no XYZ snapshot on 2025-12-03"):
        store.resolve("XYZ", "2025-12-03")
    with pytest.raises(NotFoundError, match="no XYZ snapshot matches"):
        store.resolve("XYZ", "bogus")
    with pytest.raises(NotFoundError, match="no snapshots of ABC"):
        store.resolve("ABC")
    # the as-of selection really filters: the loaded chain is the one of that day
    assert store.load(store.resolve("XYZ", "2025-12-02")).frame["open_interest"].max() == 110 * 3
    assert store.previous(store.resolve("XYZ", "2025-12-02")).id == snapshot_id(stamps[1])
    assert store.previous(store.resolve("XYZ", "2025-12-01T201208Z")) is None


def test_store_layout_reads_as_one_history_with_scan_parquet(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.save(small_chain(T0))
    store.save(small_chain(T0 + timedelta(days=1), ticker="ABC"))
    history = pl.scan_parquet(str(tmp_path / "*" / "*.parquet")).group_by("underlying").len().collect()
    assert dict(history.iter_rows()) == {"XYZ": 20, "ABC": 20}


def test_tickers_that_could_escape_the_store_are_refused(tmp_path: Path) -> None:
    store = Store(tmp_path)
    for bad in ("../../etc", "/etc/passwd", "A\x00B", "X" * 40, "..", "a/b", ""):
        with pytest.raises(InputError, match="not a ticker symbol"):
            store.resolve(bad)
    assert not any(tmp_path.iterdir())


def test_damaged_file_is_listed_and_skipped(tmp_path: Path) -> None:
    store = Store(tmp_path)
    store.save(small_chain(T0))
    good = store.save(small_chain(T0 + timedelta(days=1))).info
    damaged = tmp_path / "XYZ" / "2025-12-05T200000Z.parquet"
    damaged.write_bytes(good.path.read_bytes()[:300])
    listed = store.snapshots("XYZ")
    assert [s.damaged is not None for s in listed] == [False, False, True]
    assert store.resolve("XYZ").id == good.id  # latest intact one
    checked = audit.verify(store, "XYZ")
    assert sum(1 for s in checked if s.damaged) == 1
    with pytest.raises(StoreError, match="damaged"):
        store.load(listed[-1])


def test_unwritable_store_is_one_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # root ignores permissions: point the store below a regular file instead
        blocker = tmp_path / "file"
        blocker.write_text("x")
        store = Store(blocker / "store")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
        store = Store(locked)
    with pytest.raises(StoreError, match="cannot"):
        store.save(small_chain(T0))


WRITER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {repo!r})
    from datetime import UTC, datetime, timedelta
    from tests.test_store import small_chain
    from maxpain.store import Store
    import polars as pl

    store = Store({root!r})
    chain = small_chain(datetime(2025, 12, 1, 20, 0, tzinfo=UTC) + timedelta(minutes={offset}))
    if {slow}:
        # make the Parquet write itself slow so the parent can kill us in the middle of it
        original = pl.DataFrame.write_parquet
        def slow_write(self, handle, **kw):
            handle.write(b"PAR1" + b"x" * 1000)
            handle.flush()
            print("WRITING", flush=True)
            time.sleep(30)
            return original(self, handle, **kw)
        pl.DataFrame.write_parquet = slow_write
    print(store.save(chain).info.id, flush=True)
    """
)


def run_writer(root: Path, offset: int, slow: bool) -> subprocess.Popen[str]:
    code = WRITER.format(repo=str(REPO), root=str(root), offset=offset, slow=slow)
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


@pytest.mark.slow
def test_sigkill_during_write_leaves_no_visible_snapshot(tmp_path: Path) -> None:
    writer = run_writer(tmp_path, 0, slow=True)
    assert writer.stdout is not None
    line = writer.stdout.readline()
    assert line.strip() == "WRITING", writer.stderr.read() if writer.stderr else ""
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    store = Store(tmp_path)
    assert store.snapshots() == []  # the half-written temp file is invisible
    assert list((tmp_path / "XYZ").glob("*.parquet")) == []
    # and the next run works
    store.save(small_chain(T0))
    assert [s.id for s in store.snapshots()] == ["2025-12-01T201208Z"]
    assert store.load(store.resolve("XYZ")).frame.height == 20


@pytest.mark.slow
def test_concurrent_writers_of_one_ticker_both_survive(tmp_path: Path) -> None:
    writers = [run_writer(tmp_path, offset, slow=False) for offset in (1, 2, 3, 4)]
    ids = []
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        ids.append(out.strip())
    store = Store(tmp_path)
    assert sorted(s.id for s in store.snapshots("XYZ")) == sorted(ids)
    assert all(store.load(s).frame.height == 20 for s in store.snapshots("XYZ"))


def test_same_second_different_content_gets_its_own_file(tmp_path: Path) -> None:
    store = Store(tmp_path)
    first = store.save(small_chain(T0)).info
    second = store.save(small_chain(T0, oi_scale=2)).info
    assert first.id == "2025-12-01T201208Z"
    assert second.id == "2025-12-01T201208Z-1"
    assert store.load(second).frame["open_interest"].max() == 220
    # stale temporaries of killed writers are swept by later writes, fresh ones are left alone
    stale = tmp_path / "XYZ" / ".old.123.abcd.tmp"
    stale.write_bytes(b"partial")
    os.utime(stale, (time.time() - 3600, time.time() - 3600))
    store.save(small_chain(T0 + timedelta(days=2)))
    assert not stale.exists()
