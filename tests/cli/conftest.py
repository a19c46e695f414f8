"""Fixtures for the command-line tests: private copies of the demo store, a store imported from the
real corpus, and live fetches routed through replayed Yahoo bodies."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yfinance as yf
import yfinance.data
from maxpain_cli.app import run

import maxpain.sources.yahoo as yahoo_source
from tests.cli.helpers import DEMO, REPO
from tests.yahoo_replay import ReplaySession


@pytest.fixture()
def demo(tmp_path: Path) -> str:
    """A private copy of the bundled demo store (tests may write to it)."""
    target = tmp_path / "store"
    shutil.copytree(DEMO, target)
    return str(target)


@pytest.fixture(scope="session")
def real_store(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> str:
    store = tmp_path_factory.mktemp("real") / "store"
    files = [
        str(p)
        for t in ("NVDA", "GOOG", "PLTR")
        for p in sorted((corpus / "vraptunovich-stock" / t).glob("*.parquet"))
    ]
    assert run(["--store", str(store), "--json", "import", *files]) == 0
    return str(store)


@pytest.fixture()
def demo_store(tmp_path: Path) -> Path:
    """A private copy of the bundled demo store, as a path."""
    target = tmp_path / "store"
    shutil.copytree(REPO / "fixtures" / "demo-store", target)
    return target


@pytest.fixture()
def replay(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[[Any], None]]:
    """Route the CLI's live fetches through a replayed transport (yfinance's own code runs)."""
    yf.set_tz_cache_location(str(tmp_path / "yf-cache"))
    yfinance.data.SingletonMeta._instances.pop(yfinance.data.YfData, None)
    monkeypatch.setattr(yahoo_source.FetchPolicy, "sleep", staticmethod(lambda seconds: None))

    def use(route: Any) -> None:
        monkeypatch.setattr(yahoo_source, "observing_session_class", lambda: lambda: ReplaySession(route))

    yield use
    yfinance.data.SingletonMeta._instances.pop(yfinance.data.YfData, None)
