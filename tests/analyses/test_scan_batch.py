"""The combined scan pass (maxpain.analyses.market_scan) against the one-ticker path
(scan_ticker) row for row, warnings included: on the real corpus (holiday copies, half-days,
expirations settling on the capture day) and on hand-made stores holding each case the pass
leaves to the one-ticker path."""

from __future__ import annotations

import dataclasses
import math
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maxpain import bulk
from maxpain.analyses.market_scan import CATALOG_COLUMNS, scan_batch
from maxpain.analyses.scan import scan, scan_ticker
from maxpain.catalog import LISTING_COLUMNS
from maxpain.neighbours import warnings_frame, warnings_of
from maxpain.store import Store

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo-store"


def same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return bool(a == b)


def assert_rows_equal(store: Store, at: str, tickers: list[str], **options: Any) -> list[str]:
    """Every batched row equals the one-ticker row; returns the tickers the pass left."""
    batch = scan_batch(store, tickers, at=at, **options)
    for ticker, row in batch.rows.items():
        alone = scan_ticker(store, ticker, at=at, **options)
        differing = [k for k in alone if not same(alone[k], row[k])]
        assert not differing, (ticker, at, {k: (alone[k], row[k]) for k in differing})
    return batch.others


@pytest.fixture(scope="module")
def vraptunovich_store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The vraptunovich collector (10 tickers × 9 days: Thanksgiving's copy, the half-day)."""
    from maxpain.importer import expand, import_files

    root = tmp_path_factory.mktemp("vraptunovich-store")
    files, walked = expand([corpus / "vraptunovich-stock"])
    list(import_files(Store(root), files, walked=walked))
    return root


@pytest.mark.corpus
@pytest.mark.slow
def test_batch_equals_the_one_ticker_path_on_every_day_of_the_collector(vraptunovich_store: Path) -> None:
    store = Store(vraptunovich_store)
    tickers = store.tickers()
    days = sorted({str(d) for d in store.catalog(tickers[0]).get_column("captured_at").dt.date().to_list()})
    warned = set()
    for day in [*days, "latest"]:
        assert assert_rows_equal(store, day, tickers) == []
        warned |= {
            w.split(":")[0] for r in scan_batch(store, tickers, at=day).rows.values() for w in r["warnings"]
        }
    # the days that make the warnings: a holiday's copy, a thin half-day, a comparison across it
    assert any(w.startswith("identical to") for w in warned)
    assert any(w.startswith("incomplete snapshot") for w in warned)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("day", ["2026-05-25", "2026-06-18", "2026-07-02", "latest"])
def test_batch_equals_the_one_ticker_path_on_the_archive(laiweibin_store: Path, day: str) -> None:
    """Every ticker goes through the pass: the first day (nothing stored before it), the day
    before Juneteenth (a Thursday monthly), the day before Independence Day, and the latest."""
    store = Store(laiweibin_store)
    assert assert_rows_equal(store, day, store.tickers()) == []


@pytest.mark.corpus
def test_neighbour_warnings_of_many_tickers_equal_one_at_a_time(vraptunovich_store: Path) -> None:
    store = Store(vraptunovich_store)
    tickers = store.tickers()
    listings = bulk.catalogs(store.root, tickers, CATALOG_COLUMNS)
    for snapshot in store.catalog(tickers[0]).get_column("id").to_list():
        together = warnings_of(listings, dict.fromkeys(tickers, snapshot))
        for ticker in tickers:
            alone = warnings_frame(
                store.catalog(ticker, columns=[*LISTING_COLUMNS, "open_counts"]), [snapshot]
            )
            expected = alone["warnings"][0].to_list() if alone.height else []
            assert together.get(ticker, []) == expected, (ticker, snapshot)


def _variant(chain: Any, ticker: str, **meta: Any) -> Any:
    frame = chain.frame.with_columns(root=pl.lit(ticker))
    return dataclasses.replace(
        chain, frame=frame, meta=dataclasses.replace(chain.meta, underlying=ticker, **meta)
    )


@pytest.fixture
def cases(tmp_path: Path) -> Store:
    """The demo store plus one ticker per case the pass leaves to the one-ticker path."""
    root = tmp_path / "store"
    shutil.copytree(DEMO, root)
    store = Store(root)
    chains = [store.load(info) for info in store.snapshots("DEMO")[-2:]]
    for chain in chains:
        store.save(_variant(chain, "PLAIN"))
        store.save(_variant(chain, "PART", partial=True, missing_expirations=["2026-06-18"]))
        store.save(_variant(chain, "NOSPOT", spot=None))
        frame = chain.frame.with_columns(implied_volatility=pl.lit(None, dtype=pl.Float64))
        store.save(
            dataclasses.replace(_variant(chain, "NOIV"), frame=frame.with_columns(root=pl.lit("NOIV")))
        )
        adjusted = _variant(chain, "ADJ", adjusted_roots={"ADJ1": "50 ADJ"})
        moved = adjusted.frame.with_columns(
            root=pl.when(pl.col("strike") == 100).then(pl.lit("ADJ1")).otherwise(pl.col("root"))
        )
        store.save(dataclasses.replace(adjusted, frame=moved))
        one_sided = _variant(chain, "ONESIDE")  # the monthly lists calls only
        calls_only = one_sided.frame.filter(
            (pl.col("expiration") != date(2025, 12, 19)) | (pl.col("right") == "C")
        )
        store.save(dataclasses.replace(one_sided, frame=calls_only))
        far = _variant(chain, "FAR")  # nothing expires within a week or two
        store.save(
            dataclasses.replace(far, frame=far.frame.filter(pl.col("expiration") > date(2025, 12, 31)))
        )
    store.save(_variant(chains[-1], "LATE"))
    store.save(_variant(chains[0], "EDIT"))
    store.save(_variant(chains[1], "EDIT"))
    latest = store.resolve("EDIT")
    os.utime(latest.path, ns=(latest.path.stat().st_atime_ns, latest.path.stat().st_mtime_ns + 10**9))
    return store


def test_the_cases_the_pass_leaves_take_the_one_ticker_path(cases: Store) -> None:
    tickers = ["DEMO", "PLAIN", "PART", "NOSPOT", "NOIV", "ADJ", "EDIT", "LATE", "ONESIDE"]
    earlier = str(cases.snapshots("PLAIN")[0].captured_at.date())
    others = assert_rows_equal(cases, earlier, tickers)
    assert sorted(others) == ["ADJ", "LATE", "NOIV", "NOSPOT", "PART"]  # EDIT's first file is as listed
    latest = assert_rows_equal(cases, "latest", tickers)
    assert sorted(latest) == ["ADJ", "EDIT", "NOIV", "NOSPOT", "PART"]
    result = scan(cases, tickers, at=earlier)
    by_ticker = {r["ticker"]: r for r in result.rows}
    assert [t for t, _ in result.missing] == ["LATE"]
    for ticker in ("PLAIN", "PART", "NOSPOT", "NOIV", "ADJ", "EDIT"):
        assert same(by_ticker[ticker], scan_ticker(cases, ticker, at=earlier)), ticker
    assert any("partial snapshot" in w for w in by_ticker["PART"]["warnings"])
    assert any("no spot price" in w for w in by_ticker["NOSPOT"]["warnings"])
    assert by_ticker["NOSPOT"]["net_gex"] is None
    one_sided = by_ticker["ONESIDE"]  # in the pass: its monthly has no max pain, and says why
    assert one_sided["monthly_expiration"] == date(2025, 12, 19) and one_sided["monthly_max_pain"] is None
    assert "2025-12-19: no puts listed" in " ".join(one_sided["warnings"])
    # an id selector is resolved ticker by ticker
    snapshot = cases.resolve("PLAIN").id
    assert scan_batch(cases, ["PLAIN"], at=snapshot).others == ["PLAIN"]


def test_a_stale_or_damaged_catalog_is_read_the_one_ticker_way(cases: Store) -> None:
    tickers = ["DEMO", "PLAIN"]
    before = bulk.catalogs(cases.root, tickers, CATALOG_COLUMNS)
    # a snapshot added by hand: the folder changed since its catalog was written
    newest = cases.resolve("PLAIN")
    copy = newest.path.with_name("2025-12-06T000000Z.parquet")
    shutil.copyfile(newest.path, copy)
    (cases.root / ".catalog" / "DEMO.catalog").write_bytes(b"not a catalog")
    after = bulk.catalogs(cases.root, tickers, CATALOG_COLUMNS)
    assert after.filter(pl.col("ticker") == "DEMO").equals(before.filter(pl.col("ticker") == "DEMO"))
    plain = after.filter(pl.col("ticker") == "PLAIN").get_column("id").to_list()
    assert (
        plain[-1] == "2025-12-06T000000Z"
        and len(plain) == before.filter(pl.col("ticker") == "PLAIN").height + 1
    )


@pytest.mark.parametrize(
    "options",
    [
        {"weeks": 1},
        {"weeks": 9, "convention": "dealer-short"},
        {"until": date(2025, 12, 19), "rate": 0.0},
    ],
)
def test_window_convention_and_rate_reach_the_pass(cases: Store, options: dict[str, Any]) -> None:
    tickers = ["DEMO", "PLAIN", "ONESIDE", "EDIT", "FAR"]
    assert assert_rows_equal(cases, "latest", tickers, **options) == ["EDIT"]
    if options.get("weeks") == 1:
        far = scan_batch(cases, ["FAR"], weeks=1).rows["FAR"]
        assert far["pooled_max_pain"] is None and far["put_wall"] is None
        assert any(w.startswith("no expiration between") for w in far["warnings"])


def test_a_folder_leading_out_of_the_store_is_not_read(cases: Store, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "OUT"
    shutil.copytree(cases.root / "PLAIN", outside)
    (cases.root / "OUT").symlink_to(outside, target_is_directory=True)
    assert scan_batch(cases, ["OUT", "PLAIN"]).others == ["OUT"]
    result = scan(cases, ["OUT", "PLAIN"])
    assert [r["ticker"] for r in result.rows] == ["PLAIN"]
    assert [t for t, _ in result.missing] == ["OUT"]


def test_calls_and_puts_listed_are_counted_in_any_row_order() -> None:
    """Rows in (ticker, expiration) order are counted over runs; in any other order they are
    grouped, with the same table (the one-sided-expiration warnings rest on it)."""
    import numpy as np

    from maxpain.analyses.market_tables import listed_sides

    rng = np.random.default_rng(5)
    count = 400
    frame = pl.DataFrame(
        {
            "index": np.sort(rng.integers(0, 7, count)),
            "expiration": pl.Series([date(2026, 3, d) for d in rng.choice([6, 13, 20], count)]),
            "right": rng.choice(["C", "P"], count),
        }
    ).with_columns(pl.col("right").cast(pl.Enum(["C", "P"])))
    ordered = frame.sort("index", "expiration", maintain_order=True)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=2)

    def listed(rows: pl.DataFrame) -> pl.DataFrame:
        days = rows.get_column("expiration").cast(pl.Int32).to_numpy()
        return listed_sides(rows, rows.get_column("index").to_numpy(), days)

    expected = (
        frame.group_by("index", "expiration")
        .agg(
            calls_listed=(pl.col("right") == "C").sum().cast(pl.Int64),
            puts_listed=(pl.col("right") == "P").sum().cast(pl.Int64),
        )
        .sort("index", "expiration")
    )
    assert listed(ordered).equals(expected)
    assert listed(shuffled).equals(expected)
    assert listed(ordered.head(0)).height == 0


@given(st.lists(st.booleans(), max_size=40))
def test_rows_where_slices_a_run_and_filters_the_rest(mask: list[bool]) -> None:
    """The rows a mask keeps, as a slice when they are one run (no copy) or a filter: the same
    rows either way."""
    import numpy as np

    from maxpain.analyses._frames import rows_where

    frame = pl.DataFrame({"a": range(len(mask)), "b": [str(i) for i in range(len(mask))]})
    kept = rows_where(frame, np.array(mask, dtype=bool))
    assert kept.equals(frame.filter(pl.Series(mask, dtype=pl.Boolean)))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 4),  # ticker number
            st.sampled_from([5_000, 7_500, 100_000, 4_294_967_295, 4_294_967_296, 9_000_000_000]),
            st.sampled_from(["C", "P"]),
            st.one_of(st.none(), st.integers(-1, 500)),  # OI (unknown, or a bad negative)
            st.sampled_from([1, 10, 100]),  # multiplier
            st.booleans(),  # kept by the filter
        ),
        max_size=60,
    ),
    st.booleans(),
)
def test_strike_table_sums_each_ticker_and_strike(rows: list[tuple[Any, ...]], small: bool) -> None:
    """The scan's table by ticker and strike equals the sums taken contract by contract, on the one
    packed key and on the two columns (strikes of 4,294,967.296 and more do not fit the key)."""
    from maxpain.analyses.market_tables import oi_by_strike
    from maxpain.chain import RIGHT_DTYPE

    if small:  # every strike fits the packed key
        rows = [(i, units % 4_294_967_296, *rest) for i, units, *rest in rows]
    frame = pl.DataFrame(
        {
            "index": [r[0] for r in rows],
            "units": [r[1] for r in rows],
            "right": pl.Series([r[2] for r in rows], dtype=RIGHT_DTYPE),
            "open_interest": pl.Series([r[3] for r in rows], dtype=pl.Int64),
            "multiplier": pl.Series([r[4] for r in rows], dtype=pl.Int32),
            "keep": [r[5] for r in rows],
        },
        schema_overrides={"index": pl.Int64, "units": pl.Int64, "keep": pl.Boolean},
    )
    expected: dict[tuple[int, int], list[int]] = {}
    for i, units, right, oi, multiplier, keep in rows:
        if not keep:
            continue
        sums = expected.setdefault((i, units), [0] * 6)
        known = oi if oi is not None and oi > 0 else 0
        side = 1 if right == "P" else 0
        sums[0] += 1
        sums[1] += oi is None
        sums[2 + side] += known
        sums[4 + side] += known * multiplier
    table = oi_by_strike(frame, pl.col("keep"))
    columns = ["contracts", "unknown_oi", "call_oi", "put_oi", "call_weight", "put_weight"]
    assert table.columns == ["index", "units", *columns]
    assert table.schema["index"] == pl.Int64
    found = {(i, u): list(sums) for i, u, *sums in table.iter_rows()}
    assert found == expected
    assert list(found) == sorted(expected)  # in (index, units) order
