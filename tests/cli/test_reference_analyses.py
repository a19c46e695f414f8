"""The three analyses maxpain exists for (DESIGN), reproduced on real chains from the corpus."""

from __future__ import annotations

import pytest

from tests.cli.helpers import cli, cli_json


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
def test_json_numbers_carry_the_source_precision_not_binary_noise(
    capsys: pytest.CaptureFixture[str], real_store: str
) -> None:
    """The collector wrote NVDA's spot in single precision (182.41000366…): JSON says 182.41, and
    derived figures carry no float noise (no -2.410003662109375)."""
    document = cli_json(capsys, "--store", real_store, "report", "NVDA")
    assert document["snapshot"]["spot"] == 182.41
    assert document["expirations"][0]["distance_to_spot"] == -2.41

    def floats(value: object) -> list[float]:
        if isinstance(value, float):
            return [value]
        if isinstance(value, dict):
            return [f for v in value.values() for f in floats(v)]
        if isinstance(value, list):
            return [f for v in value for f in floats(v)]
        return []

    assert all(len(repr(abs(f)).replace(".", "").lstrip("0").split("e")[0]) <= 12 for f in floats(document))
