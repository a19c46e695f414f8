"""Store faults at the command line: damaged and truncated files, unwritable or missing stores,
concurrent imports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from maxpain.store import Store
from tests.cli.helpers import REPO, assert_one_sentence, invoke


def test_damaged_latest_file_is_skipped_with_a_warning(
    capsys: pytest.CaptureFixture[str], demo_store: Path
) -> None:
    bad = demo_store / "DEMO" / "2025-12-06T211500Z.parquet"
    bad.write_bytes(b"PAR1 this is not parquet")
    code, out, err = invoke(capsys, "--store", str(demo_store), "--no-color", "snapshots", "DEMO")
    assert code == 0 and "DAMAGED" in out
    code, out, err = invoke(capsys, "--store", str(demo_store), "--no-color", "report", "DEMO")
    assert code == 0
    assert "2025-12-05T211500Z" in out  # the latest intact snapshot
    assert "damaged" in err and "Traceback" not in err
    code, out, _ = invoke(capsys, "--store", str(demo_store), "--json", "snapshots", "DEMO", "--verify")
    assert sum(1 for s in json.loads(out) if s["damaged"]) == 1
    # selecting the damaged one explicitly is one clear sentence
    code, _, err = invoke(capsys, "--store", str(demo_store), "report", "DEMO", "--at", "2025-12-06")
    assert code == 4
    assert_one_sentence(err)


def test_truncated_parquet_is_damaged_not_a_crash(
    capsys: pytest.CaptureFixture[str], demo_store: Path
) -> None:
    victim = demo_store / "DEMO" / "2025-12-05T211500Z.parquet"
    victim.write_bytes(victim.read_bytes()[: len(victim.read_bytes()) // 2])
    code, out, err = invoke(capsys, "--store", str(demo_store), "--json", "report", "DEMO")
    assert code == 0, err
    assert json.loads(out)["snapshot"]["id"] == "2025-12-04T211500Z"


def test_unwritable_or_missing_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = invoke(
        capsys,
        "--store",
        str(blocker / "store"),
        "import",
        str(REPO / "fixtures/yahoo/options-DEMO-multi.json"),
    )
    assert code == 9
    assert_one_sentence(err)
    code, _, err = invoke(capsys, "--store", str(tmp_path / "nowhere"), "report", "DEMO")
    assert code == 4 and "does not exist" in err
    assert_one_sentence(err)


@pytest.mark.slow
def test_two_concurrent_cli_imports_of_one_ticker_both_survive(tmp_path: Path) -> None:
    store = tmp_path / "s"
    days = sorted((REPO / "fixtures" / "demo-store" / "DEMO").glob("*.parquet"))
    sources = []
    for i, day in enumerate(days[:2]):
        frame = (
            Store(REPO / "fixtures" / "demo-store")
            .load(Store(REPO / "fixtures" / "demo-store").info(day))
            .frame
        )
        path = tmp_path / f"day{i}.csv"
        frame.with_columns(captured=pl.lit(f"2025-12-0{i + 1}T21:15:00Z")).rename(
            {"right": "type"}
        ).write_csv(path)
        sources.append(path)
    env = {**os.environ, "MAXPAIN_JIT_THRESHOLD": "100000000"}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "maxpain_cli.app",
                "--store",
                str(store),
                "import",
                str(p),
                "--ticker",
                "DEMO",
                "--captured-at",
                f"2025-12-0{i + 1}T21:15:00Z",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i, p in enumerate(sources)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert sorted(s.id for s in Store(store).snapshots("DEMO")) == [
        "2025-12-01T211500Z",
        "2025-12-02T211500Z",
    ]
