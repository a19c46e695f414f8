"""`maxpain exposure`."""

from __future__ import annotations

import pytest

from tests.cli.helpers import DEMO_EXPOSURE, cli, cli_json, figures_missing_from_json, headline


def test_exposure_json_contract(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    document = cli_json(
        capsys,
        "--store",
        demo,
        *DEMO_EXPOSURE,
    )
    for key in (
        "ticker",
        "contracts",
        "strike",
        "right",
        "expiration",
        "multiplier",
        "shares",
        "spot",
        "notional_at_spot",
        "notional_at_strike",
        "premium",
        "delta",
        "delta_adjusted_notional",
    ):
        assert key in document
    assert document["shares"] == 100_000
    assert document["notional_at_spot"] == pytest.approx(100_000 * document["spot"])
    assert -1 < document["delta"] < 0


def test_exposure_headline_figures_are_in_its_json(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    args = (
        "--store",
        demo,
        *DEMO_EXPOSURE,
    )
    _, out, _ = cli(capsys, "--no-color", *args, width=300)
    document = cli_json(capsys, *args)
    sentence = headline(out, "1,000 DEMO 90-strike puts")
    assert "behave like being short" in sentence
    assert figures_missing_from_json(sentence, document) == []


def test_right_accepts_p_and_c(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    args = [
        "--store",
        demo,
        "exposure",
        "DEMO",
        "--strike",
        "90",
        "--expiry",
        "2026-01-16",
        "--contracts",
        "1",
    ]
    assert cli_json(capsys, *args, "--right", "P")["right"] == "put"
    assert cli_json(capsys, *args, "--right", "c")["right"] == "call"
