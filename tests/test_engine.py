"""The Dask engine against the local one on the laiweibin archive: a 2-worker LocalCluster runs
history (split by date), pinning and scan (by ticker), and the results are identical."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal

from maxpain.analyses.history import history, history_on
from maxpain.analyses.pinning import study, study_on
from maxpain.analyses.scan import scan
from maxpain.engine import LocalEngine, make_engine
from maxpain.errors import InputError, NetworkError
from maxpain.store import Store
from maxpain.timeline import load_timeline, load_timelines
from tests.conftest import corpus_required

pytestmark = [pytest.mark.corpus, pytest.mark.slow]


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    if importlib.util.find_spec("distributed") is None:
        message = "Dask is not installed (pip install 'maxpain[dask]')"
        if corpus_required():
            pytest.fail(message + "; CI installs it")
        pytest.skip(message)
    # the workers run the compiled kernels as the tests' own process does (they inherit the
    # environment when they start): the same code path, so the same floating-point sums
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MAXPAIN_JIT_THRESHOLD", "0")
        engine = make_engine("dask", workers=2)
    yield engine
    engine.close()


def test_history_split_by_date_is_the_same_history(laiweibin_store: Path, cluster: object) -> None:
    store = Store(laiweibin_store)
    for ticker, options in (
        ("NVDA", {}),
        ("SPY", {"weeks": 2}),
        ("TLT", {"start": "2026-06-15", "end": "2026-07-31"}),
    ):
        window = {k: v for k, v in options.items() if k in ("weeks", "until")}
        local = history(
            load_timeline(store, ticker, start=options.get("start"), end=options.get("end")), **window
        )  # type: ignore[arg-type]
        for engine in (cluster, LocalEngine()):
            split = history_on(engine, store, ticker, parts=5, **options)  # type: ignore[arg-type]
            assert split.expirations == local.expirations and split.chosen == local.chosen
            assert_frame_equal(split.rows, local.rows)
            assert_frame_equal(split.max_pain, local.max_pain)


def test_pinning_and_scan_on_dask_equal_local(laiweibin_store: Path, cluster: object) -> None:
    store = Store(laiweibin_store)
    tickers = store.tickers()
    local = study(load_timelines(store, tickers))
    remote = study_on(cluster, str(store.root), tickers)  # type: ignore[arg-type]
    assert_frame_equal(remote.events, local.events)
    assert remote.max_pain == local.max_pain and remote.placebo == local.placebo
    assert remote.by_ticker == local.by_ticker and remote.skipped == local.skipped
    assert remote.p_value == local.p_value
    here = scan(store, tickers, at="2026-07-17")
    there = scan(store, tickers, at="2026-07-17", engine=cluster)  # type: ignore[arg-type]
    assert there.rows == here.rows and there.missing == here.missing


def test_engine_errors_are_one_sentence() -> None:
    with pytest.raises(InputError, match="unknown engine"):
        make_engine("spark")
    with pytest.raises(InputError, match="--scheduler goes with --engine dask"):
        make_engine("local", "tcp://127.0.0.1:9")
    if importlib.util.find_spec("distributed") is not None:
        with pytest.raises(NetworkError, match="cannot reach the Dask scheduler"):
            make_engine("dask", "tcp://127.0.0.1:9")
