"""The command group: help, options after the command, errors as one sentence with exit codes."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from tests.cli.helpers import cli, demo_exposure, figures_missing_from_json, tree


def test_help_lists_every_command_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "--help")
    assert code == 0
    for command in ("fetch", "import", "snapshots", "report", "pain", "walls", "heatmap", "diff", "exposure"):
        assert command in out
        sub_code, sub_out, _ = cli(capsys, command, "--help")
        assert sub_code == 0 and "Example" in sub_out, command
    assert "Exit codes" in out


def test_options_work_after_the_command_too(capsys: pytest.CaptureFixture[str], demo: str) -> None:
    document = json.loads(cli(capsys, "report", "DEMO", "--store", demo, "--json")[1])
    assert document["ticker"] == "DEMO"


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
            [*demo_exposure("0")],
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
    before = tree(Path(demo))
    code, _out, err = cli(capsys, "--store", demo, *args)
    assert code == exit_code, err
    assert fragment in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert err.startswith("maxpain: ")
    assert tree(Path(demo)) == before  # the store is untouched


def test_the_headline_checker_catches_figures_the_json_lacks() -> None:
    """The headline tests compare printed figures with JSON values: check that they can fail."""
    document = {"strike": 90.0, "gap": -10.0, "share": 0.683, "premium": 12_620_000.0, "days": ["2025-12-19"]}
    assert (
        figures_missing_from_json("90 sits 10 below; 68% for $12.62M on 2025-12-19 (1 day)", document) == []
    )
    assert figures_missing_from_json("91 sits 10 below; 69% for $12.7M on 2025-12-26", document) == [
        "2025-12-26",
        "91",
        "69%",
        "$12.7M",
    ]


@pytest.mark.parametrize("failure", ["compute", "panic", "schema"])
def test_polars_errors_and_panics_are_one_sentence_and_exit_3(
    capsys: pytest.CaptureFixture[str], demo: str, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    import polars as pl

    from maxpain import analyses

    error = {
        "compute": pl.exceptions.ComputeError("out of memory\\nmore detail"),
        "panic": pl.exceptions.PanicException("called `Option::unwrap()` on a `None` value"),
        "schema": pl.exceptions.SchemaError("column mismatch"),
    }[failure]

    def broken(*args: object, **kwargs: object) -> None:
        raise error

    monkeypatch.setattr(analyses, "max_pain_by_expiration", broken)
    code, out, err = cli(capsys, "--store", demo, "report", "DEMO")
    assert code == 3 and out == ""
    assert err.startswith("maxpain: the data could not be processed") and len(err.strip().splitlines()) == 1


def test_help_reads_cleanly_at_80_columns(capsys: pytest.CaptureFixture[str]) -> None:
    """No line past 80 columns, no word broken across lines, no summary cut with '...'."""
    pages = [cli(capsys, "--help", width=80)[1]]
    for command in ("fetch", "import", "snapshots", "report", "pain", "walls", "heatmap", "diff", "exposure"):
        pages.append(cli(capsys, command, "--help", width=80)[1])
    for page in pages:
        lines = page.splitlines()
        assert max(len(line) for line in lines) <= 80, page
        if "Commands:" in page:
            assert "..." not in page.split("Commands:")[1].split("\n\n")[0], page
        for line, following in itertools.pairwise(lines):
            assert not (
                line.rstrip().endswith("-")
                and line.rstrip()[-2:-1].isalpha()
                and following.strip()[:1].isalpha()
            ), line


def test_json_is_indented_for_a_terminal_and_one_line_into_a_pipe(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, demo: str
) -> None:
    import sys

    code, piped, _ = cli(capsys, "--store", demo, "report", "DEMO", "--json")
    assert code == 0 and piped.count("\n") == 1  # one line (and its newline)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, shown, _ = cli(capsys, "--store", demo, "report", "DEMO", "--json")
    assert code == 0 and shown.startswith('{\n  "') and shown.count("\n") > 20
    assert json.loads(piped) == json.loads(shown)


def test_the_entry_point_sets_the_collector_then_exits_with_the_code() -> None:
    """``main`` (the console script) raises the cycle collector's thresholds before the command
    runs, flushes what the command printed, and leaves with its exit code."""
    import subprocess
    import sys

    from maxpain_cli.app import GC_THRESHOLDS

    probe = (
        "import gc, maxpain_cli.app as app\n"
        "def run():\n"
        "    print(gc.get_threshold(), end='')\n"
        "    return 7\n"
        "app.run = run\n"
        "app.main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 7, done.stderr
    assert done.stdout == str(GC_THRESHOLDS)
