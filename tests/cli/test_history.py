"""``maxpain history`` and ``maxpain pinning`` on the demo store and the real archive: the views,
--json, --csv and bad input."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from maxpain.analyses.history import history
from maxpain.analyses.pinning import study
from maxpain.store import Store
from maxpain.timeline import load_timeline
from tests.cli.helpers import assert_one_sentence, cli, cli_json, tree


def test_history_json_rows_follow_the_store(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    document = cli_json(capsys, "--store", demo, "history", "DEMO")
    expected = history(load_timeline(Store(demo), "DEMO"))
    assert document["ticker"] == "DEMO"
    assert len(document["rows"]) == expected.rows.height == 5
    for row, want in zip(document["rows"], expected.rows.iter_rows(named=True), strict=True):
        assert row["snapshot"] == want["id"]
        assert row["pooled_max_pain"] == want["pooled_max_pain"]
        assert row["put_wall"] == want["put_wall"] and row["call_wall"] == want["call_wall"]
        assert set(row["max_pain"]) == {e.isoformat() for e in expected.expirations}
    assert {
        "snapshot",
        "captured_at",
        "spot",
        "max_pain",
        "pooled_max_pain",
        "put_wall",
        "call_wall",
        "put_call_oi",
        "warnings",
    } <= set(document["rows"][0])


def test_history_view_csv_and_range(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    code, out, err = cli(
        capsys, "--store", demo, "history", "DEMO", "--from", "2025-12-02", "--to", "2025-12-04"
    )
    assert code == 0, err
    assert "maxpain history · DEMO" in out and "pooled MP" in out and "⠀" not in out.splitlines()[0]
    assert "2025-12-01" not in out and "2025-12-05" not in out.split("DEMO by snapshot")[1]
    code, out, err = cli(capsys, "--store", demo, "history", "DEMO", "--csv", "--weeks", "2")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 5 and "pooled_max_pain" in rows[0]
    assert any(k.startswith("max_pain_") for k in rows[0])


@pytest.mark.parametrize(
    "args",
    [
        ("history", "DEMO", "--expiry", "2030-01-18"),
        ("history", "DEMO", "--until", "2026-01-16", "--weeks", "2"),
        ("history", "DEMO", "--from", "2025-12-05", "--to", "2025-12-01"),
        ("history", "NOPE"),
        ("history", "DEMO", "--from", "nonsense"),
        ("pinning", "DEMO", "--from", "2026-01-10", "--to", "2026-01-01"),
        ("pinning", "NOPE"),
    ],
)
def test_bad_input_is_one_sentence_and_leaves_the_store(
    capsys: pytest.CaptureFixture[str], demo: str, args: tuple[str, ...]
) -> None:
    before = tree(Path(demo))
    code, _, err = cli(capsys, "--store", demo, *args)
    assert code != 0
    assert_one_sentence(err)
    assert tree(Path(demo)) == before


@pytest.mark.corpus
@pytest.mark.slow
def test_pinning_cli_json_csv_and_view(capsys: pytest.CaptureFixture[str], laiweibin_store: Path) -> None:
    store = str(laiweibin_store)
    document = cli_json(capsys, "--store", store, "pinning", "NVDA", "SPY")
    expected = study([load_timeline(Store(store), t) for t in ("NVDA", "SPY")])
    assert document["events"] == expected.max_pain.events
    assert document["moved_toward"]["share"] == pytest.approx(expected.max_pain.share)
    assert document["placebo"]["events"] == expected.placebo.events
    assert [t["ticker"] for t in document["by_ticker"]] == ["NVDA", "SPY"]
    assert document["skipped"] == sum(document["skipped_by_reason"].values())
    low, high = document["moved_toward"]["low"], document["moved_toward"]["high"]
    assert low < document["moved_toward"]["share"] < high
    code, out, err = cli(capsys, "--store", store, "pinning", "NVDA", "SPY", "--csv")
    assert code == 0, err
    assert len(list(csv.DictReader(io.StringIO(out)))) == document["events"]
    code, out, err = cli(capsys, "--store", store, "pinning", "NVDA", "SPY", width=120)
    assert code == 0, err
    assert "placebo" in out and "McNemar" in out and "left out" in out


@pytest.mark.corpus
@pytest.mark.slow
def test_history_view_of_the_archive(capsys: pytest.CaptureFixture[str], laiweibin_store: Path) -> None:
    for width in (60, 80, 160):
        code, out, err = cli(capsys, "--store", str(laiweibin_store), "history", "NVDA", width=width)
        assert code == 0, err
        assert "identical to 2026-06-18" in out  # the holiday copy, before the figures
        assert out.index("data quality") < out.index("NVDA by snapshot")
        assert max(len(line) for line in out.splitlines()) <= width


def test_history_table_thins_to_a_row_a_day_then_the_latest() -> None:
    from datetime import UTC, date, datetime, timedelta

    import polars as pl

    from maxpain.analyses.history import table_rows

    start = datetime(2026, 1, 5, 15, tzinfo=UTC)
    moments = [start + timedelta(days=d, minutes=15 * k) for d in range(6) for k in range(4)]
    rows = pl.DataFrame(
        {"position": range(len(moments)), "captured_at": moments, "day": [m.date() for m in moments]}
    )
    same, note = table_rows(rows, 30)
    assert same.height == 24 and note is None
    daily, note = table_rows(rows, 10)
    assert daily["position"].to_list() == [3, 7, 11, 15, 19, 23]  # each day's last snapshot
    assert note is not None and "last snapshot of each day" in note and "6 of 24" in note
    latest, note = table_rows(rows, 5)
    assert latest["day"].to_list() == [date(2026, 1, d) for d in range(6, 11)]
    assert note is not None and "the latest 5" in note


@pytest.mark.corpus
@pytest.mark.slow
def test_history_rows_option_cuts_the_table_not_the_json(
    capsys: pytest.CaptureFixture[str], laiweibin_store: Path
) -> None:
    store = str(laiweibin_store)
    code, out, err = cli(capsys, "--store", store, "history", "NVDA", "--rows", "10", width=160)
    assert code == 0, err
    table = out.split("NVDA by snapshot")[1]
    assert "2026-08-21" in table and "2026-08-07" not in table
    assert "10 of 65 snapshots" in out
    assert len(cli_json(capsys, "--store", store, "history", "NVDA")["rows"]) == 65
