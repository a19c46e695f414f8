"""Shared fixtures: the real corpus (required in CI, skipped with a reason elsewhere)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def corpus_path() -> Path:
    configured = os.environ.get("MAXPAIN_REAL_CORPUS")
    if configured:
        return Path(configured)
    # MAXPAIN_CORPUS_DEFAULT only lets the test suite check its own skip behaviour
    return Path(os.environ.get("MAXPAIN_CORPUS_DEFAULT") or REPO.parent / "shared" / "chains")


def corpus_required() -> bool:
    return bool(os.environ.get("MAXPAIN_REAL_CORPUS")) or os.environ.get("CI", "").lower() in (
        "1",
        "true",
        "yes",
    )


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = corpus_path()
    if not (path / "README.md").exists():
        message = f"the real option-chain corpus is not at {path} (set MAXPAIN_REAL_CORPUS)"
        if corpus_required():
            pytest.fail(message + "; CI requires it")
        pytest.skip(message)
    return path


@pytest.fixture(autouse=True)
def _compiled_kernels(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests exercise the compiled kernels on every input size (the CLI's small-input path runs
    the same bodies in Python; tests/test_kernels.py checks the two agree)."""
    monkeypatch.setenv("MAXPAIN_JIT_THRESHOLD", "0")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's real store from a test."""
    monkeypatch.setenv("MAXPAIN_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def laiweibin_store(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole laiweibin archive (20 tickers × 65 days) imported once into a temporary store."""
    from maxpain.importer import expand, import_files
    from maxpain.store import Store

    root = tmp_path_factory.mktemp("laiweibin-store")
    files, walked = expand([corpus / "laiweibin456-us-option-data"])
    outcomes = list(import_files(Store(root), files, walked=walked))
    assert sum(1 for o in outcomes if o.status == "stored") == 1300
    return root
