"""The corpus's three user formats, read as users have them: the wide laiweibin archive (a call and
a put per row), CBOE's quote download and Schwab's /chains bodies. Every figure is checked against
what the raw file says, read here independently of maxpain's readers."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from statistics import median
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from maxpain import analyses
from maxpain.adjusted import standard_chain
from maxpain.sources.files import read_file
from maxpain.spot import estimate_spot
from maxpain.store import Store
from tests import naive

pytestmark = pytest.mark.corpus

LAIWEIBIN = "laiweibin456-us-option-data"
NEW_YORK = ZoneInfo("America/New_York")


def raw_wide(path: Path) -> dict[str, object]:
    """What a laiweibin file says, read with plain polars: contracts per side, expirations, OI
    totals, the header's spot and the archive day."""
    raw = pl.read_parquet(path)
    sides = {}
    for side in ("call", "put"):
        named = raw.filter(pl.col(f"{side}Option").is_not_null() & (pl.col(f"{side}Option") != ""))
        sides[side] = named
    names = pl.concat([sides["call"]["callOption"], sides["put"]["putOption"]])
    spot = None
    if "header_underlyingPrice" in raw.columns and raw["header_underlyingPrice"].null_count() < raw.height:
        spot = float(raw["header_underlyingPrice"].drop_nulls()[0])
    return {
        "calls": sides["call"].height,
        "puts": sides["put"].height,
        "expirations": names.str.split("_").list.get(0).n_unique(),
        "call_oi": int(sides["call"]["callOi"].sum()),
        "put_oi": int(sides["put"]["putOi"].sum()),
        "spot": spot,
        "day": raw["snap_date"][0],
    }


@pytest.mark.slow
def test_every_laiweibin_file_imports_as_its_raw_rows_say_and_max_pain_matches_naive(corpus: Path) -> None:
    """1,300 files: contracts, sides, expirations, OI, spot and capture time as the raw file says;
    max pain of every expiration equal to the naive twin (≈ 30,000 expirations); the spot
    estimate (used for the 16 files without a header), tried wherever a header exists: median error
    under 0.2%, 95% of files under 1%, none over 5% (it is an estimate from last trades)."""
    files = sorted((corpus / LAIWEIBIN).glob("*/*.parquet"))
    assert len(files) == 1300
    manifest = {
        (row["ticker"], row["snap_date"]): row
        for row in csv.DictReader(open(corpus / LAIWEIBIN / "MANIFEST.csv"))
    }
    expirations_compared = 0
    estimate_errors = []
    for path in files:
        chain = read_file(path)
        raw = raw_wide(path)
        frame = chain.frame
        assert chain.underlying == path.parent.name.upper(), path
        assert frame.filter(pl.col("right") == "C").height == raw["calls"], path
        assert frame.filter(pl.col("right") == "P").height == raw["puts"], path
        assert (
            len(chain.expirations)
            == raw["expirations"]
            == int(manifest[(path.parent.name, raw["day"])]["expirations"])
        )
        assert int(frame.filter(pl.col("right") == "C")["open_interest"].sum()) == raw["call_oi"], path
        assert int(frame.filter(pl.col("right") == "P")["open_interest"].sum()) == raw["put_oi"], path
        day = datetime.fromisoformat(str(raw["day"]))
        assert chain.meta.captured_at == day.replace(hour=16, tzinfo=NEW_YORK).astimezone(UTC)
        assert "end of that trading day" in chain.meta.captured_at_from
        assert frame["implied_volatility"].drop_nulls().max() < 50  # percent became a fraction
        if raw["spot"] is None:
            assert chain.meta.spot_estimated and chain.meta.spot is not None, path
            assert any("estimated" in w for w in chain.warnings)
        else:
            assert chain.meta.spot == raw["spot"] and not chain.meta.spot_estimated
            estimate, _ = estimate_spot(frame)
            assert estimate is not None
            estimate_errors.append(abs(estimate / raw["spot"] - 1))
        if path.parent.name.islower():
            assert any("upper-cased" in n for n in chain.meta.read_notes)
        table = analyses.max_pain_table(frame, ["expiration"])
        for expiration, strike in zip(
            table["expiration"].to_list(), table["max_pain"].to_list(), strict=True
        ):
            group = frame.filter(pl.col("expiration") == expiration)
            expected = naive.naive_max_pain_broadcast(
                group["strike"].to_list(),
                group["right"].cast(pl.String).to_list(),
                group["open_interest"].to_list(),
                group["multiplier"].to_list(),
            )
            assert strike == expected, (path.name, expiration)
            expirations_compared += 1
    assert expirations_compared > 30_000
    estimate_errors.sort()
    ninety_fifth = estimate_errors[int(0.95 * len(estimate_errors))]
    assert max(estimate_errors) < 0.05 and ninety_fifth < 0.01 and median(estimate_errors) < 0.002, (
        max(estimate_errors),
        ninety_fifth,
        median(estimate_errors),
    )


def raw_cboe(path: Path) -> list[dict[str, str]]:
    """The CBOE download's contracts, read with the csv module: one dict per side of each row."""
    lines = path.read_text().splitlines()
    header_at = next(i for i, line in enumerate(lines) if line.startswith("Expiration Date"))
    header = next(csv.reader([lines[header_at]]))
    strike_at = header.index("Strike")
    contracts = []
    for row in csv.reader(lines[header_at + 1 :]):
        if not row:
            continue
        for start, stop in ((1, strike_at), (strike_at + 1, len(header))):
            fields = dict(zip(header[start:stop], row[start:stop], strict=True))
            fields["symbol"] = row[start]
            fields["Strike"] = row[strike_at]
            contracts.append(fields)
    return contracts


def test_cboe_download_reads_its_preamble_and_both_sides(corpus: Path) -> None:
    path = corpus / "cboe-quotedata" / "nvda_quotedata.csv"
    chain = read_file(path)
    raw = raw_cboe(path)
    assert len(chain) == len(raw) == 608 and chain.underlying == "NVDA"
    assert chain.expirations == [datetime(2025, 12, 19).date()]
    assert chain.meta.spot == 179.9199 and not chain.meta.spot_estimated
    assert chain.meta.captured_at == datetime(2025, 12, 4, 2, 32, tzinfo=NEW_YORK).astimezone(UTC)
    assert chain.meta.partial
    assert chain.warnings[0] == "partial: listed expirations only (2025-12-19): not the whole chain"
    by_symbol = {row["contract_symbol"]: row for row in chain.frame.iter_rows(named=True)}
    for contract in raw:
        row = by_symbol[contract["symbol"]]
        assert row["open_interest"] == int(contract["Open Interest"])
        assert row["volume"] == int(contract["Volume"])
        assert row["delta"] == float(contract["Delta"]) and row["gamma"] == float(contract["Gamma"])
        iv = float(contract["IV"])
        assert row["implied_volatility"] == (iv if iv > 1.5e-5 else None)  # CBOE writes fractions
        assert row["strike"] == float(contract["Strike"])


def test_cboe_open_interest_agrees_with_the_yahoo_collector_of_the_same_close(corpus: Path) -> None:
    """Both report OI for the 2025-12-03 close: CBOE's download (taken 12-04 2:32 AM) and the
    vraptunovich snapshot of 2025-12-04 agree on at least 98% of their common 2025-12-19 contracts."""
    cboe = read_file(corpus / "cboe-quotedata" / "nvda_quotedata.csv").frame
    yahoo = read_file(corpus / "vraptunovich-stock" / "NVDA" / "NVDA_2025-12-04.parquet").frame
    yahoo = yahoo.filter(pl.col("expiration") == datetime(2025, 12, 19).date())
    common = cboe.join(yahoo, on="contract_symbol", suffix="_yahoo")
    assert common.height > 300
    agree = common.filter(pl.col("open_interest") == pl.col("open_interest_yahoo")).height
    share = agree / common.height
    print(
        f"CBOE vs vraptunovich NVDA 2025-12-19 OI: {agree} of {common.height} common contracts equal ({share:.2%})"
    )
    assert share >= 0.98


def schwab_contracts(path: Path) -> list[dict[str, object]]:
    body = json.loads(path.read_text())
    return [
        contract
        for side in ("callExpDateMap", "putExpDateMap")
        for strikes in body[side].values()
        for contracts in strikes.values()
        for contract in contracts
    ]


@pytest.mark.parametrize("name", ["GME_2025-03-24", "GME_2025-03-25", "GME_2025-04-10", "VXX_2025-03-25"])
def test_schwab_bodies_import_as_their_contracts_say(corpus: Path, name: str) -> None:
    path = corpus / "schwab-chains-json" / f"{name}.json"
    manifest = {
        row["file"]: row for row in csv.DictReader(open(corpus / "schwab-chains-json" / "MANIFEST.csv"))
    }
    row = manifest[path.name]
    chain = read_file(path)
    raw = schwab_contracts(path)
    assert len(chain) == len(raw) == int(row["contracts"])
    assert len(chain.expirations) == int(row["expirations"])
    assert chain.meta.spot == pytest.approx(float(row["underlyingPrice"]), abs=1e-9)
    latest = max(c["quoteTimeInLong"] for c in raw)
    assert chain.meta.captured_at == datetime.fromtimestamp(latest / 1000, tz=UTC)
    assert chain.meta.captured_at.strftime("%Y-%m-%dT%H:%M:%SZ") == row["max_quoteTime_utc"]
    assert not chain.meta.partial  # isChainTruncated is false in every body
    # padded OCC symbols are read without their padding, and carry the same OI
    by_symbol = dict(zip(chain.frame["contract_symbol"], chain.frame["open_interest"], strict=True))
    for contract in raw:
        assert by_symbol[str(contract["symbol"]).replace(" ", "")] == contract["openInterest"]
    assert sorted(chain.frame["root"].unique()) == sorted(row["roots"].split())


def test_schwab_adjusted_root_is_flagged_and_left_out_unless_pooled_at_its_deliverable(corpus: Path) -> None:
    chain = read_file(corpus / "schwab-chains-json" / "VXX_2025-03-25.json")
    adjusted = chain.frame.filter(pl.col("root") == "VXX2")
    assert adjusted.height == 68
    assert chain.meta.adjusted_roots == {"VXX2": "25 VXX"}
    assert any("adjusted root VXX2 deliver 25 VXX" in w for w in chain.warnings)
    standard = standard_chain(chain)
    assert standard.frame.filter(pl.col("root") == "VXX2").height == 0
    assert len(standard) == len(chain) - 68
    assert any("left out" in n for n in standard.warnings)
    pooled = standard_chain(chain, include_adjusted=True)
    assert len(pooled) == len(chain)
    moved = pooled.frame.filter(pl.col("root") == "VXX2")
    # 100 × strike dollars for 25 shares: 25 shares struck at 4 × strike
    assert moved["multiplier"].unique().to_list() == [25]
    assert sorted(moved["strike"].unique()) == sorted((adjusted["strike"] * 4).unique())
    # the pooled payout equals the adjusted contracts' real payout at any settlement price
    for settle in (30.0, 45.3, 80.0):
        real = sum(
            max(0.0, 25 * settle - 100 * k) if r == "C" else max(0.0, 100 * k - 25 * settle)
            for k, r in zip(adjusted["strike"], adjusted["right"].cast(str), strict=True)
        )
        pooled_payout = sum(
            m * (max(0.0, settle - k) if r == "C" else max(0.0, k - settle))
            for k, r, m in zip(moved["strike"], moved["right"].cast(str), moved["multiplier"], strict=True)
        )
        assert pooled_payout == pytest.approx(real)


def test_every_file_of_the_new_folders_stores_and_reloads(corpus: Path, tmp_path: Path) -> None:
    """CBOE and Schwab files go through the store and come back equal (greeks included)."""
    store = Store(tmp_path / "s")
    for path in [
        corpus / "cboe-quotedata" / "nvda_quotedata.csv",
        *sorted((corpus / "schwab-chains-json").glob("*.json")),
    ]:
        chain = read_file(path)
        result = store.save(chain)
        loaded = store.load(result.info)
        assert loaded.frame.equals(chain.frame), path
        assert loaded.meta.adjusted_roots == chain.meta.adjusted_roots
        assert loaded.meta.partial == chain.meta.partial and loaded.warnings == chain.warnings
