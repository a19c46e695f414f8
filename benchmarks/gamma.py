"""Dealer-gamma benchmark on the real SPY chain of the laiweibin archive (2026-08-14, 14,588
contracts). Prints progress, then ONE JSON object last.

    python benchmarks/gamma.py [--corpus ../shared/chains] [--runs 9]

Times (medians):
- the flip sweep: every contract of the chain with a usable IV and time left (zero OI included,
  weight 0) re-priced at 401 spot levels, compiled (after warm-up) with the levels split across the
  cores as ``gex`` runs it, on one thread, and in its plain-Python body (the path a one-ticker
  command takes below MAXPAIN_JIT_THRESHOLD);
- ``gex SPY`` and ``report SPY`` as whole processes, run in turn (A B A B …) on a store holding
  that one snapshot, with the run-by-run difference and ratio; also ``gex SPY --all``.

Targets (2 cores): sweep_compiled_ms <= 50; gex_minus_report_s <= 0.2.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))

from store_scale import once, print_verdict  # noqa: E402

from maxpain import pricing  # noqa: E402
from maxpain.analyses.flip import SWEEP_HIGH, SWEEP_LOW, SWEEP_STEPS  # noqa: E402
from maxpain.analyses.gamma import usable_volatility  # noqa: E402
from maxpain.market import years_to_expiry  # noqa: E402
from maxpain.sources.files import read_file  # noqa: E402

TARGETS = {"sweep_compiled_ms": 50.0, "gex_minus_report_s": 0.2}
FILE = "laiweibin456-us-option-data/SPY/SPY_2026-08-14.parquet"


def median_ms(function, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", default=os.environ.get("MAXPAIN_REAL_CORPUS", str(REPO.parent / "shared" / "chains"))
    )
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    path = Path(args.corpus) / FILE
    chain = read_file(path)
    frame = chain.frame
    spot = float(chain.meta.spot)  # type: ignore[arg-type]
    iv, _ = usable_volatility(chain, frame, 0.04)
    years = np.array([years_to_expiry(chain.meta.captured_at, e) for e in frame["expiration"].to_list()])
    usable = (iv.is_not_null().to_numpy()) & (years > 0)
    oi = frame["open_interest"].fill_null(0).to_numpy()
    sign = np.where((frame["right"] == "C").to_numpy(), 1.0, -1.0)
    weight = (sign * oi * frame["multiplier"].to_numpy())[usable].astype(np.float64)
    strikes = frame["strike"].to_numpy()[usable]
    vols = iv.fill_null(0.0).to_numpy()[usable]
    years = years[usable]
    levels = spot * np.linspace(SWEEP_LOW, SWEEP_HIGH, SWEEP_STEPS + 1)
    print(f"sweep over {strikes.shape[0]:,} contracts × {levels.shape[0]} levels …", file=sys.stderr)
    compiled = pricing.gamma_sweep.compiled
    start = time.perf_counter()
    compiled(levels, strikes, years, vols, 0.04, weight)
    first_call = time.perf_counter() - start
    os.environ["MAXPAIN_JIT_THRESHOLD"] = "0"  # swept_gex: compiled, the levels split across the cores
    pricing.swept_gex(levels, strikes, years, vols, 0.04, weight)
    result = {
        "contracts": int(strikes.shape[0]),
        "levels": int(levels.shape[0]),
        "sweep_compiled_ms": median_ms(
            lambda: pricing.swept_gex(levels, strikes, years, vols, 0.04, weight), args.runs
        ),
        "sweep_compiled_one_thread_ms": median_ms(
            lambda: compiled(levels, strikes, years, vols, 0.04, weight), args.runs
        ),
        "sweep_first_call_s": first_call,
        "sweep_python_body_ms": median_ms(
            lambda: pricing.gamma_sweep.python(levels, strikes, years, vols, 0.04, weight),
            max(3, args.runs // 3),
        ),
    }
    os.environ.pop("MAXPAIN_JIT_THRESHOLD")  # the commands run as a user runs them
    with tempfile.TemporaryDirectory(prefix="maxpain-gamma-") as base:
        store = str(Path(base) / "store")
        maxpain = [sys.executable, "-m", "maxpain_cli", "--store", store]
        subprocess.run([*maxpain, "import", str(path)], check=True, capture_output=True)
        gex, report = [*maxpain, "gex", "SPY"], [*maxpain, "report", "SPY"]
        once(gex)
        once(report)
        pairs = [(once(gex), once(report)) for _ in range(args.runs)]
        result["gex_s"] = statistics.median(a for a, _ in pairs)
        result["report_s"] = statistics.median(b for _, b in pairs)
        result["gex_minus_report_s"] = statistics.median(a - b for a, b in pairs)
        result["gex_over_report"] = statistics.median(a / b for a, b in pairs)
        every = [*maxpain, "gex", "SPY", "--all"]
        once(every)
        result["gex_all_s"] = statistics.median(once(every) for _ in range(args.runs))
    print_verdict(result, TARGETS, 4)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
