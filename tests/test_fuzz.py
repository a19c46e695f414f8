"""Bounded fuzzing: whatever the importers, selectors and the command line are given, they end in a
valid Chain (or exit code) or in our own error type, never another exception.

The number of examples per test is MAXPAIN_FUZZ_EXAMPLES (default 60; CI runs more)."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from maxpain_cli.app import run

from maxpain.chain import CHAIN_SCHEMA, Chain
from maxpain.errors import EXIT_CODES, MaxpainError
from maxpain.sources.files import read_file
from maxpain.store import Store
from tests.cli.helpers import tree

EXAMPLES = int(os.environ.get("MAXPAIN_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
REPO = Path(__file__).resolve().parent.parent

COLUMN_NAMES = st.sampled_from(
    [
        "contractSymbol",
        "type",
        "option_type",
        "optionType",
        "expiration",
        "expirationDate",
        "expiry",
        "strike",
        "openInterest",
        "volume",
        "bid",
        "ask",
        "lastPrice",
        "impliedVolatility",
        "spot_price",
        "underlyingPrice",
        "snap_date",
        "lastTradeDate",
        "inTheMoney",
        "contractSize",
        "junk",
        "Strike",
        "OI",
    ]
)
CELL = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**13),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            "call",
            "put",
            "C",
            "P",
            "2025-12-19",
            "2025-12-01 20:00:00+00:00",
            "NVDA251219C00180000",
            "SPXW231030P04100000",
            "",
            "abc",
            "REGULAR",
            "1e-05",
            "NaN",
            "-5",
            "12.5",
        ]
    ),
    st.text(max_size=12),
)


def check_chain(chain: Chain) -> None:
    assert dict(chain.frame.schema) == {k: v for k, v in CHAIN_SCHEMA.items()}
    assert len(chain) > 0
    assert (chain.frame["strike"] > 0).all()
    known = chain.frame["open_interest"].drop_nulls()
    assert known.len() == 0 or known.min() >= 0  # type: ignore[operator]
    assert chain.meta.spot is None or (math.isfinite(chain.meta.spot) and chain.meta.spot > 0)
    assert chain.meta.captured_at.tzinfo is not None


@st.composite
def tables(draw: Any) -> dict[str, list[Any]]:
    names = draw(st.lists(COLUMN_NAMES, min_size=1, max_size=8, unique=True))
    rows = draw(st.integers(0, 6))
    return {name: [draw(CELL) for _ in range(rows)] for name in names}


@FUZZ
@given(table=tables(), kind=st.sampled_from(["csv", "parquet"]))
def test_table_importers_never_fail_with_a_foreign_exception(
    tmp_path_factory: pytest.TempPathFactory, table: dict[str, list[Any]], kind: str
) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / f"t.{kind}"
    frame = pl.DataFrame(
        {k: [None if v is None else str(v) for v in values] for k, values in table.items()},
        schema={k: pl.String for k in table},
    )
    if kind == "csv":
        frame.write_csv(path)
    else:
        frame.write_parquet(path)
    try:
        chain = read_file(path)
    except MaxpainError:
        return
    check_chain(chain)


JSON_VALUE = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**12), 10**12),
        st.floats(allow_nan=False),
        st.text(max_size=8),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)
CONTRACT = st.fixed_dictionaries(
    {},
    optional={
        "contractSymbol": st.sampled_from(["AAPL250228C00110000", "AAPL250228P00120000", "bogus", ""]),
        "strike": st.one_of(st.floats(allow_nan=True), st.integers(-5, 500), st.text(max_size=4)),
        "openInterest": st.one_of(st.none(), st.integers(-3, 10**6), st.floats(allow_nan=True)),
        "volume": st.one_of(st.none(), st.integers(0, 10**6)),
        "bid": st.floats(allow_nan=True),
        "ask": st.floats(allow_nan=True),
        "impliedVolatility": st.floats(allow_nan=True),
        "expiration": st.one_of(st.integers(0, 2**33), st.text(max_size=10)),
        "lastTradeDate": st.one_of(st.integers(0, 2**33), st.none()),
    },
)
BODY = st.one_of(
    JSON_VALUE,
    st.builds(
        lambda dates, calls, puts, quote: {
            "optionChain": {
                "result": [
                    {
                        "underlyingSymbol": "AAPL",
                        "expirationDates": dates,
                        "quote": quote,
                        "options": [{"expirationDate": 1740700800, "calls": calls, "puts": puts}],
                    }
                ],
                "error": None,
            }
        },
        st.lists(st.integers(0, 2**33), max_size=3),
        st.lists(CONTRACT, max_size=4),
        st.lists(CONTRACT, max_size=4),
        st.fixed_dictionaries(
            {},
            optional={
                "regularMarketPrice": st.one_of(st.floats(allow_nan=True), st.text(max_size=3)),
                "regularMarketTime": st.integers(0, 2**33),
            },
        ),
    ),
)


@FUZZ
@given(body=BODY)
def test_raw_json_importer_never_fails_with_a_foreign_exception(
    tmp_path_factory: pytest.TempPathFactory, body: Any
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "body.json"
    path.write_text(json.dumps(body))
    try:
        chain = read_file(path)
    except MaxpainError:
        return
    check_chain(chain)


@pytest.fixture(scope="module")
def demo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    target = tmp_path_factory.mktemp("demo") / "store"
    shutil.copytree(REPO / "fixtures" / "demo-store", target)
    return target


@FUZZ
@given(
    ticker=st.one_of(st.just("DEMO"), st.text(max_size=20)),
    selector=st.one_of(
        st.text(max_size=24),
        st.sampled_from(["latest", "2025-12-0", "2025-12-05", "2025-12-05T2", "2025-13-45", "live"]),
    ),
)
def test_selectors_end_in_a_snapshot_or_our_error(demo_copy: Path, ticker: str, selector: str) -> None:
    store = Store(demo_copy)
    try:
        info = store.resolve(ticker, selector)
    except MaxpainError:
        return
    assert info.path.parent.parent == demo_copy
    assert not info.damaged


TOKENS = st.sampled_from(
    [
        "report",
        "pain",
        "walls",
        "heatmap",
        "diff",
        "exposure",
        "snapshots",
        "DEMO",
        "NOPE",
        "--at",
        "latest",
        "2025-12-01",
        "--until",
        "2025-12-26",
        "--weeks",
        "0",
        "3",
        "--top",
        "-1",
        "--metric",
        "change",
        "net",
        "bogus",
        "--strikes",
        "90:110",
        "1:0",
        "--from",
        "--to",
        "--strike",
        "90",
        "--right",
        "put",
        "call",
        "--expiry",
        "2026-01-16",
        "--contracts",
        "10",
        "--json",
        "--no-color",
        "--rows",
        "5",
        "x" * 30,
        "../..",
        "",
    ]
)


@FUZZ
@given(argv=st.lists(TOKENS, max_size=8))
def test_any_command_line_ends_in_a_documented_exit_code(
    capsys: pytest.CaptureFixture[str], demo_copy: Path, argv: list[str]
) -> None:
    before = tree(demo_copy)
    code = run(["--store", str(demo_copy), *[a for a in argv if a != "live"]])
    _, err = capsys.readouterr()
    assert code in EXIT_CODES and code != 1, (argv, err)
    assert "Traceback" not in err
    assert tree(demo_copy) == before
