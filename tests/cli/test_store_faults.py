"""Store faults at the command line: damaged and truncated files, unwritable or missing stores,
concurrent imports."""

from __future__ import annotations

import json
import os
import shutil
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


def forge(path: Path, meta: object) -> None:
    """Rewrite a snapshot file with the same rows and ``meta`` as its footer."""
    frame = pl.read_parquet(path)
    frame.write_parquet(path, metadata={"maxpain": json.dumps(meta)})


@pytest.mark.parametrize(
    "meta",
    [
        {"captured_at": "2025-12-05T21:15:00+00:00", "contracts": "many"},
        {"captured_at": "2025-12-05T21:15:00+00:00", "spot": float("nan")},
        ["a", "list"],
    ],
    ids=["contracts-many", "spot-nan", "json-list"],
)
def test_a_forged_footer_marks_that_file_damaged_and_nothing_else(
    capsys: pytest.CaptureFixture[str], demo_store: Path, meta: object
) -> None:
    victim = demo_store / "DEMO" / "2025-12-05T211500Z.parquet"
    forge(victim, meta)
    shutil.copytree(REPO / "fixtures" / "demo-store" / "DEMO", demo_store / "OTHER")
    code, out, err = invoke(capsys, "--store", str(demo_store), "--json", "snapshots")
    assert code == 0, err
    listed = json.loads(out)  # valid JSON: no NaN anywhere
    damaged = [s for s in listed if s["damaged"]]
    assert [(s["ticker"], s["id"]) for s in damaged] == [("DEMO", "2025-12-05T211500Z")]
    assert "footer" in damaged[0]["damaged"]
    assert len([s for s in listed if s["ticker"] == "OTHER"]) == 5
    code, out, _ = invoke(capsys, "--store", str(demo_store), "--json", "report", "DEMO")
    assert code == 0 and json.loads(out)["snapshot"]["id"] == "2025-12-04T211500Z"


def test_verify_checks_id_footer_folder_and_rows_agree(
    capsys: pytest.CaptureFixture[str], demo_store: Path
) -> None:
    folder = demo_store / "DEMO"
    (folder / "2025-12-05T211500Z.parquet").rename(folder / "2025-12-07T211500Z.parquet")  # id ≠ capture
    (demo_store / "OTHER").mkdir()
    (folder / "2025-12-04T211500Z.parquet").rename(demo_store / "OTHER" / "2025-12-04T211500Z.parquet")
    code, out, _ = invoke(capsys, "--store", str(demo_store), "--json", "snapshots", "--verify")
    assert code == 0
    damaged = {(s["ticker"], s["id"]): s["damaged"] for s in json.loads(out) if s["damaged"]}
    assert "its id says" in damaged[("DEMO", "2025-12-07T211500Z")]
    assert "folder OTHER" in damaged[("OTHER", "2025-12-04T211500Z")]
    assert len(damaged) == 2


def test_odd_folders_never_hide_or_invent_tickers(
    capsys: pytest.CaptureFixture[str], demo_store: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    shutil.copytree(demo_store / "DEMO", outside)
    (demo_store / "LINKED").symlink_to(outside, target_is_directory=True)
    (demo_store / "EMPTY").mkdir()
    shutil.copytree(demo_store / "DEMO", demo_store / "nvda")
    code, out, err = invoke(capsys, "--store", str(demo_store), "--json", "snapshots")
    assert code == 0
    assert {s["ticker"] for s in json.loads(out)} == {"DEMO"}
    assert "LINKED leads outside the store" in err and "nvda is not an upper-case ticker" in err
    for ticker in ("NVDA", "EMPTY"):
        code, _, err = invoke(capsys, "--store", str(demo_store), "report", ticker)
        assert code == 4 and f"stored tickers: {ticker}" not in err and "stored tickers: DEMO" in err, err
        assert_one_sentence(err)
    code, _, err = invoke(capsys, "--store", str(demo_store), "report", "LINKED")
    assert code == 4 and "LINKED leads outside the store" in err
