"""Random sequences of the six operations over the run's accounts, every answer compared with
the contract's model (vpbx_model): the bugs nobody wrote a test for.

A sequence is a list of abstract steps (an action, an account, which object, which form of the
request), so that it can be replayed and shrunk: a pick is taken modulo what exists when the
step runs. Each sequence starts from the server's state (its listings, mirrored in the oracle),
sends every step to the server and to the oracle, compares the answers (vpbx_model.freedoms),
checks every account's listing after each step that may change something, and deletes what it
added. hypothesis draws the sequences; a failing one is shrunk here, within a bound of replays
and of the write budget, to the shortest that still breaks the same decisions, and reported as
a numbered curl script.

Safety: edits and deletes go only to ids the run added (on either account); an id that never
existed is only read.
"""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from vpbx_model.freedoms import Comparison, Divergence
from vpbx_model.oracle import Answer, IdMap, Oracle, answer_of
from vpbx_suite.ahead import replay, sent_together
from vpbx_suite.completeness import NotRun
from vpbx_suite.contract import NUMBER_FIELD
from vpbx_suite.fresh_numbers import FreshNumbers, spread_city_numbers
from vpbx_suite.rules import MODEL, ContractViolation
from vpbx_suite.run import SuiteRun
from vpbx_suite.target_api import USE_TOKEN, Sent, TargetApi, as_json, json_or_none, raw
from vpbx_suite.target_tests.helpers import spend_write

ACTIONS = ("add", "read", "listing", "edit", "delete", "connectable", "refused")
ADD_FORMS = ("fresh", "known", "fresh", "never offered", "bad number", "unknown property", "null comment",
             "employee purpose")
TARGETS = ("own", "own deleted", "other's", "other's deleted", "never existed", "invalid id")
REFUSED_FORMS = ("malformed add", "add as text/plain", "read without a token", "listing with a wrong token",
                 "edit with an unknown property")
INVALID_IDS = ("0", "abc", "-1")
NEVER_EXISTED = 9_007_199_254_740_000  # below every bound the document has had (2^53 - 1, 2^63 - 1)


@dataclass(frozen=True)
class Step:
    action: str
    who: int   # which of the run's accounts (modulo their count)
    pick: int  # which object or value
    form: int  # which form of the request

    def __str__(self) -> str:
        return f"{self.action}(who={self.who}, pick={self.pick}, form={self.form})"


class ModelDivergence(ContractViolation):
    """An answer the model does not allow, with the decisions it breaks."""

    def __init__(self, divergences: list[Divergence], step: int, operation: str | None = None) -> None:
        decisions = tuple(sorted({d for divergence in divergences for d in divergence.decisions},
                                 key=lambda d: int(d[1:])))
        super().__init__(MODEL, "the server leaves the contract's model: " + "; ".join(map(str, divergences)),
                         decisions=decisions, operation=operation)
        self.divergences = divergences
        self.step = step


@dataclass
class Logged:
    account: str | None
    what: str
    curl: str
    expected: str
    got: str = ""


class Skip(Exception):
    """The step cannot run now (nothing to address, no write left): it is a no-op."""


@dataclass
class World:
    """One sequence: the server's accounts, the oracle mirroring them, and what was sent."""

    apis: dict[str, TargetApi]
    run: SuiteRun
    any_number: bool
    take_number: Callable[[str], str]  # a number the account's own source offers
    oracle: Oracle = field(init=False)
    ids: IdMap = field(default_factory=IdMap)
    compare: Comparison = field(init=False)
    log: list[Logged] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)          # numbers the sequence knows about
    live: dict[str, list[int]] = field(default_factory=dict)  # server ids the sequence added, per account
    gone: dict[str, list[int]] = field(default_factory=dict)
    steps_run: int = 0
    recorded: list[dict[str, Any]] = field(default_factory=list)  # the run's steps (curl, exchange) of this world
    offered_to: dict[str, str] = field(default_factory=dict)  # number -> the account whose source offered it
    undecided: int = 0  # answers the model could not decide (see `send`)
    concurrency: int = 1  # reads that change nothing go out this many at once (CONCURRENCY)

    def __post_init__(self) -> None:
        self.oracle = Oracle(list(self.apis), self.any_number)
        self.compare = Comparison(self.run.facts, self.ids, tuple(self.apis))
        self.live = {name: [] for name in self.apis}
        self.gone = {name: [] for name in self.apis}

    @property
    def life(self) -> Any:
        return self.run.facts.lifecycle

    def close(self) -> None:
        self.oracle.close()

    # --- the server's state, mirrored ------------------------------------------------------

    def seed(self) -> None:
        listings = sent_together([lambda api=api: api.call(self.life.listing) for api in self.apis.values()],
                                 self.concurrency)
        for account, outcome in zip(self.apis, listings):
            replay(self.run, outcome)
            if outcome.error is not None:
                raise outcome.error
            for record in json_or_none(outcome.value) or []:
                if isinstance(record, dict) and isinstance(record.get("id"), int):
                    self.ids.bind(account, record["id"], self.oracle.seed(account, record))
                    self.compare.views.differences(account, record, self.compare.own_fields)

    def cleanup(self) -> None:
        """Delete what the sequence added, in any order. A broken answer here is not the
        sequence's finding (it was judged, and the run's own cleanup deletes whatever is left)."""
        deletes = [lambda api=api, server_id=server_id: api.call(self.life.delete, path={"id": server_id})
                   for account, api in self.apis.items() for server_id in self.live[account]]
        for outcome in sent_together(deletes, self.concurrency):
            replay(self.run, outcome)
            if outcome.error is not None and not isinstance(outcome.error, Exception):
                raise outcome.error  # Ctrl-C, SIGTERM: the run stops (its own cleanup follows)
        for ids in self.live.values():
            ids.clear()

    # --- one request, to both ---------------------------------------------------------------

    def model_answer(self, account: str, operation_id: str, sent: Sent | None, path: dict[str, Any] | None,
                     query: dict[str, Any] | None, token: Any = USE_TOKEN) -> Answer:
        """The oracle's answer to the request the server got, its ids mapped to the oracle's."""
        others = [name for name in self.apis if name != account]
        operation = self.run.facts.operations[operation_id]
        model_path = {name: self.ids.to_model(account, value, others) for name, value in (path or {}).items()}
        content = b"" if sent is None else sent.content
        if sent is not None and isinstance(sent.body, dict) and "id" in sent.body:
            content = json.dumps({**sent.body, "id": self.ids.to_model(account, sent.body["id"], others)},
                                 ensure_ascii=False).encode("utf-8")
        headers = [*(() if sent is None or sent.content_type is None else [("Content-Type", sent.content_type)]),
                   *(sent.headers if sent else ())]
        model_account: str | None = account
        if token is not USE_TOKEN:
            model_account = None
            headers += [] if token is None else [("Authorization", token)]
        return self.oracle.send(model_account, operation.method.upper(), operation.url_path(**model_path),
                                query=urlencode(query or {}), headers=headers, content=content)

    def send_to_server(self, account: str, operation_id: str, sent: Sent | None = None, *,
                       path: dict[str, Any] | None = None, query: dict[str, Any] | None = None,
                       token: Any = USE_TOKEN, across: bool = False) -> Answer:
        response = self.apis[account].call(operation_id, sent, path=path, query=query, token=token, across=across)
        return answer_of(response.status_code, response.headers.get("content-type"), response.content)

    def judge(self, account: str, operation_id: str, server: Answer, model: Answer, path: dict[str, Any] | None,
              what: str) -> None:
        self.log.append(Logged(account, what or self.run.facts.operations[operation_id].label,
                               self.apis[account].run.last_request or "", _expected(model),
                               f"{server.status} {server.text[:160]}"))
        self.run.model["requests"] += 1
        divergences = self.compare.answer(account, operation_id, server, model, path_id=(path or {}).get("id"),
                                          path_invalid=str((path or {}).get("id", "1")) in INVALID_IDS,
                                          known_numbers=self.numbers)
        if self.run.steps:
            self.recorded.append(self.run.steps[-1])
        if divergences:
            raise ModelDivergence(divergences, self.steps_run, operation_id)

    def send(self, account: str, operation_id: str, sent: Sent | None = None, *,
             path: dict[str, Any] | None = None, query: dict[str, Any] | None = None,
             token: Any = USE_TOKEN, across: bool = False, what: str = "",
             open_refusal: bool = False) -> tuple[Answer, Answer]:
        """One request to the server and to the oracle, the answers compared. `open_refusal`: the
        server may refuse (422) what the model accepts, as a server whose accounts are offered
        different numbers does (D20 lets each account's listing be its own): the model then
        forgets the step, and the answer is counted as one it could not decide."""
        before = self.oracle.copy() if open_refusal else None
        server = self.send_to_server(account, operation_id, sent, path=path, query=query, token=token, across=across)
        model = self.model_answer(account, operation_id, sent, path, query, token)
        if before is not None:
            if 200 <= model.status < 300 and server.status == 422:
                self.oracle.close()
                self.oracle = before
                self.undecided += 1
                self.run.model["undecided"] += 1
                self.log.append(Logged(account, what, self.apis[account].run.last_request or "",
                                       "201 or 422 (undecided: offers may differ per account)",
                                       f"{server.status}"))
                return server, model
            before.close()
        self.judge(account, operation_id, server, model, path, what)
        return server, model

    def check_views(self) -> None:
        """Every account's listing equals the model's; the offers of the numbers it knows too.
        The reads change nothing: they go out at once, and are judged in order."""
        reads = [(account, self.life.listing, "the listing, checked against the model") for account in self.apis]
        if not self.any_number and self.run.checks(self.life.connectable):
            reads.append((next(iter(self.apis)), self.life.connectable,
                          "the connectable listing, checked against the model"))
        answers = sent_together([lambda account=account, operation_id=operation_id:
                                 self.send_to_server(account, operation_id) for account, operation_id, _ in reads],
                                self.concurrency)
        for (account, operation_id, what), outcome in zip(reads, answers):
            replay(self.run, outcome)  # its request is the run's last when it is judged
            if outcome.error is not None:
                raise outcome.error
            self.judge(account, operation_id, outcome.value, self.model_answer(account, operation_id, None, None, None),
                       None, what)

    # --- steps ------------------------------------------------------------------------------

    def account(self, step: Step) -> tuple[str, str | None]:
        names = list(self.apis)
        me = names[step.who % len(names)]
        other = next((name for name in names if name != me), None)
        return me, other

    def apply(self, step: Step) -> None:
        self.steps_run += 1
        self.run.model["steps"] += 1
        try:
            changed = getattr(self, "_" + step.action.replace(" ", "_"))(step)
        except Skip:
            return
        if changed:
            self.check_views()

    def _add(self, step: Step) -> bool:
        me, other = self.account(step)
        add = self.run.facts.operations[self.life.add]
        form = ADD_FORMS[step.form % len(ADD_FORMS)]
        body = dict(add.request_examples["seed"])
        purposes = list(add.enum_request_properties.get("purpose", ("company",)))
        types = list(add.enum_request_properties.get("type", ("def",)))
        body["purpose"] = purposes[step.pick % len(purposes)]
        body["type"] = types[step.pick % len(types)]
        comments = [None, "", f"model {secrets.token_hex(3)}", "Заметка ✓"]
        comment = comments[step.pick % len(comments)]
        body.pop("comment", None)
        if comment is not None:
            body["comment"] = comment
        if form in ("fresh", "known") or form == "never offered" and self.any_number:
            if form == "known" and self.numbers:
                number = self.numbers[step.pick % len(self.numbers)]
            else:
                number = self._fresh(me)
        elif form == "never offered":
            number = self._never_offered()
        else:
            number = self._fresh(me) if self.numbers == [] else self.numbers[step.pick % len(self.numbers)]
            if form == "bad number":
                number = "8" + number[1:]
            elif form == "unknown property":
                body["coment"] = "misspelt"
            elif form == "null comment":
                body["comment"] = None
            else:
                body["purpose"] = "employee"
        body[NUMBER_FIELD] = number
        body = spread_city_numbers(self.run, add, body)
        open_refusal = not self.any_number and self.offered_to.get(number, me) != me
        server, model = self.send(me, self.life.add, as_json(body), what=f"add {number} ({form})",
                                  open_refusal=open_refusal)
        if 200 <= server.status < 300 and isinstance(server.body, dict) and isinstance(server.body.get("id"), int):
            self.live[me].append(server.body["id"])
            self.run.ledgers[me].pinned.add(server.body["id"])
            return True
        return model.status < 300

    def _fresh(self, me: str) -> str:
        """A number the account may add, within the write budget; a step that cannot have one
        is skipped (counted under the budget, or as too few numbers)."""
        try:
            return self.fresh(me, "model sequences: adds")
        except NotRun:
            raise Skip() from None

    def fresh(self, me: str, check: str) -> str:
        """The same for a test that needs the number: not run without one."""
        spend_write(self.run, check)
        try:
            number = self.take_number(me)
        except NotRun:
            self.run.budget.give_back()
            raise
        self.oracle.offer(number)
        self.offered_to[number] = me
        self.numbers.append(number)
        return number

    def _never_offered(self) -> str:
        offered = set(self.numbers)
        number = next(n for n in iter(FreshNumbers().next, None) if n not in offered)
        self.numbers.append(number)  # it must stay unoffered, and never held
        return number

    def _target(self, step: Step, writes: bool) -> tuple[Any, bool]:
        """(the server id the step names, whether it is another account's)."""
        me, other = self.account(step)
        kind = TARGETS[step.form % len(TARGETS)]
        pools = {"own": self.live[me], "own deleted": self.gone[me],
                 "other's": self.live[other] if other else [], "other's deleted": self.gone[other] if other else []}
        if kind in pools:
            candidates = pools[kind]
            if not candidates:
                if writes:
                    raise Skip()
                return NEVER_EXISTED + step.pick % 7, False
            return candidates[step.pick % len(candidates)], kind.startswith("other")
        if writes and kind == "never existed":
            raise Skip()  # never an edit or a delete of an id the run did not add
        if kind == "never existed":
            return NEVER_EXISTED + step.pick % 7, False
        return INVALID_IDS[step.pick % len(INVALID_IDS)], False

    def _read(self, step: Step) -> bool:
        me, _ = self.account(step)
        target, _ = self._target(step, writes=False)
        self.send(me, self.life.read, path={"id": target}, what=f"read id {target}")
        return False

    def _listing(self, step: Step) -> bool:
        me, _ = self.account(step)
        listing = self.run.facts.operations[self.life.listing]
        types = list(listing.query_parameters.get("type", {}).get("enum", ()))
        queries: list[dict[str, Any] | None] = [None, *({"type": t} for t in types), {"type": "mobile"},
                                                {"page": "2"}, {"type": types[0], "limit": "1"} if types else None]
        query = queries[step.pick % len(queries)]
        self.send(me, self.life.listing, query=query, what=f"the listing {query or ''}".strip())
        return False

    def _connectable(self, step: Step) -> bool:
        me, _ = self.account(step)
        self.send(me, self.life.connectable, what="the connectable listing")
        return False

    def _edit(self, step: Step) -> bool:
        me, _ = self.account(step)
        target, across = self._target(step, writes=True)
        edit = self.run.facts.operations[self.life.edit]
        purposes = list(edit.enum_request_properties.get("purpose", ("company",)))
        purpose = purposes[step.pick % len(purposes)]
        body: dict[str, Any] = {"id": target, "purpose": purpose}
        variant = (step.pick // len(purposes)) % 6
        if purpose == "employee" and variant != 5:
            body["employee_id"] = 100 + step.pick % 5
        if variant in (1, 3):
            body["comment"] = f"edited {step.pick % 4}"
        if variant == 2:
            body["comment"] = ""
        if variant == 4 and purpose != "employee":
            body["employee_id"] = 7  # with another purpose: refused (D27)
        if variant == 3 and self.live[me]:
            body["id"] = self.live[me][(step.pick + 1) % len(self.live[me])]  # may differ from the path (D26)
        server, model = self.send(me, self.life.edit, as_json(body), path={"id": target}, across=across,
                                  what=f"edit id {target} to {purpose}")
        return model.status < 300 or server.status < 300

    def _delete(self, step: Step) -> bool:
        me, _ = self.account(step)
        target, across = self._target(step, writes=True)
        server, model = self.send(me, self.life.delete, path={"id": target}, across=across,
                                  what=f"delete id {target}")
        if 200 <= server.status < 300 and target in self.live[me]:
            self.live[me].remove(target)
            self.gone[me].append(target)
        return model.status < 300 or server.status < 300

    def _refused(self, step: Step) -> bool:
        me, _ = self.account(step)
        form = REFUSED_FORMS[step.form % len(REFUSED_FORMS)]
        number = self.numbers[step.pick % len(self.numbers)] if self.numbers else "79000000000"
        if form == "malformed add":
            self.send(me, self.life.add, raw(b'{"number": "' + number.encode() + b'", '), what=form)
        elif form == "add as text/plain":
            body = spread_city_numbers(self.run, self.run.facts.operations[self.life.add],
                                       {**self.run.facts.operations[self.life.add].request_examples["seed"],
                                        NUMBER_FIELD: number})
            self.send(me, self.life.add, raw(json.dumps(body).encode(), "text/plain"), what=form)
        elif form == "read without a token":
            self.send(me, self.life.read, path={"id": (self.live[me] or [NEVER_EXISTED])[0]}, token=None, what=form)
        elif form == "listing with a wrong token":
            self.send(me, self.life.listing, token="model-" + secrets.token_hex(8), what=form)
        else:
            if not self.live[me]:
                raise Skip()
            target = self.live[me][step.pick % len(self.live[me])]
            self.send(me, self.life.edit, as_json({"id": target, "purpose": "company", "extra": 1}),
                      path={"id": target}, what=form)
        return True  # a refused request must change nothing: look

    # --- the report ---------------------------------------------------------------------------

    def script(self, divergence: ModelDivergence) -> str:
        lines = ["#!/usr/bin/env bash",
                 "# The shortest sequence found in which the server leaves the contract's model.",
                 "# Set API_TOKEN (and OTHER_API_TOKEN, the second account) first; each step says",
                 "# what the model answers. The last step shows the divergence.", "set -u"]
        for number, logged in enumerate(self.log, start=1):
            who = "" if logged.account is None else f" [{logged.account} account]"
            lines.append(f"# {number}.{who} {logged.what}: the model answers {logged.expected}")
            if number == len(self.log):
                lines.append(f"#    the server answered {logged.got}; {divergence}")
            lines.append(logged.curl)
        return "\n".join(lines) + "\n"


def model_line(counts: dict[str, int]) -> str:
    """What the model phase compared, for the run's last lines."""
    undecided = counts["undecided"]
    return (f"the contract's model: {counts['sequences']} random sequences ({counts['steps']} steps), "
            f"{counts['groups at once']} groups of requests at once, {counts['non-interference']} "
            f"non-interference checks; {counts['requests']} answers compared with it"
            + (f", {undecided} it could not decide and accepted (an add of a number offered to the other "
               "account: offers may differ per account, D34)" if undecided else ""))


def _expected(model: Answer) -> str:
    if 200 <= model.status < 300:
        return f"{model.status}"
    error = model.body.get("error") if isinstance(model.body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    return f"{model.status}" + (f" ({code})" if code else "")


@dataclass
class Outcome:
    steps: list[Step]
    divergence: ModelDivergence | None
    script: str = ""
    sent: int = 0
    recorded: list[dict[str, Any]] = field(default_factory=list)


def play(make_world: Callable[[], World], steps: list[Step]) -> Outcome:
    """Run one sequence from the server's present state, and clean up after it."""
    world = make_world()
    try:
        if isinstance(getattr(world, "run", None), SuiteRun):
            world.run.model["sequences"] += 1
        world.seed()
        for index, step in enumerate(steps):
            try:
                world.apply(step)
            except ModelDivergence as divergence:
                return Outcome(steps[: index + 1], divergence, world.script(divergence), len(world.log),
                               list(getattr(world, "recorded", [])))
        return Outcome(steps, None, sent=len(world.log))
    finally:
        try:
            world.cleanup()
        finally:
            world.close()


def shrink(make_world: Callable[[], World], failing: Outcome, replays: int,
           can_replay: Callable[[], bool]) -> tuple[Outcome, int]:
    """The shortest sequence found (removing chunks, then single steps, then simplifying picks)
    that still breaks the same decisions; at most `replays` replays."""
    best = failing
    used = 0
    decisions = failing.divergence.decisions if failing.divergence else ()

    def attempt(steps: list[Step]) -> bool:
        nonlocal best, used
        if used >= replays or not can_replay():
            return False
        used += 1
        outcome = play(make_world, steps)
        if outcome.divergence is not None and outcome.divergence.decisions == decisions:
            best = outcome
            return True
        return False

    chunk = max(1, len(best.steps) // 2)
    while chunk >= 1 and used < replays:
        start, progressed = 0, False
        while start < len(best.steps) - 1 and used < replays:
            candidate = best.steps[:start] + best.steps[start + chunk:]
            if candidate and attempt(candidate):
                progressed = True
            else:
                start += chunk
        if not progressed:
            chunk //= 2
    for index in range(len(best.steps)):
        if used >= replays or index >= len(best.steps):
            break
        step = best.steps[index]
        if step.pick:
            attempt([*best.steps[:index], Step(step.action, step.who, 0, step.form), *best.steps[index + 1:]])
    return best, used


def fork(world: World) -> World:
    """The same world with copies of the model's state: an order of concurrent requests is
    tried on a fork, so that the others start from the same state."""
    clone = copy.copy(world)
    clone.oracle = world.oracle.copy()
    clone.ids = copy.deepcopy(world.ids)
    clone.compare = Comparison(world.run.facts, clone.ids, world.compare.accounts, copy.deepcopy(world.compare.views))
    clone.log = list(world.log)
    clone.live = {name: list(ids) for name, ids in world.live.items()}
    clone.gone = {name: list(ids) for name, ids in world.gone.items()}
    return clone


def adopt(world: World, chosen: World) -> None:
    """Carry on from the state of the order that explained the answers."""
    world.oracle.close()
    world.oracle, world.ids, world.compare = chosen.oracle, chosen.ids, chosen.compare
