"""`maxpain snapshots`."""

from __future__ import annotations

import pytest

from tests.cli.helpers import cli, cli_json, figures_missing_from_json, headline


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
