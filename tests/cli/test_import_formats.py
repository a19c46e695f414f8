"""Import as users have their files: CSV dialects and header spellings, folders in bulk (on both
cores), holiday copies flagged, Schwab day-over-day pairs and adjusted roots, CBOE's partial file."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from maxpain.sources.files import read_file
from tests.cli.helpers import assert_one_sentence, cli, cli_json, invoke

ROWS = [
    ("XYZ251219C00100000", "call", "2025-12-19", "100", "120", "7", "1.25", "1.4", "1.3", "0.31"),
    ("XYZ251219P00100000", "put", "2025-12-19", "100", "340", "12", "0.95", "1.05", "1", "0.335"),
    ("XYZ251219C00102500", "call", "2025-12-19", "102.5", "80", "3", "0.4", "0.55", "0.5", "0.29"),
    ("XYZ251219P00102500", "put", "2025-12-19", "102.5", "15", "0", "2.6", "2.85", "2.7", "0.305"),
    ("XYZ260116C00105000", "call", "2026-01-16", "105", "900", "41", "1.1", "1.2", "1.15", "0.3"),
    ("XYZ260116P00095000", "put", "2026-01-16", "95", "600", "8", "0.75", "0.8", "0.78", "0.36"),
]
TRADED = "2025-12-01 20:00:00"
HEADERS = {
    "camel": "contractSymbol type expirationDate strike openInterest volume bid ask lastPrice impliedVolatility lastTradeDate",
    "words": "Contract Symbol|Type|Expiration Date|Strike|Open Interest|Volume|Bid|Ask|Last Price|Implied Volatility|Last Trade Date",
    "snake": "contract_symbol type expiration_date strike open_interest volume bid ask last_price implied_volatility last_trade_date",
}


def header(spelling: str) -> list[str]:
    text = HEADERS[spelling]
    return text.split("|") if "|" in text else text.split()


def chain_csv(
    *,
    separator: str = ",",
    bom: bool = False,
    decimal: str = ".",
    spelling: str = "camel",
    us_dates: bool = False,
) -> bytes:
    """The same six contracts written in one dialect (CRLF line ends with a BOM, as Excel writes)."""

    def cell(value: str, column: int) -> str:
        if column == 2 and us_dates:
            year, month, day = value.split("-")
            value = f"{month}/{day}/{year}"
        if decimal == "," and column >= 3 and "." in value:
            value = value.replace(".", ",")
            if separator == ",":
                value = f'"{value}"'
        return value

    lines = [separator.join(header(spelling))]
    for row in ROWS:
        lines.append(separator.join([*(cell(v, i) for i, v in enumerate(row)), TRADED]))
    newline = "\r\n" if bom else "\n"
    return (("\ufeff" if bom else "") + newline.join(lines) + newline).encode()


DIALECTS = list(itertools.product([",", ";", "\t"], [False, True], [".", ","], sorted(HEADERS)))


@pytest.mark.parametrize(("separator", "bom", "decimal", "spelling"), DIALECTS)
def test_dialect_matrix_imports_identically_or_names_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], separator: str, bom: bool, decimal: str, spelling: str
) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_bytes(chain_csv())
    variant = tmp_path / "variant.csv"
    variant.write_bytes(chain_csv(separator=separator, bom=bom, decimal=decimal, spelling=spelling))
    if separator == "," and decimal == ",":
        code, _, err = invoke(capsys, "--store", str(tmp_path / "s"), "import", str(variant))
        assert code == 3 and "save it with ';' as the delimiter" in err
        assert_one_sentence(err)
        assert not (tmp_path / "s").exists() or not any((tmp_path / "s").rglob("*.parquet"))
        return
    expected, got = read_file(plain), read_file(variant)
    assert got.frame.equals(expected.frame)
    assert got.content_hash() == expected.content_hash()


def test_us_dates_and_unreadable_dates_beside_occ_symbols(tmp_path: Path) -> None:
    plain = tmp_path / "plain.csv"
    plain.write_bytes(chain_csv())
    us = tmp_path / "us.csv"
    us.write_bytes(chain_csv(us_dates=True))
    assert read_file(us).frame.equals(read_file(plain).frame)
    # day/month dates cannot be read as dates: the OCC symbols decide, and it is said
    european = tmp_path / "eu.csv"
    european.write_text(
        chain_csv().decode().replace("2025-12-19", "19.12.2025").replace("2026-01-16", "16.01.2026")
    )
    chain = read_file(european)
    assert chain.frame.equals(read_file(plain).frame)
    assert any("expirations taken from the contract symbols" in n for n in chain.meta.read_notes)


def test_missing_open_interest_column_lists_the_accepted_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "no-oi.csv"
    path.write_text(chain_csv().decode().replace("openInterest", "positions"))
    code, _, err = invoke(capsys, "--store", str(tmp_path / "s"), "import", str(path))
    assert code == 3
    assert "no open-interest column" in err and "openInterest, open_interest, oi" in err
    assert_one_sentence(err)
    assert not (tmp_path / "s").exists() or not any((tmp_path / "s").rglob("*.parquet"))


def test_a_folder_is_walked_with_one_summary_per_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "downloads"
    (folder / "deeper").mkdir(parents=True)
    (folder / "a.csv").write_bytes(chain_csv())
    (folder / "deeper" / "b.csv").write_bytes(
        chain_csv(separator=";").replace(TRADED.encode(), b"2025-12-02 20:00:00")
    )
    (folder / "deeper" / "c.csv").write_bytes(
        chain_csv().replace(TRADED.encode(), b"2025-12-02 20:00:00")
    )  # = b
    (folder / "MANIFEST.csv").write_text("file,rows\na.csv,6\n")
    (folder / "deeper" / "tickers.csv").write_text(
        "file,symbol,underlyingPrice\nb.csv,GME,25.7\n"
    )  # no contracts
    (folder / "broken.csv").write_text(chain_csv().decode().replace("openInterest", "positions"))
    (folder / ".hidden.csv").write_bytes(chain_csv())
    code, out, err = cli(capsys, "--store", str(tmp_path / "s"), "import", str(folder))
    assert code == 3  # one refusal
    flat = " ".join(out.split())
    assert "import: 6 of 6 files — 2 stored, 1 already stored, 1 refused, 2 not a chain" in flat
    assert "refused 1: no open-interest column among" in flat
    assert "passed over 1 (not a chain): no header line naming option-chain columns" in flat
    assert "passed over 1 (not a chain): neither its columns nor its symbols" in flat
    assert "broken.csv" in err and "MANIFEST" not in err and "tickers.csv" not in err


@pytest.mark.corpus
def test_bulk_import_of_a_laiweibin_folder_flags_the_holiday_copies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], corpus: Path
) -> None:
    """65 NVDA files through the worker processes: 2026-06-19 and 2026-07-03 (market holidays,
    byte-for-byte copies of the day before) are stored and flagged in the summary, the listing and
    every view; OI change into them is zero."""
    store = str(tmp_path / "s")
    code, out, _ = cli(
        capsys, "--store", store, "import", str(corpus / "laiweibin456-us-option-data" / "NVDA")
    )
    assert code == 0
    flat = " ".join(out.split())
    assert "65 of 65 files — 65 stored" in flat and "files/s" in flat
    assert "2 flagged: identical to the day before: market holiday or stale source" in flat
    listed = cli_json(capsys, "--store", store, "snapshots", "NVDA")
    copies = {s["id"][:10]: s["warnings"][0] for s in listed if s["warnings"]}
    assert sorted(copies) == ["2026-06-19", "2026-07-03"]
    assert copies["2026-06-19"].startswith("identical to 2026-06-18: market holiday or stale source")
    assert copies["2026-07-03"].startswith("identical to 2026-07-02: market holiday or stale source")
    code, text, _ = cli(capsys, "--store", store, "--no-color", "snapshots", "NVDA")
    assert "COPY of 2026-06-18" in " ".join(text.replace("│", " ").split())
    for view in (["report"], ["pain"], ["walls"], ["heatmap"], ["diff"]):
        selector = "--to" if view == ["diff"] else "--at"
        document = cli_json(capsys, "--store", store, *view, "NVDA", selector, "2026-06-19")
        assert any(w.startswith("identical to 2026-06-18") for w in document["warnings"]), view
    change = cli_json(capsys, "--store", store, "diff", "NVDA", "--to", "2026-06-19")
    assert change["from"]["id"].startswith("2026-06-18") and change["changes"] == []
    # the next day is no copy
    assert not any(
        w.startswith("identical")
        for w in cli_json(capsys, "--store", store, "pain", "NVDA", "--at", "2026-06-22")["warnings"]
    )


@pytest.mark.corpus
def test_schwab_day_over_day_diff_and_adjusted_roots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], corpus: Path
) -> None:
    store = str(tmp_path / "s")
    bodies = corpus / "schwab-chains-json"
    files = [str(bodies / f"{n}.json") for n in ("GME_2025-03-24", "GME_2025-03-25", "VXX_2025-03-25")]
    assert cli(capsys, "--store", store, "import", *files)[0] == 0
    change = cli_json(capsys, "--store", store, "diff", "GME")
    assert change["from"]["id"].startswith("2025-03-24") and change["to"]["id"].startswith("2025-03-25")
    assert len(change["changes"]) > 100
    walls = cli_json(capsys, "--store", store, "walls", "VXX", "--until", "2026-12-31")
    assert any("adjusted root VXX2" in w and "--include-adjusted pools them" in w for w in walls["warnings"])
    pooled = cli_json(capsys, "--store", store, "walls", "VXX", "--until", "2026-12-31", "--include-adjusted")
    assert any("pooled as 25 VXX shares" in w for w in pooled["warnings"])
    assert pooled["put_total"] + pooled["call_total"] > walls["put_total"] + walls["call_total"]


@pytest.mark.corpus
def test_cboe_file_is_partial_in_every_view(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], corpus: Path
) -> None:
    store = str(tmp_path / "s")
    code, out, _ = cli(
        capsys,
        "--store",
        store,
        "--no-color",
        "import",
        str(corpus / "cboe-quotedata" / "nvda_quotedata.csv"),
    )
    assert code == 0
    flat = " ".join(out.split())
    assert "spot 179.92 from the file's 'Last:' line" in flat and "side-by-side table: 304 rows" in flat
    for view in (["report"], ["pain"], ["walls"], ["heatmap"]):
        document = cli_json(capsys, "--store", store, *view, "NVDA")
        assert (
            document["warnings"][0] == "partial: listed expirations only (2025-12-19): not the whole chain"
        ), view
    listed = cli_json(capsys, "--store", store, "snapshots", "NVDA")
    assert listed[0]["partial"] is True
