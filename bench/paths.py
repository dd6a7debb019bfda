"""Where the benchmark's tools and documents are."""

from __future__ import annotations

import sys
from pathlib import Path

from vpbx_spec.document import DOCUMENT_PATH, REPOSITORY_ROOT

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_PATH = BENCH_DIR / "RESULTS.md"
# The charts (bench/charts.py), linked from RESULTS.md by these names under CHARTS_DIR.
CHARTS_DIR = BENCH_DIR / "charts"
THROUGHPUT_CHART, LATENCY_CHART, MEMORY_CHART = "throughput.png", "latency-p99.png", "memory.png"
SUITE_LATENCY_CHART = "suite-latency.png"
LOAD_SCRIPT = BENCH_DIR / "load.js"
NODE_MODULES = REPOSITORY_ROOT / "tools" / "node_modules"
PRISM = NODE_MODULES / ".bin" / "prism"
AUTOCANNON_PACKAGE = NODE_MODULES / "autocannon" / "package.json"
PRISM_PACKAGE = NODE_MODULES / "@stoplight" / "prism-cli" / "package.json"
# The CLI installed next to the interpreter running the benchmark (the project venv).
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"

__all__ = ["BENCH_DIR", "DOCUMENT_PATH", "REPOSITORY_ROOT", "RESULTS_PATH", "CHARTS_DIR", "THROUGHPUT_CHART",
           "LATENCY_CHART", "MEMORY_CHART", "SUITE_LATENCY_CHART", "LOAD_SCRIPT",
           "NODE_MODULES", "PRISM", "AUTOCANNON_PACKAGE", "PRISM_PACKAGE", "SCHEMATHESIS"]
