"""The command line, in-process: every command on the demo store and on real chains, JSON
contracts, errors as one sentence with documented exit codes, exports, golden output."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from maxpain_cli.app import run

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "fixtures" / "demo-store"
GOLDEN = Path(__file__).resolve().parent / "golden"


def cli(capsys: pytest.CaptureFixture[str], *args: str, width: int = 100) -> tuple[int, str, str]:
    os.environ["COLUMNS"] = str(width)
    try:
        code = run(list(args))
    finally:
        os.environ.pop("COLUMNS", None)
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = cli(capsys, "--json", *args)
    assert code == 0, err
    return json.loads(out)


@pytest.fixture()
def demo(tmp_path: Path) -> str:
    """A private copy of the bundled demo store (tests may write to it)."""
    target = tmp_path / "store"
    shutil.copytree(DEMO, target)
    return str(target)


def test_help_lists_every_command_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--help")
    assert code == 0
    for command in ("fetch", "import", "snapshots", "report", "pain", "walls", "heatmap", "diff", "exposure"):
        assert command in out
        sub_code, sub_out, _ = cli(capsys, command, "--help")
        assert sub_code == 0 and "Example" in sub_out, command
    assert "Exit codes" in out


def test_report_on_the_demo_store(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    code, out, err = cli(capsys, "--store", demo, "--no-color", "report", "DEMO")
    assert code == 0, err
    for expected in (
        "Max pain by expiration",
        "Put walls",
        "Call walls",
        "Open-interest clusters",
        "spot",
        "SYNTHETIC",
    ):
        assert expected in out
    assert "largest put OI through 2026-01-02 sits at 90" in out


def test_options_work_after_the_command_too(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    document = json.loads(cli(capsys, "report", "DEMO", "--store", demo, "--json")[1])
    assert document["ticker"] == "DEMO"


def test_pain_json_contract(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    document = cli_json(capsys, "--store", demo, "pain", "DEMO", "--until", "2025-12-26")
    assert set(document) >= {"ticker", "snapshot", "expirations", "window"}
    assert set(document["snapshot"]) >= {"id", "captured_at", "spot"}
    row = document["expirations"][0]
    assert set(row) >= {"expiration", "max_pain", "call_oi", "put_oi", "put_call_oi_ratio"}
    assert isinstance(row["max_pain"], float) and isinstance(row["call_oi"], int)
    assert document["window"]["until"] == "2025-12-26"
    assert document["window"]["expirations"] == ["2025-12-05", "2025-12-12", "2025-12-19", "2025-12-26"]
    assert document["window"]["pooled_max_pain"] == 100.0
    points = document["curve"]["points"]
    assert min(points, key=lambda p: p["total_payout"])["strike"] == document["curve"]["max_pain"]


def test_walls_json_contract(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    document = cli_json(capsys, "--store", demo, "walls", "DEMO", "--top", "3")
    assert set(document) >= {
        "ticker",
        "snapshot",
        "window",
        "pooled_max_pain",
        "put_walls",
        "call_walls",
        "clusters",
    }
    assert document["put_walls"][0]["strike"] == 90.0 and document["call_walls"][0]["strike"] == 110.0
    assert set(document["put_walls"][0]) >= {"strike", "open_interest", "share"}
    assert set(document["clusters"][0]) >= {"side", "low", "high", "peak", "center", "open_interest", "share"}
    assert len(document["put_walls"]) == 3


def test_diff_json_contract_and_build_up(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    document = cli_json(capsys, "--store", demo, "diff", "DEMO", "--from", "2025-12-01", "--to", "2025-12-05")
    assert set(document) >= {"ticker", "from", "to", "changes", "by_expiration", "warnings"}
    top = document["build_ups"][0]
    assert (top["expiration"], top["strike"], top["right"]) == ("2025-12-12", 105.0, "C")
    assert set(document["changes"][0]) >= {
        "expiration",
        "strike",
        "right",
        "oi_from",
        "oi_to",
        "change",
        "status",
    }
    assert set(document["by_expiration"][0]) >= {"expiration", "call_change", "put_change"}
    # without --from: the snapshot before --to
    default = cli_json(capsys, "--store", demo, "diff", "DEMO")
    assert default["from"]["id"] == "2025-12-04T211500Z" and default["to"]["id"] == "2025-12-05T211500Z"


def test_exposure_json_contract(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    document = cli_json(
        capsys,
        "--store",
        demo,
        "exposure",
        "DEMO",
        "--strike",
        "90",
        "--right",
        "put",
        "--expiry",
        "2026-01-16",
        "--contracts",
        "1000",
    )
    for key in (
        "ticker",
        "contracts",
        "strike",
        "right",
        "expiration",
        "multiplier",
        "shares",
        "spot",
        "notional_at_spot",
        "notional_at_strike",
        "premium",
        "delta",
        "delta_adjusted_notional",
    ):
        assert key in document
    assert document["shares"] == 100_000
    assert document["notional_at_spot"] == pytest.approx(100_000 * document["spot"])
    assert -1 < document["delta"] < 0


def test_heatmap_metrics_and_change(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    for metric in ("oi", "calls", "puts", "net"):
        code, out, err = cli(capsys, "--store", demo, "--no-color", "heatmap", "DEMO", "--metric", metric)
        assert code == 0, err
        assert "spot" in out and "[" in out  # the spot line and max-pain markers
    code, out, err = cli(
        capsys,
        "--store",
        demo,
        "--no-color",
        "heatmap",
        "DEMO",
        "--metric",
        "change",
        "--from",
        "2025-12-01",
        "--to",
        "2025-12-05",
    )
    assert code == 0, err
    assert "OI change 2025-12-01 → 2025-12-05" in out
    assert "+10k" in out  # the 105 build-up in the 12-12 column
    change = cli_json(
        capsys,
        "--store",
        demo,
        "heatmap",
        "DEMO",
        "--metric",
        "change",
        "--from",
        "2025-12-01",
        "--to",
        "2025-12-05",
    )
    cells = {(c["expiration"], c["strike"]): c["value"] for c in change["cells"]}
    assert max(cells, key=lambda k: cells[k]) == ("2025-12-12", 105.0)
    cells = cli_json(capsys, "--store", demo, "heatmap", "DEMO", "--strikes", "95:105")["cells"]
    assert {c["strike"] for c in cells} >= {95.0, 100.0, 105.0}


def test_heatmap_fits_the_terminal_by_dropping_columns(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    code, out, _ = cli(capsys, "--store", demo, "--no-color", "heatmap", "DEMO", width=60)
    assert code == 0
    assert "later expiration(s) not shown" in out
    assert max(len(line) for line in out.splitlines()) <= 60


def test_exports_save_what_was_rendered(
    capsys: pytest.CaptureFixture[str], demo: str, tmp_path: Path
) -> None:
    svg, html = tmp_path / "walls.svg", tmp_path / "walls.html"
    code, _out, _ = cli(capsys, "--store", demo, "walls", "DEMO", "--svg", str(svg), "--html", str(html))
    assert code == 0
    assert svg.read_text().startswith("<svg") and "Put" in svg.read_text()
    assert "Call walls" in html.read_text()


def test_snapshots_listing(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    listed = cli_json(capsys, "--store", demo, "snapshots")
    assert [s["id"] for s in listed] == [f"2025-12-0{d}T211500Z" for d in range(1, 6)]
    assert set(listed[0]) >= {"id", "ticker", "captured_at", "spot", "contracts", "expirations", "source"}
    code, out, _ = cli(capsys, "--store", demo, "--no-color", "snapshots", "DEMO", "--verify")
    assert code == 0 and "2025-12-05T211500Z" in out


@pytest.mark.parametrize(
    ("args", "exit_code", "fragment"),
    [
        (["report", "NOPE"], 4, "no snapshots of NOPE"),
        (["report", "DEMO", "--at", "2024-01-01"], 4, "no DEMO snapshot on 2024-01-01"),
        (["report", "DEMO", "--at", "2025-12-0"], 3, "matches 5"),
        (["report", "DEMO", "--until", "2025-11-01"], 3, "before the snapshot's capture date"),
        (["report", "DEMO", "--until", "tomorrow"], 2, "not a date"),
        (["heatmap", "DEMO", "--strikes", "abc"], 2, "not a strike range"),
        (["heatmap", "DEMO", "--strikes", "120:90"], 2, "LO < HI"),
        (["pain", "DEMO", "--expiry", "2025-12-20"], 4, "nearest listed is 2025-12-19"),
        (
            [
                "exposure",
                "DEMO",
                "--strike",
                "91",
                "--right",
                "put",
                "--expiry",
                "2026-01-16",
                "--contracts",
                "5",
            ],
            4,
            "nearest listed",
        ),
        (
            [
                "exposure",
                "DEMO",
                "--strike",
                "90",
                "--right",
                "put",
                "--expiry",
                "2026-01-16",
                "--contracts",
                "0",
            ],
            2,
            "--contracts",
        ),
        (["report", "../../etc"], 3, "not a ticker symbol"),
        (["diff", "DEMO", "--from", "2025-12-05", "--to", "2025-12-01"], 3, "swap them"),
        (["report"], 2, "Missing argument"),
        (["frobnicate"], 2, "No such command"),
    ],
)
def test_errors_are_one_sentence_with_exit_codes(
    capsys: pytest.CaptureFixture[str], demo: str, args: list[str], exit_code: int, fragment: str
) -> None:
    before = sorted(p.name for p in Path(demo).rglob("*"))
    code, _out, err = cli(capsys, "--store", demo, *args)
    assert code == exit_code, err
    assert fragment in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.startswith("maxpain: ")
    assert sorted(p.name for p in Path(demo).rglob("*")) == before  # the store is untouched


def test_import_reports_bad_files_and_keeps_going(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    good = REPO / "fixtures" / "yahoo" / "options-DEMO-multi.json"
    store = tmp_path / "store"
    code, out, err = cli(capsys, "--store", str(store), "import", str(bad), str(good), str(empty))
    assert code == 3
    assert "no call/put column" in err or "no strike" in err or "contractSymbol" in err
    assert "the file is empty" in err
    assert "saved DEMO/" in out
    assert len(list((store / "DEMO").glob("*.parquet"))) == 1
    # identical re-import is detected
    code, out, _ = cli(capsys, "--store", str(store), "import", str(good))
    assert code == 0 and "already stored" in out


# ----------------------------------------------------------------------------- real chains
@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> str:
    store = tmp_path_factory.mktemp("real") / "store"
    files = [
        str(p)
        for t in ("NVDA", "GOOG", "PLTR")
        for p in sorted((corpus / "vraptunovich-stock" / t).glob("*.parquet"))
    ]
    assert run(["--store", str(store), "--json", "import", *files]) == 0
    return str(store)


@pytest.mark.corpus
def test_reference_nvda_put_wall_near_pooled_max_pain(
    capsys: pytest.CaptureFixture[str], real_store: str
) -> None:
    capsys.readouterr()
    document = cli_json(
        capsys, "--store", real_store, "walls", "NVDA", "--at", "2025-12-01", "--until", "2025-12-26"
    )
    assert document["pooled_max_pain"] == 162.0
    assert (document["put_walls"][0]["strike"], document["put_walls"][0]["open_interest"]) == (160.0, 116_517)
    assert (document["call_walls"][0]["strike"], document["call_walls"][0]["open_interest"]) == (
        200.0,
        208_139,
    )
    _code, out, _ = cli(
        capsys,
        "--store",
        real_store,
        "--no-color",
        "walls",
        "NVDA",
        "--at",
        "2025-12-01",
        "--until",
        "2025-12-26",
    )
    assert (
        "largest put OI through 2025-12-26 sits at 160 (116,517 contracts), 2 below the pooled max pain of 162"
        in " ".join(out.split())
    )


@pytest.mark.corpus
def test_reference_goog_short_dated_call_build_up(
    capsys: pytest.CaptureFixture[str], real_store: str
) -> None:
    capsys.readouterr()
    document = cli_json(
        capsys,
        "--store",
        real_store,
        "diff",
        "GOOG",
        "--from",
        "2025-12-01",
        "--to",
        "2025-12-05",
        "--top",
        "50",
    )
    calls = [c for c in document["build_ups"] if c["right"] == "C"][:3]
    assert [(c["expiration"], c["strike"], c["change"]) for c in calls] == [
        ("2026-01-16", 350.0, 10_652),
        ("2025-12-12", 340.0, 6_638),
        ("2025-12-26", 320.0, 6_200),
    ]
    near = sum(r["call_change"] for r in document["by_expiration"] if r["expiration"] <= "2026-01-02")
    later = sum(r["call_change"] for r in document["by_expiration"] if r["expiration"] > "2026-01-02")
    assert near > 2 * later  # the new call positions concentrate in the short-dated expirations


@pytest.mark.corpus
def test_reference_pltr_exposure(capsys: pytest.CaptureFixture[str], real_store: str) -> None:
    capsys.readouterr()
    document = cli_json(
        capsys,
        "--store",
        real_store,
        "exposure",
        "PLTR",
        "--strike",
        "50",
        "--right",
        "put",
        "--expiry",
        "2027-01-15",
        "--contracts",
        "50000",
        "--at",
        "2025-12-01",
    )
    assert document["shares"] == 5_000_000
    assert document["open_interest"] == 48_355
    assert document["notional_at_spot"] == pytest.approx(0.84e9, rel=0.01)
    assert document["premium"] == pytest.approx(13e6, rel=0.05)
    assert document["delta"] < 0


@pytest.mark.corpus
def test_half_day_warning_reaches_the_diff_view(capsys: pytest.CaptureFixture[str], real_store: str) -> None:
    capsys.readouterr()
    code, out, _ = cli(
        capsys,
        "--store",
        real_store,
        "--no-color",
        "diff",
        "NVDA",
        "--from",
        "2025-11-26",
        "--to",
        "2025-11-28",
    )
    assert code == 0
    assert "looks incomplete" in " ".join(out.replace("│", " ").split())


# ----------------------------------------------------------------------------- golden output
GOLDEN_CASES = {
    "report": ["report", "DEMO"],
    "walls": ["walls", "DEMO", "--until", "2025-12-26"],
    "pain": ["pain", "DEMO", "--expiry", "2025-12-19"],
    "heatmap-change": [
        "heatmap",
        "DEMO",
        "--metric",
        "change",
        "--from",
        "2025-12-01",
        "--to",
        "2025-12-05",
        "--until",
        "2026-01-16",
    ],
    "diff": ["diff", "DEMO", "--from", "2025-12-01", "--top", "5"],
    "exposure": [
        "exposure",
        "DEMO",
        "--strike",
        "90",
        "--right",
        "put",
        "--expiry",
        "2026-01-16",
        "--contracts",
        "1000",
    ],
}


@pytest.mark.parametrize("width", [80, 160])
@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden_output(capsys: pytest.CaptureFixture[str], name: str, width: int) -> None:
    code, out, err = cli(capsys, "--store", str(DEMO), "--no-color", *GOLDEN_CASES[name], width=width)
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= width
    path = GOLDEN / f"{name}-{width}.txt"
    if os.environ.get("MAXPAIN_UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(out)
    assert out == path.read_text(), (
        f"{name} at {width} columns changed; review and rerun with MAXPAIN_UPDATE_GOLDEN=1"
    )
