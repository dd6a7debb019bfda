"""A bounded, seeded fuzz pass over the mock's raw HTTP layer.

Requests are written byte by byte over sockets: random and broken bodies, wrong encodings,
huge numbers, deep nesting, garbage header values, odd methods, paths and framing. Whatever
comes in, the mock must never answer 5xx, never send a JSON body that does not parse, and
never crash. Malformed HTTP may get uvicorn's own 400, or no answer at all.

The seed is fixed so that a failure reproduces; VPBX_FUZZ_SEED=<n> explores another one.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.contract_data import seed_request
from tests.mock_client import assert_virtual_number, json_bytes
from tests.reliability_tools import (
    RawConnection,
    RawResponse,
    ServerSentGarbage,
    add_body,
    json_headers,
    number,
)
from vpbx_mock.app import ADD_PATH
from vpbx_mock.settings import MAX_BODY_BYTES
from vpbx_suite.mock_process import MockProcess, running_mock

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("VPBX_FUZZ_SEED", "20260611"))
CASES = 400
WORKERS = 16
# A request whose body never fully arrives stays pending; waiting longer proves nothing.
ANSWER_TIMEOUT = 1.0
TOKEN = "reliability-fuzz-token-93e5"
FIELDS = ["number", "dgn_number", "purpose", "comment", "type"]


@dataclass
class Case:
    index: int
    kind: str
    method: bytes
    path: bytes
    version: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes  # as sent, after the head (chunk-encoded when chunked)
    well_formed: bool  # an authenticated POST of a body to the add path, framed exactly

    def raw(self) -> bytes:
        head = [self.method + b" " + self.path + b" " + self.version]
        head += [name + b": " + value for name, value in self.headers]
        return b"\r\n".join(head) + b"\r\n\r\n" + self.body

    def describe(self) -> str:
        head = self.raw()[: len(self.raw()) - len(self.body)]
        return (f"seed {SEED}, case {self.index} ({self.kind}): {head[:600]!r}"
                f" + body of {len(self.body)} bytes {self.body[:200]!r}")


# --- bodies -----------------------------------------------------------------------------

def valid_body(rng: random.Random) -> bytes:
    return add_body(f"79{rng.randrange(10**9):09d}")


def random_bytes(rng: random.Random) -> bytes:
    return rng.randbytes(rng.choice([0, 1, 2, 10, 100, 1000, 5000]))


def truncated(rng: random.Random) -> bytes:
    body = valid_body(rng)
    return body[: rng.randrange(len(body))]


def mutated(rng: random.Random) -> bytes:
    body = bytearray(valid_body(rng))
    for _ in range(rng.randint(1, 5)):
        at = rng.randrange(len(body))
        operation = rng.choice(["replace", "delete", "insert", "duplicate", "special"])
        if operation == "replace":
            body[at] = rng.randrange(256)
        elif operation == "delete":
            del body[at]
        elif operation == "insert":
            body[at:at] = rng.randbytes(rng.randint(1, 4))
        elif operation == "duplicate":
            body[at:at] = body[at: at + rng.randint(1, 20)]
        else:
            body[at:at] = rng.choice([b'"', b"{", b"}", b"[", b"]", b":", b",", b"\\", b"\\u",
                                      b"\x00", b"null", b"-", b"e", b"."])
    return bytes(body)


def wrong_encoding(rng: random.Random) -> bytes:
    text = json.dumps({**seed_request(), "comment": "ЗаметкаАПИ café"}, ensure_ascii=False)
    latin = json.dumps({**seed_request(), "comment": "café über"}, ensure_ascii=False)
    cyrillic = json.dumps(seed_request(), ensure_ascii=False)  # the comment is ЗаметкаАПИ
    utf8 = text.encode("utf-8")
    at = utf8.index("café".encode("utf-8"))
    invalid = rng.choice([b"\xff", b"\xfe", b"\x80", b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80",
                          b"\xf4\x90\x80\x80", b"\xe2\x82", b"\xf8\x88\x80\x80\x80"])
    return rng.choice([
        text.encode("utf-16"), text.encode("utf-16-le"), text.encode("utf-16-be"),
        text.encode("utf-32"), latin.encode("latin-1"), cyrillic.encode("cp1251"),
        b"\xef\xbb\xbf" + utf8, utf8[:at] + invalid + utf8[at:],
    ])


def with_value(rng: random.Random, value: bytes) -> bytes:
    """A valid body with `value` (raw JSON text) in a random place."""
    where = rng.choice([*FIELDS, "extra", "top", "array"])
    if where == "top":
        return value
    if where == "array":
        return b"[" + value + b"]"
    body = {**seed_request()}
    body[where] = "\x00PLACEHOLDER\x00"
    return json_bytes(body).replace(b'"\\u0000PLACEHOLDER\\u0000"', value)


def huge_number(rng: random.Random) -> bytes:
    return with_value(rng, rng.choice([
        b"1" * 10**5,  # over the body limit
        b"9" * rng.randrange(4000, 60000),
        b"-" + b"9" * 5000,
        b"1e999999", b"-1e999999", b"1e-999999", b"1E+400", b"-0", b"-0.0e-0",
        b"0." + b"0" * 50000 + b"1",
        b"123456789012345678901234567890.5e10",
        b"79268622332",  # the right digits, as a number
    ]))


def deep_nesting(rng: random.Random) -> bytes:
    shape = rng.choice(["array", "object", "mixed", "open"])
    # Around the mock's own limit (100), around Python's recursion limit (1000), or anywhere.
    depth = rng.choice([rng.randint(10, 200), rng.randint(900, 1100), rng.randint(10, 50000)])
    if shape == "array":
        value = b"[" * min(depth, 32000) + b"]" * min(depth, 32000)
    elif shape == "object":
        value = b'{"a":' * min(depth, 10000) + b"1" + b"}" * min(depth, 10000)
    elif shape == "mixed":
        value = b'[{"a":' * min(depth, 6000) + b"0" + b"}]" * min(depth, 6000)
    else:  # never closed
        value = b"[" * depth
    body = with_value(rng, value)
    return body if len(body) <= MAX_BODY_BYTES else value[:MAX_BODY_BYTES]


def odd_values(rng: random.Random) -> bytes:
    return with_value(rng, rng.choice([
        b"null", b"true", b"false", b"12", b"-0.0", b'""', b'"\\u0000"', b'"\\ud800"',
        b'"\\udfff\\ud800"', b'"\\ud83d\\ude00"', b'"\\"', b'"' + b"x" * 60000 + b'"',
        '"٧٩٢٦٨٦٢٢٣٣٢"'.encode(), b'"79268622332\\n"', b'" 79268622332"', '"сompany"'.encode(),
        b"{}", b"[]", b'{"": ""}', b"NaN", b"Infinity", b"-Infinity", b"undefined", b"'x'",
        b"[" + b"0," * 30000 + b"0]",  # wide rather than deep
        b'{"' + b'":0,"'.join(b"k%d" % key for key in range(6000)) + b'":0}',
    ]))


def many_keys(rng: random.Random) -> bytes:
    """Thousands of unknown properties, or of duplicates, next to valid ones."""
    keys = [b'"k%d": %d' % (key, key) for key in range(rng.choice([10, 1000, 6000]))]
    if rng.random() < 0.5:
        keys.append(b'"k0": 0')
    return valid_body(rng)[:-1] + b", " + b", ".join(keys) + b"}"


def not_an_object(rng: random.Random) -> bytes:
    return rng.choice([b"", b" ", b"null", b"[]", b"{}", b'"str"', b"0", b"true", b"\n\t",
                       b"{} {}", b"{}x", b"/* */{}", b"\x00", b'{"number": "79268622332"}'])


def too_large(rng: random.Random) -> bytes:
    body = valid_body(rng)
    return body + b" " * (MAX_BODY_BYTES + rng.choice([1, 2, 100, 100000]) - len(body))


BODIES: dict[str, Callable[[random.Random], bytes]] = {
    "valid": valid_body, "random bytes": random_bytes, "truncated": truncated,
    "mutated": mutated, "wrong encoding": wrong_encoding, "huge number": huge_number,
    "deep nesting": deep_nesting, "odd values": odd_values, "not an object": not_an_object,
    "too large": too_large, "many keys": many_keys,
}


# --- heads ------------------------------------------------------------------------------

def garbage(rng: random.Random) -> bytes:
    """Header-value garbage: high bytes, controls, separators, sometimes CR or LF."""
    return rng.randbytes(rng.randint(0, 40))


def pick(rng: random.Random, usual: bytes, others: list[bytes | None],
         p_usual: float) -> bytes | None:
    return usual if rng.random() < p_usual else rng.choice(others)


def make_case(rng: random.Random, index: int) -> Case:
    kind = list(BODIES)[index % len(BODIES)]
    body = BODIES[kind](rng)
    # Half the cases have a clean head, so that their bodies reach the JSON parser.
    chaos = 0.0 if rng.random() < 0.5 else 1.0
    method = pick(rng, b"POST", [b"GET", b"PUT", b"DELETE", b"PATCH", b"HEAD", b"OPTIONS",
                                 b"TRACE", b"CONNECT", b"post", b"P0ST", b"", b"POST POST",
                                 rng.randbytes(5)], 1 - 0.15 * chaos)
    path = pick(rng, ADD_PATH.encode(), [
        b"/", b"/numbers", b"/numbers/unconfirmed/", b"/numbers/unconfirmed?x=1&x=2",
        b"//numbers/unconfirmed", b"/numbers/%2e%2e/unconfirmed", b"/%ff%fe%00",
        b"/\xff\xfe", b"*", b"http://mock.test/numbers/unconfirmed", b"/" + b"a" * 10000,
        b"/numbers/unconfirmed;x", b"/NUMBERS/UNCONFIRMED", b"", b"numbers/unconfirmed",
    ], 1 - 0.15 * chaos)
    version = pick(rng, b"HTTP/1.1", [b"HTTP/1.0", b"HTTP/2.0", b"HTTP/1.2", b"HTTP/0.9",
                                      b"HTTP/1.1 x", b"http/1.1", b"HTTP/11", b""],
                   1 - 0.05 * chaos)
    assert method is not None and path is not None and version is not None
    content_type = pick(rng, b"application/json", [
        b"application/json; charset=utf-8", b"APPLICATION/JSON",
        b'application/json;charset="UTF-8"',
        b"application/json; charset=utf-16", b"application/json; charset=latin-1",
        b"application/json; charset", b"application/json;;;", b"text/plain",
        b"application/x-www-form-urlencoded", b"multipart/form-data; boundary=x", b"", b";",
        b"application/json; " + b"x=y;" * 2000, garbage(rng), None,
    ], 1 - 0.3 * chaos)
    authorization = pick(rng, TOKEN.encode(), [
        b"Bearer " + TOKEN.encode(), b"bearer   " + TOKEN.encode() + b"  ", b"Basic Zm9vOmJhcg==",
        b"wrong", b"", TOKEN.encode() + b"\x00", TOKEN.encode()[:-1], b"A" * 20000,
        "ключ".encode(), garbage(rng), None,
    ], 1 - 0.25 * chaos)
    host = pick(rng, b"mock.test", [b"", b"[", b"[::1", b"a]b", b"x:abc", b"x:99999999", b"a@b/c",
                                    "ｍｏｃｋ".encode(), b"h" * 5000, garbage(rng), None],
                1 - 0.1 * chaos)
    headers: list[tuple[bytes, bytes]] = [] if host is None else [(b"Host", host)]
    if content_type is not None:
        headers.append((b"Content-Type", content_type))
    if authorization is not None:
        headers.append((b"Authorization", authorization))
    if rng.random() < 0.05 * chaos:  # a second one: the mock must not pick one of two tokens
        headers.append((b"Authorization", TOKEN.encode()))

    framing = rng.choices(["length", "wrong length", "none", "chunked", "broken chunks"],
                          weights=[75, 10, 4, 8, 3])[0] if chaos else "length"
    if framing == "length":
        headers.append((b"Content-Length", str(len(body)).encode()))
    elif framing == "wrong length":
        headers.append((b"Content-Length", rng.choice([
            b"abc", b"-1", b"+5", b" 5", b"1e3", b"0x10", "²".encode("latin-1"), b"",
            b"99999999999999999999999999", b"18446744073709551616", b"5, 5",
            str(rng.randrange(len(body) + 1)).encode(),  # shorter: the rest is a 2nd request
            str(len(body) + rng.randint(1, 100)).encode(),  # longer: pending
            str(MAX_BODY_BYTES + 1).encode(), garbage(rng),
        ])))
        if rng.random() < 0.3:
            headers.append((b"Content-Length", str(len(body)).encode()))
    elif framing in ("chunked", "broken chunks"):
        headers.append((b"Transfer-Encoding", rng.choice([b"chunked"] * 4 + [b"gzip, chunked"])))
        if rng.random() < 0.1:
            headers.append((b"Content-Length", str(len(body)).encode()))
        chunks, at = [], 0
        while at < len(body):
            size = rng.randint(1, 4096)
            chunks.append(b"%x\r\n" % size + body[at: at + size] + b"\r\n")
            at += size
        if framing == "broken chunks":
            chunks.insert(rng.randint(0, len(chunks)), rng.choice([b"zz\r\n", b"-1\r\n", b"\r\n",
                                                                   b"ffffffffffffffffff\r\n"]))
        body = b"".join(chunks) + b"0\r\n\r\n"
    for name, value in rng.sample([
        (b"Content-Encoding", rng.choice([b"gzip", b"identity", b"br", garbage(rng)])),
        (b"Expect", b"100-continue"), (b"Connection", rng.choice([b"close", b"keep-alive",
                                                                  b"Upgrade"])),
        (b"Upgrade", rng.choice([b"websocket", b"h2c"])), (b"X-" + rng.randbytes(3).hex().encode(),
                                                           garbage(rng)),
    ], k=rng.choice([0, 0, 0, 1, 2]) if chaos else 0):
        headers.append((name, value))

    well_formed = (method == b"POST" and path == ADD_PATH.encode() and version == b"HTTP/1.1"
                   and content_type == b"application/json" and authorization == TOKEN.encode()
                   and host == b"mock.test" and framing == "length" and len(headers) == 4)
    return Case(index, kind, method, path, version, headers, body, well_formed)


def exchange(base_url: str, case: Case) -> RawResponse | None | ServerSentGarbage:
    with RawConnection(base_url, timeout=10.0) as connection:
        connection.send(case.raw())  # the server may hang up early; its answer still counts
        try:
            return connection.read_response(ANSWER_TIMEOUT, head=case.method == b"HEAD")
        except ServerSentGarbage as error:
            return error


def problems_with(case: Case, response: RawResponse | None | ServerSentGarbage) -> list[str]:
    if isinstance(response, ServerSentGarbage):
        return [str(response)]
    if response is None:
        return []  # closed or still waiting for the body: allowed
    problems = []
    if response.status >= 500:
        problems.append(f"answered {response.status}")
    if response.media_type == "application/json" and response.complete and response.body:
        try:
            answer = json.loads(response.body)
        except ValueError:
            return [*problems, f"{response.status} with JSON that does not parse:"
                               f" {response.body[:200]!r}"]
        if response.status >= 400 and not (
                isinstance(answer, dict) and set(answer) == {"error"}
                and set(answer["error"]) == {"code", "message", "field"}):
            problems.append(f"{response.status} error body of another shape: {answer!r:.300}")
    if case.well_formed and response.status not in (201, 400, 409, 413):
        problems.append(f"a well-formed add answered {response.status}")
    return problems


@pytest.fixture
def mock(tmp_path: Path) -> Iterator[MockProcess]:
    with running_mock(tmp_path / "mock.sqlite3", {"API_TOKEN": TOKEN, "MOCK_CONNECTABLE": "any"}) as process:
        yield process


def test_fuzzed_requests_never_get_a_5xx_nor_crash_the_mock(mock):
    rng = random.Random(SEED)
    cases = [make_case(rng, index) for index in range(CASES)]
    with ThreadPoolExecutor(WORKERS) as pool:
        responses = list(pool.map(lambda case: exchange(mock.base_url, case), cases))

    outcomes = Counter("no answer" if response is None else getattr(response, "status", "garbage")
                       for response in responses)
    print(f"\nfuzz seed {SEED}: {dict(outcomes.most_common())}")
    failures = [f"{problem} <- {case.describe()}"
                for case, response in zip(cases, responses)
                for problem in problems_with(case, response)]
    assert not failures, f"seed {SEED}: {len(failures)} failures:\n" + "\n".join(failures[:10])
    # The pass reached the application (JSON answers), not only uvicorn's parser.
    from_app = sum(1 for response in responses if isinstance(response, RawResponse)
                   and response.media_type == "application/json")
    assert from_app >= CASES // 2, f"seed {SEED}: only {from_app} answers from the application"
    for status in (201, 400, 401, 404, 405, 413, 415):
        assert outcomes[status] > 0, f"seed {SEED}: no {status} among {dict(outcomes)}"

    assert mock.process.poll() is None, f"seed {SEED}: the mock died:\n{mock.output()}"
    with httpx.Client(base_url=mock.base_url, headers=json_headers(TOKEN), timeout=10.0) as client:
        assert_virtual_number(client.post(ADD_PATH, content=add_body(number(0, 1))))
    assert "Traceback" not in mock.output(), f"seed {SEED}:\n{mock.output()[-5000:]}"
