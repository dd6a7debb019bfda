"""bench/charts.py from made-up results (no benchmark runs): each chart has a series per server
with the figures of the results, the files are PNG images, and RESULTS.md links exactly the
charts that were drawn; the committed RESULTS.md links only charts that are in the repository.

matplotlib is installed by `make bench` and `make test` (requirements-bench.txt); without it
these tests are skipped.
"""

from __future__ import annotations

import re
import struct
from datetime import datetime, timezone
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from matplotlib.figure import Figure  # noqa: E402

from bench.charts import (figures, latency_chart, memory_chart, suite_latency_chart, throughput_chart,  # noqa: E402
                          write_charts)
from bench.load import LoadResult  # noqa: E402
from bench.machine import Machine  # noqa: E402
from bench.memory import MemoryResult  # noqa: E402
from bench.paths import (BENCH_DIR, LATENCY_CHART, MEMORY_CHART, RESULTS_PATH, SUITE_LATENCY_CHART,  # noqa: E402
                         THROUGHPUT_CHART)
from bench.report import Results, markdown  # noqa: E402
from bench.suite_latency import LatencyRun  # noqa: E402
from bench.throughput import Point  # noqa: E402

SERVERS = {"our mock": 3.0, "our mock, log off": 3.5, "Prism static": 1.0, "Prism dynamic": 0.3}
CONCURRENCIES = (1, 16, 64)
_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")


def load(connections: int, requests_per_s: float, p99_ms: float) -> LoadResult:
    return LoadResult(connections=connections, duration_s=6.0, responses=int(requests_per_s * 6),
                      requests_per_s=requests_per_s, p50_ms=p99_ms / 4, p99_ms=p99_ms, max_ms=p99_ms * 2,
                      statuses={"201": int(requests_per_s * 6)}, non_2xx=0, errors=0, timeouts=0)


def rate(server: str, connections: int) -> float:
    return round(1000 * SERVERS[server] * (1 + connections / 64), 1)


def p99(server: str, connections: int) -> float:
    return round(connections / SERVERS[server] + 1, 2)


def synthetic(memory: bool = True) -> Results:
    machine = Machine(cores=2, cpu_model="test", memory_gib=4.0, os="Linux", started=datetime(2026, 1, 1, tzinfo=timezone.utc),
                      load_average=(0.1, 0.1, 0.1), python="3.11", node="v20", prism="5", autocannon="9",
                      schemathesis="4", uvicorn="0.54", starlette="1.10")
    results = Results(machine=machine)
    results.series = {server: [Point(server, load(c, rate(server, c), p99(server, c)), 0.1) for c in CONCURRENCIES]
                      for server in SERVERS}
    if memory:
        results.memory = MemoryResult(checkpoints=[(0, 80 * 2**20), (10_000, 86 * 2**20), (20_000, 86 * 2**20)],
                                      peak_rss=87 * 2**20, vm_hwm=88 * 2**20, load=load(16, 5000, 9))
    return results


def bars(figure: Figure) -> dict[str, list[float]]:
    """Each series (a server) of a bar chart, its bars' heights left to right."""
    (axes,) = figure.axes
    return {container.get_label(): [round(patch.get_height(), 2) for patch in container]
            for container in axes.containers}


def test_throughput_and_latency_have_a_series_per_server_with_its_figures():
    results = synthetic()
    assert bars(throughput_chart(results)) == {s: [rate(s, c) for c in CONCURRENCIES] for s in SERVERS}
    latency = latency_chart(results)
    assert bars(latency) == {s: [p99(s, c) for c in CONCURRENCIES] for s in SERVERS}
    (axes,) = latency.axes
    assert axes.get_yscale() == "log"
    assert [tick.get_text() for tick in axes.get_xticklabels()] == ["1", "16", "64"]


def test_a_server_missing_a_point_has_no_bar_there():
    results = synthetic()
    results.series["Prism dynamic"] = results.series["Prism dynamic"][:1]
    assert bars(throughput_chart(results))["Prism dynamic"] == [rate("Prism dynamic", 1)]


def test_memory_is_rss_over_requests_with_the_peak():
    figure = memory_chart(synthetic().memory)  # type: ignore[arg-type]
    (axes,) = figure.axes
    (line, peak) = axes.get_lines()
    assert list(line.get_xdata()) == [0, 10_000, 20_000] and list(line.get_ydata()) == [80, 86, 86]
    assert list(peak.get_ydata()) == [87, 87] and axes.get_ylim()[0] == 0


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_charts_are_written_as_png_images_and_linked_from_results(tmp_path: Path):
    written = write_charts(synthetic(), tmp_path)
    assert sorted(written) == sorted([THROUGHPUT_CHART, LATENCY_CHART, MEMORY_CHART])
    for path in written.values():
        assert png_size(path) == (800, 450)
    page = markdown(synthetic(), {name: path.name for name, path in written.items()})
    assert sorted(_IMAGE.findall(page)) == sorted(path.name for path in written.values())


def test_a_part_that_did_not_run_has_no_chart_and_no_link(tmp_path: Path):
    write_charts(synthetic(), tmp_path)
    written = write_charts(synthetic(memory=False), tmp_path)  # the earlier run's memory.png goes
    assert MEMORY_CHART not in written and not (tmp_path / MEMORY_CHART).exists()
    page = markdown(synthetic(memory=False), {name: path.name for name, path in written.items()})
    assert MEMORY_CHART not in page and THROUGHPUT_CHART in page
    assert figures(Results(machine=synthetic().machine)) == {}


def test_the_same_results_give_the_same_bytes(tmp_path: Path):
    first = {name: path.read_bytes() for name, path in write_charts(synthetic(), tmp_path / "a").items()}
    second = {name: path.read_bytes() for name, path in write_charts(synthetic(), tmp_path / "b").items()}
    assert first == second


def test_the_committed_results_link_only_charts_in_the_repository():
    links = _IMAGE.findall(RESULTS_PATH.read_text(encoding="utf-8"))
    assert f"charts/{THROUGHPUT_CHART}" in links, links
    for link in links:
        png_size(BENCH_DIR / link)


def latency_runs() -> list[LatencyRun]:
    """Made-up runs: the suite 30 s at 0 ms growing 0.3 s per ms; plain schemathesis 10 s, 0.5 s per ms."""
    return [run for ms in (0, 20, 50, 100) for run in (
        LatencyRun("make contract (CONCURRENCY=4)", ms, 30 + 0.3 * ms, 4000, "contract: PASS", 4),
        LatencyRun("plain schemathesis run (1 worker)", ms, 10 + 0.5 * ms, 400, "exit 1"))]


def test_the_suite_latency_chart_has_a_line_per_tool_with_its_times():
    results = synthetic()
    results.suite_latency = latency_runs()
    (axes,) = suite_latency_chart(results).axes
    lines = {line.get_label(): (list(line.get_xdata()), list(line.get_ydata())) for line in axes.get_lines()}
    assert lines == {"make contract (CONCURRENCY=4)": ([0, 20, 50, 100], [30.0, 36.0, 45.0, 60.0]),
                     "plain schemathesis run (1 worker)": ([0, 20, 50, 100], [10.0, 20.0, 35.0, 60.0])}
    page = markdown(results, {SUITE_LATENCY_CHART: SUITE_LATENCY_CHART})
    assert "at 50 ms the suite takes at most 1.5x its time at 0 ms: 1.50x, met" in page
    # 4000 responses, 4 at a time, each 50 ms late: 50 s at least, whatever the tool does.
    assert "make contract (CONCURRENCY=4) at 50 ms: at least 50.0 s (1.67x its 0 ms time)" in page
    assert "plain schemathesis run (1 worker) at 50 ms: at least 20.0 s (2.00x its 0 ms time)" in page
    assert f"]({SUITE_LATENCY_CHART})" in page


def test_a_run_of_some_parts_keeps_the_charts_of_the_others(tmp_path: Path):
    write_charts(synthetic(), tmp_path)
    results = Results(machine=synthetic().machine, parts=("suite-latency",))
    results.suite_latency = latency_runs()
    written = write_charts(results, tmp_path)
    assert sorted(written) == [SUITE_LATENCY_CHART]
    assert (tmp_path / THROUGHPUT_CHART).exists() and (tmp_path / MEMORY_CHART).exists()
