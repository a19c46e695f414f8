"""In CI a missing real corpus is a failure, on a user's machine a skip with a reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROBE = "tests/test_corpus.py::test_duplicate_contracts_are_removed_and_counted"


def run_probe(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "MAXPAIN_REAL_CORPUS")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", PROBE, "-q", "-rs", "-p", "no:cacheprovider"],
        cwd=REPO,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_missing_corpus_fails_in_ci_and_skips_elsewhere(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-corpus-here")
    in_ci = run_probe(CI="true", MAXPAIN_REAL_CORPUS=missing)
    assert in_ci.returncode != 0
    assert "CI requires it" in in_ci.stdout
    # a user's machine: no CI, and the default location replaced by a missing one via HOME-less env
    user = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, pytest; sys.exit(pytest.main(['-q', '-rs', '-p', 'no:cacheprovider', '"
            + PROBE
            + "']))",
        ],
        cwd=REPO,
        env={
            **{k: v for k, v in os.environ.items() if k not in ("CI", "MAXPAIN_REAL_CORPUS")},
            "MAXPAIN_CORPUS_DEFAULT": missing,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert user.returncode == 0
    assert "SKIPPED" in user.stdout and "set MAXPAIN_REAL_CORPUS" in user.stdout
