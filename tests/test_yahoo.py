"""The live source, replayed offline through yfinance's own cookie/crumb/parsing code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yfinance as yf
import yfinance.data

from maxpain.errors import (
    AuthError,
    FetchIncompleteError,
    InputError,
    NetworkError,
    NoOptionsError,
    NotFoundError,
    RateLimitedError,
)
from maxpain.sources.yahoo import FetchPolicy, fetch_chain, select_expirations
from tests.yahoo_replay import ReplaySession, body_for_date, load_body, options_route

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "yahoo"
CAPTURE = datetime(2025, 2, 24, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fresh_yfinance(tmp_path: Path) -> Iterator[None]:
    """A clean yfinance singleton and cookie cache per test (no state leaks between replays)."""
    yf.set_tz_cache_location(str(tmp_path / "yf-cache"))
    yfinance.data.SingletonMeta._instances.pop(yfinance.data.YfData, None)
    yield
    yfinance.data.SingletonMeta._instances.pop(yfinance.data.YfData, None)


def no_wait() -> FetchPolicy:
    waits: list[float] = []
    policy = FetchPolicy(max_attempts=3, sleep=waits.append)
    policy.waits = waits  # type: ignore[attr-defined]
    return policy


def fetch(session: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("policy", no_wait())
    return fetch_chain(kwargs.pop("ticker", "AAPL"), session=session, now=lambda: CAPTURE, **kwargs)


@pytest.mark.corpus
@pytest.mark.parametrize("ticker", ["AAPL", "GOOG", "QQQ"])
def test_real_bodies_come_out_right(corpus: Path, ticker: str) -> None:
    body = load_body(corpus / "node-yahoo-finance2-v7-json" / f"options-{ticker}.json")
    result = body["optionChain"]["result"][0]
    first = result["options"][0]
    session = ReplaySession(options_route({None: body}))
    first_date = datetime.fromtimestamp(first["expirationDate"], tz=UTC).date()
    chain = fetch(session, ticker=ticker, expiries=[first_date.isoformat()])
    assert chain.underlying == ticker
    assert len(chain) == len(first["calls"]) + len(first["puts"])
    assert chain.frame.filter(pl.col("right") == "C").height == len(first["calls"])
    assert chain.expirations == [first_date]
    assert chain.meta.spot == result["quote"]["regularMarketPrice"]
    assert chain.meta.source == "yahoo" and "yfinance" in chain.meta.source_versions
    assert chain.meta.captured_at == CAPTURE
    # the strikes and OCC symbols are Yahoo's
    assert set(chain.frame["contract_symbol"]) == {
        c["contractSymbol"] for c in first["calls"] + first["puts"]
    }
    # captured pre-market: every OI is 0, flagged
    assert any("open interest 0" in n for n in chain.meta.notes)
    # the request really went through yfinance's crumb step
    assert any("getcrumb" in url for url in session.requests)


@pytest.mark.corpus
def test_whole_chain_over_every_listed_expiration(corpus: Path) -> None:
    body = load_body(corpus / "node-yahoo-finance2-v7-json" / "options-AAPL.json")
    session = ReplaySession(options_route({None: body}))
    seen: list[tuple[int, int, str]] = []
    chain = fetch(session, until=date(2025, 3, 31), progress=lambda i, n, e: seen.append((i, n, e)))
    assert [str(e) for e in chain.expirations] == [
        "2025-02-28",
        "2025-03-07",
        "2025-03-14",
        "2025-03-21",
        "2025-03-28",
    ]
    assert seen[-1] == (5, 5, "")
    assert len(chain) == 5 * 102


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["BTC-USD", "EURUSD=X", "GC=F", "OCDO.L", "^VXAPL"])
def test_option_less_symbols_say_no_options(corpus: Path, name: str) -> None:
    body = load_body(corpus / "node-yahoo-finance2-v7-json" / f"options-{name}.json")
    with pytest.raises(NoOptionsError, match="lists no options"):
        fetch(ReplaySession(options_route({None: body})), ticker=name)


@pytest.mark.corpus
def test_expired_date_request_is_a_clear_error(corpus: Path) -> None:
    body = load_body(corpus / "node-yahoo-finance2-v7-json" / "options-AAPL.json")
    with pytest.raises(NotFoundError, match="2022-03-01 is not listed; the nearest listed is 2025-02-28"):
        fetch(ReplaySession(options_route({None: body})), expiries=["2022-03-01"])


def multi_expiry_body() -> dict[str, Any]:
    return json.loads((FIXTURES / "options-DEMO-multi.json").read_text())


def test_hand_written_body_with_missing_keys() -> None:
    body = multi_expiry_body()
    chain = fetch(ReplaySession(options_route({None: body})), ticker="DEMO", expiries=["2025-12-05"])
    # a contract without openInterest is unknown, not zero; without volume, unknown too
    assert chain.frame["open_interest"].null_count() == 1
    assert chain.frame["volume"].null_count() == 1
    assert chain.meta.spot == 101.5


def test_429_storm_backs_off_then_says_rate_limited() -> None:
    policy = no_wait()
    session = ReplaySession(lambda url, params: (429, "Too Many Requests"))
    with pytest.raises(RateLimitedError, match=r"rate limiting.*try again in"):
        fetch(session, policy=policy)
    assert len(policy.waits) == policy.max_attempts - 1  # type: ignore[attr-defined]
    assert all(0 < w <= policy.max_delay for w in policy.waits)  # type: ignore[attr-defined]


def test_429_then_success_recovers() -> None:
    body = multi_expiry_body()
    calls = {"n": 0}
    good = options_route({None: body})

    def route(url: str, params: dict[str, Any]) -> Any:
        calls["n"] += 1
        return (429, "Too Many Requests") if calls["n"] <= 2 else good(url, params)

    policy = no_wait()
    chain = fetch(ReplaySession(route), ticker="DEMO", policy=policy)
    assert len(chain.expirations) == 2
    assert policy.waits  # type: ignore[attr-defined]


def test_401_invalid_crumb_is_an_auth_error() -> None:
    session = ReplaySession(
        lambda url, params: (
            401,
            {"finance": {"error": {"code": "Unauthorized", "description": "Invalid Crumb"}}},
        )
    )
    with pytest.raises(AuthError, match="401"):
        fetch(session)


def test_html_body_is_a_network_error() -> None:
    session = ReplaySession(lambda url, params: (200, "<html><body>Oops, something went wrong</body></html>"))
    with pytest.raises(NetworkError, match="not an option chain"):
        fetch(session)


def test_timeout_and_network_down() -> None:
    from curl_cffi.requests.exceptions import ConnectionError as CurlConnectionError
    from curl_cffi.requests.exceptions import Timeout

    with pytest.raises(NetworkError, match="timed out"):
        fetch(ReplaySession(lambda url, params: Timeout("operation timed out")))
    yfinance.data.SingletonMeta._instances.pop(yfinance.data.YfData, None)
    with pytest.raises(NetworkError, match="cannot reach Yahoo"):
        fetch(ReplaySession(lambda url, params: CurlConnectionError("Could not resolve host")))


def failing_on(epoch_to_fail: int, answer: Any) -> Any:
    body = multi_expiry_body()
    good = options_route({None: body})

    def route(url: str, params: dict[str, Any]) -> Any:
        if str(params.get("date")) == str(epoch_to_fail) or f"date={epoch_to_fail}" in url:
            return answer
        return good(url, params)

    return route


def test_failure_on_one_expiration_saves_nothing_without_allow_partial() -> None:
    second = multi_expiry_body()["optionChain"]["result"][0]["expirationDates"][1]
    with pytest.raises(FetchIncompleteError, match=r"1 of 2 expirations.*allow a partial snapshot"):
        fetch(ReplaySession(failing_on(second, (200, "<html>broken</html>"))), ticker="DEMO")


def test_allow_partial_marks_the_snapshot() -> None:
    second = multi_expiry_body()["optionChain"]["result"][0]["expirationDates"][1]
    chain = fetch(
        ReplaySession(failing_on(second, (200, "<html>broken</html>"))), ticker="DEMO", allow_partial=True
    )
    assert chain.meta.partial
    assert chain.meta.missing_expirations == ["2025-12-12"]
    assert any("partial snapshot" in n for n in chain.meta.notes)


def test_expiration_vanishing_between_list_and_request() -> None:
    body = multi_expiry_body()
    second = body["optionChain"]["result"][0]["expirationDates"][1]
    shortened = json.loads(json.dumps(body))
    shortened["optionChain"]["result"][0]["expirationDates"] = shortened["optionChain"]["result"][0][
        "expirationDates"
    ][:1]
    shortened["optionChain"]["result"][0]["options"] = []
    chain_route = failing_on(second, (200, shortened))
    chain = fetch(ReplaySession(chain_route), ticker="DEMO", allow_partial=True)
    assert chain.meta.missing_expirations == ["2025-12-12"]
    yfinance.data.SingletonMeta._instances.pop(yfinance.data.YfData, None)
    with pytest.raises(FetchIncompleteError):
        fetch(ReplaySession(chain_route), ticker="DEMO")


def test_truncated_expiration_list_only_fetches_what_is_listed() -> None:
    body = multi_expiry_body()
    truncated = json.loads(json.dumps(body))
    truncated["optionChain"]["result"][0]["expirationDates"] = truncated["optionChain"]["result"][0][
        "expirationDates"
    ][:1]
    chain = fetch(ReplaySession(options_route({None: truncated})), ticker="DEMO")
    assert [str(e) for e in chain.expirations] == ["2025-12-05"]
    with pytest.raises(NotFoundError, match="2025-12-12 is not listed"):
        yfinance.data.SingletonMeta._instances.pop(yfinance.data.YfData, None)
        fetch(ReplaySession(options_route({None: truncated})), ticker="DEMO", expiries=["2025-12-12"])


def test_select_expirations_rules() -> None:
    listed = ["2025-12-05", "2025-12-12", "2025-12-19", "2026-01-16"]
    today = date(2025, 12, 1)
    assert select_expirations(listed, today=today) == listed
    assert select_expirations(listed, until=date(2025, 12, 12), today=today) == listed[:2]
    assert select_expirations(listed, weeks=3, today=today) == listed[:3]
    with pytest.raises(InputError, match="before today"):
        select_expirations(listed, until=date(2025, 11, 1), today=today)
    with pytest.raises(NotFoundError, match="nearest listed is 2025-12-19"):
        select_expirations(listed, expiries=["2025-12-20"], today=today)


def test_replay_helper_redates_symbols() -> None:
    body = multi_expiry_body()
    moved = body_for_date(body, 1767225600)  # 2026-01-01
    symbol = moved["optionChain"]["result"][0]["options"][0]["calls"][0]["contractSymbol"]
    assert symbol[-15:-9] == "260101"


def test_a_server_that_never_answers_fails_within_the_silence_budget() -> None:
    """A server that accepts the connection and never answers: each request gives up after
    REQUEST_TIMEOUT and the whole session after SILENCE_BUDGET seconds of silence (loopback only)."""
    import socket
    import threading
    import time as clock

    import maxpain.sources.yahoo as yahoo

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])  # accept, then say nothing
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    saved = (yahoo.REQUEST_TIMEOUT, yahoo.SILENCE_BUDGET)
    yahoo.REQUEST_TIMEOUT, yahoo.SILENCE_BUDGET = 0.5, 1.2
    try:
        session = yahoo.observing_session_class()()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/v7/finance/options/X"
        started = clock.monotonic()
        failures = 0
        for _ in range(5):
            try:
                session.get(url)
            except Exception as error:  # curl's timeout, then ours once the budget is spent
                assert "timed out" in str(error).lower() or "timeout" in type(error).__name__.lower()
                failures += 1
        elapsed = clock.monotonic() - started
        assert failures == 5 and elapsed < 3.0, elapsed
    finally:
        yahoo.REQUEST_TIMEOUT, yahoo.SILENCE_BUDGET = saved
        stop.set()
        thread.join()
        listener.close()
        for connection in accepted:
            connection.close()


def test_yfinance_log_lines_never_reach_the_user(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from maxpain.sources.yahoo import quiet_yfinance

    with quiet_yfinance():
        logging.getLogger("yfinance").error("$NVDA: possibly delisted; no price data found")
    logging.getLogger("yfinance").debug("after: not an error")
    assert capsys.readouterr().err == ""
