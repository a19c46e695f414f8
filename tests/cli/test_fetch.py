"""`maxpain fetch` and `--at live` through replayed Yahoo bodies: saves, faults, partial fetches."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import (
    MULTI,
    assert_one_sentence,
    failing_second,
    figures_missing_from_json,
    invoke,
    tree,
)
from tests.yahoo_replay import options_route


def test_fetch_saves_a_snapshot(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, replay: Callable[[Any], None]
) -> None:
    replay(options_route({None: MULTI}))
    code, out, err = invoke(capsys, "--store", str(tmp_path / "s"), "--json", "fetch", "DEMO")
    assert code == 0, err
    saved = json.loads(out)[0]
    assert saved["ticker"] == "DEMO" and saved["expirations"] == 2 and saved["created"]


@pytest.mark.parametrize(
    ("route", "exit_code", "fragment"),
    [
        (lambda url, params: (429, "Too Many Requests"), 6, "rate limiting"),
        (lambda url, params: (401, {"finance": {"error": {"description": "Invalid Crumb"}}}), 7, "HTTP 401"),
        (lambda url, params: (200, "<html>maintenance</html>"), 8, "not an option chain"),
        (lambda url, params: TimeoutError("operation timed out"), 8, "timed out"),
        (
            lambda url, params: (
                200,
                {
                    "optionChain": {
                        "result": [
                            {
                                "underlyingSymbol": "ZZZZ",
                                "expirationDates": [],
                                "strikes": [],
                                "quote": {},
                                "options": [],
                            }
                        ],
                        "error": None,
                    }
                },
            ),
            5,
            "lists no options",
        ),
        (
            failing_second((200, "<html>broken</html>")),
            10,
            "nothing was saved — retry, or allow a partial snapshot (--allow-partial)",
        ),
    ],
)
def test_fetch_faults(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    replay: Callable[[Any], None],
    route: Any,
    exit_code: int,
    fragment: str,
) -> None:
    store = tmp_path / "s"
    replay(route)
    code, _, err = invoke(capsys, "--store", str(store), "fetch", "DEMO")
    assert code == exit_code, err
    assert fragment in err
    assert_one_sentence(err)
    assert tree(store) == {}


def test_fetch_allow_partial_is_marked_everywhere(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, replay: Callable[[Any], None]
) -> None:
    store = tmp_path / "s"
    replay(failing_second((200, "<html>broken</html>")))
    code, out, err = invoke(capsys, "--store", str(store), "--no-color", "fetch", "DEMO", "--allow-partial")
    assert code == 0, err
    assert "partial snapshot" in out
    listed = json.loads(invoke(capsys, "--store", str(store), "--json", "snapshots")[1])
    assert listed[0]["partial"] is True
    code, out, _ = invoke(capsys, "--store", str(store), "--no-color", "report", "DEMO")
    assert code == 0 and "partial snapshot" in out


def test_live_selector_fetches_without_saving(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, replay: Callable[[Any], None]
) -> None:
    store = tmp_path / "s"
    replay(options_route({None: MULTI}))
    code, out, err = invoke(
        capsys, "--store", str(store), "--json", "walls", "DEMO", "--at", "live", "--until", "2099-01-01"
    )
    assert code == 0, err
    document = json.loads(out)
    assert document["snapshot"]["id"] is None and document["snapshot"]["source"] == "yahoo"
    assert tree(store) == {}


def test_fetch_headline_figures_are_in_its_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, replay: Callable[[Any], None]
) -> None:
    replay(options_route({None: MULTI}))
    code, out, err = invoke(capsys, "--store", str(tmp_path / "a"), "--no-color", "fetch", "DEMO")
    assert code == 0, err
    replay(options_route({None: MULTI}))
    code, document_text, err = invoke(capsys, "--store", str(tmp_path / "b"), "--json", "fetch", "DEMO")
    assert code == 0, err
    sentence = next(line for line in out.splitlines() if "contracts," in line)
    assert figures_missing_from_json(sentence, json.loads(document_text)) == []
