"""Cold import time of every function's ``main`` module (DESIGN.md §10 budget: <= 300 ms).

Each sample is a fresh interpreter started in ``functions/<group>/``, as the Cloud Functions
runtime starts it, timing ``import main`` only (interpreter start-up excluded). Prints a
table of median and worst of N runs per function and a final JSON line.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MS = 300.0
RUNS = 5
PROBE = ("import time; t = time.perf_counter(); import main; "
         "print((time.perf_counter() - t) * 1000)")


def sample(group_dir: Path) -> float:
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=group_dir, capture_output=True,
                         text=True, check=True, env={"PATH": "/usr/bin:/bin",
                                                     "PYTHONDONTWRITEBYTECODE": "1"})
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    results = {}
    for group_dir in sorted(p for p in (ROOT / "functions").iterdir() if p.is_dir()):
        times = [sample(group_dir) for _ in range(RUNS)]
        results[group_dir.name] = {"median_ms": round(statistics.median(times), 1),
                                   "max_ms": round(max(times), 1)}
    width = max(len(g) for g in results)
    print(f"{'function':{width}}  median_ms  max_ms  (budget {BUDGET_MS:.0f} ms)")
    for group, r in results.items():
        flag = "" if r["max_ms"] <= BUDGET_MS else "  OVER BUDGET"
        print(f"{group:{width}}  {r['median_ms']:9.1f}  {r['max_ms']:6.1f}{flag}")
    worst = max(r["max_ms"] for r in results.values())
    print(json.dumps({"bench": "cold_import", "runs": RUNS, "budget_ms": BUDGET_MS,
                      "worst_ms": worst, "within_budget": worst <= BUDGET_MS,
                      "functions": results}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
