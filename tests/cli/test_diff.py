"""`maxpain diff`."""

from __future__ import annotations

import pytest

from tests.cli.helpers import cli, cli_json, figures_missing_from_json, headline


def test_diff_json_contract_and_build_up(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    document = cli_json(capsys, "--store", demo, "diff", "DEMO", "--from", "2025-12-01", "--to", "2025-12-05")
    assert set(document) >= {"ticker", "from", "to", "changes", "by_expiration", "warnings"}
    top = document["build_ups"][0]
    assert (top["expiration"], top["strike"], top["right"]) == ("2025-12-12", 105.0, "C")
    assert set(document["changes"][0]) >= {
        "expiration",
        "strike",
        "right",
        "oi_from",
        "oi_to",
        "change",
        "status",
    }
    assert set(document["by_expiration"][0]) >= {"expiration", "call_change", "put_change"}
    # without --from: the snapshot before --to
    default = cli_json(capsys, "--store", demo, "diff", "DEMO")
    assert default["from"]["id"] == "2025-12-04T211500Z" and default["to"]["id"] == "2025-12-05T211500Z"


def test_diff_headline_figures_are_in_its_json(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    """GOOG-style "the near expirations carry N% of the net new call OI": every figure of the
    sentence, the near/later split included, is in diff --json."""
    _, out, _ = cli(capsys, "--store", demo, "--no-color", "diff", "DEMO", width=300)
    document = cli_json(capsys, "--store", demo, "diff", "DEMO")
    sentence = headline(out, "DEMO: the largest build-up")
    assert "near expirations carry" in sentence
    assert figures_missing_from_json(sentence, document) == []
    split = document["near_versus_later"]
    assert (
        f"calls {split['near_calls']:+,}" in sentence
        and f"later expirations: calls {split['later_calls']:+,}" in sentence
    )
