"""The one gateway to numba: every kernel is compiled through :func:`jit`.

``foo_python`` is the plain-Python kernel (importable and testable as is); ``foo = jit(foo_python)``
is its dispatcher. The dispatcher runs the numba-compiled twin (``@njit(cache=True)``) for inputs of
at least ``MAXPAIN_JIT_THRESHOLD`` rows (default 50,000) and the Python body below that.

Why: numba costs ~0.4 s to import and ~0.5 s to initialise its target the first time a cached
kernel is loaded, in every process. For one ticker's chain (a few thousand contracts) the Python
body finishes in milliseconds, so a CLI command on one snapshot never pays that start-up; whole
markets, windows over many snapshots and the benchmarks run compiled. Both paths execute the same
function body; tests run the compiled path (threshold 0) and check the two agree. With
``NUMBA_DISABLE_JIT=1`` numba itself hands back the Python function, so coverage sees the bodies.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from maxpain.limits import jit_threshold

F = TypeVar("F", bound=Callable[..., Any])

Int64Array1D = npt.NDArray[np.int64]
Float64Array1D = npt.NDArray[np.float64]
BoolArray1D = npt.NDArray[np.bool_]


class Kernel(Generic[F]):
    """A kernel with its Python body (``.python``) and its lazily compiled twin (``.compiled``)."""

    def __init__(self, function: F) -> None:
        self.python: F = function
        self._compiled: Any = None
        functools.update_wrapper(self, function)

    @property
    def compiled(self) -> F:
        """Compile lazily (first use), cached on disk; no fastmath, so NaN keeps its meaning."""
        if self._compiled is None:
            self._compiled = _numba().njit(cache=True, nogil=True)(self.python)
        compiled: F = self._compiled
        return compiled

    def runs_compiled(self, *args: Any) -> bool:
        """Whether a call with ``args`` runs the compiled twin (its largest array has at least
        ``MAXPAIN_JIT_THRESHOLD`` rows)."""
        return max((len(a) for a in args if isinstance(a, np.ndarray)), default=0) >= jit_threshold()

    def __call__(self, *args: Any) -> Any:
        return self.compiled(*args) if self.runs_compiled(*args) else self.python(*args)


#: Optional packages numba imports at start-up to support them inside compiled code, which no
#: kernel here uses: cffi (installed with yfinance's curl_cffi; its C parser costs ~75 ms to
#: import) and coverage (installed with the test extras; ~50 ms).
_UNUSED_SUPPORT = ("cffi", "coverage")


def _numba() -> Any:
    """numba, imported without its support for :data:`_UNUSED_SUPPORT`: a package not imported yet
    is hidden while numba imports its support modules, which then find it missing, as on a machine
    without it (its typing of cffi objects is switched off; its coverage hook needs coverage already
    running, which would have imported it). A package already imported is left to numba."""
    if "numba.core.typing.cffi_utils" in sys.modules:
        import numba

        return numba
    hidden = [name for name in _UNUSED_SUPPORT if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        import numba
        import numba.core.typing.cffi_utils  # imported by the first compilation otherwise
    finally:
        for name in hidden:
            if sys.modules.get(name, False) is None:
                del sys.modules[name]
    return numba


def jit(function: F) -> F:
    """Wrap a plain-Python kernel in a size-dispatching :class:`Kernel`."""
    return Kernel(function)  # type: ignore[return-value]
