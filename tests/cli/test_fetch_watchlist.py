"""``maxpain fetch`` over several tickers and a --watchlist, through replayed Yahoo bodies (yfinance's
own code runs, no network) on a simulated clock: all saved, one without options, a rate-limit
storm in the middle of the run, a 401, the deadline, a resumed run; never anything half-saved."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from maxpain import watchlist
from tests.cli.helpers import MULTI, invoke
from tests.test_watchlist import SimulatedTime
from tests.yahoo_replay import Answer, options_route

EMPTY = {
    "optionChain": {
        "result": [
            {"underlyingSymbol": "X", "expirationDates": [], "strikes": [], "quote": {}, "options": []}
        ],
        "error": None,
    }
}


def body_of(symbol: str) -> dict[str, Any]:
    """The recorded DEMO body as another symbol's (its OCC roots renamed)."""
    return json.loads(json.dumps(MULTI).replace("DEMO", symbol))  # type: ignore[no-any-return]


def symbol_of(url: str) -> str:
    return urlparse(url).path.rsplit("/", 1)[-1]


class Yahoo:
    """Routes by symbol; ``faults`` answer instead for some symbols or some request numbers."""

    def __init__(self, faults: Callable[[str, int], Answer | None] | None = None) -> None:
        self.count = 0
        self.faults = faults
        self.seen: list[str] = []

    def __call__(self, url: str, params: dict[str, Any]) -> Answer:
        self.count += 1
        symbol = symbol_of(url)
        self.seen.append(symbol)
        if self.faults is not None:
            fault = self.faults(symbol, self.count)
            if fault is not None:
                return fault
        return options_route({None: body_of(symbol)})(url, params)


@pytest.fixture()
def clock(monkeypatch: pytest.MonkeyPatch) -> SimulatedTime:
    time = SimulatedTime()
    monkeypatch.setattr(watchlist, "wall_clock", time.clock)
    monkeypatch.setattr(watchlist, "pause", time.sleep)
    return time


def run(capsys: pytest.CaptureFixture[str], store: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = invoke(capsys, "--store", str(store), "--json", "fetch", *args)
    return code, json.loads(out), err


def statuses(document: dict[str, Any]) -> dict[str, str]:
    return {t["ticker"]: t["status"] for t in document["tickers"]}


def stored(store: Path) -> set[str]:
    return (
        {p.name for p in store.iterdir() if p.is_dir() and not p.name.startswith(".")}
        if store.exists()
        else set()
    )


def test_a_watchlist_all_saved(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, replay: Callable[[Any], None], clock: SimulatedTime
) -> None:
    listed = tmp_path / "list.txt"
    listed.write_text("# mine\nAAA\nBBB  # second\n\nAAA\n", encoding="utf-8")
    yahoo = Yahoo()
    replay(yahoo)
    store = tmp_path / "s"
    code, document, err = run(capsys, store, "CCC", "--watchlist", str(listed), "--pace", "2")
    assert code == 0, err
    assert statuses(document) == {"CCC": "saved", "AAA": "saved", "BBB": "saved"}
    assert document["all_saved"] and document["counts"]["saved"] == 3
    assert all(t["expirations"] == 2 and t["contracts"] > 0 and t["snapshot"] for t in document["tickers"])
    assert stored(store) == {"AAA", "BBB", "CCC"}
    # one list request and two expirations per ticker, paced: 4 at once, then one every 0.5 s
    assert document["requests"] == 9 and clock.now - 1000.0 == pytest.approx(2.5)
    assert "CCC" in err and "saved" in err  # a line per ticker as it ends, on stderr


def test_no_options_401_and_a_storm_mid_run(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, replay: Callable[[Any], None], clock: SimulatedTime
) -> None:
    def faults(symbol: str, number: int) -> Answer | None:
        if symbol == "NOPT":
            return 200, EMPTY
        if symbol == "AUTH":
            return 401, {"finance": {"error": {"description": "Invalid Crumb"}}}
        if symbol in ("STORM", "CALM") and number < 40:  # every request for a while: 429
            return 429, "Too Many Requests"
        return None

    yahoo = Yahoo(faults)
    replay(yahoo)
    store = tmp_path / "s"
    code, document, err = run(capsys, store, "AAA", "NOPT", "STORM", "AUTH", "CALM", "ZZZ")
    assert code == 11, err
    got = statuses(document)
    assert got["AAA"] == "saved" and got["ZZZ"] == "saved"
    assert got["NOPT"] == "no options" and got["STORM"] == "rate limited" and got["AUTH"] == "failed"
    reasons = {t["ticker"]: t["reason"] for t in document["tickers"]}
    assert "lists no options" in reasons["NOPT"] and "HTTP 401" in reasons["AUTH"]
    assert "rate limiting" in reasons["STORM"]
    assert not document["all_saved"] and document["counts"]["rate limited"] >= 1
    # the storm cost STORM its bounded retries, then the whole run cooled down before going on
    assert max(clock.slept) >= 30 * 0.75
    assert stored(store) == {t for t, s in got.items() if s == "saved"}  # nothing half-saved


def test_the_deadline_stops_the_run_and_saves_nothing_half(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, replay: Callable[[Any], None], clock: SimulatedTime
) -> None:
    replay(Yahoo())
    store = tmp_path / "s"
    # one request every 10 s: AAA's three requests end at 20 s, BBB's third would start at 50 s
    code, document, err = run(capsys, store, "AAA", "BBB", "CCC", "--pace", "0.1", "--deadline", "45")
    assert code == 11, err
    assert statuses(document) == {"AAA": "saved", "BBB": "failed", "CCC": "not tried"}
    reasons = {t["ticker"]: t["reason"] for t in document["tickers"]}
    assert "deadline of 45 s" in reasons["BBB"] and "nothing saved" in reasons["BBB"]
    assert "deadline" in reasons["CCC"]
    assert stored(store) == {"AAA"}


def test_a_resumed_run_skips_what_was_captured_today(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, replay: Callable[[Any], None], clock: SimulatedTime
) -> None:
    def faults(symbol: str, number: int) -> Answer | None:
        return (429, "Too Many Requests") if symbol == "BBB" and first_run else None

    first_run = True
    replay(Yahoo(faults))
    store = tmp_path / "s"
    code, document, _ = run(capsys, store, "AAA", "BBB", "--skip-captured-today")
    assert code == 11 and statuses(document) == {"AAA": "saved", "BBB": "rate limited"}
    first_run = False
    yahoo = Yahoo(faults)
    replay(yahoo)
    code, document, err = run(capsys, store, "AAA", "BBB", "--skip-captured-today")
    assert code == 0, err
    assert statuses(document) == {"AAA": "skipped", "BBB": "saved"}
    assert "AAA" not in yahoo.seen  # nothing asked for a ticker already captured today


def test_the_summary_view_and_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, replay: Callable[[Any], None], clock: SimulatedTime
) -> None:
    replay(Yahoo(lambda symbol, number: (200, EMPTY) if symbol == "NOPT" else None))
    store = tmp_path / "s"
    code, out, err = invoke(capsys, "--store", str(store), "fetch", "AAA", "NOPT")
    assert code == 11
    assert "Watchlist run" in out and "1 of 2 saved" in out and "no options" in out
    code, _, err = invoke(capsys, "--store", str(store), "fetch", "--watchlist", str(tmp_path / "none.txt"))
    assert code == 3 and "cannot read the watchlist" in err
    code, _, err = invoke(capsys, "--store", str(store), "fetch")
    assert code == 2 and "--watchlist" in err
