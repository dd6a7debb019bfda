"""The contract's model as the oracle (vpbx_model): random sequences of the six operations over
the run's accounts, small groups of requests sent at once, and non-interference between accounts.

Every answer is compared with the model's, within the freedoms the document grants
(vpbx_model.freedoms). A divergence names the decisions the model enforces and shows the
shortest sequence found as a runnable curl script (also written to the report folder)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from vpbx_model.interference import differences
from vpbx_model.linearizable import linearizations
from vpbx_model.oracle import Answer
from vpbx_suite.completeness import NO_SECOND_ACCOUNT, NOT_APPLICABLE, not_run
from vpbx_suite.contract import NUMBER_FIELD, bundled_facts
from vpbx_suite.fresh_numbers import FreshNumbers, NumberSource, OfferedNumbers, OutOfNumbers, SourceFailed
from vpbx_suite.model_sequences import ACTIONS, NEVER_EXISTED, Outcome, Step, World, adopt, fork, play, shrink
from vpbx_suite.rules import AT_ONCE, MODEL, NOT_INTERFERING, ContractViolation, expect
from vpbx_suite.run import MAIN, OTHER, SuiteRun
from vpbx_suite.settings import CONNECTABLE, Target
from vpbx_suite.target_api import Sent, TargetApi, as_json
from vpbx_suite.target_tests.helpers import (connectable_numbers, free_idle_numbers, require_numbers, spend_write,
                                             take_number)

FACTS = bundled_facts()
LIFE = FACTS.lifecycle
STEPS = 12           # at most, per sequence
SHRINK_REPLAYS = 40  # at most, per counterexample
SCRIPT_NAME = "contract-model-counterexample.sh"


@pytest.fixture(scope="module")
def accounts(api: TargetApi, target: Target, run: SuiteRun) -> Iterator[dict[str, TargetApi]]:
    """The run's accounts: API_TOKEN's, and OTHER_API_TOKEN's when there is one."""
    apis = {MAIN: api}
    other = None
    if target.other_token:
        other = TargetApi(target.base_url, target.other_token, api._schema, run, account=OTHER,
                          secrets=target.secrets())
        apis[OTHER] = other
    yield apis
    if other is not None:
        other.close()


@pytest.fixture(scope="module")
def make_world(accounts: dict[str, TargetApi], run: SuiteRun, target: Target) -> Any:
    pool = target.numbers == CONNECTABLE
    sources: dict[str, NumberSource] = {}
    if OTHER in accounts:
        other = accounts[OTHER]
        sources[OTHER] = OfferedNumbers([], "the second account's connectable listing",
                                        read=lambda: connectable_numbers(other),
                                        held=run.held_numbers) if pool else FreshNumbers()

    def take(account: str) -> str:
        if account == MAIN:
            return take_number(run)
        try:
            return sources[account].next()
        except (OutOfNumbers, SourceFailed) as error:
            not_run(NOT_APPLICABLE, f"the second account: {error}")
            raise AssertionError("unreachable") from None

    def make() -> World:
        require_numbers(run)  # a broken source of numbers is reported once, by its precondition
        # Recycling (a source running dry frees the run's idle numbers) must not delete what the
        # model mirrors: the idle ones go now, before the world mirrors the server, and the
        # world pins what it adds.
        if run.checks(LIFE.delete):
            free_idle_numbers(accounts[MAIN], target.concurrency)
        return World(accounts, run, any_number=not pool, take_number=take, concurrency=target.concurrency)

    return make


def _report(run: SuiteRun, target: Target, outcome: Outcome, found: Outcome, replays: int) -> str:
    path = target.report_dir / SCRIPT_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(outcome.script, encoding="utf-8")
    return (f"the server leaves the contract's model ({', '.join(outcome.divergence.decisions)}): "
            f"{outcome.divergence}\n\nThe shortest sequence found: {len(outcome.steps)} steps, "
            f"{outcome.sent} requests (from {len(found.steps)} steps, {replays} replays); "
            f"also in {path}:\n\n{outcome.script}")


steps = st.builds(Step, st.sampled_from(ACTIONS), st.integers(0, 1), st.integers(0, 63), st.integers(0, 63))


@pytest.mark.needs("add", "read", "listing", "edit", "delete")
def test_random_sequences_agree_with_the_model(run: SuiteRun, target: Target, make_world: Any) -> None:
    found: list[Outcome] = []

    @hypothesis_seed(target.seed)
    @settings(max_examples=max(5, target.max_examples // 2), phases=[Phase.explicit, Phase.generate],
              deadline=None, database=None, suppress_health_check=list(HealthCheck), print_blob=False)
    @given(st.lists(steps, min_size=1, max_size=STEPS))
    def sequences(drawn: list[Step]) -> None:
        if found:
            return  # one counterexample is shrunk and reported; the rest of the budget is not spent
        outcome = play(make_world, drawn)
        if outcome.divergence is not None:
            found.append(outcome)

    sequences()
    if not found:
        return
    shortest, replays = shrink(make_world, found[0], SHRINK_REPLAYS, lambda: run.budget.left != 0)
    divergence = shortest.divergence or found[0].divergence
    if shortest.recorded:
        run.steps[:] = shortest.recorded  # the finding's reproduction: the shortest sequence's requests
    raise ContractViolation(MODEL, _report(run, target, shortest, found[0], replays),
                            decisions=getattr(divergence, "decisions", None), operation=getattr(divergence, "operation", None))


# --- requests at once --------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    account: str
    operation_id: str
    sent: Sent | None = None
    path: dict[str, Any] | None = None
    across: bool = False

    def label(self) -> str:
        operation = FACTS.operations[self.operation_id]
        return f"{self.account}: {operation.method.upper()} {operation.url_path(**(self.path or {}))}"


def _added(world: World, account: str) -> dict[str, Any]:
    """A number added on the account, through the model."""
    number = world.fresh(account, "model: requests at once and non-interference")
    body = {**FACTS.operations[LIFE.add].request_examples["seed"], NUMBER_FIELD: number}
    from vpbx_suite.fresh_numbers import spread_city_numbers
    body = spread_city_numbers(world.run, FACTS.operations[LIFE.add], body)
    server, _ = world.send(account, LIFE.add, as_json(body), what=f"add {number}")
    expect(isinstance(server.body, dict) and 200 <= server.status < 300, MODEL,
           f"adding {number} (offered) answered {server.status} {server.text[:200]}, where the model answers 201")
    world.live[account].append(server.body["id"])
    world.run.ledgers[account].pinned.add(server.body["id"])
    return server.body


def _edit_body(record_id: int, purpose: str, comment: str) -> Sent:
    body: dict[str, Any] = {"id": record_id, "purpose": purpose, "comment": comment}
    if purpose == "employee":
        body["employee_id"] = 4242
    return as_json(body)


def _group(name: str, world: World) -> list[Request]:
    other = OTHER if OTHER in world.apis else None
    if name in BOTH_ACCOUNTS and other is None:
        not_run(NO_SECOND_ACCOUNT, "set OTHER_API_TOKEN to another account's token on the same server")
    if name == "one number added by both accounts":
        # A number the second account is offered, if the first is offered it too (offers may
        # differ per account, D34).
        number = world.fresh(OTHER, "model: requests at once")
        spend_write(world.run, "model: requests at once")
        if not world.any_number and number not in connectable_numbers(world.apis[MAIN]):
            not_run(NOT_APPLICABLE, f"the first account is not offered {number}, which the second is")
        body = {**FACTS.operations[LIFE.add].request_examples["seed"], NUMBER_FIELD: number}
        return [Request(MAIN, LIFE.add, as_json(body)), Request(OTHER, LIFE.add, as_json(body))]
    if name == "one number added twice by one account":
        spend_write(world.run, "model: requests at once")
        body = {**FACTS.operations[LIFE.add].request_examples["seed"],
                NUMBER_FIELD: world.fresh(MAIN, "model: requests at once")}
        return [Request(MAIN, LIFE.add, as_json(body)), Request(MAIN, LIFE.add, as_json(body))]
    record = _added(world, MAIN)
    path = {"id": record["id"]}
    if name == "an edit and a delete of one id":
        return [Request(MAIN, LIFE.edit, _edit_body(record["id"], "employee", "at once"), path),
                Request(MAIN, LIFE.delete, path=path)]
    if name == "two deletes of one id":
        return [Request(MAIN, LIFE.delete, path=path), Request(MAIN, LIFE.delete, path=path)]
    if name == "two edits of one id":
        return [Request(MAIN, LIFE.edit, _edit_body(record["id"], "employee", "first"), path),
                Request(MAIN, LIFE.edit, _edit_body(record["id"], "company", "second"), path)]
    if name == "the owner's delete and another account's edit of one id":
        return [Request(MAIN, LIFE.delete, path=path),
                Request(OTHER, LIFE.edit, _edit_body(record["id"], "company", "not mine"), path, across=True)]
    if name == "the owner's delete and another account's add of its number":
        spend_write(world.run, "model: requests at once")
        if not world.any_number and record[NUMBER_FIELD] not in world.numbers:
            not_run(NOT_APPLICABLE, "the number is not known to the model")
        body = {**FACTS.operations[LIFE.add].request_examples["seed"], NUMBER_FIELD: record[NUMBER_FIELD]}
        return [Request(MAIN, LIFE.delete, path=path), Request(OTHER, LIFE.add, as_json(body))]
    raise LookupError(name)


BOTH_ACCOUNTS = {"one number added by both accounts", "the owner's delete and another account's edit of one id",
                 "the owner's delete and another account's add of its number"}
GROUPS = ["one number added by both accounts", "one number added twice by one account",
          "an edit and a delete of one id", "two deletes of one id", "two edits of one id",
          "the owner's delete and another account's edit of one id",
          "the owner's delete and another account's add of its number"]


def _at_once(world: World, requests: list[Request]) -> list[Answer]:
    barrier = threading.Barrier(len(requests))

    def send(request: Request) -> Answer:
        barrier.wait(timeout=10)
        return world.send_to_server(request.account, request.operation_id, request.sent, path=request.path,
                                    across=request.across)

    with ThreadPoolExecutor(len(requests)) as pool:
        futures = [pool.submit(send, request) for request in requests]
        return [future.result() for future in futures]


@pytest.mark.needs("add", "read", "listing", "edit", "delete")
@pytest.mark.parametrize("group", GROUPS)
def test_requests_at_once_are_answered_as_in_some_order(run: SuiteRun, make_world: Any, group: str) -> None:
    """Linearizability (D11, D24, D25, D32, D35): the answers to requests sent at once, and the
    state after them, are those of the same requests one after another in some order."""
    world = make_world()
    try:
        world.seed()
        requests = _group(group, world)
        answers = _at_once(world, requests)
        listings = {account: world.send_to_server(account, LIFE.listing) for account in world.apis}
        tried: list[World] = []

        def start() -> World:
            tried.append(fork(world))
            return tried[-1]

        def agrees(model: World, index: int) -> str | None:
            request, server = requests[index], answers[index]
            expected = model.model_answer(request.account, request.operation_id, request.sent, request.path, None)
            found = model.compare.answer(request.account, request.operation_id, server, expected,
                                         path_id=(request.path or {}).get("id"), known_numbers=model.numbers)
            return "; ".join(map(str, found)) or None

        def final(model: World) -> str | None:
            found = [str(d) for account, listing in listings.items()
                     for d in model.compare.listing(account, listing.body,
                                                    model.model_answer(account, LIFE.listing, None, None, None).body)]
            return "; ".join(found) or None

        order, reasons = linearizations(list(range(len(requests))), start, agrees, final)
        history = "\n".join(f"  {i + 1}. {request.label()} -> {answer.status} {answer.text[:120]}"
                            for i, (request, answer) in enumerate(zip(requests, answers)))
        expect(order is not None, AT_ONCE,
               f"{group}: no order of the requests explains the answers and the state after them\n{history}\n"
               + "\n".join(f"  {reason}" for reason in reasons))
        run.model["groups at once"] += 1
        adopt(world, tried[len(reasons)])
        for unused in tried[:len(reasons)] + tried[len(reasons) + 1:]:
            unused.oracle.close()
        for request, answer in zip(requests, answers):
            if request.operation_id == LIFE.add and 200 <= answer.status < 300 and isinstance(answer.body, dict):
                world.live[request.account].append(answer.body["id"])
            if request.operation_id == LIFE.delete and 200 <= answer.status < 300:
                gone = (request.path or {}).get("id")
                for ids in world.live.values():
                    if gone in ids:
                        ids.remove(gone)
    finally:
        world.cleanup()
        world.close()


# --- non-interference --------------------------------------------------------------------------

KINDS = ["read", "edit", "delete", "add"]
DIRECTIONS = [(MAIN, OTHER), (OTHER, MAIN)]


@pytest.mark.needs("add", "read", "listing", "edit", "delete")
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("direction", DIRECTIONS, ids=["API_TOKEN's object", "OTHER_API_TOKEN's object"])
def test_another_accounts_object_is_answered_as_one_that_never_existed(run: SuiteRun, make_world: Any,
                                                                       direction: tuple[str, str],
                                                                       kind: str) -> None:
    """D32, D35: any request naming another account's object (its id, its number) is answered
    exactly as the same request naming an object that never existed, but for the name."""
    owner, intruder = direction
    world = make_world()
    try:
        if owner not in world.apis or intruder not in world.apis:
            not_run(NO_SECOND_ACCOUNT, "set OTHER_API_TOKEN to another account's token on the same server")
        world.seed()
        record = _added(world, owner)
        if kind == "add":
            if world.any_number:
                not_run(NOT_APPLICABLE, "every number may be added here (NUMBERS is not connectable): "
                                        "no number is refused for not being offered")
            spend_write(run, "model: non-interference", 3)
            seed = FACTS.operations[LIFE.add].request_examples["seed"]
            names = [record[NUMBER_FIELD], world._never_offered(), world._never_offered()]
            answers = [world.send(intruder, LIFE.add, as_json({**seed, NUMBER_FIELD: name}),
                                  what=f"add {name}")[0] for name in names]
        else:
            if kind == "read":
                names = [record["id"], NEVER_EXISTED + 1, NEVER_EXISTED + 2]
            else:
                for _ in range(2):  # the intruder's own deleted ids: they answer as never existed (D24)
                    own = _added(world, intruder)
                    world.send(intruder, LIFE.delete, path={"id": own["id"]}, what=f"delete id {own['id']}")
                    world.live[intruder].remove(own["id"])
                    world.gone[intruder].append(own["id"])
                names = [record["id"], *world.gone[intruder][-2:]]
            operation = {"read": LIFE.read, "edit": LIFE.edit, "delete": LIFE.delete}[kind]
            answers = [world.send(intruder, operation,
                                  _edit_body(name, "company", "not mine") if kind == "edit" else None,
                                  path={"id": name}, across=name == record["id"] and kind != "read",
                                  what=f"{kind} id {name}")[0] for name in names]
        world.check_views()
        run.model["non-interference"] += 1
        found = differences(answers[0], str(names[0]), [(answers[1], str(names[1])), (answers[2], str(names[2]))])
        expect(not found, NOT_INTERFERING,
            f"a {kind} naming {names[0]}, another account's, is answered otherwise than one naming an object that "
            f"never existed ({', '.join(map(str, names[1:]))}), which tells that it exists (D32, D35): "
            + "; ".join(found))
    finally:
        world.cleanup()
        world.close()
