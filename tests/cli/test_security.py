"""Hostile input: tickers and paths that would escape the store, pickle/eval, escaped exports."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from maxpain.store import Store
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


def test_markup_in_file_names_and_paths_is_printed_literally(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "250")
    source = Store(REPO / "fixtures" / "demo-store")
    name = "[red]x[link=file:evil]y.parquet"
    source.load(source.resolve("DEMO")).frame.write_parquet(tmp_path / name)
    store = tmp_path / "[bold]store"
    code, out, err = invoke(
        capsys,
        "--store",
        str(store),
        "import",
        str(tmp_path / name),
        "--ticker",
        "DEMO",
        "--captured-at",
        "2025-12-05T21:15:00Z",
    )
    assert code == 0, err
    assert name in out
    code, out, _ = invoke(capsys, "--store", str(store), "snapshots")
    assert f"file:{name}" in out
    code, _, err = invoke(capsys, "--store", str(tmp_path / "[red]none"), "snapshots")
    assert "[red]none" in err


def test_exports_refuse_to_overwrite_never_write_through_links_and_not_with_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = str(REPO / "fixtures" / "demo-store")
    existing = tmp_path / "view.svg"
    existing.write_text("keep me")
    code, out, err = invoke(capsys, "--store", store, "report", "DEMO", "--svg", str(existing))
    assert code == 3 and "--force" in err and out == "" and existing.read_text() == "keep me"
    precious = tmp_path / "precious.txt"
    precious.write_text("untouched")
    link = tmp_path / "link.svg"
    link.symlink_to(precious)
    code, _, err = invoke(capsys, "--store", store, "report", "DEMO", "--svg", str(link), "--force")
    assert code == 0, err
    assert (
        precious.read_text() == "untouched" and not link.is_symlink() and link.read_text().startswith("<svg")
    )
    assert not list(tmp_path.glob(".*.tmp"))
    code, _, err = invoke(
        capsys, "--store", store, "--json", "report", "DEMO", "--svg", str(tmp_path / "new.svg")
    )
    assert code == 2 and "--json" in err and not (tmp_path / "new.svg").exists()


def test_exports_hold_every_heatmap_column(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store = str(REPO / "fixtures" / "demo-store")
    os.environ["COLUMNS"] = "60"
    try:
        code, out, _ = invoke(
            capsys, "--store", store, "--no-color", "heatmap", "DEMO", "--svg", str(tmp_path / "h.svg")
        )
    finally:
        os.environ.pop("COLUMNS")
    assert code == 0 and "not shown" in out  # the 60-column terminal drops columns…
    svg = tmp_path / "h.svg"
    assert (
        "not&#160;shown" not in svg.read_text() and "not shown" not in svg.read_text()
    )  # …the export does not
