"""openapi-python-client's client (build/clients/openapi-python-client) through the walk."""

from __future__ import annotations

from typing import Any

from scenario import Answer, main
from vpbx_opc.api.mobile_numbers import (
    add_mobile_number,
    delete_virtual_number,
    edit_mobile_number,
    get_virtual_number,
    list_connectable_mobile_numbers,
    list_virtual_numbers,
)
from vpbx_opc.client import AuthenticatedClient
from vpbx_opc.models import (
    AddMobileNumberRequest,
    AddMobileNumberRequestPurpose,
    AddMobileNumberRequestType,
    EditToEmployee,
    NumberType,
)
from vpbx_opc.types import Response


def _answer(response: Response[Any]) -> Answer:
    parsed = response.parsed
    if isinstance(parsed, list):
        return Answer(response.status_code, [item.to_dict() for item in parsed])
    return Answer(response.status_code, None if parsed is None else parsed.to_dict())


class OpenApiPythonClient:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def _client(self, token: str) -> AuthenticatedClient:
        # The bare token (D14): the generator's default prefix is "Bearer".
        return AuthenticatedClient(base_url=self.base_url, token=token, prefix="")

    def list_connectable(self, token: str) -> Answer:
        return _answer(list_connectable_mobile_numbers.sync_detailed(client=self._client(token)))

    def add(self, token: str, number: str, dgn_number: str, purpose: str, comment: str) -> Answer:
        body = AddMobileNumberRequest(number=number, dgn_number=dgn_number,
                                      purpose=AddMobileNumberRequestPurpose(purpose),
                                      type_=AddMobileNumberRequestType.DEF, comment=comment)
        return _answer(add_mobile_number.sync_detailed(client=self._client(token), body=body))

    def get(self, token: str, id: int) -> Answer:
        return _answer(get_virtual_number.sync_detailed(id, client=self._client(token)))

    def list_def(self, token: str) -> Answer:
        return _answer(list_virtual_numbers.sync_detailed(client=self._client(token),
                                                          type_=NumberType.DEF))

    def edit_to_employee(self, token: str, id: int, employee_id: int, comment: str) -> Answer:
        body = EditToEmployee(id=id, purpose="employee",
                              employee_id=employee_id, comment=comment)
        return _answer(edit_mobile_number.sync_detailed(id, client=self._client(token), body=body))

    def delete(self, token: str, id: int) -> Answer:
        return _answer(delete_virtual_number.sync_detailed(id, client=self._client(token)))


if __name__ == "__main__":
    main(OpenApiPythonClient)
