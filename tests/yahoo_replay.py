"""Replay recorded Yahoo answers through yfinance's own code, with no network.

Only the transport is replaced: :class:`ReplaySession` is the project's ``ObservingSession`` with
``_send`` answering from a script of recorded bodies. yfinance's cookie, crumb, retry and parsing
code all run as they do live.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from curl_cffi.requests.models import Response

from maxpain.sources.yahoo import observing_session_class

Answer = tuple[int, bytes | str | dict[str, Any]] | Exception
Route = Callable[[str, dict[str, Any]], Answer]


def make_response(url: str, status: int, body: bytes | str | dict[str, Any]) -> Response:
    response = Response()
    response.status_code = status
    if isinstance(body, dict):
        body = json.dumps(body)
    response.content = body.encode() if isinstance(body, str) else body
    response.headers = {"content-type": "application/json" if status < 400 else "text/html"}  # type: ignore[assignment]
    response.url = url
    response.encoding = "utf-8"
    return response


def ReplaySession(route: Route) -> Any:  # noqa: N802 - a class factory reads like a class
    """An ObservingSession whose transport is ``route(url, params) -> (status, body) | exception``."""
    base = observing_session_class()

    class _Replay(base):  # type: ignore[valid-type,misc]
        def __init__(self) -> None:
            super().__init__()
            self.requests: list[str] = []

        def _send(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
            params = dict(kwargs.get("params") or {})
            self.requests.append(url)
            if "fc.yahoo.com" in url or "guce.yahoo.com" in url or "consent.yahoo.com" in url:
                return make_response(url, 404, "<html>not found</html>")
            if "getcrumb" in url:
                return make_response(url, 200, "fake-crumb")
            answer = route(url, params)
            if isinstance(answer, Exception):
                raise answer
            status, body = answer
            return make_response(url, status, body)

    return _Replay()


def body_for_date(body: dict[str, Any], epoch: int | None) -> dict[str, Any]:
    """A recorded body re-aimed at another expiration (the contracts keep their own dates)."""
    if epoch is None:
        return body
    copy = json.loads(json.dumps(body))
    result = copy["optionChain"]["result"][0]
    for block in result.get("options", []):
        block["expirationDate"] = epoch
        for side in ("calls", "puts"):
            for contract in block.get(side, []):
                contract["expiration"] = epoch
                symbol = contract.get("contractSymbol", "")
                if len(symbol) > 15:  # ROOT + yymmdd + C/P + 8 digits: re-date the OCC symbol
                    stamp = datetime.fromtimestamp(epoch, tz=UTC).strftime("%y%m%d")
                    contract["contractSymbol"] = symbol[:-15] + stamp + symbol[-9:]
    return copy


def options_route(bodies: dict[str | None, dict[str, Any]]) -> Route:
    """Answer ``/v7/finance/options/SYM`` from bodies keyed by the ``date`` param (None = no date)."""

    def route(url: str, params: dict[str, Any]) -> Answer:
        query = parse_qs(urlparse(url).query)
        when = params.get("date") or (query.get("date") or [None])[0]
        key = str(when) if when is not None else None
        if key in bodies:
            return 200, bodies[key]
        if None in bodies and key is not None:
            return 200, body_for_date(bodies[None], int(key))
        return 404, "<html>no route</html>"

    return route


def load_body(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]
