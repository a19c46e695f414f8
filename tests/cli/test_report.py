"""`maxpain report`."""

from __future__ import annotations

import pytest

from tests.cli.helpers import cli, cli_json, figures_missing_from_json, headline


def test_report_on_the_demo_store(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    code, out, err = cli(capsys, "--store", demo, "--no-color", "report", "DEMO")
    assert code == 0, err
    for expected in (
        "Max pain by expiration",
        "Put walls",
        "Call walls",
        "Open-interest clusters",
        "spot",
        "SYNTHETIC",
    ):
        assert expected in out
    assert "largest put OI through 2026-01-02 sits at 90" in out


def test_report_headline_figures_are_in_its_json(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    _, out, _ = cli(capsys, "--store", demo, "--no-color", "report", "DEMO", width=300)
    document = cli_json(capsys, "--store", demo, "report", "DEMO")
    sentence = headline(out, "DEMO: largest put OI")
    assert "140,358" in sentence
    assert figures_missing_from_json(sentence, document) == []


@pytest.mark.corpus
def test_report_fits_one_screen_at_160_by_50(capsys: pytest.CaptureFixture[str], real_store: str) -> None:
    """The window plus the monthlies, walls side by side, no clusters that repeat the walls."""
    for ticker in ("NVDA", "GOOG", "PLTR"):
        code, out, err = cli(capsys, "--store", real_store, "--no-color", "report", ticker, width=160)
        assert code == 0, err
        lines = out.splitlines()
        assert len(lines) <= 50, (ticker, len(lines))
        assert max(len(line) for line in lines) <= 160
        walls_row = next(line for line in lines if line.startswith("Put walls"))
        assert "Call walls" in walls_row
    _, every, _ = cli(capsys, "--store", real_store, "--no-color", "report", "NVDA", "--all", width=160)
    assert "2028-01-21" in every
    _, default, _ = cli(capsys, "--store", real_store, "--no-color", "report", "NVDA", width=160)
    assert "2028-01-21" not in default and "more: --all" in default
    assert "2026-02-20" in default  # a monthly after the window
    assert "2026-01-09" not in default.split("Open interest (calls + puts)")[0]  # a weekly after it


def test_times_are_new_york_with_the_utc_time_beside(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    _, out, _ = cli(capsys, "--store", demo, "--no-color", "report", "DEMO", width=160)
    assert "captured 2025-12-05 16:15 EST (21:15 UTC)" in out
    _, out, _ = cli(capsys, "--store", demo, "--no-color", "snapshots", "DEMO", width=160)
    assert "captured (New York)" in out and "2025-12-05 16:15" in out
