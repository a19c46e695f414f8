"""Golden output of six views at 80 and 160 columns on the bundled demo store."""

from __future__ import annotations

import os

import pytest

from tests.cli.helpers import DEMO, DEMO_CHANGE_HEATMAP, DEMO_EXPOSURE, GOLDEN, cli

GOLDEN_CASES = {
    "report": ["report", "DEMO"],
    "walls": ["walls", "DEMO", "--until", "2025-12-26"],
    "pain": ["pain", "DEMO", "--expiry", "2025-12-19"],
    "heatmap-change": [
        *DEMO_CHANGE_HEATMAP,
        "--until",
        "2026-01-16",
    ],
    "diff": ["diff", "DEMO", "--from", "2025-12-01", "--top", "5"],
    "exposure": [
        *DEMO_EXPOSURE,
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
