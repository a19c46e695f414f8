"""`maxpain heatmap`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import DEMO_CHANGE_HEATMAP, cli, cli_json, figures_missing_from_json


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
        *DEMO_CHANGE_HEATMAP,
    )
    assert code == 0, err
    assert "OI change 2025-12-01 → 2025-12-05" in out
    assert "+10k" in out  # the 105 build-up in the 12-12 column
    change = cli_json(
        capsys,
        "--store",
        demo,
        *DEMO_CHANGE_HEATMAP,
    )
    cells = {(c["expiration"], c["strike"]): c["value"] for c in change["cells"]}
    assert max(cells, key=lambda k: cells[k]) == ("2025-12-12", 105.0)
    cells = cli_json(capsys, "--store", demo, "heatmap", "DEMO", "--strikes", "95:105")["cells"]
    assert {c["strike"] for c in cells} >= {95.0, 100.0, 105.0}


def test_heatmap_fits_the_terminal_by_dropping_columns(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    code, out, _ = cli(capsys, "--store", demo, "--no-color", "heatmap", "DEMO", width=60)
    assert code == 0
    assert "later expirations not shown" in out
    assert max(len(line) for line in out.splitlines()) <= 60


def test_exports_save_what_was_rendered(
    capsys: pytest.CaptureFixture[str], demo: str, tmp_path: Path
) -> None:
    svg, html = tmp_path / "walls.svg", tmp_path / "walls.html"
    code, _out, _ = cli(capsys, "--store", demo, "walls", "DEMO", "--svg", str(svg), "--html", str(html))
    assert code == 0
    assert svg.read_text().startswith("<svg") and "Put" in svg.read_text()
    assert "Call walls" in html.read_text()


def test_heatmap_headline_figures_are_in_its_json(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    args = (
        "--store",
        demo,
        *DEMO_CHANGE_HEATMAP,
    )
    _, out, _ = cli(capsys, "--no-color", *args, width=300)
    document = cli_json(capsys, *args)
    for start in ("OI change 2025-12-01", "legend:"):
        line = next(line for line in out.splitlines() if line.startswith(start))
        assert figures_missing_from_json(line, document) == []
