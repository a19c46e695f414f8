"""`maxpain import`: bad files one sentence each, every file tried, duplicates, wide and large files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from maxpain.store import Store
from tests.cli.helpers import (
    GOOD_HEADER,
    REPO,
    assert_one_sentence,
    cli,
    cli_json,
    figures_missing_from_json,
    invoke,
    tree,
    write,
)


def test_import_reports_bad_files_and_keeps_going(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    good = REPO / "fixtures" / "yahoo" / "options-DEMO-multi.json"
    store = tmp_path / "store"
    code, out, err = cli(capsys, "--store", str(store), "import", str(bad), str(good), str(empty))
    assert code == 3
    assert "no header line naming option-chain columns" in err
    assert "the file is empty" in err
    assert "saved DEMO/" in out
    assert len(list((store / "DEMO").glob("*.parquet"))) == 1
    # identical re-import is detected
    code, out, _ = cli(capsys, "--store", str(store), "import", str(good))
    assert code == 0 and "already stored" in out


@pytest.mark.parametrize(
    ("name", "text", "fragment"),
    [
        ("empty.csv", "", "empty"),
        ("header-only.csv", GOOD_HEADER, "no rows"),
        ("wrong-columns.csv", "a,b,c\n1,2,3\n", "no header line naming option-chain columns"),
        ("no-right.csv", "strike,openInterest\n100,5\n", "no call/put column"),
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
            "type,expiration,strike,openInterest,lastTradeDate\ncall,19/12/2025,100,5,2025-12-01 20:00:00\n",
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
        ("other.json", '{"hello": 1}', "not an option-chain body"),
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
    assert code == 3 and "no files to import in" in err  # an empty folder: nothing to walk


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
    from maxpain.sources.tables import read_table

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
    table = read_table(path).frame
    assert table.columns == ["contractSymbol", "strike", "openInterest"]


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
    import maxpain.sources.tables as tables

    demo = Store(REPO / "fixtures" / "demo-store")
    chain = demo.load(demo.resolve("DEMO"))
    path = tmp_path / "demo.csv"
    chain.frame.rename({"right": "type"}).with_columns(junk=pl.lit("x" * 50)).write_csv(path)
    whole = files.read_file(path, captured_at=chain.meta.captured_at).frame
    monkeypatch.setattr(tables, "_CHUNKED_CSV_BYTES", 1_000)  # every file counts as large
    monkeypatch.setattr(tables, "_CSV_CHUNK_BYTES", 2_000)  # many chunks
    table = tables.read_table(path).frame
    assert "junk" not in table.columns
    assert files.read_file(path, captured_at=chain.meta.captured_at).frame.equals(whole)
    # a quoted field with a newline cannot be split on lines: the whole-file reader takes over
    quoted = tmp_path / "quoted.csv"
    quoted.write_text(
        "contractSymbol,type,expiration,strike,openInterest,note\n"
        'X251219C00100000,call,2025-12-19,100,5,"two\nlines"\n'
        + "".join(f"X251219P{100000 + i * 1000:08d},put,2025-12-19,{100 + i},5,plain\n" for i in range(200))
    )
    monkeypatch.setattr(tables, "_CSV_CHUNK_BYTES", 1)  # one line per chunk: the quoted row must split
    dialect = tables.sniff(quoted)
    assert tables._read_csv_chunked(quoted, dialect, dialect.names) is None
    fallback = tables.read_table(quoted).frame
    assert fallback.height == 201 and fallback["contractSymbol"][0] == "X251219C00100000"


def test_import_headline_figures_are_in_its_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = Store(REPO / "fixtures" / "demo-store")
    path = tmp_path / "demo.parquet"
    source.load(source.resolve("DEMO")).frame.write_parquet(path)
    args = ("import", str(path), "--ticker", "DEMO", "--captured-at", "2025-12-05T21:15:00Z")
    _, out, _ = cli(capsys, "--store", str(tmp_path / "a"), "--no-color", *args, width=300)
    document = cli_json(capsys, "--store", str(tmp_path / "b"), *args)
    sentence = next(line for line in out.splitlines() if "contracts," in line)
    assert "344 contracts, 8 expirations, spot 103.10" in sentence
    assert figures_missing_from_json(sentence, document) == []


# ----------------------------------------------------------------------------- files read as named, inputs refused
def demo_frame() -> pl.DataFrame:
    source = Store(REPO / "fixtures" / "demo-store")
    return source.load(source.resolve("DEMO")).frame


def test_paths_are_never_glob_patterns(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`z[1].parquet` is read as named (not as the pattern matching `z1.parquet`), and a file
    named `star*.parquet` is one file, not every `star…` file merged."""
    frame = demo_frame()
    frame.head(40).write_parquet(tmp_path / "z[1].parquet")
    frame.tail(100).write_parquet(tmp_path / "z1.parquet")
    frame.head(30).write_parquet(tmp_path / "star*.parquet")
    frame.tail(50).write_parquet(tmp_path / "star-other.parquet")
    for name, rows in (("z[1].parquet", 40), ("star*.parquet", 30)):
        document = cli_json(
            capsys,
            "--store",
            str(tmp_path / ("store-" + name.replace("*", "_"))),
            "import",
            str(tmp_path / name),
            "--ticker",
            "DEMO",
            "--captured-at",
            "2025-12-05T21:15:00Z",
        )
        assert document[0]["contracts"] == rows, name


def test_a_ticker_that_contradicts_the_contracts_is_refused_unless_forced(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "aapl.csv"
    path.write_text(GOOD_HEADER + "AAPL251219C00200000,call,2025-12-19,200,5,1,1.1,1,2025-12-05T20:00:00Z\n")
    store = str(tmp_path / "s")
    code, _, err = invoke(capsys, "--store", store, "import", str(path), "--ticker", "NVDA")
    assert code == 3 and "options on AAPL" in err and "--force-ticker" in err
    assert_one_sentence(err)
    assert not (tmp_path / "s" / "NVDA").exists()
    code, _, err = invoke(capsys, "--store", store, "import", str(path), "--ticker", "NVDA", "--force-ticker")
    assert code == 0, err and (tmp_path / "s" / "NVDA").exists()
    # roots that extend the ticker (SPXW for SPX) are the ticker's own
    spx = tmp_path / "spx.csv"
    spx.write_text(GOOD_HEADER + "SPXW251219C04000000,call,2025-12-19,4000,5,1,1.1,1,2025-12-05T20:00:00Z\n")
    assert invoke(capsys, "--store", store, "import", str(spx), "--ticker", "SPX")[0] == 0


def test_a_capture_time_far_from_the_data_is_warned(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text(GOOD_HEADER + "XYZ251219C00100000,call,2025-12-19,100,5,1,1.1,1,2025-12-05T20:00:00Z\n")
    document = cli_json(
        capsys, "--store", str(tmp_path / "s"), "import", str(path), "--captured-at", "2099-01-01T00:00:00Z"
    )
    chain_notes = " ".join(document[0]["notes"])
    assert "days after the latest trade" in chain_notes
    plain = cli_json(capsys, "--store", str(tmp_path / "t"), "import", str(path))
    assert not any("latest trade" in note for note in plain[0]["notes"])


@pytest.mark.corpus
def test_a_pre_market_body_says_its_capture_time_is_the_last_close(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, corpus: Path
) -> None:
    body = corpus / "node-yahoo-finance2-v7-json" / "options-AAPL.json"
    document = cli_json(capsys, "--store", str(tmp_path / "s"), "import", str(body))
    assert any(
        "captured with the market pre" in note and "2025-02-24" in note for note in document[0]["notes"]
    )


def yahoo_body(**changes: object) -> dict:
    calls = [
        {
            "contractSymbol": "XYZ251219C00100000",
            "strike": 100.0,
            "openInterest": 5,
            "expiration": 1766102400,
            "lastTradeDate": 1764964800,
        }
    ]
    quote = {"symbol": "XYZ", "regularMarketPrice": 100.0, "regularMarketTime": 1764964800}
    for where, value in changes.items():
        target = calls[0] if where in ("expiration", "lastTradeDate") else quote
        target[where] = value
    block = {
        "underlyingSymbol": "XYZ",
        "expirationDates": [1766102400],
        "quote": quote,
        "options": [{"expirationDate": 1766102400, "calls": calls, "puts": []}],
    }
    return {"optionChain": {"result": [block], "error": None}}


@pytest.mark.parametrize("field", ["regularMarketTime", "lastTradeDate", "expiration"])
@pytest.mark.parametrize("value", [float("inf"), 1e20, -1e12])
def test_timestamps_that_are_not_times_are_refused_or_replaced(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, field: str, value: float
) -> None:
    import json

    path = tmp_path / "body.json"
    path.write_text(json.dumps(yahoo_body(**{field: value})))  # Infinity is what json writes for inf
    code, out, err = invoke(capsys, "--store", str(tmp_path / "s"), "--no-color", "import", str(path))
    if field == "expiration":  # the contract symbols carry the expiration: they decide, and it is said
        assert code == 0, err
        assert "expirations taken from the contract symbols" in " ".join(out.split())
        return
    assert code == 3, err
    assert_one_sentence(err)
    assert not (tmp_path / "s").exists() or not any((tmp_path / "s").rglob("*.parquet"))


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[" * 200_000 + "]" * 200_000, "nested too deeply"),
        (
            GOOD_HEADER + "XYZ251219C00000000,call,2025-12-19,0.0004,5,1,1.1,1,2025-12-05T20:00:00Z\n",
            "below 0.001",
        ),
        (
            GOOD_HEADER + "XYZ251219C00100000,call,2301-12-19,100,5,1,1.1,1,2025-12-05T20:00:00Z\n",
            "outside 1970-2200",
        ),
        (
            "contractSymbol,type,expiration,strike,openInterest,snap_date\nXYZ251219C00100000,call,2025-12-19,100,5,0999-01-01\n",
            "outside the years 1000-9999",
        ),
    ],
    ids=["deep-json", "tiny-strike", "far-expiration", "year-999"],
)
def test_impossible_values_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, fragment: str
) -> None:
    path = tmp_path / ("x.json" if text.startswith("[") else "x.csv")
    path.write_text(text)
    code, _, err = invoke(capsys, "--store", str(tmp_path / "s"), "import", str(path))
    assert code == 3 and fragment in err, err
    assert_one_sentence(err)


def test_captured_at_past_year_9999_in_utc_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "x.csv"
    path.write_text(GOOD_HEADER + "XYZ251219C00100000,call,2025-12-19,100,5,1,1.1,1,2025-12-05T20:00:00Z\n")
    code, _, err = invoke(
        capsys,
        "--store",
        str(tmp_path / "s"),
        "import",
        str(path),
        "--captured-at",
        "9999-12-31T23:59:59-05:00",
    )
    assert code == 3 and "9999" in err
    assert_one_sentence(err)


def test_unicode_look_alike_tickers_are_refused(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    code, _, err = invoke(capsys, "--store", demo, "report", "ſpy")
    assert code == 3 and "not a ticker symbol" in err


# ----------------------------------------------------------------------------- every file, whatever fails
def csv_files(tmp_path: Path, count: int) -> list[str]:
    paths = []
    for i in range(count):
        path = tmp_path / f"f{i}.csv"
        path.write_text(
            GOOD_HEADER
            + f"XYZ251219C00{100 + i}000,call,2025-12-19,{100 + i},5,1,1.1,1,2025-12-0{i + 1}T20:00:00Z\n"
        )
        paths.append(str(path))
    return paths


def test_disk_full_is_exit_9_naming_the_file_and_leaves_no_empty_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    paths = csv_files(tmp_path, 2)
    code, out, err = invoke(capsys, "--store", str(tmp_path / "s"), "import", *paths)
    assert code == 9, err
    lines = err.strip().splitlines()
    assert len(lines) == 2 and all("No space left on device" in line for line in lines)
    assert all(path in err for path in paths)
    assert "2 refused" in out
    assert not (tmp_path / "s" / "XYZ").exists()


@pytest.mark.parametrize("failure", ["compute", "panic"])
def test_reader_crashes_are_one_sentence_and_the_other_files_are_stored(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    import maxpain.sources.files as files

    real = files.read_file
    paths = csv_files(tmp_path, 3)

    def flaky(path: str, **options: object) -> object:
        if path == paths[1]:
            if failure == "compute":
                raise pl.exceptions.ComputeError("decompression failed")
            raise pl.exceptions.PanicException("index out of bounds")
        return real(path, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "read_file", flaky)
    code, out, err = invoke(capsys, "--store", str(tmp_path / "s"), "import", *paths)
    assert code == 3, err
    assert_one_sentence(err)
    assert paths[1] in err and "Traceback" not in err
    assert "2 stored, 1 refused" in out
    assert len(list((tmp_path / "s" / "XYZ").glob("*.parquet"))) == 2


def test_ctrl_c_stops_cleanly_with_a_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import maxpain.sources.files as files

    real = files.read_file
    paths = csv_files(tmp_path, 3)

    def interrupted(path: str, **options: object) -> object:
        if path == paths[1]:
            raise KeyboardInterrupt
        return real(path, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(files, "read_file", interrupted)
    code, out, _ = invoke(capsys, "--store", str(tmp_path / "s"), "import", *paths)
    assert code == 130
    assert "1 of 3 files" in out and "interrupted, 2 not tried" in out
    assert len(list((tmp_path / "s" / "XYZ").glob("*.parquet"))) == 1
    assert not list((tmp_path / "s" / "XYZ").glob(".*.tmp"))


def test_counts_agree_with_their_nouns(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text(GOOD_HEADER + "XYZ251219C00100000,call,2025-12-19,100,5,1,1.1,1,2025-12-05T20:00:00Z\n")
    _, out, _ = cli(capsys, "--store", str(tmp_path / "s"), "--no-color", "import", str(path), width=200)
    assert "1 contract, 1 expiration, spot" in out and "1 of 1 file — 1 stored" in out
