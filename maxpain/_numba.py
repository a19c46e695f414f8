"""The one gateway to numba: every kernel is compiled through :func:`jit`.

``foo_python`` is the plain-Python kernel (importable and testable as is); ``foo = jit(foo_python)``
is the compiled twin. With ``NUMBA_DISABLE_JIT=1`` numba hands back the Python function, so the
kernel bodies run (and count for coverage) as ordinary Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from numba import njit

F = TypeVar("F", bound=Callable[..., Any])

Int64Array1D = npt.NDArray[np.int64]
Float64Array1D = npt.NDArray[np.float64]
BoolArray1D = npt.NDArray[np.bool_]


def jit(function: F) -> F:
    """Compile lazily (on first call), cached on disk; no fastmath, so NaN keeps its meaning."""
    compiled: Any = njit(cache=True, nogil=True)(function)
    return compiled  # type: ignore[no-any-return,unused-ignore]
