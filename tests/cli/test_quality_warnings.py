"""Data-quality warnings reach the views they affect."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from maxpain.store import Store
from tests.cli.helpers import cli, cli_json, demo_exposure, invoke


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


def test_same_day_diff_is_warned(capsys: pytest.CaptureFixture[str], demo_store: Path) -> None:
    source = Store(demo_store).load(Store(demo_store).resolve("DEMO"))
    path = demo_store.parent / "again.csv"
    source.frame.rename({"right": "type"}).write_csv(path)
    assert (
        invoke(
            capsys,
            "--store",
            str(demo_store),
            "import",
            str(path),
            "--ticker",
            "DEMO",
            "--captured-at",
            "2025-12-05T22:00:00Z",
        )[0]
        == 0
    )
    code, out, _ = invoke(capsys, "--store", str(demo_store), "--no-color", "diff", "DEMO")
    assert code == 0
    assert "same trading day" in " ".join(
        out.replace("│", " ").split()
    ) or "trading day 2025-12-05" in " ".join(out.replace("│", " ").split())


# NVDA from the day before Thanksgiving to the half-day after it (an incomplete snapshot)
HALF_DAY_DIFF = ("diff", "NVDA", "--from", "2025-11-26", "--to", "2025-11-28")


@pytest.mark.corpus
def test_half_day_warning_reaches_the_diff_view(capsys: pytest.CaptureFixture[str], real_store: str) -> None:
    capsys.readouterr()
    code, out, _ = cli(
        capsys,
        "--store",
        real_store,
        "--no-color",
        *HALF_DAY_DIFF,
    )
    assert code == 0
    assert "looks incomplete" in " ".join(out.replace("│", " ").split())


@pytest.mark.corpus
def test_incomplete_snapshot_is_marked_in_every_view(
    capsys: pytest.CaptureFixture[str], real_store: str
) -> None:
    """PLTR 2025-11-28 (a half-day: 1,048 contracts against ~2,200 around it) is marked incomplete
    in the listing and in every view of it, text and JSON; its neighbours are not (Thanksgiving,
    2025-11-27, is flagged as what it is: a copy of 2025-11-26)."""
    listed = cli_json(capsys, "--store", real_store, "snapshots", "PLTR")
    flagged = {s["id"][:10]: s["warnings"] for s in listed if s["warnings"]}
    assert list(flagged) == ["2025-11-27", "2025-11-28"]
    assert flagged["2025-11-27"][0].startswith("identical to 2025-11-26: market holiday or stale source")
    assert "incomplete snapshot" in flagged["2025-11-28"][0]
    views = [
        ("report", "PLTR"),
        ("pain", "PLTR"),
        ("walls", "PLTR"),
        ("heatmap", "PLTR"),
        (
            "exposure",
            "PLTR",
            "--strike",
            "175",
            "--right",
            "call",
            "--expiry",
            "2025-12-19",
            "--contracts",
            "10",
        ),
    ]
    for view in views:
        for day, expected in (("2025-11-28", True), ("2025-12-01", False)):
            document = cli_json(capsys, "--store", real_store, *view, "--at", day)
            assert any("incomplete snapshot" in w for w in document["warnings"]) == expected, (view, day)
        code, out, _ = cli(
            capsys, "--store", real_store, "--no-color", *view, "--at", "2025-11-28", width=160
        )
        assert code == 0 and "incomplete snapshot" in " ".join(out.replace("│", " ").split()), view
    _, out, _ = cli(capsys, "--store", real_store, "--no-color", "snapshots", "PLTR", width=160)
    assert "INCOMPLETE" in out


@pytest.mark.corpus
def test_one_sided_expirations_have_no_max_pain_in_any_view(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, corpus: Path
) -> None:
    """SPX 2023-10-30 and 2023-11-29 list calls only (a collector's bug): their max pain is
    undefined (null + reason) in report, pain and heatmap, and the net heatmap marks the column."""
    store = str(tmp_path / "store")
    assert (
        cli(
            capsys,
            "--store",
            store,
            "import",
            str(corpus / "mx791-option_scraper" / "SPX_2023-10-27T2028Z.parquet"),
        )[0]
        == 0
    )
    for view in (("report", "SPX"), ("pain", "SPX")):
        document = cli_json(capsys, "--store", store, *view)
        rows = {e["expiration"]: e for e in document["expirations"]}
        for day in ("2023-10-30", "2023-11-29"):
            assert rows[day]["max_pain"] is None and rows[day]["reason"].startswith("no puts listed"), view
        assert rows["2023-10-31"]["max_pain"] is not None
        assert any(w.startswith("2023-10-30: no puts listed") for w in document["warnings"])
    heat = cli_json(capsys, "--store", store, "heatmap", "SPX", "--metric", "net", "--until", "2023-11-03")
    assert heat["max_pain"]["2023-10-30"] is None
    assert any(w.startswith("2023-10-30: no puts listed") for w in heat["warnings"])
    _, out, _ = cli(
        capsys,
        "--store",
        store,
        "--no-color",
        "heatmap",
        "SPX",
        "--metric",
        "net",
        "--until",
        "2023-11-03",
        width=120,
    )
    assert "10-30!" in out and "! 2023-10-30: no puts listed" in out
    cells = [
        line.split()[1] for line in out.splitlines() if line.strip()[:4].isdigit() and len(line.split()) > 2
    ]
    assert cells and not any(glyph in cell for cell in cells for glyph in "░▒▓█")  # shown, not painted
    _, out, _ = cli(capsys, "--store", store, "--no-color", "report", "SPX", width=160)
    row = next(line for line in out.splitlines() if "2023-10-30" in line and "undefined" in line)
    assert "4,117" not in row


@pytest.mark.parametrize(
    ("view", "first_figure"),
    [
        (("report", "DEMO"), "Max pain by expiration"),
        (("pain", "DEMO"), "Max pain by expiration"),
        (("walls", "DEMO"), "DEMO: largest put OI"),
        (("heatmap", "DEMO"), "Open interest (calls + puts)"),
        (("diff", "DEMO"), "DEMO: the largest build-up"),
        (
            demo_exposure("10"),
            "10 × DEMO",
        ),
    ],
)
def test_warnings_come_before_the_figures(
    capsys: pytest.CaptureFixture[str], demo: str, view: tuple[str, ...], first_figure: str
) -> None:
    """Every view opens with its data-quality panel (the demo store's synthetic-data notice)."""
    code, out, err = cli(capsys, "--store", demo, "--no-color", *view, width=160)
    assert code == 0, err
    assert out.index("data quality") < out.index(first_figure), view


@pytest.mark.corpus
def test_half_day_diff_opens_with_its_warning_and_skips_same_day_contracts(
    capsys: pytest.CaptureFixture[str], real_store: str
) -> None:
    _, out, _ = cli(
        capsys,
        "--store",
        real_store,
        "--no-color",
        *HALF_DAY_DIFF,
        width=200,
    )
    assert out.index("incomplete") < out.index("calls -1,310,522")
    document = cli_json(capsys, "--store", real_store, "diff", "NVDA")
    # the largest build-up of 12-04 → 12-05 is the 12-05 190 call, expiring that very day
    assert (document["build_ups"][0]["expiration"], document["build_ups"][0]["strike"]) == (
        "2025-12-05",
        190.0,
    )
    lead = document["largest_build_up"]
    assert lead["expiration"] > "2025-12-05" and (lead["strike"], lead["right"]) == (140.0, "P")
    _, out, _ = cli(capsys, "--store", real_store, "--no-color", "diff", "NVDA", width=200)
    assert "the largest build-up is the 2026-03-20 140 put (+13,100)" in out
    assert {c["status"] for c in document["changes"]} <= {"new", "closed", "up", "down", "unknown"}
    assert {"up", "down"} <= {c["status"] for c in document["changes"]}
