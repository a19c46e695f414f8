"""The fault and bad-input matrix at the command line: one sentence on stderr, a documented exit
code, no traceback, and the store untouched (or, for faults while saving, never half-written)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yfinance as yf
import yfinance.data
from maxpain_cli.app import run

import maxpain.sources.yahoo as yahoo_source
from maxpain.store import Store
from tests.yahoo_replay import ReplaySession, options_route

REPO = Path(__file__).resolve().parent.parent
MULTI = json.loads((REPO / "fixtures" / "yahoo" / "options-DEMO-multi.json").read_text())
SECOND_EPOCH = MULTI["optionChain"]["result"][0]["expirationDates"][1]


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


def failing_second(answer: Any) -> Any:
    good = options_route({None: MULTI})

    def route(url: str, params: dict[str, Any]) -> Any:
        if str(params.get("date")) == str(SECOND_EPOCH) or f"date={SECOND_EPOCH}" in url:
            return answer
        return good(url, params)

    return route


# ----------------------------------------------------------------------------- network faults
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
        (failing_second((200, "<html>broken</html>")), 10, "nothing was saved"),
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


# ----------------------------------------------------------------------------- store faults
@pytest.fixture()
def demo(tmp_path: Path) -> Path:
    target = tmp_path / "store"
    shutil.copytree(REPO / "fixtures" / "demo-store", target)
    return target


def test_damaged_latest_file_is_skipped_with_a_warning(
    capsys: pytest.CaptureFixture[str], demo: Path
) -> None:
    bad = demo / "DEMO" / "2025-12-06T211500Z.parquet"
    bad.write_bytes(b"PAR1 this is not parquet")
    code, out, err = invoke(capsys, "--store", str(demo), "--no-color", "snapshots", "DEMO")
    assert code == 0 and "DAMAGED" in out
    code, out, err = invoke(capsys, "--store", str(demo), "--no-color", "report", "DEMO")
    assert code == 0
    assert "2025-12-05T211500Z" in out  # the latest intact snapshot
    assert "damaged" in err and "Traceback" not in err
    code, out, _ = invoke(capsys, "--store", str(demo), "--json", "snapshots", "DEMO", "--verify")
    assert sum(1 for s in json.loads(out) if s["damaged"]) == 1
    # selecting the damaged one explicitly is one clear sentence
    code, _, err = invoke(capsys, "--store", str(demo), "report", "DEMO", "--at", "2025-12-06")
    assert code == 4
    assert_one_sentence(err)


def test_truncated_parquet_is_damaged_not_a_crash(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    victim = demo / "DEMO" / "2025-12-05T211500Z.parquet"
    victim.write_bytes(victim.read_bytes()[: len(victim.read_bytes()) // 2])
    code, out, err = invoke(capsys, "--store", str(demo), "--json", "report", "DEMO")
    assert code == 0, err
    assert json.loads(out)["snapshot"]["id"] == "2025-12-04T211500Z"


def test_unwritable_or_missing_store(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = invoke(
        capsys,
        "--store",
        str(blocker / "store"),
        "import",
        str(REPO / "fixtures/yahoo/options-DEMO-multi.json"),
    )
    assert code == 9
    assert_one_sentence(err)
    code, _, err = invoke(capsys, "--store", str(tmp_path / "nowhere"), "report", "DEMO")
    assert code == 4 and "does not exist" in err
    assert_one_sentence(err)


@pytest.mark.slow
def test_two_concurrent_cli_imports_of_one_ticker_both_survive(tmp_path: Path) -> None:
    store = tmp_path / "s"
    days = sorted((REPO / "fixtures" / "demo-store" / "DEMO").glob("*.parquet"))
    sources = []
    for i, day in enumerate(days[:2]):
        frame = (
            Store(REPO / "fixtures" / "demo-store")
            .load(Store(REPO / "fixtures" / "demo-store").info(day))
            .frame
        )
        path = tmp_path / f"day{i}.csv"
        frame.with_columns(captured=pl.lit(f"2025-12-0{i + 1}T21:15:00Z")).rename(
            {"right": "type"}
        ).write_csv(path)
        sources.append(path)
    env = {**os.environ, "MAXPAIN_JIT_THRESHOLD": "100000000"}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "maxpain_cli.app",
                "--store",
                str(store),
                "import",
                str(p),
                "--ticker",
                "DEMO",
                "--captured-at",
                f"2025-12-0{i + 1}T21:15:00Z",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for i, p in enumerate(sources)
    ]
    for process in processes:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    assert sorted(s.id for s in Store(store).snapshots("DEMO")) == [
        "2025-12-01T211500Z",
        "2025-12-02T211500Z",
    ]


# ----------------------------------------------------------------------------- bad input files
def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD_HEADER = "contractSymbol,type,expiration,strike,openInterest,bid,ask,lastPrice,lastTradeDate\n"


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("empty.csv", "", "empty"),
        ("header-only.csv", GOOD_HEADER, "no rows"),
        ("wrong-columns.csv", "a,b,c\n1,2,3\n", "no call/put column"),
        (
            "text-strike.csv",
            GOOD_HEADER + "X251219C00100000,call,2025-12-19,abc,10,1,1.1,1,2025-12-01 20:00:00\n",
            "non-numeric",
        ),
        (
            "negative-oi.csv",
            GOOD_HEADER + "X251219C00100000,call,2025-12-19,100,-5,1,1.1,1,2025-12-01 20:00:00\n",
            "negative open interest",
        ),
        (
            "fraction-oi.csv",
            GOOD_HEADER + "X251219C00100000,call,2025-12-19,100,2.5,1,1.1,1,2025-12-01 20:00:00\n",
            "fractional",
        ),
        (
            "nan-strike.csv",
            GOOD_HEADER + "X251219C00100000,call,2025-12-19,NaN,5,1,1.1,1,2025-12-01 20:00:00\n",
            "strike",
        ),
        (
            "bad-right.csv",
            GOOD_HEADER + "X251219C00100000,maybe,2025-12-19,100,5,1,1.1,1,2025-12-01 20:00:00\n",
            "call/put",
        ),
        (
            "bad-date.csv",
            GOOD_HEADER + "X251219C00100000,call,19/12/2025,100,5,1,1.1,1,2025-12-01 20:00:00\n",
            "not a date",
        ),
        (
            "clash.csv",
            GOOD_HEADER + "X251219C00100000,call,2025-12-19,100,5,1,1.1,1,2025-12-01 20:00:00\n"
            "X251219C00100000,call,2025-12-19,100,7,1,1.1,1,2025-12-01 20:00:00\n",
            "different values",
        ),
        (
            "no-time.csv",
            "contractSymbol,type,expiration,strike,openInterest\nX251219C00100000,call,2025-12-19,100,5\n",
            "--captured-at",
        ),
        ("binary.parquet", "\x00\x01garbage", "cannot be read"),
        ("bad.json", "{not json", "not valid JSON"),
        ("other.json", '{"hello": 1}', "not a Yahoo option-chain body"),
        ("data.xlsx", "x", "unknown file type"),
    ],
)
def test_bad_files_are_one_sentence_and_store_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, text: str, fragment: str
) -> None:
    store = tmp_path / "s"
    path = write(tmp_path, name, text)
    code, _, err = invoke(capsys, "--store", str(store), "import", str(path))
    assert code == 3, err
    assert fragment in err
    assert_one_sentence(err)
    assert name in err  # the message names the file
    assert tree(store) == {}


def test_missing_file_and_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = invoke(capsys, "--store", str(tmp_path / "s"), "import", str(tmp_path / "nope.csv"))
    assert code == 3 and "no such file" in err
    code, _, err = invoke(capsys, "--store", str(tmp_path / "s"), "import", str(tmp_path))
    assert code == 3 and "is a folder" in err


def test_duplicated_contracts_in_a_file_are_removed_and_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    row = "X251219C00100000,call,2025-12-19,100,5,1,1.1,1,2025-12-01 20:00:00\n"
    put = "X251219P00100000,put,2025-12-19,100,9,1,1.1,1,2025-12-01 20:00:00\n"
    path = write(tmp_path, "dups.csv", GOOD_HEADER + row + row + put)
    code, out, err = invoke(capsys, "--store", str(tmp_path / "s"), "--no-color", "import", str(path))
    assert code == 0, err
    assert "removed 1 exact duplicate" in out


def test_wide_file_reads_only_the_columns_it_needs(tmp_path: Path) -> None:
    from maxpain.sources.files import read_table

    rows = 20_000
    frame = pl.DataFrame(
        {
            "contractSymbol": [f"X251219C{(i + 1) * 1000:08d}" for i in range(rows)],
            "strike": [float(i + 1) for i in range(rows)],
            "openInterest": [1.0] * rows,
            **{f"junk_{j}": ["x" * 40] * rows for j in range(30)},
        }
    )
    path = tmp_path / "wide.parquet"
    frame.write_parquet(path)
    table = read_table(path)
    assert table.columns == ["contractSymbol", "strike", "openInterest"]


# ----------------------------------------------------------------------------- security
def test_tickers_and_paths_cannot_escape_the_store(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    before = tree(demo)
    for bad in ("../../etc", "/etc/passwd", "A\x00B", "x" * 300, "..", "DEMO/../../x", "$(rm -rf ~)"):
        code, _, err = invoke(capsys, "--store", str(demo), "report", bad)
        assert code == 3, (bad, err)
        assert_one_sentence(err)
    code, _, err = invoke(
        capsys,
        "--store",
        str(demo),
        "import",
        str(REPO / "fixtures/yahoo/options-DEMO-multi.json"),
        "--ticker",
        "../evil",
    )
    assert code == 3
    assert tree(demo) == before
    assert not (demo.parent / "evil").exists()


def test_no_pickle_or_eval_anywhere() -> None:
    pattern = re.compile(r"\b(pickle|marshal|shelve)\b|\beval\(|\bexec\(|yaml\.load\(")
    for folder in ("maxpain", "cli"):
        for path in (REPO / folder).rglob("*.py"):
            assert not pattern.search(path.read_text()), path


def test_exports_escape_their_text(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    hostile = tmp_path / "<img src=x onerror=alert(1)>&.json"
    hostile.write_text((REPO / "fixtures/yahoo/options-DEMO-multi.json").read_text())
    store = tmp_path / "s"
    assert invoke(capsys, "--store", str(store), "import", str(hostile))[0] == 0
    html, svg = tmp_path / "r.html", tmp_path / "r.svg"
    code, _, err = invoke(
        capsys, "--store", str(store), "report", "DEMO", "--html", str(html), "--svg", str(svg)
    )
    assert code == 0, err
    for exported in (html.read_text(), svg.read_text()):
        assert "<img src=x" not in exported
        assert "&lt;img" in exported or "&#60;img" in exported


# ----------------------------------------------------------------------------- data-quality warnings
def test_pre_market_zero_oi_is_warned_in_every_view(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, corpus: Path
) -> None:
    store = tmp_path / "s"
    assert (
        invoke(
            capsys,
            "--store",
            str(store),
            "import",
            str(corpus / "node-yahoo-finance2-v7-json/options-AAPL.json"),
        )[0]
        == 0
    )
    for view in (["report", "AAPL"], ["pain", "AAPL"], ["walls", "AAPL"]):
        code, out, err = invoke(capsys, "--store", str(store), "--no-color", *view)
        assert code == 0, err
        flat = " ".join(out.replace("│", " ").split())
        assert "open interest 0" in flat, view
        assert "no two-sided quote" in flat, view
    document = json.loads(invoke(capsys, "--store", str(store), "--json", "pain", "AAPL")[1])
    assert document["expirations"][0]["max_pain"] is None
    assert "before the open" in document["expirations"][0]["reason"]


def test_estimated_spot_is_marked(capsys: pytest.CaptureFixture[str], tmp_path: Path, corpus: Path) -> None:
    store = tmp_path / "s"
    assert (
        invoke(
            capsys,
            "--store",
            str(store),
            "import",
            str(corpus / "ansabs-options_pricing/NVDA_2025-02-03T1540Z.parquet"),
        )[0]
        == 0
    )
    code, out, _ = invoke(capsys, "--store", str(store), "--no-color", "report", "NVDA")
    assert code == 0 and "(estimated)" in out
    assert (
        json.loads(invoke(capsys, "--store", str(store), "--json", "snapshots")[1])[0]["spot_estimated"]
        is True
    )


def test_same_day_diff_is_warned(capsys: pytest.CaptureFixture[str], demo: Path) -> None:
    source = Store(demo).load(Store(demo).resolve("DEMO"))
    path = demo.parent / "again.csv"
    source.frame.rename({"right": "type"}).write_csv(path)
    assert (
        invoke(
            capsys,
            "--store",
            str(demo),
            "import",
            str(path),
            "--ticker",
            "DEMO",
            "--captured-at",
            "2025-12-05T22:00:00Z",
        )[0]
        == 0
    )
    code, out, _ = invoke(capsys, "--store", str(demo), "--no-color", "diff", "DEMO")
    assert code == 0
    assert "same trading day" in " ".join(
        out.replace("│", " ").split()
    ) or "trading day 2025-12-05" in " ".join(out.replace("│", " ").split())


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


def test_implausible_numbers_are_refused_or_nulled(tmp_path: Path) -> None:
    """Found by the fuzzer: a 9.2e18 strike overflowed the OCC-symbol synthesis."""
    from maxpain.errors import InputError
    from maxpain.normalize import normalize

    base = {
        "type": ["call", "put"],
        "expiration": ["2025-12-19"] * 2,
        "openInterest": [1.0, 2.0],
        "lastTradeDate": ["2025-12-01 20:00:00"] * 2,
    }
    with pytest.raises(InputError, match="not a plausible strike"):
        normalize(pl.DataFrame({**base, "strike": [9.2234e18, 100.0]}), underlying="XYZ")
    with pytest.raises(InputError, match="multiplier"):
        normalize(
            pl.DataFrame({**base, "strike": [100.0, 100.0], "multiplier": [1e12, 100.0]}), underlying="XYZ"
        )
    chain = normalize(
        pl.DataFrame(
            {**base, "strike": [100.0, 100.0], "bid": [float("inf"), 1.0], "ask": [float("nan"), 1.2]}
        ),
        underlying="XYZ",
    )
    assert chain.frame["bid"].null_count() == 1 and chain.frame["ask"].null_count() == 1


def test_large_csv_is_read_in_chunks_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import maxpain.sources.files as files

    demo = Store(REPO / "fixtures" / "demo-store")
    chain = demo.load(demo.resolve("DEMO"))
    path = tmp_path / "demo.csv"
    chain.frame.rename({"right": "type"}).with_columns(junk=pl.lit("x" * 50)).write_csv(path)
    whole = files.read_file(path, captured_at=chain.meta.captured_at).frame
    monkeypatch.setattr(files, "_CHUNKED_CSV_BYTES", 1_000)  # every file counts as large
    monkeypatch.setattr(files, "_CSV_CHUNK_BYTES", 2_000)  # many chunks
    table = files.read_table(path)
    assert "junk" not in table.columns
    assert files.read_file(path, captured_at=chain.meta.captured_at).frame.equals(whole)
    # a quoted field with a newline cannot be split on lines: the whole-file reader takes over
    quoted = tmp_path / "quoted.csv"
    quoted.write_text(
        "contractSymbol,type,expiration,strike,openInterest,note\n"
        'X251219C00100000,call,2025-12-19,100,5,"two\nlines"\n'
        + "".join(f"X251219P{100000 + i * 1000:08d},put,2025-12-19,{100 + i},5,plain\n" for i in range(200))
    )
    monkeypatch.setattr(files, "_CSV_CHUNK_BYTES", 1)  # one line per chunk: the quoted row must split
    assert files._read_csv_chunked(quoted, ",") is None
    fallback = files.read_table(quoted)
    assert fallback.height == 201 and fallback["contractSymbol"][0] == "X251219C00100000"
