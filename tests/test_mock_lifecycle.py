"""The mock in-process: the life of a number (connectable listing, add, get, list, edit, delete).

Every rule of D20-D28 and every error path of the five operations added next to the add.
Bodies come from the document's named examples; answers are validated against the response
schema the document gives for that operation and status.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.contract_data import DROP, named_examples, request_with, seed_request, with_changes
from tests.mock_client import JSON_HEADERS, TOKEN, add_number, assert_error, async_mock_client, json_bytes, mock_client
from vpbx_mock.app import create_app
from vpbx_mock.operations import operations
from vpbx_mock.settings import MAX_BODY_BYTES
from vpbx_mock.store import ANY, NumberStore
from vpbx_spec.document import bundled_schemas, escape_pointer_token

POOL_SIZE = 200
OPERATIONS = operations()
CONNECTABLE_PATH = OPERATIONS["listConnectableMobileNumbers"].path
LIST_PATH = OPERATIONS["listVirtualNumbers"].path
ID_PATH = OPERATIONS["getVirtualNumber"].path
EDIT_EXAMPLES = named_examples(
    "paths", ID_PATH, "put", "requestBody", "content", "application/json")


def by_id(id: object) -> str:
    return ID_PATH.replace("{id}", str(id))


def edit_body(number_id: int, example: str = "seed", **changes: Any) -> dict[str, Any]:
    """A named edit example of the document, for another id, with some properties changed."""
    return with_changes({**copy.deepcopy(EDIT_EXAMPLES[example]), "id": number_id}, changes)


def assert_answer(response: httpx.Response, operation_id: str, status: int = 200) -> Any:
    """A JSON answer valid against the document's schema for this operation and status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    operation = OPERATIONS[operation_id]
    pointer = (f"/paths/{escape_pointer_token(operation.path)}/{operation.method.lower()}"
               f"/responses/{status}")
    schemas = bundled_schemas()
    response_object = schemas.resolve(schemas.resolve({"$ref": "#" + pointer}))
    schema = response_object["content"]["application/json"]["schema"]
    body = response.json()
    if "$ref" in schema:
        schemas.validator_at(schema["$ref"][1:]).validate(body)
    else:
        schemas.validator_at(pointer + "/content/application~1json/schema").validate(body)
    return body


@pytest.fixture
def pool_store() -> Iterator[NumberStore]:
    store = NumberStore.open(":memory:", connectable=POOL_SIZE)
    yield store
    store.close()


@pytest.fixture
def client(pool_store: NumberStore) -> Iterator[httpx.Client]:
    with mock_client(create_app(pool_store, token=TOKEN)) as client:
        yield client


def offered(client: httpx.Client) -> list[dict[str, Any]]:
    return assert_answer(client.get(CONNECTABLE_PATH, headers=JSON_HEADERS),
                         "listConnectableMobileNumbers")


def add_offered(client: httpx.Client, index: int = 0, **changes: Any) -> dict[str, Any]:
    """Add the index-th number of the connectable listing; the answer (201)."""
    number = offered(client)[index]["number"]
    return assert_answer(add_number(client, request_with(number=number, **changes)),
                         "addMobileNumber", 201)


def get(client: httpx.Client, id: object, headers: dict[str, str] = JSON_HEADERS) -> httpx.Response:
    return client.get(by_id(id), headers=headers)


def edit(client: httpx.Client, id: object, body: Any,
         headers: dict[str, str] = JSON_HEADERS) -> httpx.Response:
    return client.put(by_id(id), content=json_bytes(body), headers=headers)


def delete(client: httpx.Client, id: object) -> httpx.Response:
    return client.delete(by_id(id), headers=JSON_HEADERS)


# --- the connectable listing and the add (D20, D21) ------------------------------------------

def test_the_listing_offers_the_pool(client):
    listing = offered(client)
    assert len(listing) == POOL_SIZE
    assert all(item["id"] == item["number"] for item in listing)  # D19
    assert any(item["dgn_number"] == "" for item in listing)  # D8


def test_unknown_query_parameters_of_the_listings_are_ignored(client):
    assert client.get(CONNECTABLE_PATH + "?page=2&x", headers=JSON_HEADERS).json() == offered(client)


def test_an_offered_number_is_added_with_the_dgn_of_the_callers_choice(client):
    item = offered(client)[3]
    body = assert_answer(add_number(client, request_with(number=item["number"])),
                         "addMobileNumber", 201)
    assert (body["number"], body["dgn_number"]) == (item["number"], seed_request()["dgn_number"])


def test_a_number_the_listing_does_not_offer_is_422_and_stores_nothing(client, pool_store):
    numbers = {item["number"] for item in offered(client)}
    outside = next(f"7916000{n:04d}" for n in range(10_000) if f"7916000{n:04d}" not in numbers)
    assert_error(add_number(client, request_with(number=outside)), 422,
                 "number_not_connectable", "number")
    assert pool_store.count() == 0


def test_a_duplicate_is_409_before_the_connectable_rule(client):
    added = add_offered(client)
    assert_error(add_number(client, request_with(number=added["number"])), 409,
                 "duplicate_number", "number")


def test_a_number_on_the_account_outside_the_pool_is_still_409(tmp_path):
    database = str(tmp_path / "numbers.sqlite3")
    with mock_client(create_app(NumberStore.open(database, connectable=ANY), TOKEN)) as client:
        added = assert_answer(add_number(client, request_with(number="79160000001")),
                              "addMobileNumber", 201)
    with mock_client(create_app(NumberStore.open(database, connectable=POOL_SIZE), TOKEN)) as client:
        assert added["number"] not in {item["number"] for item in offered(client)}
        assert_error(add_number(client, request_with(number=added["number"])), 409,
                     "duplicate_number", "number")
        assert_error(add_number(client, request_with(number="79160000002")), 422,
                     "number_not_connectable", "number")


def test_an_invalid_add_is_400_before_the_connectable_rule(client):
    assert_error(add_number(client, request_with(number="7916000000")), 400,
                 "validation_failed", "number")


def test_any_makes_every_valid_number_connectable():
    with mock_client(create_app(NumberStore.open(":memory:", connectable=ANY), TOKEN)) as client:
        assert_answer(add_number(client, request_with(number="79160000001")), "addMobileNumber", 201)
        assert len(offered(client)) > 0  # a pool is still listed


def test_an_added_number_leaves_the_listing_and_a_deleted_one_rejoins(client):
    before = offered(client)
    added = add_offered(client, 7)
    assert offered(client) == before[:7] + before[8:]
    assert_answer(delete(client, added["id"]), "deleteVirtualNumber")
    assert offered(client) == before
    again = add_offered(client, 7)  # and may be added again, under a new id
    assert again["number"] == added["number"] and again["id"] > added["id"]


# --- get and list (D22, D23) -----------------------------------------------------------------

def test_get_returns_exactly_what_the_add_answered(client):
    for index, example in enumerate(("seed", "companyWithoutComment")):
        request = named_examples("paths", "/numbers/unconfirmed", "post", "requestBody",
                                 "content", "application/json")[example]
        added = add_offered(client, index, **{k: v for k, v in request.items() if k != "number"})
        assert assert_answer(get(client, added["id"]), "getVirtualNumber") == added


def test_the_listing_holds_the_same_records_and_filters_by_type(client):
    added = [add_offered(client, index) for index in range(3)]
    for query in ("", "?type=def", "?type=def&unknown=1"):
        listed = assert_answer(client.get(LIST_PATH + query, headers=JSON_HEADERS),
                               "listVirtualNumbers")
        assert listed == added
    for other in ("abc", "toll_free", "sip_registration"):
        assert client.get(LIST_PATH, params={"type": other}, headers=JSON_HEADERS).json() == []


def test_an_empty_account_lists_an_empty_array(client):
    assert assert_answer(client.get(LIST_PATH, headers=JSON_HEADERS), "listVirtualNumbers") == []


@pytest.mark.parametrize("value", ["", "DEF", "dеf", "mobile", "def ", "1"],
                         ids=["empty", "upper case", "Cyrillic е", "unknown", "trailing space", "digit"])
def test_a_type_outside_the_document_is_400(client, value):
    response = client.get(LIST_PATH, params={"type": value}, headers=JSON_HEADERS)
    assert_error(response, 400, "validation_failed", "type")


def test_a_type_given_twice_is_400(client):
    response = client.get(LIST_PATH + "?type=def&type=def", headers=JSON_HEADERS)
    assert_error(response, 400, "validation_failed", "type")


INVALID_IDS = {"zero": "0", "negative": "-1", "letters": "abc", "decimal": "1.5",
               "exponent": "1e3", "plus sign": "+1", "space": "%201", "above the maximum": str(2**53),
               "beyond int64": str(2**63),
               "huge": "9" * 40, "very long": "9" * 5000, "unicode digits": "%D9%A1"}


@pytest.mark.parametrize("id", INVALID_IDS.values(), ids=INVALID_IDS.keys())
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_id_that_is_not_a_positive_integer_is_400(client, pool_store, method, id):
    added = add_offered(client)
    content = json_bytes(edit_body(1)) if method == "PUT" else None
    response = client.request(method, by_id(id), content=content, headers=JSON_HEADERS)
    assert_error(response, 400, "validation_failed", "id")
    assert pool_store.all() == [pool_store.by_id(added["id"])] and pool_store.count() == 1


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_id_never_handed_out_is_404(client, method):
    added = add_offered(client)
    for id in (added["id"] + 1, 2**53 - 1):  # 2^53 - 1: the largest id the document allows (D30)
        content = json_bytes(edit_body(id)) if method == "PUT" else None
        response = client.request(method, by_id(id), content=content, headers=JSON_HEADERS)
        assert_error(response, 404, "not_found", "id")


# --- edit (D25, D26, D27) --------------------------------------------------------------------

def test_the_documented_edit_answers_the_stored_fields_and_reads_back(client):
    added = add_offered(client)
    body = edit_body(added["id"])
    answer = assert_answer(edit(client, added["id"], body), "editMobileNumber")
    assert answer == body  # the seed example sets all four fields
    record = assert_answer(get(client, added["id"]), "getVirtualNumber")
    assert record == {**added, **body}
    assert client.get(LIST_PATH, headers=JSON_HEADERS).json() == [record]


def test_an_omitted_comment_keeps_the_stored_one_and_another_purpose_clears_employee_id(client):
    added = add_offered(client)
    assert_answer(edit(client, added["id"], edit_body(added["id"])), "editMobileNumber")
    answer = assert_answer(edit(client, added["id"], edit_body(added["id"], "companyWithoutComment")),
                           "editMobileNumber")
    assert answer == {"id": added["id"], "purpose": "company", "employee_id": None,
                      "comment": EDIT_EXAMPLES["seed"]["comment"]}
    assert get(client, added["id"]).json() == {**added, **answer}


def test_an_omitted_comment_keeps_a_null_comment_null(client):
    added = add_offered(client, comment=DROP)
    answer = edit(client, added["id"], edit_body(added["id"], "companyWithoutComment")).json()
    assert answer["comment"] is None


def test_an_empty_comment_clears_it_to_the_empty_string(client):
    added = add_offered(client)
    answer = assert_answer(edit(client, added["id"], edit_body(added["id"], comment="")),
                           "editMobileNumber")
    assert answer["comment"] == "" and get(client, added["id"]).json()["comment"] == ""


def test_an_edit_changes_nothing_but_purpose_employee_and_comment(client):
    added = add_offered(client)
    edit(client, added["id"], edit_body(added["id"], purpose="not_specified",
                                        employee_id=DROP, comment="c"))
    record = get(client, added["id"]).json()
    unchanged = {name: value for name, value in added.items()
                 if name not in ("purpose", "employee_id", "comment")}
    assert {name: record[name] for name in unchanged} == unchanged


def test_employee_id_as_an_integral_float_is_stored_as_an_integer(client):
    added = add_offered(client)
    answer = assert_answer(edit(client, added["id"], edit_body(added["id"], employee_id=5.0)),
                           "editMobileNumber")
    assert answer["employee_id"] == 5 and isinstance(answer["employee_id"], int)


INVALID_EDITS: dict[str, tuple[dict[str, Any], str | None]] = {
    "employee without employee_id": ({"employee_id": DROP}, "employee_id"),
    "company with employee_id": ({"purpose": "company"}, "employee_id"),
    "not_specified with employee_id": ({"purpose": "not_specified"}, "employee_id"),
    "Cyrillic сompany": ({"purpose": "сompany", "employee_id": DROP}, "purpose"),
    "unknown purpose": ({"purpose": "boss"}, "purpose"),
    "purpose missing": ({"purpose": DROP, "employee_id": DROP}, "purpose"),
    "purpose an integer": ({"purpose": 1, "employee_id": DROP}, "purpose"),
    "employee_id zero": ({"employee_id": 0}, "employee_id"),
    "employee_id a string": ({"employee_id": "123"}, "employee_id"),
    "employee_id null": ({"employee_id": None}, "employee_id"),
    "employee_id above the maximum": ({"employee_id": 2**53}, "employee_id"),
    "employee_id beyond int64": ({"employee_id": 2**63}, "employee_id"),
    "id missing": ({"id": DROP}, "id"),
    "id a string": ({"id": "1"}, "id"),
    "id zero": ({"id": 0}, "id"),
    "comment null": ({"comment": None}, "comment"),
    "comment of 256 characters": ({"comment": "ж" * 256}, "comment"),
    "unknown property": ({"coment": "typo"}, "coment"),
}


@pytest.mark.parametrize(("changes", "field"), INVALID_EDITS.values(), ids=INVALID_EDITS.keys())
def test_an_invalid_edit_is_400_naming_the_property_and_changes_nothing(client, changes, field):
    added = add_offered(client)
    response = edit(client, added["id"], edit_body(added["id"], **changes))
    assert_error(response, 400, "validation_failed", field)
    assert get(client, added["id"]).json() == added


@pytest.mark.parametrize("body", [[], "text", 1, None], ids=["array", "string", "number", "null"])
def test_an_edit_body_that_is_not_an_object_is_400(client, body):
    added = add_offered(client)
    assert_error(edit(client, added["id"], body), 400, "validation_failed", None)


def test_a_body_id_other_than_the_path_id_is_400_and_edits_neither(client):
    first, second = add_offered(client, 0), add_offered(client, 1)
    response = edit(client, first["id"], edit_body(second["id"]))
    assert_error(response, 400, "validation_failed", "id")
    assert [get(client, n["id"]).json() for n in (first, second)] == [first, second]


def test_a_mismatched_id_is_400_even_for_an_unknown_path_id(client):
    added = add_offered(client)
    assert_error(edit(client, added["id"] + 5, edit_body(added["id"])), 400,
                 "validation_failed", "id")


def test_an_invalid_body_for_an_unknown_id_is_400_not_404(client):
    added = add_offered(client)
    body = edit_body(added["id"] + 1, purpose="сompany", employee_id=DROP)
    assert_error(edit(client, added["id"] + 1, body), 400, "validation_failed", "purpose")


EDIT_TRANSPORT_ERRORS = {
    "malformed JSON": (b"{", {}, 400, "malformed_json"),
    "duplicate keys": (b'{"id": 1, "id": 1, "purpose": "company"}', {}, 400, "malformed_json"),
    "text/plain": (None, {"Content-Type": "text/plain"}, 415, "unsupported_media_type"),
    "gzip": (None, {"Content-Encoding": "gzip"}, 415, "unsupported_media_type"),
    "too large": (b"{" + b" " * MAX_BODY_BYTES + b"}", {}, 413, "payload_too_large"),
}


@pytest.mark.parametrize(("content", "changes", "status", "code"), EDIT_TRANSPORT_ERRORS.values(),
                         ids=EDIT_TRANSPORT_ERRORS.keys())
def test_edit_transport_errors(client, content, changes, status, code):
    added = add_offered(client)
    content = json_bytes(edit_body(added["id"])) if content is None else content
    response = client.put(by_id(added["id"]), content=content, headers={**JSON_HEADERS, **changes})
    assert_error(response, status, code, None)
    assert get(client, added["id"]).json() == added


# --- delete (D24, D28) -----------------------------------------------------------------------

def test_delete_answers_the_id_then_the_number_is_gone_everywhere(client):
    added = add_offered(client)
    kept = add_offered(client, 1)
    assert assert_answer(delete(client, added["id"]), "deleteVirtualNumber") == {"id": added["id"]}
    assert_error(get(client, added["id"]), 404, "not_found", "id")
    assert_error(edit(client, added["id"], edit_body(added["id"])), 404, "not_found", "id")
    assert_error(delete(client, added["id"]), 404, "not_found", "id")
    assert client.get(LIST_PATH, headers=JSON_HEADERS).json() == [kept]


def test_ids_are_never_reused_after_deletes(client):
    ids = []
    for _ in range(3):
        added = add_offered(client)
        ids.append(added["id"])
        delete(client, added["id"])
    assert ids == sorted(set(ids))


# --- routing, token, check order ---------------------------------------------------------------

ALLOWED = {CONNECTABLE_PATH: {"GET"}, OPERATIONS["addMobileNumber"].path: {"POST"},
           LIST_PATH: {"GET"}, by_id(1): {"GET", "PUT", "DELETE"}}


def _served(methods: set[str]) -> set[str]:
    """HEAD comes with GET (RFC 9110 §9.3.2, D10)."""
    return methods | ({"HEAD"} if "GET" in methods else set())


NOT_ALLOWED = [(path, method) for path in ALLOWED
               for method in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS")
               if method not in _served(ALLOWED[path])]


@pytest.mark.parametrize(("path", "method"), NOT_ALLOWED)
def test_other_methods_are_405_with_allow(client, path, method):
    response = client.request(method, path, headers={"Authorization": "wrong"})
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == _served(ALLOWED[path])
    if method != "HEAD":
        assert_error(response, 405, "method_not_allowed")


@pytest.mark.parametrize("path", [path for path, methods in ALLOWED.items() if "GET" in methods])
def test_head_is_answered_as_get_without_content(client, pool_store, path):
    """D10: HEAD is GET without content (RFC 9110 §9.3.2): the same status and headers."""
    headers = {"Authorization": TOKEN}
    get, head = client.get(path, headers=headers), client.head(path, headers=headers)
    assert (head.status_code, head.headers["content-type"]) == (get.status_code, get.headers["content-type"])
    assert head.content == b""


def test_the_allowed_methods_are_the_documents():
    documented: dict[str, set[str]] = {}
    for operation in OPERATIONS.values():
        documented.setdefault(operation.path, set()).add(operation.method)
    assert {ID_PATH if path == by_id(1) else path: methods
            for path, methods in ALLOWED.items()} == documented


@pytest.mark.parametrize(("method", "path"), [
    ("GET", CONNECTABLE_PATH), ("GET", LIST_PATH), ("GET", by_id(1)), ("PUT", by_id(1)),
    ("DELETE", by_id(1)), ("GET", by_id("abc")), ("PUT", by_id(0)),
])
@pytest.mark.parametrize("authorization", [None, "wrong", ""], ids=["missing", "wrong", "empty"])
def test_every_operation_wants_the_token_before_anything_else(client, pool_store, method, path,
                                                              authorization):
    added = add_offered(client)
    headers = {"Content-Type": "text/plain"}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = client.request(method, path, content=b"{", headers=headers)
    assert_error(response, 401, "unauthorized")
    assert pool_store.all() == [pool_store.by_id(added["id"])]


def test_an_invalid_path_id_comes_before_the_media_type(client):
    response = client.put(by_id("abc"), content=b"x", headers={**JSON_HEADERS, "Content-Type": "text/plain"})
    assert_error(response, 400, "validation_failed", "id")


def test_bearer_tokens_work_on_every_operation(client):
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    added = add_offered(client)
    assert client.get(by_id(added["id"]), headers=headers).status_code == 200
    assert client.get(LIST_PATH, headers=headers).status_code == 200
    assert client.get(CONNECTABLE_PATH, headers=headers).status_code == 200


# --- concurrency: one id, many hands -----------------------------------------------------------

@pytest.fixture(params=["memory", "file"])
def concurrent_store(request: pytest.FixtureRequest, tmp_path) -> Iterator[NumberStore]:
    database = ":memory:" if request.param == "memory" else str(tmp_path / "numbers.sqlite3")
    store = NumberStore.open(database, connectable=POOL_SIZE)
    yield store
    store.close()


def test_parallel_edits_and_deletes_of_one_id_never_fail(concurrent_store):
    number = concurrent_store.connectable()[0].number

    async def scenario() -> tuple[dict[str, Any], list[httpx.Response], list[httpx.Response]]:
        async with async_mock_client(create_app(concurrent_store, token=TOKEN)) as client:
            added = (await client.post("/numbers/unconfirmed", headers=JSON_HEADERS,
                                       content=json_bytes(request_with(number=number)))).json()
            id = added["id"]
            edits = [client.put(by_id(id), headers=JSON_HEADERS,
                                content=json_bytes(edit_body(id, comment=f"edit {n}")))
                     for n in range(40)]
            deletes = [client.delete(by_id(id), headers=JSON_HEADERS) for _ in range(10)]
            responses = await asyncio.gather(*edits[:20], *deletes, *edits[20:])
            return added, responses[:20] + responses[30:], responses[20:30]

    added, edits, deletes = asyncio.run(scenario())
    assert sorted(r.status_code for r in deletes) == [200] + [404] * 9
    assert {r.status_code for r in edits} <= {200, 404}
    for response in edits + deletes:
        if response.status_code == 404:
            assert_error(response, 404, "not_found", "id")
    assert concurrent_store.by_id(added["id"]) is None
    assert number in {entry.number for entry in concurrent_store.connectable()}
