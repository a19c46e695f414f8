"""The bundled demo store is exactly what fixtures/make_demo.py generates."""

from __future__ import annotations

import sys
from pathlib import Path

from maxpain.store import Store

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "fixtures"))

import make_demo  # noqa: E402


def test_committed_demo_store_matches_a_fresh_generation(tmp_path: Path) -> None:
    ids = make_demo.build(tmp_path)
    committed, fresh = Store(REPO / "fixtures" / "demo-store"), Store(tmp_path)
    assert [s.id for s in committed.snapshots("DEMO")] == ids
    for snapshot_id in ids:
        a = committed.load(committed.resolve("DEMO", snapshot_id))
        b = fresh.load(fresh.resolve("DEMO", snapshot_id))
        assert a.frame.equals(b.frame)
        assert a.meta == b.meta
        assert any("SYNTHETIC" in n for n in a.meta.notes)
