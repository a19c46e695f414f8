"""`maxpain snapshots`."""

from __future__ import annotations

import pytest

from tests.cli.helpers import cli, cli_json


def test_snapshots_listing(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    listed = cli_json(capsys, "--store", demo, "snapshots")
    assert [s["id"] for s in listed] == [f"2025-12-0{d}T211500Z" for d in range(1, 6)]
    assert set(listed[0]) >= {"id", "ticker", "captured_at", "spot", "contracts", "expirations", "source"}
    code, out, _ = cli(capsys, "--store", demo, "--no-color", "snapshots", "DEMO", "--verify")
    assert code == 0 and "2025-12-05T211500Z" in out
