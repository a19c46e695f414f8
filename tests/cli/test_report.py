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
