"""bench/charts/*.png: the benchmark's figures drawn from the same Results as RESULTS.md, with
matplotlib (the Agg canvas: no display, no pyplot state), so the charts and the tables always
come from one run.

- throughput.png: requests/s of each server by concurrency (grouped bars);
- latency-p99.png: p99 latency of each server by concurrency (log scale: Prism dynamic's p99
  is tens of times ours);
- memory.png: the mock's RSS over the requests it answered, with the peak polled between.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from bench import memory as memory_part
from bench.load import LoadResult
from bench.paths import CHARTS_DIR, LATENCY_CHART, MEMORY_CHART, SUITE_LATENCY_CHART, THROUGHPUT_CHART
from bench.report import Results
from bench.targets import at
# One colour per server, the same in every chart: ours blue, Prism red.
COLOURS = {"our mock": "#1f6feb", "our mock, log off": "#8cb4f5", "Prism static": "#d1242f",
           "Prism dynamic": "#f4a3a8"}
_SIZE, _DPI = (8.0, 4.5), 100


def _figure(title: str) -> tuple[Figure, Axes]:
    figure = Figure(figsize=_SIZE, dpi=_DPI)
    axes = figure.add_subplot()
    axes.set_title(title, fontsize=11)
    axes.grid(axis="y", alpha=0.3)
    axes.set_axisbelow(True)
    return figure, axes


def by_concurrency(results: Results, value: Callable[[LoadResult], float | None], title: str, unit: str,
                   label: Callable[[float], str], log: bool = False) -> Figure:
    """Grouped bars: one group per concurrency, one bar per server (a bar missing where a
    server has no point there)."""
    figure, axes = _figure(title)
    concurrencies = sorted({p.load.connections for points in results.series.values() for p in points})
    width = 0.8 / max(len(results.series), 1)
    for index, (name, points) in enumerate(results.series.items()):
        offset = (index - (len(results.series) - 1) / 2) * width
        xs, ys = [], []
        for slot, connections in enumerate(concurrencies):
            point = at(points, connections)
            measured = None if point is None else value(point.load)
            if measured is not None:
                xs.append(slot + offset)
                ys.append(measured)
        bars = axes.bar(xs, ys, width, label=name, color=COLOURS.get(name))
        axes.bar_label(bars, labels=[label(y) for y in ys], fontsize=7, padding=2)
    axes.set_xticks(range(len(concurrencies)), [str(c) for c in concurrencies])
    axes.set_xlabel("concurrent connections (valid adds, a fresh number each)")
    axes.set_ylabel(unit)
    if log:
        axes.set_yscale("log")
        axes.yaxis.set_major_formatter(lambda y, _: f"{y:g}")  # 1, 10, 100 rather than powers
    else:
        axes.yaxis.set_major_formatter(lambda y, _: f"{y:,.0f}")
    axes.margins(y=0.15)
    axes.legend(fontsize=8, frameon=False)
    figure.tight_layout()
    return figure


def throughput_chart(results: Results) -> Figure:
    return by_concurrency(results, lambda load: load.requests_per_s, "Requests per second by concurrency",
                          "requests/s", lambda y: f"{y:,.0f}")


def latency_chart(results: Results) -> Figure:
    return by_concurrency(results, lambda load: load.p99_ms, "p99 latency by concurrency (log scale)",
                          "p99 latency, ms", lambda y: f"{y:.1f}", log=True)


def memory_chart(result: memory_part.MemoryResult) -> Figure:
    figure, axes = _figure(f"Our mock's RSS while it answers {memory_part.REQUESTS:,} adds "
                           f"({memory_part.CONNECTIONS} connections)")
    requests = [count for count, _ in result.checkpoints]
    rss = [value / 2**20 for _, value in result.checkpoints]
    axes.plot(requests, rss, marker="o", color=COLOURS["our mock"], label="RSS at each checkpoint")
    axes.axhline(result.peak_rss / 2**20, linestyle="--", color="#57606a",
                 label=f"peak polled every {memory_part.POLL_INTERVAL_S * 1000:.0f} ms: {result.peak_rss / 2**20:.1f} MiB")
    axes.set_ylim(0, max([*rss, result.peak_rss / 2**20]) * 1.25)  # from zero: flat looks flat
    axes.set_xlabel("requests answered")
    axes.set_ylabel("RSS, MiB")
    axes.xaxis.set_major_formatter(lambda x, _: f"{x:,.0f}")
    axes.legend(fontsize=8, frameon=False, loc="lower right")
    figure.tight_layout()
    return figure


def suite_latency_chart(results: Results) -> Figure:
    figure, axes = _figure("Wall time of a run by the server's latency per request")
    tools = list(dict.fromkeys(run.tool for run in results.suite_latency))
    for tool, colour in zip(tools, ("#0969da", "#bf8700", "#8250df")):
        runs = sorted((run for run in results.suite_latency if run.tool == tool), key=lambda run: run.latency_ms)
        axes.plot([run.latency_ms for run in runs], [run.seconds for run in runs], marker="o", color=colour,
                  label=tool)
        for run in runs:
            axes.annotate(f"{run.seconds:.0f} s", (run.latency_ms, run.seconds), textcoords="offset points",
                          xytext=(0, 6), ha="center", fontsize=7)
    axes.set_xlabel("latency per request, ms (MOCK_FAULTS='latency=…ms')")
    axes.set_ylabel("wall time, s")
    axes.set_xticks(sorted({run.latency_ms for run in results.suite_latency}))
    axes.set_ylim(bottom=0)
    axes.margins(y=0.15)
    axes.legend(fontsize=8, frameon=False)
    figure.tight_layout()
    return figure


def figures(results: Results) -> dict[str, Figure]:
    """The charts the results have data for, by file name."""
    drawn = {}
    if results.series:
        drawn[THROUGHPUT_CHART] = throughput_chart(results)
        drawn[LATENCY_CHART] = latency_chart(results)
    if results.memory is not None and results.memory.checkpoints:
        drawn[MEMORY_CHART] = memory_chart(results.memory)
    if results.suite_latency:
        drawn[SUITE_LATENCY_CHART] = suite_latency_chart(results)
    return drawn


CHART_PARTS = {THROUGHPUT_CHART: "throughput", LATENCY_CHART: "throughput", MEMORY_CHART: "memory",
               SUITE_LATENCY_CHART: "suite-latency"}


def write_charts(results: Results, directory: Path = CHARTS_DIR) -> dict[str, Path]:
    """Write the charts; a chart of an earlier run that this one has no data for is removed,
    so that the directory never mixes runs."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, part in CHART_PARTS.items():
        if not results.parts or part in results.parts:  # a chart of a part not run now stays
            (directory / name).unlink(missing_ok=True)
    for name, figure in figures(results).items():
        # No metadata (matplotlib's version): the same figures give the same bytes.
        figure.savefig(directory / name, format="png", metadata={"Software": None})
        written[name] = directory / name
    return written
