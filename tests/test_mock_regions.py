"""region_for, and the mock server keeping only the geocoder's +7 data."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from vpbx_spec.document import REPOSITORY_ROOT

# Run in a child: pruning the geocoder is for the server process, not for this test run.
CHILD = r"""
import json, random, psutil
from vpbx_mock.pool import generate_pool
from vpbx_mock.regions import keep_only_russian_geodata, region_for
rng = random.Random(7)
numbers = [entry.dgn_number for entry in generate_pool(2000) if entry.dgn_number]
numbers += ["7" + "".join(rng.choice("0123456789") for _ in range(10)) for _ in range(3000)]
before = [region_for(number) for number in numbers]
rss_before = psutil.Process().memory_info().rss
kept = keep_only_russian_geodata()
after = [region_for(number) for number in numbers]
print(json.dumps({"kept": kept, "same": before == after, "named": sum(map(bool, before)),
                  "saved": rss_before - psutil.Process().memory_info().rss}))
"""


@pytest.mark.slow
def test_keeping_only_russian_geodata_answers_the_same_and_saves_memory():
    result = subprocess.run([sys.executable, "-c", CHILD], cwd=REPOSITORY_ROOT,
                            capture_output=True, text=True, timeout=120, check=True)
    report = json.loads(result.stdout)
    assert report["same"], "region_for answers differently after pruning"
    assert report["named"] > 2000  # the sample really exercised the geocoder
    assert 100 < report["kept"] < 1000
    assert report["saved"] > 40 * 2**20, report
