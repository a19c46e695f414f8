"""``maxpain scan``: its figures equal the single-ticker commands' on every ticker of the corpus at
three dates; the view, --csv, sorting and bad input on the demo store."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from tests.cli.helpers import assert_one_sentence, cli, cli_json, tree

DATES = ("2026-06-12", "2026-07-17", "2026-08-14")


def _approx(value: float | None) -> Any:
    return None if value is None else pytest.approx(value, rel=1e-9, abs=1e-9)


@pytest.mark.corpus
@pytest.mark.slow
@pytest.mark.parametrize("day", DATES)
def test_scan_equals_the_single_ticker_commands(
    capsys: pytest.CaptureFixture[str], laiweibin_store: Path, day: str
) -> None:
    store = str(laiweibin_store)
    document = cli_json(capsys, "--store", store, "scan", "--all", "--at", day)
    assert len(document["rows"]) == 20 and document["missing"] == []
    for row in document["rows"]:
        ticker = row["ticker"]
        report = cli_json(capsys, "--store", store, "report", ticker, "--at", day)
        assert row["snapshot"] == report["snapshot"]["id"] and row["spot"] == report["snapshot"]["spot"]
        by_expiration = {e["expiration"]: e for e in report["expirations"]}
        assert row["monthly_max_pain"] == by_expiration[row["monthly_expiration"]]["max_pain"]
        assert row["pooled_max_pain"] == report["window"]["pooled_max_pain"]
        assert row["put_wall"] == report["put_walls"][0]["strike"]
        assert row["call_wall"] == report["call_walls"][0]["strike"]
        assert row["put_call_oi"] == _approx(report["put_call_oi_ratio"])
        gex = cli_json(capsys, "--store", store, "gex", ticker, "--at", day)
        assert row["net_gex"] == _approx(gex["total_gex"]) and row["flip"] == _approx(gex["flip"])
        assert report["gex"]["total_gex"] == _approx(row["net_gex"])
        change = cli_json(capsys, "--store", store, "diff", ticker, "--to", day)
        largest = change["largest_build_up"]
        if largest is None:
            assert row["top_build_up"] is None
        else:
            built = row["top_build_up"]
            assert (built["expiration"], built["strike"], built["change"]) == (
                largest["expiration"],
                largest["strike"],
                largest["change"],
            )
            assert built["since"] == change["from"]["id"]
        spot = row["spot"]
        assert row["monthly_distance_pct"] == _approx((row["monthly_max_pain"] - spot) / spot * 100)


def test_scan_view_csv_and_sort(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    document = cli_json(capsys, "--store", demo, "scan")
    assert [r["ticker"] for r in document["rows"]] == ["DEMO"]
    row = document["rows"][0]
    assert row["top_build_up"] is not None and row["top_build_up"]["since"]
    assert row["warnings"] and "SYNTHETIC" in row["warnings"][0]
    for width in (60, 80, 160):
        code, out, err = cli(capsys, "--store", demo, "scan", width=width)
        assert code == 0, err
        assert max(len(line) for line in out.splitlines()) <= width
        assert out.index("data quality") < out.index("DEMO  ") if "DEMO  " in out else True
    code, out, err = cli(capsys, "--store", demo, "scan", "--csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert (
        len(rows) == 1
        and rows[0]["ticker"] == "DEMO"
        and rows[0]["top_build_up"].endswith(f"+{row['top_build_up']['change']:,}")
    )
    earlier = cli_json(capsys, "--store", demo, "scan", "--at", "2025-12-01")
    assert (
        earlier["rows"][0]["snapshot"].startswith("2025-12-01") and earlier["rows"][0]["top_build_up"] is None
    )


def test_sort_puts_the_extremes_first() -> None:
    from maxpain.analyses.scan import sort_rows

    rows = [
        {"ticker": "A", "net_gex": 5.0, "top_build_up": None},
        {"ticker": "B", "net_gex": -9.0, "top_build_up": {"change": 3}},
        {"ticker": "C", "net_gex": None, "top_build_up": {"change": 7}},
    ]
    assert [r["ticker"] for r in sort_rows(rows, "net_gex")] == ["B", "A", "C"]
    assert [r["ticker"] for r in sort_rows(rows, "top_build_up")] == ["C", "B", "A"]


@pytest.mark.parametrize(
    "args",
    [
        ("scan", "NOPE"),
        ("scan", "DEMO", "--all"),
        ("scan", "--at", "2020-01-01"),
        ("scan", "DEMO", "--sort", "colour"),
    ],
)
def test_bad_input_is_one_sentence(
    capsys: pytest.CaptureFixture[str], demo: str, args: tuple[str, ...]
) -> None:
    before = tree(Path(demo))
    code, _, err = cli(capsys, "--store", demo, *args)
    assert code != 0
    assert_one_sentence(err)
    assert tree(Path(demo)) == before


def test_a_narrow_terminal_keeps_the_sorted_column(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    code, out, err = cli(capsys, "--store", demo, "scan", "--sort", "net_gex", width=60)
    assert code == 0, err
    assert "net GEX" in out.split("narrow terminal")[0] and max(len(line) for line in out.splitlines()) <= 60
