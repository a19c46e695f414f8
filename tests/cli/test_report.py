"""`maxpain report`."""

from __future__ import annotations

import pytest

from tests.cli.helpers import cli


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
