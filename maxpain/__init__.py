"""maxpain: options open-interest and max-pain analysis from option-chain snapshots.

The public names are imported lazily so that ``import maxpain.errors`` (used by the CLI at
start-up) does not pull in polars or numba.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = [
    "CHAIN_SCHEMA",
    "Chain",
    "ChainMeta",
    "MaxpainError",
    "Store",
    "normalize",
    "read_file",
    "validate_ticker",
]

_LOCATIONS = {
    "CHAIN_SCHEMA": "maxpain.chain",
    "Chain": "maxpain.chain",
    "ChainMeta": "maxpain.chain",
    "normalize": "maxpain.normalize",
    "validate_ticker": "maxpain.chain",
    "MaxpainError": "maxpain.errors",
    "Store": "maxpain.store",
    "read_file": "maxpain.sources.files",
}


def __getattr__(name: str) -> Any:
    if name in _LOCATIONS:
        import importlib

        return getattr(importlib.import_module(_LOCATIONS[name]), name)
    raise AttributeError(f"module 'maxpain' has no attribute {name!r}")
