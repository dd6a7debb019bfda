"""Where each operation of the document lives, and which generated model its answer is.

Written out here so the client needs neither the document nor a YAML parser at run time;
tests/test_client_contract.py compares every line with openapi/openapi.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from generated.models import (
    ConnectableNumber,
    DeletedNumber,
    EditedMobileNumber,
    VirtualNumber,
)

# The document's server (servers[0].url): the production Data API.
PRODUCTION_BASE_URL = "https://simple-api.cp.megafon.ru"


@dataclass(frozen=True)
class Route:
    operation_id: str
    method: str
    path: str  # the document's template, e.g. "/numbers/virtual-number/{id}"
    answer: TypeAdapter[Any]  # parses the success body into the generated model(s)

    def url_path(self, **path_parameters: int) -> str:
        return self.path.format(**path_parameters)


LIST_CONNECTABLE = Route("listConnectableMobileNumbers", "GET", "/numbers/def-virtual-number-capacity",
                         TypeAdapter(list[ConnectableNumber]))
ADD = Route("addMobileNumber", "POST", "/numbers/unconfirmed", TypeAdapter(VirtualNumber))
LIST = Route("listVirtualNumbers", "GET", "/numbers/virtual-number", TypeAdapter(list[VirtualNumber]))
GET = Route("getVirtualNumber", "GET", "/numbers/virtual-number/{id}", TypeAdapter(VirtualNumber))
EDIT = Route("editMobileNumber", "PUT", "/numbers/virtual-number/{id}", TypeAdapter(EditedMobileNumber))
DELETE = Route("deleteVirtualNumber", "DELETE", "/numbers/virtual-number/{id}", TypeAdapter(DeletedNumber))

ROUTES = (LIST_CONNECTABLE, ADD, LIST, GET, EDIT, DELETE)
