"""openapi-generator's `python` client (build/clients/openapi-generator-python) through the walk."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from scenario import Answer, main
from vpbx_ogen import (
    AddMobileNumberRequest,
    ApiClient,
    ApiException,
    Configuration,
    EditMobileNumberRequest,
    EditToEmployee,
    Error,
    MobileNumbersApi,
    NumberType,
)


def _answer(call: Callable[[], Any]) -> Answer:
    """A success as its model; a documented error as the generated Error (it raises them)."""
    try:
        response = call()
    except ApiException as error:
        parsed = Error.from_json(error.body or "null")
        return Answer(int(error.status), None if parsed is None else parsed.to_dict())
    body = response.data
    value = [item.to_dict() for item in body] if isinstance(body, list) else body.to_dict()
    return Answer(response.status_code, json.loads(json.dumps(value)))


class OpenApiGeneratorPython:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _api(self, token: str) -> MobileNumbersApi:
        # The scheme's name in the document is apiToken; no prefix: the bare token (D14).
        return MobileNumbersApi(ApiClient(Configuration(host=self.base_url, api_key={"apiToken": token})))

    def list_connectable(self, token: str) -> Answer:
        return _answer(self._api(token).list_connectable_mobile_numbers_with_http_info)

    def add(self, token: str, number: str, dgn_number: str, purpose: str, comment: str) -> Answer:
        body = AddMobileNumberRequest(number=number, dgn_number=dgn_number, purpose=purpose,
                                      type="def", comment=comment)
        return _answer(lambda: self._api(token).add_mobile_number_with_http_info(body))

    def get(self, token: str, id: int) -> Answer:
        return _answer(lambda: self._api(token).get_virtual_number_with_http_info(id))

    def list_def(self, token: str) -> Answer:
        return _answer(lambda: self._api(token).list_virtual_numbers_with_http_info(type=NumberType.DEF))

    def edit_to_employee(self, token: str, id: int, employee_id: int, comment: str) -> Answer:
        body = EditMobileNumberRequest(EditToEmployee(id=id, purpose="employee",
                                                      employee_id=employee_id, comment=comment))
        return _answer(lambda: self._api(token).edit_mobile_number_with_http_info(id, body))

    def delete(self, token: str, id: int) -> Answer:
        return _answer(lambda: self._api(token).delete_virtual_number_with_http_info(id))


if __name__ == "__main__":
    main(OpenApiGeneratorPython)
