"""maxpain: options open-interest and max-pain analysis from option-chain snapshots."""

from maxpain.chain import CHAIN_SCHEMA, Chain, ChainMeta, normalize, validate_ticker
from maxpain.errors import MaxpainError

__all__ = ["CHAIN_SCHEMA", "Chain", "ChainMeta", "MaxpainError", "normalize", "validate_ticker"]
__version__ = "0.1.0"
