"""`maxpain pain`."""

from __future__ import annotations

import pytest

from tests.cli.helpers import cli, cli_json, figures_missing_from_json, headline


def test_pain_json_contract(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    document = cli_json(capsys, "--store", demo, "pain", "DEMO", "--until", "2025-12-26")
    assert set(document) >= {"ticker", "snapshot", "expirations", "window"}
    assert set(document["snapshot"]) >= {"id", "captured_at", "spot"}
    row = document["expirations"][0]
    assert set(row) >= {"expiration", "max_pain", "call_oi", "put_oi", "put_call_oi_ratio"}
    assert isinstance(row["max_pain"], float) and isinstance(row["call_oi"], int)
    assert document["window"]["until"] == "2025-12-26"
    assert document["window"]["expirations"] == ["2025-12-05", "2025-12-12", "2025-12-19", "2025-12-26"]
    assert document["window"]["pooled_max_pain"] == 100.0
    points = document["curve"]["points"]
    assert min(points, key=lambda p: p["total_payout"])["strike"] == document["curve"]["max_pain"]


def test_pain_headline_figures_are_in_its_json(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    _, out, _ = cli(capsys, "--store", demo, "--no-color", "pain", "DEMO", width=300)
    document = cli_json(capsys, "--store", demo, "pain", "DEMO")
    sentence = headline(out, "Pooled max pain of the window")
    assert "103.10" in sentence
    assert figures_missing_from_json(sentence, document) == []
    curve_title = headline(out, "Payout to option holders at expiry ·")
    assert figures_missing_from_json(curve_title, document) == []
