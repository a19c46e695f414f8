"""Helpers for the command-line tests: run the CLI in-process, check errors are one sentence."""

from __future__ import annotations

import json
import os
import re
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


# Argument lists several tests use on the demo store.
def demo_exposure(contracts: str = "1000") -> tuple[str, ...]:
    """``exposure`` of the demo store's 2026-01-16 90 put, for ``contracts`` contracts."""
    return (
        "exposure",
        "DEMO",
        "--strike",
        "90",
        "--right",
        "put",
        "--expiry",
        "2026-01-16",
        "--contracts",
        contracts,
    )


DEMO_EXPOSURE = demo_exposure()
DEMO_CHANGE_HEATMAP = ("heatmap", "DEMO", "--metric", "change", "--from", "2025-12-01", "--to", "2025-12-05")


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
    """Every stored file's bytes, by path: the snapshots (the derived catalog left out)."""
    return (
        {
            str(p.relative_to(root)): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and ".catalog" not in p.relative_to(root).parts
        }
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


# ----------------------------------------------------------------------------- headline figures
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NUMBER = re.compile(r"(?P<money>\$)?(?P<number>[-+]?\d[\d,]*(?:\.(?P<decimals>\d+))?)(?P<unit>[kMBT%×])?")
_SCALES = {"k": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


def _json_values(document: Any) -> tuple[list[float], list[str]]:
    """Every number (list lengths included: "5 expirations") and every string of a document."""
    numbers: list[float] = []
    strings: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, int | float):
            numbers.append(float(value))
        elif isinstance(value, str):
            strings.append(value)
        elif isinstance(value, dict):
            strings.extend(str(k) for k in value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            numbers.append(float(len(value)))
            for item in value:
                walk(item)

    walk(document)
    return numbers, strings


def figures_missing_from_json(sentence: str, document: Any) -> list[str]:
    """The figures printed in ``sentence`` that no value of the JSON ``document`` accounts for.

    A printed figure is matched by a JSON number that rounds to it at the printed precision (its
    absolute value: views say "10 below" for −10), scaled by its unit ($1.2M, 21.3%, 66×); a
    printed date by a JSON string that starts with it."""
    numbers, strings = _json_values(document)
    missing = [d for d in _DATE.findall(sentence) if not any(s.startswith(d) for s in strings)]
    for match in _NUMBER.finditer(_DATE.sub(" ", sentence)):
        decimals = len(match["decimals"] or "")
        shown = abs(float(match["number"].replace(",", "")))
        unit = match["unit"]
        scale = _SCALES.get(unit or "", 1.0) if match["money"] or unit in _SCALES else 1.0
        factor = 100.0 if unit == "%" else 1.0
        if not any(round(abs(v) * factor / scale, decimals) == shown for v in numbers):
            missing.append(match.group(0))
    return missing


def headline(out: str, start: str) -> str:
    """The sentence of a view's output that starts with ``start``, joined across wrapped lines."""
    lines = [line.strip(" │") for line in out.splitlines()]
    for index, line in enumerate(lines):
        if line.startswith(start):
            text = [line]
            for following in lines[index + 1 :]:
                if not following or following.startswith(
                    ("┏", "╭", "Put walls", "Top ", "Payout", "Max pain", "Dealer gamma")
                ):
                    break
                text.append(following)
            return " ".join(text)
    raise AssertionError(f"no line starting with {start!r} in:\n{out}")
