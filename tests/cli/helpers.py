"""Helpers for the command-line tests: run the CLI in-process, check errors are one sentence."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from maxpain_cli.app import run

from tests.yahoo_replay import options_route

REPO = Path(__file__).resolve().parent.parent.parent
DEMO = REPO / "fixtures" / "demo-store"
GOLDEN = REPO / "tests" / "golden"
MULTI = json.loads((REPO / "fixtures" / "yahoo" / "options-DEMO-multi.json").read_text())
SECOND_EPOCH = MULTI["optionChain"]["result"][0]["expirationDates"][1]


def cli(capsys: pytest.CaptureFixture[str], *args: str, width: int = 100) -> tuple[int, str, str]:
    os.environ["COLUMNS"] = str(width)
    try:
        code = run(list(args))
    finally:
        os.environ.pop("COLUMNS", None)
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = cli(capsys, "--json", *args)
    assert code == 0, err
    return json.loads(out)


def invoke(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_sentence(err: str) -> None:
    assert err.startswith("maxpain: "), err
    assert "Traceback" not in err
    assert len([line for line in err.splitlines() if line.strip()]) == 1, err


def tree(root: Path) -> dict[str, bytes]:
    return (
        {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
        if root.exists()
        else {}
    )


def failing_second(answer: Any) -> Any:
    good = options_route({None: MULTI})

    def route(url: str, params: dict[str, Any]) -> Any:
        if str(params.get("date")) == str(SECOND_EPOCH) or f"date={SECOND_EPOCH}" in url:
            return answer
        return good(url, params)

    return route


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD_HEADER = "contractSymbol,type,expiration,strike,openInterest,bid,ask,lastPrice,lastTradeDate\n"
