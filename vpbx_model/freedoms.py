"""What a conforming server may do differently from the model, written once: the comparison of
a server's answer with the oracle's (vpbx_model.oracle).

The freedoms, each with the decision that grants it:
- a success is any status the operation documents as one (D9: the add's 200 or 201);
- ids are the server's own (D36): they are mapped to the model's when both create a record;
- invalid input is `400` or `422` (D10); a path id that is not one may also be `404` (D24);
- error bodies are the server's: any JSON object, any message (D10); only the status is compared
  (what an error must not reveal is vpbx_suite's non-interference check);
- a record may carry fields the document does not list (D6), and the server's own fields (those
  no request sets: `region_name`, ...) are the server's to fill; they stay as the server first
  showed them (D23), except `state`, which a server may move on its own, as a number is
  provisioned (D2, D23);
- the listing's order is free (D22); the edit may answer with the four fields or the whole
  record (D25);
- which numbers a connectable listing offers beyond those the model knows of is the server's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from vpbx_model.oracle import Answer, IdMap
from vpbx_suite.contract import ContractFacts, NUMBER_FIELD

INVALID_INPUT = frozenset({400, 422})  # D10
NOT_FOUND = 404
# Fields a server may change on its own between two reads (D23, amended): the number's state.
MOVES_ON_ITS_OWN = frozenset({"state"})
# Decisions an answer of the model stands for, by the mock's error code.
_ERROR_DECISIONS = {"duplicate_number": ("D11",), "number_not_connectable": ("D20", "D35"),
                    "not_found": ("D24", "D32"), "validation_failed": ("D10",), "unauthorized": ("D14",),
                    "malformed_json": ("D18",), "unsupported_media_type": ("D18",),
                    "payload_too_large": ("D10",)}
_SUCCESS_DECISIONS = {"add": ("D20", "D11", "D23"), "read": ("D23",), "listing": ("D22", "D23", "D33"),
                      "edit": ("D25",), "delete": ("D24",), "connectable": ("D21", "D34")}
_MISSING = object()


@dataclass(frozen=True)
class Divergence:
    """Where the server's answer leaves what the contract allows, and the decisions it breaks."""

    decisions: tuple[str, ...]
    message: str

    def __str__(self) -> str:
        return f"{self.message} ({', '.join(self.decisions)})"


def client_fields(facts: ContractFacts) -> frozenset[str]:
    """The record's fields that requests set (the add's and the edit's properties, but the id)."""
    life = facts.lifecycle
    names = set()
    for role in (life.add, life.edit):
        if role in facts.operations:
            names |= set(facts.operations[role].request_properties)
    record = facts.operations[life.add].response_fields if life.add in facts.operations else ()
    return frozenset(name for name in names if name in record and name != "id")


def model_decisions(role: str | None, model: Answer) -> tuple[str, ...]:
    if 200 <= model.status < 300:
        return _SUCCESS_DECISIONS.get(role or "", ("D23",))
    error = model.body.get("error") if isinstance(model.body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    decisions = _ERROR_DECISIONS.get(code or "", ("D10",))
    if code == "validation_failed" and role == "edit" and isinstance(error, dict) and error.get("field") == "id":
        decisions = ("D26",)
    return decisions


def allowed_statuses(model_status: int, path_invalid: bool = False,
                     successes: frozenset[int] = frozenset()) -> frozenset[int]:
    """The statuses a server may answer where the model answers `model_status`: any documented
    success for a success (D9: 200 or 201), 400 or 422 for invalid input (D10), also 404 for an
    invalid path id (D24), else the same."""
    if 200 <= model_status < 300 and successes:
        return successes
    if model_status in INVALID_INPUT:
        return INVALID_INPUT | ({NOT_FOUND} if path_invalid else frozenset())
    return frozenset({model_status})


@dataclass
class ServerViews:
    """The server's own fields of each record as the server first showed them, per account:
    later answers must show the same (but for MOVES_ON_ITS_OWN). An edit lets them be learnt
    again: the edit's answer may not show them."""

    seen: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)

    def differences(self, account: str, record: dict[str, Any], own: frozenset[str]) -> list[str]:
        key = (account, record.get("id"))  # type: ignore[arg-type]
        fields = {name: value for name, value in record.items()
                  if name not in own and name != "id" and name not in MOVES_ON_ITS_OWN}
        before = self.seen.get(key)
        if before is None:
            self.seen[key] = fields
            return []
        return [f"{name}: {before[name]!r} before, {fields.get(name, '<missing>')!r} now"
                for name in before if fields.get(name, _MISSING) != before[name]]

    def forget(self, account: str, server_id: int) -> None:
        self.seen.pop((account, server_id), None)


@dataclass
class Comparison:
    """Compares the server's answers with the model's, for the accounts of one run."""

    facts: ContractFacts
    ids: IdMap
    accounts: tuple[str, ...]
    views: ServerViews = field(default_factory=ServerViews)

    @property
    def own_fields(self) -> frozenset[str]:
        return client_fields(self.facts)

    def role_of(self, operation_id: str | None) -> str | None:
        life = self.facts.lifecycle
        return next((role for role in ("add", "read", "listing", "edit", "delete", "connectable")
                     if getattr(life, role) == operation_id), None)

    def answer(self, account: str, operation_id: str | None, server: Answer, model: Answer, *,
               path_id: Any = None, path_invalid: bool = False,
               known_numbers: Iterable[str] = ()) -> list[Divergence]:
        """Every way `server` leaves what the model's answer allows; `path_id`: the server id
        the request named."""
        role = self.role_of(operation_id)
        decisions = model_decisions(role, model)
        successes = self.facts.operations[operation_id].success_statuses if operation_id in self.facts.operations \
            else frozenset()
        if server.status not in allowed_statuses(model.status, path_invalid, successes):
            return [Divergence(decisions, f"answered {server.status}; the model answers {model.status}"
                               f"{_why(model)}")]
        if not 200 <= model.status < 300:
            return []
        if role in ("add", "read"):
            return self._record(account, server.body, model.body, decisions, creating=role == "add",
                                path_id=path_id)
        if role == "edit":
            return self._edited(account, server.body, model.body, path_id)
        if role == "delete":
            got = server.body.get("id") if isinstance(server.body, dict) else None
            if got != path_id:
                return [Divergence(decisions, f"the delete of id {path_id} answered id {got!r}")]
            self.views.forget(account, path_id)
            return []
        if role == "listing":
            return self.listing(account, server.body, model.body)
        if role == "connectable":
            return self.connectable(server.body, model.body, known_numbers)
        return []

    # --- records -----------------------------------------------------------------------------

    def _record(self, account: str, server: Any, model: Any, decisions: tuple[str, ...], *,
                creating: bool, path_id: Any = None) -> list[Divergence]:
        if not isinstance(server, dict) or not isinstance(model, dict):
            return [Divergence(decisions, f"answered {str(server)[:200]!r}, not a record")]
        server_id = server.get("id")
        if creating:
            if isinstance(server_id, int) and server_id in self.ids.server_ids(account):
                return [Divergence(("D24",), f"the add answered id {server_id}, which the account's "
                                   "records had already (ids are never reused)")]
            if isinstance(server_id, int):
                self.ids.bind(account, server_id, model["id"])
        elif server_id != path_id:
            return [Divergence(decisions, f"the read of id {path_id} answered the record of id {server_id!r}")]
        return self._fields(account, server, model, decisions, what=f"id {server_id}")

    def _fields(self, account: str, server: dict[str, Any], model: dict[str, Any], decisions: tuple[str, ...],
                what: str) -> list[Divergence]:
        problems = [f"{name}: the model holds {model.get(name)!r}, the server {server.get(name, '<missing>')!r}"
                    for name in sorted(self.own_fields) if name in model
                    and server.get(name) != model.get(name)]
        if problems:
            return [Divergence(decisions, f"{what}: " + "; ".join(problems))]
        moved = self.views.differences(account, server, self.own_fields)
        if moved:
            return [Divergence(("D23",), f"{what} changed on its own since the server last showed it: "
                               + "; ".join(moved))]
        return []

    def _edited(self, account: str, server: Any, model: Any, path_id: Any) -> list[Divergence]:
        if not isinstance(server, dict) or not isinstance(model, dict):
            return [Divergence(("D25",), f"the edit answered {str(server)[:200]!r}, not an object")]
        if "id" in server and server["id"] != path_id:
            return [Divergence(("D25",), f"the edit of id {path_id} answered id {server['id']!r}")]
        problems = [f"{name}: the model holds {model[name]!r}, the server answered {server[name]!r}"
                    for name in sorted(self.own_fields) if name in model and name in server
                    and server[name] != model[name]]
        self.views.forget(account, path_id)  # the edit's answer may not show the server's own fields
        return [Divergence(("D25",), f"the edit of id {path_id}: " + "; ".join(problems))] if problems else []

    # --- listings ----------------------------------------------------------------------------

    def listing(self, account: str, server: Any, model: Any) -> list[Divergence]:
        if not isinstance(server, list) or not isinstance(model, list):
            return [Divergence(("D22",), f"the listing answered {str(server)[:200]!r}, not an array")]
        others = [name for name in self.accounts if name != account]
        expected = {self.ids.to_server(account, item["id"]): item for item in model}
        counts = Counter(item.get("id") if isinstance(item, dict) else None for item in server)
        problems: list[Divergence] = []
        for server_id, count in counts.items():
            if server_id not in expected:
                foreign = any(server_id in self.ids.server_ids(name) for name in others) and all(
                    server_id not in self.ids.server_ids(account) for _ in (0,))
                problems.append(Divergence(("D33", "D31") if foreign else ("D22", "D23"),
                                           f"the listing shows id {server_id!r}, "
                                           + ("a record of another account" if foreign else
                                              "which the account does not hold")))
            elif count != 1:
                problems.append(Divergence(("D22",), f"the listing shows id {server_id} {count} times"))
        for server_id, item in expected.items():
            if server_id not in counts:
                problems.append(Divergence(("D22", "D23"), f"the listing lacks id {server_id} "
                                           f"({item.get(NUMBER_FIELD)}), which the account holds"))
        for entry in server:
            if isinstance(entry, dict) and entry.get("id") in expected and counts[entry.get("id")] == 1:
                problems += self._fields(account, entry, expected[entry["id"]], ("D22", "D23"),
                                         what=f"the listing's id {entry['id']}")
        return problems

    def connectable(self, server: Any, model: Any, known_numbers: Iterable[str]) -> list[Divergence]:
        """Of the numbers the model knows about, the server offers exactly those the model does."""
        if not isinstance(server, list) or not isinstance(model, list):
            return []
        offered = {item.get(NUMBER_FIELD) for item in server if isinstance(item, dict)}
        modelled = {item.get(NUMBER_FIELD) for item in model if isinstance(item, dict)}
        problems = []
        for number in sorted(set(known_numbers)):
            if (number in offered) != (number in modelled):
                problems.append(Divergence(("D21", "D34"), f"the connectable listing "
                                           f"{'offers' if number in offered else 'does not offer'} {number}; "
                                           f"the model {'offers' if number in modelled else 'does not'}"))
        return problems


def _why(model: Answer) -> str:
    error = model.body.get("error") if isinstance(model.body, dict) else None
    return f" ({error.get('message')})" if isinstance(error, dict) and error.get("message") else ""
