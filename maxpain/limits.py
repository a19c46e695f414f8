"""The engine's limits and path choices, in a module without numpy (the one-ticker commands read
them without loading it).

- Below :func:`jit_threshold` rows the analyses that have a polars path (max pain) run it, and the
  numba kernels run their Python bodies; from it on the kernels run compiled.
- Payouts are exact int64 sums of ``weight × strike distance`` in thousandths; a segment whose
  Σ weight × strike range exceeds :data:`EXACT_LIMIT` is reported as :data:`TOO_LARGE` instead of
  a wrapped number.
"""

from __future__ import annotations

import os

DEFAULT_JIT_THRESHOLD = 50_000

# Status codes of a max-pain segment (kernels and the polars path alike)
OK = 0
NO_OPEN_INTEREST = 1
EMPTY = 2
TOO_LARGE = 3

# Σ weight × strike range must stay below this for int64 payouts to be exact.
EXACT_LIMIT = 4.0e18


def jit_threshold() -> int:
    """Rows from which the compiled kernels are used (``MAXPAIN_JIT_THRESHOLD``)."""
    value = os.environ.get("MAXPAIN_JIT_THRESHOLD")
    try:
        return int(value) if value else DEFAULT_JIT_THRESHOLD
    except ValueError:
        return DEFAULT_JIT_THRESHOLD
