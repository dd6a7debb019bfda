"""The rules of the suite, one registry: each check and each expectation of a target test
names its rule here, with the decision(s) of openapi/DECISIONS.md it enforces and its place in
the document (the operation, a JSON pointer), so that a finding says what is wrong, which
line of the contract says so, and whom to ask.

A rule is declared once (`rule(...)`, below or next to a new test); a test states it with
`expect(condition, RULE, message)`, which raises a ContractViolation naming it. A check of
schemathesis is known by its own name. Which decision a schema failure breaks is read from
the document itself: the `(Dn)` its field's description cites.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from vpbx_spec.document import bundled_document, bundled_schemas, escape_pointer_token

DECISION = re.compile(r"\bD(\d{1,3})\b")
EVERY_OPERATION = None
# The role an operation plays (vpbx_suite.contract.Lifecycle) stands for its operationId, so
# that no rule restates an id or a path.
ROLES = ("connectable", "add", "read", "listing", "edit", "delete")


@dataclass(frozen=True)
class Rule:
    name: str
    decisions: tuple[str, ...]   # "D23", … : the entries of openapi/DECISIONS.md it enforces
    role: str | None             # the operation, by its lifecycle role; None: every operation
    at: str                      # a JSON pointer into the document, or one relative to the operation
    says: str                    # what the contract says, as a sentence
    # "request": the failing request alone shows it (and whatever added the number it names);
    # "sequence": it takes the test's writes before it too (a read after a write).
    replay: str = "request"
    # What the failure's field says in the document: "field", the decisions its description
    # cites instead of the rule's (a schema failure: the field is where the document explains
    # it); "both", the rule's and then the field's (an echo); "rule", the rule's alone.
    field_decisions: str = "rule"

    @property
    def operation(self) -> str | None:
        if self.role is None:
            return None
        from vpbx_suite.contract import bundled_facts
        return getattr(bundled_facts().lifecycle, self.role)

    @property
    def pointer(self) -> str:
        """Where the document says it; for a rule of every operation, relative to each, `/paths`."""
        return self.pointer_for(self.operation)

    def pointer_for(self, operation_id: str | None) -> str:
        """The place in the document, in the operation a failure was met on."""
        if self.at.startswith("/"):
            return self.at
        operation = self.operation or operation_id
        if operation is None:
            return "/paths"
        return operation_pointer(operation) + ("/" + self.at if self.at else "")


RULES: dict[str, Rule] = {}


def rule(name: str, decisions: tuple[str, ...], role: str | None, at: str, says: str,
         replay: str = "request", field_decisions: str = "rule") -> str:
    """Declare a rule; returns its name (what `expect` and a check's failure carry)."""
    if name in RULES:
        raise ValueError(f"rule {name!r} is declared twice")
    RULES[name] = Rule(name, decisions, role, at, says, replay, field_decisions)
    return name


class ContractViolation(AssertionError):
    """The server broke `rule`; `message` says what was sent and what came back."""

    def __init__(self, rule_name: str, message: str, field: str | None = None, *, side: str = "response",
                 decisions: tuple[str, ...] | None = None, operation: str | None = None) -> None:
        if rule_name not in RULES:
            raise KeyError(f"undeclared rule {rule_name!r}")
        super().__init__(message)
        self.rule = rule_name
        self.message = message
        self.field = field      # the request or response (`side`) property it is about
        self.side = side
        self.decisions = decisions  # narrower than the rule's, when the case knows (an edge's field)
        self.operation = operation  # the operationId, when not the rule's own (an edge of the edit)


def expect(condition: object, rule_name: str, message: str, field: str | None = None, *,
           side: str = "response", decisions: tuple[str, ...] | None = None, operation: str | None = None) -> None:
    """A target test's assertion: `message` is read only when it fails."""
    if not condition:
        raise ContractViolation(rule_name, message, field, side=side, decisions=decisions, operation=operation)


# --- the document ----------------------------------------------------------------------------

@functools.cache
def operation_pointer(operation_id: str) -> str:
    for path, item in bundled_document()["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return f"/paths/{escape_pointer_token(path)}/{method}"
    raise KeyError(operation_id)


def resolve_pointer(pointer: str) -> Any:
    """The node at a JSON pointer, following each $ref on the way (KeyError if none)."""
    schemas = bundled_schemas()
    node: Any = bundled_document()
    for token in [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]:
        node = schemas.resolve(node)
        node = node[int(token)] if isinstance(node, list) else node[token]
    return schemas.resolve(node)


def decisions_in(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f"D{number}" for number in DECISION.findall(text)))


def _property_pointer(schema_pointer: str, field: str) -> str | None:
    """Where `field` is declared in the schema at `schema_pointer` (or one of its shapes)."""
    node = resolve_pointer(schema_pointer)
    if isinstance(node, dict) and field in node.get("properties", {}):
        return f"{schema_pointer}/properties/{escape_pointer_token(field)}"
    for keyword in ("oneOf", "anyOf", "allOf"):
        for index, _ in enumerate(node.get(keyword, []) if isinstance(node, dict) else []):
            found = _property_pointer(f"{schema_pointer}/{keyword}/{index}", field)
            if found is not None:
                return found
    return None


def field_place(operation_id: str | None, field: str | None, side: str) -> tuple[str, tuple[str, ...]] | None:
    """(pointer, decisions its description cites) of a request or response (`side`) field."""
    if operation_id is None or field is None:
        return None
    from vpbx_suite.contract import bundled_facts
    facts = bundled_facts().operations.get(operation_id)
    schema = None if facts is None else (facts.request_pointer if side == "request" else facts.response_pointer)
    if not schema:
        return None
    pointer = _property_pointer(schema, field)
    if pointer is None:
        return None
    # What the field's description cites, then what its schema's does (D5: every field shown is
    # required): the document's own account of why the field is as it is.
    cited = decisions_in(str(resolve_pointer(pointer).get("description", "")))
    around = decisions_in(str(resolve_pointer(pointer.rsplit("/properties/", 1)[0]).get("description", "")))
    return pointer, tuple(dict.fromkeys((*cited, *around)))


def field_cites(pointer: str) -> tuple[str, ...]:
    """The decisions the description at `pointer` (a field) cites, and no more."""
    return decisions_in(str(resolve_pointer(pointer).get("description", "")))


@functools.cache
def error_body_keys() -> tuple[frozenset[str], tuple[str, ...]]:
    """The properties of the document's error body, and the decisions its description cites."""
    error = resolve_pointer("/components/schemas/Error")
    return frozenset(error.get("properties", {})), decisions_in(str(error.get("description", "")))


@functools.cache
def logged_decisions() -> frozenset[str]:
    """The decisions openapi/DECISIONS.md holds (its `## Dn.` headings)."""
    from vpbx_spec.document import OPENAPI_DIR
    text = (OPENAPI_DIR / "DECISIONS.md").read_text(encoding="utf-8")
    return frozenset(f"D{n}" for n in re.findall(r"^## D(\d+)\.", text, re.MULTILINE))


# --- schemathesis's checks and the domain checks ---------------------------------------------

SCHEMA = rule("response_schema_conformance", ("D5", "D7"), EVERY_OPERATION, "/components/schemas",
              "every answer matches the schema the document gives its status (types, required fields, "
              "nullable ones and enum values)", field_decisions="field")
HEADERS = rule("response_headers_conformance", ("D10",), EVERY_OPERATION, "/components/responses",
               "the headers an answer documents match their schemas")
STATUS = rule("status_code_conformance", ("D9", "D10"), EVERY_OPERATION, "",
              "an operation answers only the statuses the document lists for it")
CONTENT_TYPE = rule("content_type_conformance", ("D18",), EVERY_OPERATION, "",
                    "answers come as the media type the document gives them (application/json)")
SERVER_ERROR = rule("not_a_server_error", ("D10",), EVERY_OPERATION, "/components/responses",
                    "no request, however wrong, is answered 5xx (a 501 only to a method no path implements)")
NEGATIVE = rule("negative_data_rejection", ("D10", "D12", "D18"), EVERY_OPERATION, "/components/responses",
                "a request the document's schemas reject is refused 400/413/415/422 (401/403 for a broken token)")
POSITIVE = rule("positive_data_acceptance", ("D9", "D24"), EVERY_OPERATION, "",
                "a request the document's schemas accept gets a documented success (404 where an id may "
                "name no number)")
MISSING_HEADER = rule("missing_required_header", ("D14",), EVERY_OPERATION, "/components/securitySchemes",
                      "a request without a required header (Authorization) is refused")
IGNORED_AUTH = rule("ignored_auth", ("D14",), EVERY_OPERATION, "/components/securitySchemes",
                    "a request without the token, or with a wrong one, is refused 401/403")
METHOD = rule("unsupported_method", ("D10",), EVERY_OPERATION, "/paths",
              "a method a path does not declare is refused 405 with Allow (501 if no path implements it)")
ALLOW = rule("allow_header_conformance", ("D10",), EVERY_OPERATION, "/paths",
             "a 405 answer lists the path's methods in Allow")
USE_AFTER_FREE = rule("use_after_free", ("D24",), "delete", "", "a deleted number is gone: 404 to every "
                      "request that names it", replay="sequence")
AVAILABILITY = rule("ensure_resource_availability", ("D23",), "add", "responses",
                    "a number just added can be read by the id the add answered", replay="sequence")
ECHO = rule("echoes_request_fields", ("D13", "D25"), "add", "responses",
            "a successful add answers every property as sent (null when omitted); an edit answers what "
            "it stored", field_decisions="both")
IDS = rule("ids_are_unique", ("D24", "D36"), EVERY_OPERATION, "/components/schemas/VirtualNumber/properties/id",
           "an id names one number: no answer gives an id to a number other than the one it was given to",
           replay="sequence")
LOOKALIKE = rule("enum_values_have_no_lookalikes", ("D1", "D2"), EVERY_OPERATION, "/components/schemas",
                 "enum values are spelled with the Latin letters the document lists", field_decisions="field")
NO_ANSWER = rule("server_answers", ("D10",), EVERY_OPERATION, "/components/responses",
                 "every request gets an HTTP answer within the suite's timeout")
UNREADABLE = rule("answer_readable", ("D23",), EVERY_OPERATION, "",
                  "an answer a later step relies on is the record the document describes")

# The names schemathesis gives the failures of the checks vpbx_suite.method_checks wraps.
CHECK_ALIASES = {"no_server_error": SERVER_ERROR, "undeclared_method_refused": METHOD}

# --- what the explicit tests expect ----------------------------------------------------------

ADD_ACCEPTED = rule("valid_add_accepted", ("D9", "D13", "D20"), "add", "responses",
                    "an add of a number the account may connect, with a body the document accepts, succeeds "
                    "(200 or 201)")
DUPLICATE = rule("duplicate_add_is_conflict", ("D11",), "add", "responses/409",
                 "adding a number already on the account answers 409 and changes nothing, also when the adds "
                 "race", replay="sequence")
DISTINCT_IDS = rule("distinct_numbers_get_distinct_ids", ("D24", "D36"), "add", "responses",
                    "numbers added at the same time each get an id of their own")
NOT_OFFERED = rule("unoffered_number_refused", ("D20",), "add", "responses/422",
                   "an add of a number the connectable listing does not offer is refused 422")
WRONG_TOKEN = rule("wrong_token_refused", ("D14",), EVERY_OPERATION, "/components/securitySchemes",
                   "a token that differs from the right one in any way is refused 401/403")
MISSING_TOKEN = rule("missing_token_is_401", ("D14",), EVERY_OPERATION, "/components/responses",
                     "a request without Authorization is answered 401")
TWO_TOKENS = rule("two_authorization_headers_refused", ("D14",), EVERY_OPERATION, "/components/securitySchemes",
                  "a request with two Authorization headers is refused (400, 401 or 403), never served")
LISTING_ANSWERS = rule("listing_answers", ("D22",), "listing", "responses/200",
                       "the listing answers 200 with the account's numbers")
CONNECTABLE_ANSWERS = rule("connectable_listing_answers", ("D20",), "connectable", "responses/200",
                           "the connectable listing answers 200 with numbers the account may add")
EDGE_ACCEPTED = rule("edge_accepted", ("D3", "D4", "D18"), "add", "requestBody",
                     "a body the document's request schema accepts is accepted")
EDGE_REJECTED = rule("edge_rejected", ("D3", "D10", "D12", "D17", "D18"), "add", "requestBody",
                     "a body the document's request schema rejects is refused 400/413/415/422")
READ_BACK = rule("read_back_as_answered", ("D23",), "read", "responses/200",
                 "a number reads back, by its id, exactly as the add or edit answered it", replay="sequence")
REJECTED_STORES_NOTHING = rule("rejected_write_stores_nothing", ("D10",), "add", "responses/400",
                               "a refused add or edit stores nothing and changes nothing", replay="sequence")
PARAMETER_REJECTED = rule("invalid_parameter_refused", ("D10", "D24", "D30"), EVERY_OPERATION, "/components/parameters",
                          "a path or query parameter outside its schema is refused (404 for an id no route "
                          "matches)")
LISTED_AS_ADDED = rule("listing_shows_the_numbers", ("D22", "D23"), "listing", "responses/200",
                       "the listing shows every number on the account exactly once, as it reads back, and its "
                       "type filter shows only that type", replay="sequence")
EDIT_STORED = rule("edit_is_stored", ("D25", "D27"), "edit", "responses",
                   "an edit changes what it names, keeps an omitted comment, clears employee_id for another "
                   "purpose, and reads back so", replay="sequence")
EDIT_ID_MISMATCH = rule("edit_body_id_is_the_paths", ("D26",), "edit", "requestBody",
                        "an edit whose body names another id than its path is refused and changes nothing",
                        replay="sequence")
DELETED_GONE = rule("deleted_number_is_gone", ("D24",), "delete", "responses",
                    "a deleted number answers 404 to a read, an edit and a second delete, and is not listed",
                    replay="sequence")
ID_NOT_REUSED = rule("deleted_id_never_given_again", ("D24",), "delete", "",
                     "an id, once deleted, is never given to another number", replay="sequence")
ADDED_AGAIN = rule("deleted_number_can_be_added_again", ("D21", "D24"), "add", "",
                   "a deleted number may be added again, and gets a new id", replay="sequence")
LEAVES_CONNECTABLE = rule("added_number_leaves_the_connectable_listing", ("D21",), "connectable", "",
                          "a number on the account is no longer offered as connectable; deleted, it is offered "
                          "again", replay="sequence")
OTHER_ID_UNKNOWN = rule("another_accounts_id_is_unknown", ("D31", "D32"), "read", "responses/404",
                        "a read, edit or delete of another account's id answers 404 as for an id that does not "
                        "exist, quotes none of the record and changes nothing", replay="sequence")
OTHER_LISTING = rule("another_accounts_number_not_listed", ("D33", "D34"), "listing", "",
                     "an account's listings neither show nor offer a number another account holds",
                     replay="sequence")
PERSISTENT_RATE_LIMITING = rule("persistent_rate_limiting", ("D10",), None, "",
                                "a 429 or 503 says the server is busy for now (RFC 6585, RFC 9110): waited out and "
                                "sent again, a request is answered within the suite's patience")
STORED_DESPITE_REFUSAL = rule("stored_despite_refusal", ("D10", "D20"), "add", "",
                              "an add answered 429 or 503 was not processed: it stores nothing", replay="sequence")
ACCEPTED = rule("accepted_form_stored_exactly", ("D3", "D4", "D13", "D18", "D23", "D25"), "add", "requestBody",
                "a request in any form the document accepts (media type, JSON syntax, every value class) is "
                "accepted, echoed and read back exactly as sent", replay="sequence")
MODEL = rule("agrees_with_the_model", ("D23",), None, "",
             "every answer is the contract's model's answer to the same request, within the freedoms the "
             "document grants (vpbx_model.freedoms), and after each step each account's listing is the model's",
             replay="sequence")
AT_ONCE = rule("requests_at_once_in_some_order", ("D11", "D24", "D25", "D35"), None, "",
               "requests sent at once are answered, and leave the state, as the same requests sent one after "
               "another in some order", replay="sequence")
NOT_INTERFERING = rule("another_accounts_object_answers_as_one_that_never_existed", ("D32", "D35"), None, "",
                       "a request naming another account's object (its id, its number) is answered exactly as the "
                       "same request naming an object that never existed, but for the name", replay="sequence")
OTHER_ADD = rule("another_accounts_number_not_added", ("D35",), "add", "responses/422",
                 "an add of a number another account holds is answered as for a number not offered (422, never "
                 "409), quoting none of its record", replay="sequence")
