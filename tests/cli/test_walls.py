"""`maxpain walls`."""

from __future__ import annotations

import pytest

from tests.cli.helpers import cli_json


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
