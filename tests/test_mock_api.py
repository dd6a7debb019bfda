"""The reference mock in-process: every rule of its six operations' requests and every error answer.

Payloads come from the document's named examples; answers are validated against the
document's VirtualNumber, Error and ErrorDetail schemas.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, NamedTuple

import httpx
import pytest

from tests.contract_data import DROP, REQUEST_EXAMPLES, named_examples, request_with, seed_request
from tests.mock_client import (
    JSON_HEADERS,
    TOKEN,
    add_number,
    assert_error,
    assert_virtual_number,
    async_mock_client,
    json_bytes,
    mock_client,
)
from vpbx_mock.app import ADD_PATH, create_app
from vpbx_mock.settings import MAX_BODY_BYTES
from vpbx_mock.store import ANY, NumberStore
from vpbx_spec.document import bundled_document

ERROR_EXAMPLES = {
    name: example["error"]
    for response in ("InvalidRequest", "Unauthorized", "NumberAlreadyAdded")
    for name, example in named_examples(
        "components", "responses", response, "content", "application/json").items()
}


def headers(**changes: str | bytes | None) -> dict[str, str | bytes]:
    """JSON_HEADERS with some replaced (None removes one); keys use "_" for "-"."""
    result: dict[str, str | bytes] = {name.lower(): value for name, value in JSON_HEADERS.items()}
    for name, value in changes.items():
        name = name.replace("_", "-")
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def padded(body: Any, size: int) -> bytes:
    """Valid JSON of exactly `size` bytes: the body followed by whitespace."""
    raw = json_bytes(body)
    assert len(raw) <= size
    return raw + b" " * (size - len(raw))


@pytest.fixture
def store() -> Iterator[NumberStore]:
    store = NumberStore.open(":memory:", connectable=ANY)  # other rules than D20 are tested here
    yield store
    store.close()


@pytest.fixture
def client(store: NumberStore) -> Iterator[httpx.Client]:
    with mock_client(create_app(store, token=TOKEN)) as client:
        yield client


# --- success -------------------------------------------------------------------------------

@pytest.mark.parametrize("example", REQUEST_EXAMPLES.values(), ids=REQUEST_EXAMPLES.keys())
def test_add_answers_201_with_a_virtual_number_echoing_the_request(client, example):
    body = assert_virtual_number(add_number(client, example))
    # D13: the answer echoes what was sent; an omitted comment comes back as null (D4).
    echoed = {name: body[name] for name in ("number", "dgn_number", "purpose", "comment", "type")}
    assert echoed == {"comment": None, **example}


def test_a_new_number_is_in_activation_with_every_link_empty(client):
    body = assert_virtual_number(add_number(client, seed_request()))
    assert body["state"] == "activation"
    empty = ("scenario_id", "group_scenario_id", "group_id", "is_scenario_active",
             "is_group_scenario_active", "reason", "from_redirect_numbers", "employee_id",
             "redirect_number")
    assert {name: body[name] for name in empty} == dict.fromkeys(empty)


def test_the_answer_is_what_the_store_holds(client, store):
    body = assert_virtual_number(add_number(client, seed_request()))
    stored = store.get(body["number"])
    assert stored is not None
    assert {name: body[name] for name in vars(stored)} == vars(stored)


@pytest.mark.parametrize(("dgn_number", "region_name"), [
    ("74991234567", "г. Москва"),
    ("78123456789", "г. Санкт-Петербург"),
    ("79161234567", None),  # a mobile ДГН: the geocoder knows only the country (D7)
], ids=["Moscow city number", "Saint Petersburg city number", "mobile number"])
def test_region_name_comes_from_the_dgn_number(client, dgn_number, region_name):
    body = assert_virtual_number(add_number(client, request_with(dgn_number=dgn_number)))
    assert body["region_name"] == region_name


def test_ids_are_unique_and_increasing(client):
    numbers = [f"7916123456{digit}" for digit in range(5)]
    ids = [assert_virtual_number(add_number(client, request_with(number=number)))["id"]
           for number in numbers]
    assert ids == sorted(set(ids))
    assert all(isinstance(id_, int) and id_ >= 1 for id_ in ids)


COMMENTS = {
    "Cyrillic": "Заметка о номере: ёЁ «кавычки» — тире",
    "outside the BMP": "note 😀 𝔘",
    "empty": "",
    "255 ASCII characters": "x" * 255,
    "255 Cyrillic characters (510 bytes)": "ж" * 255,
    "escapes and controls": 'quote " backslash \\ tab \t newline \n nul \u0000',
}


@pytest.mark.parametrize("comment", COMMENTS.values(), ids=COMMENTS.keys())
def test_comment_round_trips_exactly(client, store, comment):
    body = assert_virtual_number(add_number(client, request_with(comment=comment)))
    assert body["comment"] == comment
    stored = store.get(body["number"])
    assert stored is not None and stored.comment == comment


# --- authentication (D14) -----------------------------------------------------------------

REJECTED_AUTHORIZATION: dict[str, list[tuple[str, str | bytes]]] = {
    "missing": [],
    "empty": [("Authorization", "")],
    "wrong token": [("Authorization", "wrong-token")],
    "Bearer with a wrong token": [("Authorization", "Bearer wrong-token")],
    "Bearer without a token": [("Authorization", "Bearer")],
    "another scheme": [("Authorization", f"Basic {TOKEN}")],
    "a prefix of the token": [("Authorization", TOKEN[:-1])],
    "the token and more": [("Authorization", TOKEN + "x")],
    "two Authorization headers": [("Authorization", TOKEN), ("Authorization", TOKEN)],
    "non-ASCII UTF-8 bytes": [("Authorization", "тест-токен".encode("utf-8"))],
    "a byte that is not UTF-8": [("Authorization", TOKEN.encode("ascii") + b"\xff")],
}


@pytest.mark.parametrize("authorization", REJECTED_AUTHORIZATION.values(),
                         ids=REJECTED_AUTHORIZATION.keys())
def test_a_missing_or_wrong_token_is_401(client, store, authorization):
    response = client.post(ADD_PATH, content=json_bytes(seed_request()),
                           headers=[("Content-Type", "application/json"), *authorization])
    assert_error(response, 401, "unauthorized")
    assert store.count() == 0


def test_the_401_body_is_the_documented_example(client):
    response = add_number(client, seed_request(), headers=headers(authorization=None))
    assert response.json()["error"] == ERROR_EXAMPLES["missingToken"]


@pytest.mark.parametrize("authorization", [TOKEN, f"Bearer {TOKEN}", f"bearer {TOKEN}"],
                         ids=["raw token", "Bearer token", "lower-case bearer"])
def test_the_token_is_accepted_raw_or_as_bearer(client, authorization):
    assert_virtual_number(add_number(client, seed_request(), headers=headers(authorization=authorization)))


def test_a_non_ascii_token_matches_its_utf8_bytes(store):
    with mock_client(create_app(store, token="тест-токен")) as client:
        sent = headers(authorization="тест-токен".encode("utf-8"))
        assert_virtual_number(client.post(ADD_PATH, content=json_bytes(seed_request()), headers=sent))


BAD_REQUESTS_WITH_A_WRONG_TOKEN: dict[str, tuple[bytes, dict[str, str | bytes]]] = {
    "malformed body": (b"{", headers(authorization="wrong")),
    "invalid body": (json_bytes(request_with(purpose="employee")), headers(authorization="wrong")),
    "wrong media type": (json_bytes(seed_request()),
                         headers(authorization="wrong", content_type="text/plain")),
    "oversized body": (padded(seed_request(), MAX_BODY_BYTES + 1), headers(authorization="wrong")),
}


@pytest.mark.parametrize(("content", "sent_headers"), BAD_REQUESTS_WITH_A_WRONG_TOKEN.values(),
                         ids=BAD_REQUESTS_WITH_A_WRONG_TOKEN.keys())
def test_the_token_is_checked_before_the_body(client, content, sent_headers):
    assert_error(client.post(ADD_PATH, content=content, headers=sent_headers), 401, "unauthorized")


# --- media type (415, D18) ---------------------------------------------------------------

REFUSED_MEDIA: dict[str, dict[str, str | bytes]] = {
    "no Content-Type": headers(content_type=None),
    "text/plain": headers(content_type="text/plain"),
    "application/xml": headers(content_type="application/xml"),
    "form (curl -d default)": headers(content_type="application/x-www-form-urlencoded"),
    "JSON-looking type": headers(content_type="application/json-patch+json"),
    "charset latin-1": headers(content_type="application/json; charset=latin-1"),
    "charset utf-16": headers(content_type="application/json; charset=utf-16"),
}


@pytest.mark.parametrize("sent_headers", REFUSED_MEDIA.values(), ids=REFUSED_MEDIA.keys())
def test_a_body_that_is_not_utf8_json_is_415(client, store, sent_headers):
    response = client.post(ADD_PATH, content=json_bytes(seed_request()), headers=sent_headers)
    assert_error(response, 415, "unsupported_media_type")
    assert store.count() == 0


def test_a_compressed_body_is_415(client, store):
    response = client.post(ADD_PATH, content=gzip.compress(json_bytes(seed_request())),
                           headers=headers(content_encoding="gzip"))
    assert_error(response, 415, "unsupported_media_type")
    assert store.count() == 0


@pytest.mark.parametrize("content_type", [
    "application/json; charset=UTF-8",
    "APPLICATION/JSON",
    "application/json;charset=utf-8",
    'application/json; charset="utf-8"',
], ids=["documented charset=UTF-8", "upper case", "no space", "quoted charset"])
def test_utf8_json_media_types_are_accepted(client, content_type):
    assert_virtual_number(add_number(client, seed_request(), headers=headers(content_type=content_type)))


# --- size (413, D18) ---------------------------------------------------------------------

def test_a_body_of_exactly_the_limit_is_accepted(client):
    assert_virtual_number(client.post(ADD_PATH, content=padded(seed_request(), MAX_BODY_BYTES),
                                      headers=JSON_HEADERS))


def test_a_body_one_byte_over_the_limit_is_413(client, store):
    response = client.post(ADD_PATH, content=padded(seed_request(), MAX_BODY_BYTES + 1),
                           headers=JSON_HEADERS)
    assert_error(response, 413, "payload_too_large")
    assert store.count() == 0


def test_a_content_length_over_the_limit_is_413_before_reading(client, store):
    # The body itself is small: the declared length alone must be refused.
    response = client.post(ADD_PATH, content=json_bytes(seed_request()),
                           headers=headers(content_length=str(MAX_BODY_BYTES + 1)))
    assert_error(response, 413, "payload_too_large")
    assert store.count() == 0


@pytest.mark.parametrize("content_length", ["abc", "-1", "\u00b2".encode("latin-1")],
                         ids=["letters", "negative", "superscript two (latin-1 byte 0xB2)"])
def test_an_unusable_content_length_is_not_trusted(client, content_length):
    # Real servers refuse these before the app; in-process the body's real size decides.
    response = client.post(ADD_PATH, content=json_bytes(seed_request()),
                           headers=headers(content_length=content_length))
    assert_virtual_number(response)


def test_a_streamed_body_over_the_limit_is_413(store):
    async def chunks() -> AsyncIterator[bytes]:
        yield json_bytes(seed_request())
        for _ in range(MAX_BODY_BYTES // 4096 + 1):
            yield b" " * 4096

    async def send() -> httpx.Response:
        async with async_mock_client(create_app(store, token=TOKEN)) as client:
            # No Content-Length: httpx sends a generator chunked, so only counting can refuse it.
            return await client.post(ADD_PATH, content=chunks(), headers=JSON_HEADERS)

    response = asyncio.run(send())
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "payload_too_large")
    assert store.count() == 0


# --- malformed JSON (400, D18) -------------------------------------------------------------

SEED_JSON = json_bytes(seed_request())
MALFORMED: dict[str, bytes] = {
    "empty body": b"",
    "only whitespace": b"  \n",
    "unclosed object": b"{",
    "single quotes": SEED_JSON.replace(b'"', b"'"),
    "two JSON values": SEED_JSON + b" {}",
    "invalid UTF-8": SEED_JSON.replace("ЗаметкаАПИ".encode(), b"\xff\xfe"),
    "UTF-16": json.dumps(seed_request()).encode("utf-16"),
    "UTF-8 BOM": b"\xef\xbb\xbf" + SEED_JSON,
    "NaN": b'{"number": NaN}',
    "Infinity": b'{"number": Infinity}',
    "-Infinity": b'{"number": -Infinity}',
    "duplicate key, same value": SEED_JSON[:-1] + b', "number": "79268622332"}',
    "duplicate key, other value": SEED_JSON[:-1] + b', "type": "abc"}',
    "lone surrogate in a key": SEED_JSON[:-1] + b', "\\ud800": 1}',
    "lone surrogate in a value": json.dumps(request_with(comment="\ud800")).encode("ascii"),
    "low surrogate first": json.dumps(request_with(comment="\udc00\ud800")).encode("ascii"),
    "5000-digit integer": b'{"number": 1' + b"0" * 4999 + b"}",
    "30000 nested arrays": b"[" * 30000 + b"]" * 30000,
    "10000 nested objects": b'{"a":' * 10000 + b"}" * 10000,
}


@pytest.mark.parametrize("content", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_body_that_is_not_strict_json_is_400_malformed_json(client, store, content):
    assert len(content) <= MAX_BODY_BYTES  # so that 413 cannot answer first
    response = client.post(ADD_PATH, content=content, headers=JSON_HEADERS)
    assert_error(response, 400, "malformed_json")
    assert store.count() == 0


def test_the_malformed_json_answer_carries_the_documented_message(client):
    example = ERROR_EXAMPLES["malformedJson"]
    detail = assert_error(client.post(ADD_PATH, content=b"", headers=JSON_HEADERS),
                          400, example["code"], example["field"])
    assert example["message"] in detail["message"]


def nested(depth: int) -> bytes:
    """The seed request with `number` replaced by `depth` nested arrays (json.dumps would recurse)."""
    return SEED_JSON.replace(b'"79268622332"', b"[" * depth + b"]" * depth)


def test_values_nested_up_to_the_parser_limit_are_400_not_500(client):
    # Schema error messages repr() the value: a depth just under the parser's limit used to
    # exceed the recursion limit there (a 500 with a stack trace). Past ~1000 the parser refuses.
    for depth in range(1, 1001):
        response = client.post(ADD_PATH, content=nested(depth), headers=JSON_HEADERS)
        assert response.status_code == 400, f"depth {depth}: {response.text[:200]}"
        code = response.json()["error"]["code"]
        assert code in {"validation_failed", "malformed_json"}, f"depth {depth}"
        assert_error(response, 400, code, "number" if code == "validation_failed" else None)


# --- schema violations (400, D10, D12, D17) ------------------------------------------------

INVALID: dict[str, tuple[Any, str | None]] = {
    "JSON array": ([seed_request()], None),
    "JSON string": ("79268622332", None),
    "JSON null": (None, None),
    "empty object": ({}, "number"),
    **{f"{name} missing": (request_with(**{name: DROP}), name)
       for name in ("number", "dgn_number", "purpose", "type")},
    "unknown property": (request_with(coment="typo"), "coment"),
    "purpose employee": (request_with(purpose="employee"), "purpose"),
    "purpose with Cyrillic с (U+0441)": (request_with(purpose="\u0441ompany"), "purpose"),
    "type abc": (request_with(type="abc"), "type"),
    "number of 10 digits": (request_with(number="7926862233"), "number"),
    "number of 12 digits": (request_with(number="792686223321"), "number"),
    "number with +7": (request_with(number="+79268622332"), "number"),
    "number with 8": (request_with(number="89268622332"), "number"),
    "number with letters": (request_with(number="7926862233a"), "number"),
    "number as an integer": (request_with(number=79268622332), "number"),
    "number that is not mobile": (request_with(number="74958042300"), "number"),
    "dgn_number with +7": (request_with(dgn_number="+74958042300"), "dgn_number"),
    "dgn_number as an integer": (request_with(dgn_number=74958042300), "dgn_number"),
    "comment of 256 characters": (request_with(comment="x" * 256), "comment"),
    "comment null": (request_with(comment=None), "comment"),
    "comment as an integer": (request_with(comment=5), "comment"),
}


@pytest.mark.parametrize(("body", "field"), INVALID.values(), ids=INVALID.keys())
def test_a_body_breaking_the_request_schema_is_400_naming_the_field(client, store, body, field):
    assert_error(add_number(client, body), 400, "validation_failed", field)
    assert store.count() == 0


def test_a_number_literal_too_large_for_a_float_is_a_validation_error(client):
    # json.loads turns 1e400 into inf; it is still a number where a string is required.
    content = SEED_JSON.replace(b'"79268622332"', b"1e400")
    assert_error(client.post(ADD_PATH, content=content, headers=JSON_HEADERS),
                 400, "validation_failed", "number")


def test_the_look_alike_purpose_answer_matches_the_documented_example(client):
    example = ERROR_EXAMPLES["invalidPurpose"]
    detail = assert_error(add_number(client, request_with(purpose="\u0441ompany")),
                          400, example["code"], example["field"])
    assert example["message"] in detail["message"]


HUGE = "9" * 60_000


@pytest.mark.parametrize(("body", "field"), [
    (request_with(comment=HUGE), "comment"),
    (request_with(number=HUGE), "number"),
    (request_with(**{HUGE: 1}), HUGE),
], ids=["60 KiB comment", "60 KiB number", "60 KiB unknown property name"])
def test_error_messages_stay_short_whatever_the_input(client, body, field):
    detail = assert_error(add_number(client, body), 400, "validation_failed", field)
    assert len(detail["message"]) <= 300


# --- routing (404, 405) --------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("sent_headers", [JSON_HEADERS, {}], ids=["with token", "without token"])
def test_another_method_on_the_path_is_405_with_allow_post(client, store, method, sent_headers):
    response = client.request(method, ADD_PATH, content=json_bytes(seed_request()), headers=sent_headers)
    assert_error(response, 405, "method_not_allowed")
    assert response.headers["allow"] == "POST"
    assert store.count() == 0


def test_head_on_the_path_is_405_with_allow_post(client):
    response = client.head(ADD_PATH, headers=JSON_HEADERS)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


UNKNOWN_PATHS = ["/", "/numbers", "/numbers/unconfirmed/", "/numbers/unconfirmed/extra",
                 "/NUMBERS/UNCONFIRMED", "/numbers/virtual-number/", "/numbers/virtual-number/1/x",
                 "/numbers/def-virtual-number-capacity/"]


@pytest.mark.parametrize("path", UNKNOWN_PATHS)
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_an_unknown_path_is_404_and_never_a_redirect(client, store, method, path):
    response = client.request(method, path, content=json_bytes(seed_request()), headers=JSON_HEADERS)
    assert_error(response, 404, "not_found")
    assert "location" not in response.headers
    assert store.count() == 0


# --- duplicates (409, D11) -----------------------------------------------------------------

def test_adding_the_same_number_twice_is_409_with_the_documented_body(client, store):
    assert_virtual_number(add_number(client, seed_request()))
    response = add_number(client, seed_request())
    assert_error(response, 409, "duplicate_number", "number")
    assert response.json()["error"] == ERROR_EXAMPLES["duplicate"]
    assert store.count() == 1


DUPLICATES = {
    "another dgn_number": request_with(dgn_number="74991234567"),
    "another purpose": request_with(purpose="company"),
    "another comment": request_with(comment="другая заметка"),
    "comment omitted": request_with(comment=DROP),
    "every other field changed": request_with(dgn_number="78123456789", purpose="company", comment=DROP),
}


@pytest.mark.parametrize("second", DUPLICATES.values(), ids=DUPLICATES.keys())
def test_the_same_number_with_other_fields_is_409_and_changes_nothing(client, store, second):
    first = assert_virtual_number(add_number(client, seed_request()))
    before = store.get(first["number"])
    assert_error(add_number(client, second), 409, "duplicate_number", "number")
    assert store.get(first["number"]) == before
    assert store.count() == 1


def test_a_409_does_not_stop_other_numbers_from_being_added(client):
    first = assert_virtual_number(add_number(client, seed_request()))
    assert_error(add_number(client, seed_request()), 409, "duplicate_number", "number")
    second = assert_virtual_number(add_number(client, request_with(number="79161234567")))
    assert second["id"] > first["id"]


# --- every error, and what errors leave behind ----------------------------------------------

def documented_error_codes() -> set[str]:
    """The codes listed in the description of ErrorDetail.code in the document."""
    code = bundled_document()["components"]["schemas"]["ErrorDetail"]["properties"]["code"]
    description = code["description"]
    return set(re.findall(r"`([a-z_]+)`", description))


class ErrorCase(NamedTuple):
    status: int
    field: str | None
    method: str
    path: str
    content: bytes
    headers: dict[str, str | bytes]


# code -> one request that must produce it, sent after the seed request was added once
# Codes of the other operations, each tested in tests/test_mock_lifecycle.py.
LIFECYCLE_CODES = {"number_not_connectable"}

ONE_REQUEST_PER_CODE: dict[str, ErrorCase] = {
    "malformed_json": ErrorCase(400, None, "POST", ADD_PATH, b"{", JSON_HEADERS),
    "validation_failed": ErrorCase(400, "type", "POST", ADD_PATH, json_bytes(request_with(type="abc")),
                                   JSON_HEADERS),
    "unauthorized": ErrorCase(401, None, "POST", ADD_PATH, SEED_JSON, headers(authorization=None)),
    "not_found": ErrorCase(404, None, "POST", "/numbers", SEED_JSON, JSON_HEADERS),
    "method_not_allowed": ErrorCase(405, None, "GET", ADD_PATH, b"", JSON_HEADERS),
    "duplicate_number": ErrorCase(409, "number", "POST", ADD_PATH, SEED_JSON, JSON_HEADERS),
    "payload_too_large": ErrorCase(413, None, "POST", ADD_PATH,
                                   padded(seed_request(), MAX_BODY_BYTES + 1), JSON_HEADERS),
    "unsupported_media_type": ErrorCase(415, None, "POST", ADD_PATH, SEED_JSON,
                                        headers(content_type="text/plain")),
}


# D28: only mobile numbers exist on the mock, and they can always be deleted.
NEVER_ON_THE_MOCK = {"not_deletable"}


def test_every_documented_error_code_has_a_request_below_or_in_the_lifecycle_tests():
    assert set(ONE_REQUEST_PER_CODE) | LIFECYCLE_CODES | NEVER_ON_THE_MOCK == documented_error_codes()


@pytest.mark.parametrize("code", ONE_REQUEST_PER_CODE)
def test_every_error_code_is_answered_in_the_documented_shape(client, code):
    assert_virtual_number(add_number(client, seed_request()))
    case = ONE_REQUEST_PER_CODE[code]
    response = client.request(case.method, case.path, content=case.content, headers=case.headers)
    assert_error(response, case.status, code, case.field)


def test_bad_requests_neither_lose_nor_change_a_stored_number(client, store):
    first = assert_virtual_number(add_number(client, seed_request()))
    original = store.get(first["number"])
    assert original is not None
    same_number = seed_request()["number"]
    bad: list[tuple[bytes, dict[str, str | bytes]]] = [
        (json_bytes(request_with(purpose="employee", comment="overwritten?")), JSON_HEADERS),
        (json_bytes(request_with(comment=None)), JSON_HEADERS),
        (json_bytes(request_with(coment="typo")), JSON_HEADERS),
        (SEED_JSON[:-1] + b', "comment": "second"}', JSON_HEADERS),  # duplicate key
        (json.dumps(request_with(comment="\ud800")).encode("ascii"), JSON_HEADERS),
        (b"{", JSON_HEADERS),
        (json_bytes(request_with(dgn_number="74991234567")), JSON_HEADERS),  # 409
        (json_bytes(request_with(comment="wrong token")), headers(authorization="wrong")),
        (json_bytes(request_with(comment="plain text")), headers(content_type="text/plain")),
        (padded(request_with(comment="too big"), MAX_BODY_BYTES + 1), JSON_HEADERS),
        (b"[" * 30000, JSON_HEADERS),
    ]
    for content, sent_headers in bad:
        response = client.post(ADD_PATH, content=content, headers=sent_headers)
        assert 400 <= response.status_code < 500, response.text
    assert store.count() == 1
    assert store.get(same_number) == original
