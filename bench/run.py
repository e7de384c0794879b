#!/usr/bin/env python
"""Run benchmarks: `python bench/run.py [NAME]` (all when no name is given).

Each benchmark writes bench/results/<name>.json with name, params, value, unit, baseline,
ratio (= value / baseline), target and machine.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCHMARKS = {
    "outbox_throughput": "bench.outbox_throughput",
}


class Missing(Exception):
    """A service the benchmark needs is not available; the message says what to do."""


def machine() -> dict:
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
    }


def run_one(name: str) -> dict:
    module = importlib.import_module(BENCHMARKS[name])
    result = module.run()
    result = {"name": name, **result, "machine": machine()}
    result["ratio"] = round(result["value"] / result["baseline"], 3) if result["baseline"] else None
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    verdict = (
        "meets"
        if result["ratio"] is not None and result["ratio"] >= result["target"]
        else ("MISSES")
    )
    print(
        f"{name}: {result['value']} {result['unit']} vs baseline {result['baseline']} "
        f"-> ratio {result['ratio']} ({verdict} target {result['target']}); wrote {path}"
    )
    return result


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    for name in names:
        try:
            run_one(name)
        except Missing as exc:
            print(f"{name}: cannot run: {exc}")
            return 3
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from bench import run as _self  # one module identity for Missing

    sys.exit(_self.main(sys.argv[1:]))
