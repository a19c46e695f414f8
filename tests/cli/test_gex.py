"""``maxpain gex``, ``heatmap --metric gex`` and report's GEX line: the views at three widths, the
--json contract against the analysis, --csv, and bad input."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest

from maxpain.analyses.gamma import gamma_exposure
from maxpain.store import Store
from tests.cli.helpers import assert_one_sentence, cli, cli_json, tree, write

FIELDS = {
    "ticker",
    "snapshot",
    "captured_at",
    "spot",
    "convention",
    "rate",
    "unit",
    "expirations",
    "by_strike",
    "total_gex",
    "flip",
    "call_gamma_wall",
    "put_gamma_wall",
    "left_out",
    "expected_move",
}


def test_gex_json_is_the_analysis(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    document = cli_json(capsys, "--store", demo, "gex", "DEMO", "--weeks", "6")
    store = Store(demo)
    expected = gamma_exposure(store.load(store.resolve("DEMO")), weeks=6)
    assert FIELDS <= set(document)
    assert document["convention"] == "naive" and document["unit"] == "USD per 1% move"
    assert document["rate"] == 0.04
    assert document["total_gex"] == pytest.approx(expected.total_gex)
    assert document["total_gex"] == pytest.approx(sum(r["net_gex"] for r in document["by_strike"]))
    assert document["flip"] == pytest.approx(expected.flip)
    assert document["call_gamma_wall"] == expected.call_gamma_wall
    assert document["put_gamma_wall"] == expected.put_gamma_wall
    assert set(document["left_out"]) == {"no_iv", "expired", "unknown_oi"}
    assert set(document["expected_move"]) >= {"expiration", "straddle", "move_pct", "iv_move"}
    assert [e["expiration"] for e in document["expirations"]] == [
        e.isoformat() for e in expected.window.expirations
    ]
    assert len(document["sweep"]) == 401
    short = cli_json(capsys, "--store", demo, "gex", "DEMO", "--convention", "dealer-short", "--rate", "0.05")
    assert short["convention"] == "dealer-short" and short["rate"] == 0.05
    assert short["flip"] is None and "dealer-short" in short["flip_reason"]
    assert all(r["call_gex"] <= 0 and r["put_gex"] <= 0 for r in short["by_strike"])


def test_gex_csv_is_the_strike_table(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    document = cli_json(capsys, "--store", demo, "gex", "DEMO", "--all")
    code, out, err = cli(capsys, "--store", demo, "gex", "DEMO", "--all", "--csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(document["by_strike"])
    assert {r["convention"] for r in rows} == {"naive"} and {r["unit"] for r in rows} == {"USD per 1% move"}
    assert [float(r["net_gex"]) for r in rows] == pytest.approx([r["net_gex"] for r in document["by_strike"]])


@pytest.mark.parametrize("width", [60, 80, 160])
def test_gex_view_fits_and_says_its_convention(
    capsys: pytest.CaptureFixture[str], demo: str, width: int
) -> None:
    code, out, err = cli(capsys, "--store", demo, "gex", "DEMO", width=width)
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= width
    flat = " ".join(out.split())
    assert "naive convention" in flat and "USD per 1% move" in flat
    assert "gamma flip" in out and "expected move" in out and "max pain" in out
    assert "spot 103.10" in out and "call wall" in flat and "put wall" in flat
    assert out.index("data quality") < out.index("net GEX")  # the synthetic notice before the figures
    code, out, err = cli(capsys, "--store", demo, "gex", "DEMO", "--convention", "dealer-short", width=width)
    assert code == 0, err
    assert "negative by construction" in " ".join(out.split())


def test_heatmap_gex_and_report_line(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    board = cli_json(capsys, "--store", demo, "heatmap", "DEMO", "--metric", "gex", "--until", "2026-01-16")
    assert board["metric"] == "gex" and board["convention"] == "naive" and board["unit"] == "USD per 1% move"
    pooled = cli_json(capsys, "--store", demo, "gex", "DEMO", "--until", "2026-01-16")
    sums = pl.DataFrame(board["cells"]).group_by("strike").agg(pl.col("value").sum()).sort("strike")
    assert sums["value"].to_list() == pytest.approx([r["net_gex"] for r in pooled["by_strike"]])
    code, out, err = cli(capsys, "--store", demo, "heatmap", "DEMO", "--metric", "gex", width=80)
    assert code == 0, err
    assert "Net dealer gamma" in out and "naive convention" in out
    report = cli_json(capsys, "--store", demo, "report", "DEMO")
    default = cli_json(capsys, "--store", demo, "gex", "DEMO")
    assert report["gex"]["total_gex"] == pytest.approx(default["total_gex"])
    assert report["gex"]["flip"] == pytest.approx(default["flip"])
    assert report["gex"]["convention"] == "naive"
    code, out, err = cli(capsys, "--store", demo, "report", "DEMO", width=160)
    assert code == 0, err
    assert "Dealer gamma (naive)" in out


@pytest.mark.parametrize(
    "args",
    [
        ("gex", "DEMO", "--all", "--weeks", "2"),
        ("gex", "DEMO", "--move-expiry", "2030-01-18"),
        ("gex", "DEMO", "--rate", "2"),
        ("gex", "NOPE"),
        ("gex", "DEMO", "--at", "2020-01-01"),
        ("heatmap", "DEMO", "--metric", "oi", "--convention", "naive"),
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


def test_csv_with_json_and_a_bad_convention_are_usage_errors(
    capsys: pytest.CaptureFixture[str], demo: str
) -> None:
    code, _, err = cli(capsys, "--store", demo, "--json", "gex", "DEMO", "--csv")
    assert code == 2 and "choose one" in err
    code, _, err = cli(capsys, "--store", demo, "gex", "DEMO", "--convention", "dealer-long")
    assert code == 2 and "dealer-long" in err


def test_a_snapshot_without_spot_is_one_sentence(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = write(
        tmp_path,
        "XYZ.csv",
        "contractSymbol,openInterest,impliedVolatility\nXYZ260116C00100000,100,0.3\nXYZ260116P00100000,200,0.3\n",
    )
    store = tmp_path / "store"
    code, _, err = cli(
        capsys, "--store", str(store), "import", str(source), "--captured-at", "2025-12-05T21:00:00Z"
    )
    assert code == 0, err
    code, _, err = cli(capsys, "--store", str(store), "gex", "XYZ")
    assert code == 3
    assert_one_sentence(err)
    assert "no spot price" in err
    report = cli_json(capsys, "--store", str(store), "report", "XYZ")
    assert "no spot price" in report["gex"]["reason"]


@pytest.mark.corpus
@pytest.mark.slow
def test_gex_on_the_archive(capsys: pytest.CaptureFixture[str], laiweibin_store: Path) -> None:
    store = str(laiweibin_store)
    for ticker in ("SPY", "NVDA"):
        document = cli_json(capsys, "--store", store, "gex", ticker, "--at", "2026-08-14")
        opened = Store(store)
        expected = gamma_exposure(opened.load(opened.resolve(ticker, "2026-08-14")))
        assert document["total_gex"] == pytest.approx(expected.total_gex)
        assert document["flip"] == pytest.approx(expected.flip)
        assert document["left_out"]["expired"] > 0  # 2026-08-14 settled at the close the archive was taken at
        for width in (60, 80, 160):
            code, out, err = cli(capsys, "--store", store, "gex", ticker, "--at", "2026-08-14", width=width)
            assert code == 0, err
            assert max(len(line) for line in out.splitlines()) <= width
            assert "settled" in " ".join(out.split())


def test_gex_sentence_figures_are_in_its_json(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    from tests.cli.helpers import figures_missing_from_json, headline

    _, out, _ = cli(capsys, "--store", demo, "--no-color", "gex", "DEMO", width=300)
    document = cli_json(capsys, "--store", demo, "gex", "DEMO")
    sentence = headline(out, "Assuming dealers")
    assert "103.10" in sentence
    assert figures_missing_from_json(sentence.replace("per 1% move", ""), document) == []
