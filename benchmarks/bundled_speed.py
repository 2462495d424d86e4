"""How fast the command line answers, and the bundled run with its charts (issue 14, item 3).

    python benchmarks/bundled_speed.py [--repeat 3]

Times, as a newcomer meets them (fresh processes, the median of ``--repeat``): ``sumbench
--help``, ``sumbench tasks list``, the bundled default ``sumbench run`` (5 tasks x 6 systems x
3 scorers, tables, charts and the viewer) into a fresh folder, and the same run with
``--no-charts``. Then, in this process on the folder that run wrote, the charts drawn one after
another against drawn by one process per core (``bench.report.charts.draw_all``), with the ratio,
and a check that both give byte-identical files. Targets: --help and tasks list < 0.5 s, the
bundled run < 5 s.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _timed(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - start


def _median(args: list[str], repeat: int, cwd: Path = REPO) -> float:
    return statistics.median(_timed(args, cwd) for _ in range(repeat))


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _charts(folder: Path, parallel: bool) -> tuple[float, dict[str, str]]:
    from bench.report import charts
    from bench.report.build import build_report
    from bench.store import Store

    shutil.rmtree(folder / "charts", ignore_errors=True)
    saved = charts.PARALLEL_FROM
    charts.PARALLEL_FROM = saved if parallel else 10**9
    try:
        start = time.perf_counter()
        build_report(Store(folder))
        seconds = time.perf_counter() - start
    finally:
        charts.PARALLEL_FROM = saved
    return seconds, _digest(folder / "charts")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sumbench = [sys.executable, "-m", "bench"]
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    help_s = _median([*sumbench, "--help"], args.repeat)
    list_s = _median([*sumbench, "tasks", "list"], args.repeat)
    print(f"sumbench --help: {help_s:.2f} s [target < 0.5 s]")
    print(f"sumbench tasks list: {list_s:.2f} s [target < 0.5 s]")
    with tempfile.TemporaryDirectory(prefix="sumbench-bundled-") as tmp:
        runs, bare = [], []
        for index in range(args.repeat):
            out = Path(tmp) / f"run-{index}"
            runs.append(_timed([*sumbench, "run", "--out", str(out)], REPO))
            bare.append(_timed([*sumbench, "run", "--out", f"{out}-bare", "--no-charts"], REPO))
        run_s, bare_s = statistics.median(runs), statistics.median(bare)
        print(f"bundled run, charts and viewer included: {run_s:.2f} s [target < 5 s]")
        print(f"bundled run with --no-charts: {bare_s:.2f} s (charts: {run_s - bare_s:.2f} s)")
        folder = Path(tmp) / "run-0"
        serial = [_charts(folder, parallel=False) for _ in range(args.repeat)]
        shared = [_charts(folder, parallel=True) for _ in range(args.repeat)]
        serial_s = statistics.median(s for s, _ in serial)
        shared_s = statistics.median(s for s, _ in shared)
        same = all(d == serial[0][1] for _, d in serial + shared)
        print(
            f"report with charts, one process: {serial_s:.2f} s; one process per core: "
            f"{shared_s:.2f} s; ratio {serial_s / shared_s:.2f}x; files identical: {same}"
        )
    print(f"load average at end: {os.getloadavg()[0]:.1f}")
    ok = help_s < 0.5 and list_s < 0.5 and run_s < 5 and same
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
