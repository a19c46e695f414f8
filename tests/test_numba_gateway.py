"""The one gateway to numba (maxpain._numba) loads it without its support for packages no kernel
uses (cffi, coverage): they are hidden only while numba imports, never from the rest of the
process, and a package the process imported first is left to numba."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow

LOAD = """
import sys
import numpy as np
{first}
from maxpain import kernels
ones = np.ones(3, dtype=np.int64)
call, put = kernels.contract_weights.compiled(np.array([0, 1, 0], dtype=np.uint32), ones, ones * 100)
assert call.tolist() == [100, 0, 100] and put.tolist() == [0, 100, 0]
from numba.core.typing import cffi_utils
from numba.misc import coverage_support
print(cffi_utils.SUPPORTED, coverage_support.coverage_available, "cffi" in sys.modules)
{after}
"""


def loaded(first: str = "", after: str = "") -> str:
    run = subprocess.run(
        [sys.executable, "-c", LOAD.format(first=first, after=after)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        # (without pytest-cov's variables: they start coverage in a subprocess before numba loads)
        env={k: v for k, v in os.environ.items() if not k.startswith("COV_CORE")},
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_numba_loads_without_cffi_and_coverage_which_stay_importable() -> None:
    after = "import cffi, coverage; print(cffi.FFI is not None, coverage.Coverage is not None)"
    if importlib.util.find_spec("cffi") is None or importlib.util.find_spec("coverage") is None:
        after = ""
    out = loaded(after=after).split("\n")
    assert out[0] == "False False False"
    if after:
        assert out[1] == "True True"  # hidden while numba imported, importable again after


@pytest.mark.skipif(importlib.util.find_spec("cffi") is None, reason="cffi is not installed")
def test_a_package_imported_before_numba_is_left_to_it() -> None:
    assert loaded(first="import cffi").split("\n")[0] == "True False True"
