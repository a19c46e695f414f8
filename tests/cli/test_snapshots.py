"""`maxpain snapshots`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from maxpain.chain import Chain
from maxpain.store import Store
from tests.cli.helpers import DEMO, cli, cli_json, figures_missing_from_json, headline


def test_snapshots_listing(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    listed = cli_json(capsys, "--store", demo, "snapshots")
    assert [s["id"] for s in listed] == [f"2025-12-0{d}T211500Z" for d in range(1, 6)]
    assert set(listed[0]) >= {"id", "ticker", "captured_at", "spot", "contracts", "expirations", "source"}
    code, out, _ = cli(capsys, "--store", demo, "--no-color", "snapshots", "DEMO", "--verify")
    assert code == 0 and "2025-12-05T211500Z" in out


def test_snapshots_row_figures_are_in_its_json(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    _, out, _ = cli(capsys, "--store", demo, "--no-color", "snapshots", "DEMO", width=200)
    document = cli_json(capsys, "--store", demo, "snapshots", "DEMO")
    row = headline(out, "DEMO  ").split("│")[0] if "DEMO  " in out else headline(out, "DEMO")
    assert figures_missing_from_json(row, document) == []


def _history(root: Path, days: int, per_day: int) -> None:
    """A store of DEMO's first snapshot collected ``per_day`` times a session (every 8 minutes)
    for ``days`` consecutive sessions from 2025-12-01 (each session's open interest a little
    higher), the third session's positions thinned: every snapshot of it alike."""
    store = Store(root)
    source = store.load(Store(DEMO).resolve("DEMO", "2025-12-01"))
    for day in range(days):
        frame = source.frame.with_columns(pl.col("open_interest") + day)
        if day == 2:  # a thin session: most open interest missing
            frame = frame.with_columns(
                open_interest=pl.when(pl.col("strike") > 95).then(0).otherwise("open_interest")
            )
        for slot in range(per_day):
            captured = datetime(2025, 12, 1, 14, 30, tzinfo=UTC) + timedelta(days=day, minutes=8 * slot)
            store.save(Chain(frame=frame, meta=replace(source.meta, captured_at=captured, notes=[])))


def test_long_histories_print_plain_rows_with_the_same_flags(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = tmp_path / "store"
    _history(root, days=5, per_day=45)  # 225 snapshots: past the table's 200
    code, out, _ = cli(capsys, "--store", str(root), "snapshots", "DEMO", width=120)
    lines = out.splitlines()
    assert code == 0 and lines[0].startswith("Stored snapshots · DEMO · 225 (plain rows")
    assert len(lines) == 2 + 225 and "┃" not in out
    thin = [line for line in lines if line.startswith("2025-12-03")]
    assert len(thin) == 45 and all("INCOMPLETE vs its neighbours" in line for line in thin)
    assert not any("INCOMPLETE" in line for line in lines if line.startswith("2025-12-02"))
    # --last: the most recent ones, as a table again
    code, out, _ = cli(capsys, "--store", str(root), "--no-color", "snapshots", "DEMO", "--last", "3")
    assert code == 0 and "2025-12-05T" in out and "2025-12-04T" not in out and "┃" in out


def test_the_thin_session_is_flagged_in_every_view_even_collected_every_15_minutes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = tmp_path / "store"
    _history(root, days=5, per_day=4)
    document = cli_json(capsys, "--store", str(root), "report", "DEMO", "--at", "2025-12-03")
    assert any(w.startswith("incomplete snapshot") for w in document["warnings"])
    document = cli_json(capsys, "--store", str(root), "report", "DEMO", "--at", "2025-12-02")
    assert not any(w.startswith("incomplete snapshot") for w in document["warnings"])
