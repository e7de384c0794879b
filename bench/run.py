#!/usr/bin/env python
"""Run benchmarks: `python bench/run.py [NAME]` (all when no name is given).

Each benchmark writes bench/results/<name>.json with name, params, value, unit, baseline,
ratio (= value / baseline), target and machine. `target` bounds the ratio in the direction
`target_op` (">=" when absent: higher is better; "<=" for times); `value_target` bounds the
value itself where the issue sets one; `target_met` says whether all of them hold.
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
    "breach_fanout": "bench.breach_fanout",
    "deadline_sweep": "bench.deadline_sweep",
    "change_notice_fanout": "bench.change_notice_fanout",
    "register_latency": "bench.register_latency",
    "dashboard_latency": "bench.dashboard_latency",
    "letters_render": "bench.letters_render",
    "history_export": "bench.history_export",
    "audit_search_latency": "bench.audit_search_latency",
    "audit_chain_verify": "bench.audit_chain_verify",
    "dossier_render": "bench.dossier_render",
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


def _load_average() -> list[float]:
    """1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def run_one(name: str) -> dict:
    module = importlib.import_module(BENCHMARKS[name])
    load_before = _load_average()
    result = module.run()
    # How busy the machine was, so a figure from a shared moment can be told apart.
    load = {"before": load_before, "after": _load_average()}
    result = {"name": name, **result, "machine": {**machine(), "load_average": load}}
    result["ratio"] = round(result["value"] / result["baseline"], 3) if result["baseline"] else None
    result["target_met"] = target_met(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    verdict = "meets" if target_met(result) else "MISSES"
    value_target = result.get("value_target")
    also = f", value {value_target['op']} {value_target['value']}" if value_target else ""
    print(
        f"{name}: {result['value']} {result['unit']} vs baseline {result['baseline']} "
        f"-> ratio {result['ratio']} ({verdict} target ratio {result.get('target_op', '>=')} "
        f"{result['target']}{also}); wrote {path}"
    )
    return result


def _holds(value, op: str, target) -> bool:
    return value is not None and (value <= target if op == "<=" else value >= target)


def target_met(result: dict) -> bool:
    """`target` bounds the ratio (`target_op`, default ">="); an optional `value_target`
    ({"op", "value"}) bounds the value itself as well."""
    met = _holds(result["ratio"], result.get("target_op", ">="), result["target"])
    value_target = result.get("value_target")
    if value_target:
        met = met and _holds(result["value"], value_target["op"], value_target["value"])
    return met


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
