"""Exposure of a position: the arithmetic of the definition, delta from the naive Black–Scholes."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from maxpain import analyses
from maxpain.errors import InputError, NotFoundError
from maxpain.market import years_to_expiry
from maxpain.normalize import normalize
from tests import naive

CAPTURED = datetime(2025, 12, 5, 21, tzinfo=UTC)


def chain() -> object:
    frame = pl.DataFrame(
        {
            "contractSymbol": ["XYZ260116P00050000", "XYZ260116C00050000"],
            "openInterest": [48_355, 10],
            "bid": [0.20, 5.0],
            "ask": [0.30, 5.2],
            "impliedVolatility": [0.6, 0.5],
        }
    )
    return normalize(frame, captured_at=CAPTURED, spot=55.0)


def test_position_figures_follow_the_definition() -> None:
    result = analyses.position_exposure(
        chain(), strike=50, right="put", expiration=date(2026, 1, 16), contracts=50_000
    )  # type: ignore[arg-type]
    assert result.shares == 5_000_000
    assert result.notional_at_spot == pytest.approx(5_000_000 * 55.0)
    assert result.notional_at_strike == pytest.approx(5_000_000 * 50.0)
    assert result.premium == pytest.approx(5_000_000 * 0.25)
    assert result.notional_to_premium == pytest.approx(55.0 / 0.25)
    years = years_to_expiry(CAPTURED, date(2026, 1, 16))
    delta, _ = naive.naive_black_scholes(55.0, 50.0, years, 0.6, 0.04, False)
    assert result.delta == pytest.approx(delta)
    assert result.delta_shares == pytest.approx(abs(delta) * 5_000_000)
    assert result.delta_adjusted_notional == pytest.approx(delta * 5_000_000 * 55.0)


def test_unlisted_contracts_and_bad_arguments_are_refused() -> None:
    with pytest.raises(NotFoundError, match="nearest listed is 2026-01-16"):
        analyses.position_exposure(chain(), strike=50, right="put", expiration=date(2026, 1, 9), contracts=1)  # type: ignore[arg-type]
    with pytest.raises(NotFoundError, match="nearest listed: 50"):
        analyses.position_exposure(chain(), strike=45, right="put", expiration=date(2026, 1, 16), contracts=1)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="contracts"):
        analyses.position_exposure(chain(), strike=50, right="put", expiration=date(2026, 1, 16), contracts=0)  # type: ignore[arg-type]
