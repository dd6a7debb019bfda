"""The machine and tool versions a run happened on, for the header of RESULTS.md."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

import psutil

from bench.paths import AUTOCANNON_PACKAGE, PRISM_PACKAGE


@dataclass(frozen=True)
class Machine:
    cores: int
    cpu_model: str
    memory_gib: float
    os: str
    started: datetime
    load_average: tuple[float, float, float]  # other work on the machine skews every number
    python: str
    node: str
    prism: str
    autocannon: str
    schemathesis: str
    uvicorn: str
    starlette: str


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    return psutil.virtual_memory().total / 2**30


def _package_version(package_json: Path) -> str:
    try:
        return str(json.loads(package_json.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return "not installed"


def node_executable() -> str | None:
    return shutil.which("node")


def _node_version() -> str:
    node = node_executable()
    if node is None:
        return "not installed"
    return subprocess.run([node, "--version"], capture_output=True, text=True,
                          check=False).stdout.strip()


def describe() -> Machine:
    return Machine(
        cores=os.cpu_count() or 0,
        cpu_model=_cpu_model(),
        memory_gib=_memory_gib(),
        os=f"{platform.system()} {platform.release()}",
        started=datetime.now().astimezone(),
        load_average=os.getloadavg(),
        python=platform.python_version(),
        node=_node_version(),
        prism=_package_version(PRISM_PACKAGE),
        autocannon=_package_version(AUTOCANNON_PACKAGE),
        schemathesis=metadata.version("schemathesis"),
        uvicorn=metadata.version("uvicorn"),
        starlette=metadata.version("starlette"),
    )
