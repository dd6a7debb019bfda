"""The edit edges' lanes (vpbx_suite.edge_requests): the edges are sent up to
CONCURRENCY at a time, each on one of the run's numbers that no other edge works on meanwhile;
the numbers beyond the first are added only while the write budget can spare them."""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.transports import Replayed
from vpbx_suite.accepted_requests import check_edit
from vpbx_suite.accepted_space import bundled_catalog as accepted_catalog
from vpbx_suite.ahead import Ahead
from vpbx_suite.contract import bundled_facts
from vpbx_suite.edge_requests import EditLanes, edit_edge_request
from vpbx_suite.edges import bundled_catalog
from vpbx_suite.ledger import WriteBudget
from vpbx_suite.mock_process import MockProcess, running_mock
from vpbx_suite.rules import REJECTED_STORES_NOTHING, ContractViolation
from vpbx_suite.run import SuiteRun, start_run
from vpbx_suite.schemathesis_config import load_schema
from vpbx_suite.target_api import TargetApi

EDIT_EDGES = [edge for edge in bundled_catalog()[0] if edge.operation_id == bundled_facts().lifecycle.edit]
ACCEPTED_EDITS = accepted_catalog().get(bundled_facts().lifecycle.edit or "", [])
TOKEN = "lanes-token"
LATENCY = 0.01  # a far server's, in small: requests of the edges overlap


class Overlaps(httpx.BaseTransport):
    """Forwards to the mock; counts the requests in flight at once, in all and on each id."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self._lock = threading.Lock()
        self._in_flight: Counter[str | None] = Counter()
        self.most_on_one_id = 0
        self.most = 0
        self.sent: Counter[tuple[str, bool]] = Counter()  # (method, names an id)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        match = re.search(r"/numbers/virtual-number/(\d+)$", request.url.path)
        key = match[1] if match else None
        with self._lock:
            self.sent[request.method, key is not None] += 1
            self._in_flight[key] += 1
            self.most = max(self.most, sum(self._in_flight.values()))
            if key is not None:
                self.most_on_one_id = max(self.most_on_one_id, self._in_flight[key])
        try:
            time.sleep(LATENCY)
            answer = self._inner.handle_request(request)
            answer.read()
            return httpx.Response(answer.status_code, headers=answer.headers, stream=Replayed(answer.content))
        finally:
            with self._lock:
                self._in_flight[key] -= 1


@pytest.fixture
def mock(tmp_path: Path) -> Iterator[MockProcess]:
    with running_mock(tmp_path / "db.sqlite3", {"API_TOKEN": TOKEN, "MOCK_CONNECTABLE": "any"}) as process:
        yield process


class StoresARefusedEditsComment(Overlaps):
    """A server that refuses an edit yet stores a new comment for the id, once, after the edges
    have run a while (each lane then starts from the record as its last edge read it)."""

    def __init__(self, after_refusals: int) -> None:
        super().__init__()
        self.refusals, self.after_refusals = 0, after_refusals

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = super().handle_request(request)
        if request.method == "PUT" and 400 <= answer.status_code < 500:
            self.refusals += 1
            if self.refusals == self.after_refusals:
                edit = {**bundled_facts().operations[bundled_facts().lifecycle.edit].request_examples["seed"],
                        "id": int(request.url.path.rsplit("/", 1)[1]), "comment": "stored by a refused edit"}
                stored = self._inner.handle_request(httpx.Request(
                    "PUT", request.url, headers={"Authorization": request.headers["Authorization"]}, json=edit))
                stored.read()
                assert stored.status_code == 200, stored.content
        return answer


def on_lanes_against(mock: MockProcess, concurrency: int, max_writes: int | None, count: int,
                     check: Callable[[TargetApi, SuiteRun, EditLanes, int], Callable[[], None]],
                     transport: Overlaps | None = None, **lane_names: str) -> tuple[EditLanes, Overlaps, SuiteRun]:
    """`count` cases sent ahead CONCURRENCY at a time on the lanes, as the suite sends and judges
    them (`check` prepares case i); a failure of any is raised."""
    run = start_run(SuiteRun(budget=WriteBudget(max_writes)))
    transport = transport or Overlaps()
    api = TargetApi(mock.base_url, TOKEN, load_schema(mock.base_url, TOKEN, 1, 0), run, transport=transport)
    lanes = EditLanes(api, run, concurrency, **lane_names)
    ahead: Ahead[int, None] = Ahead(run, list(range(count)), lambda i: check(api, run, lanes, i), concurrency)
    try:
        for index in range(count):
            ahead.take(index)
    finally:
        ahead.close()
        lanes.release()
        api.close()
    return lanes, transport, run


def edit_edges_against(mock: MockProcess, concurrency: int, max_writes: int | None,
                       edges: int = len(EDIT_EDGES), transport: Overlaps | None = None,
                       ) -> tuple[EditLanes, Overlaps, SuiteRun]:
    """The first `edges` edit edges, as the suite sends and judges them; a failure of any is raised."""
    return on_lanes_against(mock, concurrency, max_writes, edges,
                            lambda api, run, lanes, i: edit_edge_request(api, run, lanes)(EDIT_EDGES[i]), transport)


@pytest.mark.slow  # a real mock process, about 200 edges
def test_edit_edges_go_out_at_once_but_never_two_on_one_number(mock: MockProcess):
    lanes, transport, run = edit_edges_against(mock, concurrency=4, max_writes=None)
    assert lanes.count == 4
    assert transport.most > 1
    assert transport.most_on_one_id == 1
    assert not run.ledger.kept  # released: the numbers may be recycled after the edges


@pytest.mark.slow  # a real mock process
def test_edit_edges_take_more_numbers_only_while_the_budget_can_spare_them(mock: MockProcess):
    lanes, _, run = edit_edges_against(mock, concurrency=4, max_writes=4, edges=20)
    assert (lanes.count, run.budget.spent) == (2, 2)  # the second leaves half of 4


@pytest.mark.slow  # a real mock process
def test_one_at_a_time_the_edit_edges_work_on_one_number(mock: MockProcess):
    lanes, transport, _ = edit_edges_against(mock, concurrency=1, max_writes=None, edges=40)
    assert (lanes.count, transport.most) == (1, 1)


@pytest.mark.slow  # a real mock process, about 200 edges
def test_each_edge_reads_its_number_once_the_lane_remembers_the_rest(mock: MockProcess):
    """Read, edit, read again: the read before is the lane's last read after the first edge."""
    lanes, transport, _ = edit_edges_against(mock, concurrency=4, max_writes=None)
    edits, reads = transport.sent["PUT", True], transport.sent["GET", True]
    assert edits == len(EDIT_EDGES)
    assert reads <= edits + lanes.count, (reads, edits, lanes.count)


@pytest.mark.slow  # a real mock process
def test_a_refused_edit_that_stores_a_change_is_caught_from_the_remembered_record(mock: MockProcess):
    with pytest.raises(ContractViolation, match="changed the record: comment: expected") as caught:
        edit_edges_against(mock, concurrency=4, max_writes=None, transport=StoresARefusedEditsComment(20))
    assert caught.value.rule == REJECTED_STORES_NOTHING


@pytest.mark.slow  # a real mock process
def test_the_accepted_edits_share_out_their_numbers_the_same_way(mock: MockProcess):
    """The accepted space's edit cases: each on a lane of its own, from that number's last read."""
    # A case that is not stored exactly as sent raises here.
    lanes, transport, _ = on_lanes_against(
        mock, 4, None, len(ACCEPTED_EDITS), lambda api, run, lanes, i: lambda: check_edit(api, run, lanes, ACCEPTED_EDITS[i]),
        work="the accepted edits", spent_on="the accepted space of the edit")
    assert len(ACCEPTED_EDITS) > 8 and lanes.count == 4
    assert transport.most > 1
    assert transport.most_on_one_id == 1
    assert transport.sent["PUT", True] == len(ACCEPTED_EDITS)
