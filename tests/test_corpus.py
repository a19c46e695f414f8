"""The real corpus (../shared/chains): every file normalizes to what its raw columns say, every
quirk is handled, and the engine agrees with the naive twins on every expiration of every snapshot."""

from __future__ import annotations

import csv
import json
from datetime import date
from functools import cache
from itertools import pairwise
from pathlib import Path

import polars as pl
import pytest

from maxpain import analyses
from maxpain.chain import Chain
from maxpain.errors import InputError, NoOptionsError
from maxpain.market import trading_day
from maxpain.neighbours import check_neighbours
from maxpain.sources.files import read_file
from maxpain.store import Store
from tests import naive

pytestmark = pytest.mark.corpus


@cache
def load(path: Path) -> Chain:
    return read_file(path)


def table_files(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("*/*.parquet")) + sorted(corpus.glob("vraptunovich-stock/*/*.parquet"))


def manifest_rows(corpus: Path) -> dict[str, dict[str, str]]:
    rows = {}
    for folder in ("vraptunovich-stock", "ansabs-options_pricing", "mx791-option_scraper"):
        with open(corpus / folder / "MANIFEST.csv") as handle:
            for row in csv.DictReader(handle):
                rows[str(corpus / folder / row["file"])] = row
    return rows


def test_every_table_normalizes_to_what_its_raw_columns_say(corpus: Path) -> None:
    files = table_files(corpus)
    assert len(files) == 90 + 3 + 2
    manifest = manifest_rows(corpus)
    for path in files:
        raw = pl.read_parquet(path)
        chain = load(path)
        # expected straight from the raw columns
        deduplicated = raw.unique()
        symbols = raw.get_column("contractSymbol")
        kind = next((c for c in ("type", "option_type") if c in raw.columns), None)
        if kind:
            calls_raw = deduplicated.get_column(kind).str.to_lowercase().eq("call").sum()
        else:
            calls_raw = deduplicated.get_column("contractSymbol").str.contains(r"\d{6}C\d{8}$").sum()
        expiry = next(c for c in ("expiration", "expirationDate", "expiry") if c in raw.columns)
        assert len(chain) == deduplicated.height, path
        assert chain.meta.duplicates_removed == raw.height - deduplicated.height
        assert chain.frame.filter(pl.col("right") == "C").height == calls_raw, path
        assert chain.frame.get_column("expiration").n_unique() == raw.get_column(expiry).n_unique(), path
        assert (
            chain.meta.underlying == symbols[0][: len(chain.meta.underlying)]
            or chain.meta.underlying == "SPX"
        )
        row = manifest[str(path)]
        assert int(row["rows"]) == raw.height
        if "spot_price" in raw.columns:
            assert chain.meta.spot == pytest.approx(raw.get_column("spot_price")[0])
            assert not chain.meta.spot_estimated
        else:
            assert chain.meta.spot_estimated and chain.meta.spot is not None


def test_duplicate_contracts_are_removed_and_counted(corpus: Path) -> None:
    spx = load(corpus / "mx791-option_scraper/SPX_2023-10-27T2028Z.parquet")
    vix = load(corpus / "mx791-option_scraper/VIX_2023-10-27T2029Z.parquet")
    assert spx.meta.duplicates_removed == 127
    assert vix.meta.duplicates_removed == 44
    assert any("duplicate" in note for note in spx.meta.notes)
    # SPX and SPXW roots are kept apart, under one underlying
    assert spx.meta.underlying == "SPX"
    assert set(spx.frame.get_column("root").unique()) == {"SPX", "SPXW"}


def test_no_right_column_is_parsed_from_the_occ_symbol(corpus: Path) -> None:
    spx = load(corpus / "mx791-option_scraper/SPX_2023-10-27T2028Z.parquet")
    raw = pl.read_parquet(corpus / "mx791-option_scraper/SPX_2023-10-27T2028Z.parquet").unique()
    puts = raw.filter(pl.col("contractSymbol").str.contains(r"\d{6}P\d{8}$")).height
    assert spx.frame.filter(pl.col("right") == "P").height == puts


def test_chains_without_spot_get_an_estimate_marked_as_such(corpus: Path) -> None:
    nvda = load(corpus / "ansabs-options_pricing/NVDA_2025-02-03T1540Z.parquet")
    assert nvda.meta.spot_estimated
    assert 117 <= nvda.meta.spot <= 118  # the corpus README: NVDA was between 117 and 118
    spx = load(corpus / "mx791-option_scraper/SPX_2023-10-27T2028Z.parquet")
    assert 4100 < spx.meta.spot < 4135  # SPX closed at 4117.37 on 2023-10-27


def test_iv_placeholder_becomes_null(corpus: Path) -> None:
    path = corpus / "ansabs-options_pricing/NVDA_2025-02-03T1540Z.parquet"
    raw = pl.read_parquet(path)
    placeholders = raw.filter(pl.col("impliedVolatility") <= 1.5e-5).height
    assert placeholders > 0
    chain = load(path)
    assert chain.frame.get_column("implied_volatility").null_count() == placeholders
    assert (chain.frame.get_column("implied_volatility").drop_nulls() > 1.5e-5).all()


def test_raw_yahoo_bodies(corpus: Path) -> None:
    folder = corpus / "node-yahoo-finance2-v7-json"
    manifest = {row["file"]: row for row in json.loads((folder / "MANIFEST.json").read_text())}
    outcomes = {"chain": 0, "no options": 0, "expired": 0}
    for name, row in sorted(manifest.items()):
        path = folder / name
        if row["calls"] + row["puts"] > 0:
            chain = read_file(path)
            assert len(chain) == row["calls"] + row["puts"]
            assert chain.meta.spot == pytest.approx(row["quote_regularMarketPrice"])
            assert chain.meta.captured_at_from.startswith("quote time")
            outcomes["chain"] += 1
        elif row["n_expirationDates"] == 0:
            with pytest.raises(NoOptionsError, match="lists no options"):
                read_file(path)
            outcomes["no options"] += 1
        else:
            with pytest.raises(InputError, match="no contracts for 2022-03-01"):
                read_file(path)
            outcomes["expired"] += 1
    assert outcomes["chain"] == sum(1 for r in manifest.values() if r["calls"] + r["puts"] > 0) == 13
    assert outcomes["no options"] == sum(1 for r in manifest.values() if r["n_expirationDates"] == 0) == 11
    assert outcomes["expired"] == 1


def test_pre_market_zero_open_interest_is_flagged_and_max_pain_undefined(corpus: Path) -> None:
    chain = read_file(corpus / "node-yahoo-finance2-v7-json/options-AAPL.json")
    assert any("open interest 0" in note for note in chain.meta.notes)
    table = analyses.max_pain_by_expiration(chain)
    assert table["max_pain"].null_count() == table.height
    assert "before the open" in table["reason"][0]


def test_thanksgiving_copy_shows_exactly_zero_change(corpus: Path) -> None:
    for ticker in ("GOOG", "NVDA", "AAPL"):
        before = load(corpus / f"vraptunovich-stock/{ticker}/{ticker}_2025-11-26.parquet")
        holiday = load(corpus / f"vraptunovich-stock/{ticker}/{ticker}_2025-11-27.parquet")
        key = ["expiration", "strike", "right", "open_interest"]
        assert before.frame.select(key).equals(holiday.frame.select(key))  # quotes differ, OI does not
        change = analyses.open_interest_change(before, holiday)
        assert change.changes.get_column("change").abs().sum() == 0
        assert any("identical" in w and "Thanksgiving" in w for w in change.warnings)


def test_half_day_snapshots_and_only_they_are_flagged_as_suspicious(corpus: Path) -> None:
    for folder in sorted(p for p in (corpus / "vraptunovich-stock").iterdir() if p.is_dir()):
        days = sorted(folder.glob("*.parquet"))
        for before_path, after_path in pairwise(days):
            warnings = analyses.open_interest_change(load(before_path), load(after_path)).warnings
            touches_half_day = "2025-11-28" in before_path.name + after_path.name
            assert any("incomplete" in w for w in warnings) == touches_half_day, (
                before_path.name,
                after_path.name,
            )


def all_chains(corpus: Path) -> list[Chain]:
    return [load(p) for p in table_files(corpus)]


@pytest.mark.slow
def test_max_pain_of_every_expiration_of_every_snapshot_matches_naive(corpus: Path) -> None:
    compared = 0
    for chain in all_chains(corpus):
        table = analyses.max_pain_table(chain.frame, ["expiration"])  # the kernel's figure
        shown = analyses.max_pain_by_expiration(chain)  # what views show: undefined when one-sided
        one_sided = shown["note"].is_not_null()
        assert shown.filter(one_sided)["max_pain"].null_count() == int(one_sided.sum())
        assert (
            shown.filter(~one_sided)["max_pain"].to_list() == table.filter(~one_sided)["max_pain"].to_list()
        )
        for row, (expiration,) in zip(
            table.iter_rows(named=True), table.select("expiration").iter_rows(), strict=True
        ):
            group = chain.frame.filter(pl.col("expiration") == expiration)
            expected = naive.naive_max_pain_broadcast(
                group["strike"].to_list(),
                group["right"].cast(pl.String).to_list(),
                group["open_interest"].to_list(),
                group["multiplier"].to_list(),
            )
            assert row["max_pain"] == expected, (chain.underlying, chain.meta.captured_at, expiration)
            compared += 1
    expected = sum(int(r["n_exp"]) for r in manifest_rows(corpus).values())
    assert compared == expected > 1800


def test_walls_over_four_week_windows_match_naive(corpus: Path) -> None:
    for chain in all_chains(corpus):
        window = analyses.make_window(chain, weeks=4)
        result = analyses.find_walls(chain, window, top=5)
        group = chain.frame.filter(pl.col("expiration").is_in(list(window.expirations)))
        contracts = naive.side_contracts(group)
        put_walls, call_walls = naive.naive_walls(contracts, 5)
        for got, expected in ((result.put_walls, put_walls), (result.call_walls, call_walls)):
            assert [(r["strike"], r["open_interest"]) for r in got.iter_rows(named=True)] == [
                (k, oi) for k, oi, _ in expected
            ]
            assert got["share"].to_list() == pytest.approx([s for _, _, s in expected])
        pooled = naive.naive_max_pain_broadcast(
            group["strike"].to_list(),
            group["right"].cast(pl.String).to_list(),
            group["open_interest"].to_list(),
            group["multiplier"].to_list(),
        )
        assert result.pooled.strike == pooled


def test_oi_change_between_consecutive_days_matches_naive(corpus: Path) -> None:
    for folder in sorted((corpus / "vraptunovich-stock").iterdir()):
        if not folder.is_dir():
            continue
        days = sorted(folder.glob("*.parquet"))
        for before_path, after_path in pairwise(days):
            a, b = load(before_path), load(after_path)
            change = analyses.open_interest_change(a, b)
            live = trading_day(b.meta.captured_at)

            def rows(chain: Chain, live: date = live) -> list[tuple]:
                return naive.keyed_contracts(chain.frame.filter(pl.col("expiration") >= live))

            expected = naive.naive_oi_change(rows(a), rows(b))
            got = naive.engine_changes(change.changes)
            assert got == expected, (before_path.name, after_path.name)


def test_reference_figures_nvda_2025_12_01(corpus: Path) -> None:
    chain = load(corpus / "vraptunovich-stock/NVDA/NVDA_2025-12-01.parquet")
    assert chain.meta.spot == pytest.approx(179.92, abs=0.005)
    window = analyses.make_window(chain, until=date(2025, 12, 26))
    assert window.expirations == (
        date(2025, 12, 5),
        date(2025, 12, 12),
        date(2025, 12, 19),
        date(2025, 12, 26),
    )
    result = analyses.find_walls(chain, window)
    assert result.put_walls.row(0)[:2] == (160.0, 116_517)
    assert result.call_walls.row(0)[:2] == (200.0, 208_139)
    assert result.pooled.strike == 162.0
    per_expiry = dict(analyses.max_pain_by_expiration(chain).select("expiration", "max_pain").iter_rows())
    assert [per_expiry[d] for d in window.expirations] == [177.5, 180.0, 145.0, 185.0]


def test_reference_figures_goog_build_ups(corpus: Path) -> None:
    a = load(corpus / "vraptunovich-stock/GOOG/GOOG_2025-12-01.parquet")
    b = load(corpus / "vraptunovich-stock/GOOG/GOOG_2025-12-05.parquet")
    calls = analyses.open_interest_change(a, b).build_ups(50).filter(pl.col("right") == "C").head(3)
    assert calls.select("expiration", "strike", "change").rows() == [
        (date(2026, 1, 16), 350.0, 10_652),
        (date(2025, 12, 12), 340.0, 6_638),
        (date(2025, 12, 26), 320.0, 6_200),
    ]


def test_one_sided_expiration_is_flagged(corpus: Path) -> None:
    """mx791's collector wrote the first SPX expiry's calls twice and its puts never."""
    spx = load(corpus / "mx791-option_scraper/SPX_2023-10-27T2028Z.parquet")
    table = analyses.max_pain_by_expiration(spx)
    first = table.row(0, named=True)
    assert first["expiration"] == date(2023, 10, 30) and first["put_oi"] == 0
    assert first["note"].startswith("no puts listed") and first["max_pain"] is None
    assert first["reason"] == first["note"] and first["distance_to_spot"] is None
    assert analyses.one_sided_warnings(table)[0].startswith("2023-10-30: no puts listed")
    assert table.filter(pl.col("note").is_not_null()).height < table.height


def test_volume_over_open_interest_matches_a_direct_computation(corpus: Path) -> None:
    chain = load(corpus / "vraptunovich-stock/GOOG/GOOG_2025-12-01.parquet")
    window = analyses.make_window(chain, weeks=4)
    got = analyses.fresh_positioning(chain, expirations=window.expirations, top=5)
    expected = []
    for row in chain.frame.iter_rows(named=True):
        volume, oi, bid, ask, last = row["volume"], row["open_interest"], row["bid"], row["ask"], row["last"]
        price = (
            (bid + ask) / 2 if bid and ask and bid > 0 and ask >= bid else last if last and last > 0 else None
        )
        premium = volume * price * row["multiplier"] if volume is not None and price is not None else None
        if row["expiration"] in window.expirations and oi and premium and volume >= 100 and premium >= 50_000:
            expected.append((volume / oi, volume, row["expiration"], row["strike"], str(row["right"])))
    expected.sort(key=lambda r: (-r[0], -r[1]))
    assert [(r["expiration"], r["strike"], r["right"]) for r in got.iter_rows(named=True)] == [
        (e, k, x) for _, _, e, k, x in expected[:5]
    ]
    assert got["volume_oi"].to_list() == pytest.approx([r[0] for r in expected[:5]])
    assert (got["volume"] >= 100).all() and (got["premium"] >= 50_000).all()


def test_only_the_half_day_snapshots_are_marked_incomplete(corpus: Path, tmp_path: Path) -> None:
    """Stored with their neighbours, exactly the 10 half-day (2025-11-28) snapshots of the
    vraptunovich collector are marked incomplete, and exactly the 10 Thanksgiving (2025-11-27)
    snapshots are marked as copies of 2025-11-26; ordinary days are not marked."""
    store = Store(tmp_path / "store")
    for path in sorted((corpus / "vraptunovich-stock").glob("*/*.parquet")):
        store.save(read_file(path))
    listed = check_neighbours(store, store.snapshots())
    tickers = sorted({s.ticker for s in listed})
    incomplete = sorted((s.ticker, s.id[:10]) for s in listed if any("incomplete" in w for w in s.warnings))
    copies = sorted(
        (s.ticker, s.id[:10])
        for s in listed
        if any(w.startswith("identical to 2025-11-26") for w in s.warnings)
    )
    assert incomplete == [(ticker, "2025-11-28") for ticker in tickers] and len(incomplete) == 10
    assert copies == [(ticker, "2025-11-27") for ticker in tickers]
    assert sum(len(s.warnings) for s in listed) == 20
