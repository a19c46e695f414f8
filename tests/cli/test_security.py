"""Hostile input: tickers and paths that would escape the store, pickle/eval, escaped exports."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cli.helpers import REPO, assert_one_sentence, invoke, tree


def test_tickers_and_paths_cannot_escape_the_store(
    capsys: pytest.CaptureFixture[str], demo_store: Path
) -> None:
    before = tree(demo_store)
    for bad in ("../../etc", "/etc/passwd", "A\x00B", "x" * 300, "..", "DEMO/../../x", "$(rm -rf ~)"):
        code, _, err = invoke(capsys, "--store", str(demo_store), "report", bad)
        assert code == 3, (bad, err)
        assert_one_sentence(err)
    code, _, err = invoke(
        capsys,
        "--store",
        str(demo_store),
        "import",
        str(REPO / "fixtures/yahoo/options-DEMO-multi.json"),
        "--ticker",
        "../evil",
    )
    assert code == 3
    assert tree(demo_store) == before
    assert not (demo_store.parent / "evil").exists()


def test_no_pickle_or_eval_anywhere() -> None:
    pattern = re.compile(r"\b(pickle|marshal|shelve)\b|\beval\(|\bexec\(|yaml\.load\(")
    for folder in ("maxpain", "cli"):
        for path in (REPO / folder).rglob("*.py"):
            assert not pattern.search(path.read_text()), path


def test_exports_escape_their_text(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    hostile = tmp_path / "<img src=x onerror=alert(1)>&.json"
    hostile.write_text((REPO / "fixtures/yahoo/options-DEMO-multi.json").read_text())
    store = tmp_path / "s"
    assert invoke(capsys, "--store", str(store), "import", str(hostile))[0] == 0
    html, svg = tmp_path / "r.html", tmp_path / "r.svg"
    code, _, err = invoke(
        capsys, "--store", str(store), "report", "DEMO", "--html", str(html), "--svg", str(svg)
    )
    assert code == 0, err
    for exported in (html.read_text(), svg.read_text()):
        assert "<img src=x" not in exported
        assert "&lt;img" in exported or "&#60;img" in exported
