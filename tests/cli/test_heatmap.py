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


def test_palette_is_colour_blind_safe_and_every_cell_readable() -> None:
    from maxpain_cli.render.heatmap import DIVERGING_NEG, DIVERGING_POS, NEUTRAL, SEQUENTIAL, readable_on

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for background in [*DIVERGING_NEG, NEUTRAL, *DIVERGING_POS, *SEQUENTIAL]:
        text = 1.0 if readable_on(background) == "white" else 0.0
        light, dark = sorted((luminance(background), text), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, background  # WCAG AA for text
    # orange below zero, blue/purple above: never red against green
    for colour in DIVERGING_NEG:
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert red > green > blue, colour
    for colour in DIVERGING_POS:
        red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        assert blue > green, colour


@pytest.mark.corpus
def test_default_rows_span_spot_max_pains_and_walls_and_headers_carry_the_year(
    capsys: pytest.CaptureFixture[str], real_store: str
) -> None:
    document = cli_json(capsys, "--store", real_store, "walls", "NVDA", "--weeks", "4")
    _, out, _ = cli(capsys, "--store", real_store, "--no-color", "heatmap", "NVDA", "--weeks", "4", width=160)
    shown = {line.split()[0] for line in out.splitlines() if line.strip()[:1].isdigit()}
    heat = cli_json(capsys, "--store", real_store, "heatmap", "NVDA", "--weeks", "4")
    columns = sorted({c["expiration"] for c in heat["cells"]})
    assert columns[-1] <= "2026-01-02"  # --weeks 4 from 2025-12-05
    for expiration in columns:
        pain = heat["max_pain"][expiration]
        assert pain is None or f"{pain:g}" in shown, (expiration, pain)
    _, everything, _ = cli(capsys, "--store", real_store, "--no-color", "heatmap", "NVDA", width=260)
    assert "Jan21'28" in everything and "Dec05'25" in everything
    assert "12-05" in out  # within a year: month-day only
    for side in ("put_walls", "call_walls"):
        assert f"{document[side][0]['strike']:g}" in shown, side


def test_narrow_terminals_drop_columns_never_digits(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    import re

    for view in (
        ("report", "DEMO"),
        ("walls", "DEMO"),
        ("pain", "DEMO"),
        ("diff", "DEMO"),
        ("snapshots", "DEMO"),
    ):
        code, out, _ = cli(capsys, "--store", demo, "--no-color", *view, width=60)
        assert code == 0
        assert not re.search(r"\d…", out), (view, out)
        assert max(len(line) for line in out.splitlines()) <= 60
    _, out, _ = cli(capsys, "--store", demo, "--no-color", "report", "DEMO", width=60)
    assert "narrow terminal:" in out and "not shown" in out
