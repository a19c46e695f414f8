"""`maxpain walls`."""

from __future__ import annotations

import pytest

from tests.cli.helpers import cli, cli_json, figures_missing_from_json, headline


def test_walls_json_contract(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    document = cli_json(capsys, "--store", demo, "walls", "DEMO", "--top", "3")
    assert set(document) >= {
        "ticker",
        "snapshot",
        "window",
        "pooled_max_pain",
        "put_walls",
        "call_walls",
        "clusters",
    }
    assert document["put_walls"][0]["strike"] == 90.0 and document["call_walls"][0]["strike"] == 110.0
    assert set(document["put_walls"][0]) >= {"strike", "open_interest", "share"}
    assert set(document["clusters"][0]) >= {"side", "low", "high", "peak", "center", "open_interest", "share"}
    assert len(document["put_walls"]) == 3


def test_walls_headline_figures_are_in_its_json(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    args = ("--store", demo, "walls", "DEMO", "--until", "2025-12-26")
    _, out, _ = cli(capsys, "--no-color", *args, width=300)
    document = cli_json(capsys, *args)
    for start in ("DEMO: largest put OI", "Window "):
        assert figures_missing_from_json(headline(out, start), document) == []
