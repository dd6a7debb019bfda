"""An HTTP client for the explicit domain tests: it sends exactly the bytes a test crafts,
records every answer in the run's coverage, and judges it with schemathesis's response
checks plus the domain checks, so crafted requests are held to the same contract."""

from __future__ import annotations

from typing import Any

import httpx
from schemathesis.specs.openapi.schemas import OpenApiSchema

from vpbx_suite.contract import JSON_MEDIA_TYPE, OPERATION_ID, OPERATION_PATH
from vpbx_suite.run import SuiteRun
from vpbx_suite.schemathesis_checks import DOMAIN_CHECKS
from vpbx_suite.schemathesis_config import RESPONSE_CONFORMANCE_CHECKS
from vpbx_suite.targeted_cases import NOT_JSON, Sent, as_json

USE_TOKEN = object()  # send the run's token (the default)
TIMEOUT_SECONDS = 10.0


class NoAnswer(AssertionError):
    """The server did not answer (timeout, refused or dropped connection)."""


class TargetApi:
    def __init__(self, base_url: str, token: str, schema: OpenApiSchema, run: SuiteRun) -> None:
        self._client = httpx.Client(base_url=base_url, timeout=TIMEOUT_SECONDS)
        self._token = token
        self._schema = schema
        self._operation = schema.find_operation_by_id(OPERATION_ID)
        self.run = run

    def close(self) -> None:
        self._client.close()

    def send(self, sent: Sent, token: Any = USE_TOKEN) -> httpx.Response:
        """POST the crafted request; judge and record the answer. token=None omits the header."""
        headers = {}
        if sent.content_type is not None:
            headers["Content-Type"] = sent.content_type
        token = self._token if token is USE_TOKEN else token
        if token is not None:
            headers["Authorization"] = token
        try:
            response = self._client.post(OPERATION_PATH, content=sent.content, headers=headers)
        except httpx.TransportError as error:
            raise NoAnswer(f"POST {OPERATION_PATH}: no answer ({type(error).__name__}: {error}; "
                           f"timeout {TIMEOUT_SECONDS:.0f} s)") from None
        self.run.coverage.record(response.status_code, _json_or_none(response))
        body = None if sent.body is NOT_JSON else sent.body
        case = self._schema.make_case(operation=self._operation, body=body,
                                      media_type=sent.content_type or JSON_MEDIA_TYPE)
        case.validate_response(response, checks=[*RESPONSE_CONFORMANCE_CHECKS, *DOMAIN_CHECKS])
        return response

    def add(self, body: dict[str, Any]) -> httpx.Response:
        return self.send(as_json(body))


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
