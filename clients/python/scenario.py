"""The walk every generated client takes (make clients): the six operations, then the
documented errors. A client is an adapter from these calls to its generated code; each call
answers the status and the parsed value written back as JSON through the generated types.
clients/run.py judges the transcript against what the mock stored."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Any, Protocol

LARGEST_ID = 9007199254740991  # 2^53 - 1, the largest id and employee_id the document allows (D30)


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any  # the parsed value, as JSON


class Client(Protocol):
    def list_connectable(self, token: str) -> Answer: ...
    def add(self, token: str, number: str, dgn_number: str, purpose: str, comment: str) -> Answer: ...
    def get(self, token: str, id: int) -> Answer: ...
    def list_def(self, token: str) -> Answer: ...
    def edit_to_employee(self, token: str, id: int, employee_id: int, comment: str) -> Answer: ...
    def delete(self, token: str, id: int) -> Answer: ...


def walk(client: Client, token: str, other_token: str) -> dict[str, Any]:
    """Every step's answer, by name; the same steps as clients/typescript/scenario.ts."""
    steps: dict[str, Answer] = {}
    steps["offers"] = client.list_connectable(token)
    first, second = [offer for offer in steps["offers"].body if offer["dgn_number"]][:2]
    steps["added"] = client.add(token, first["number"], first["dgn_number"], "company", "added")
    id = steps["added"].body["id"]
    steps["read"] = client.get(token, id)
    steps["listed"] = client.list_def(token)
    steps["edited"] = client.edit_to_employee(token, id, 125, "edited")
    steps["deleted"] = client.delete(token, id)
    steps["kept"] = client.add(token, second["number"], second["dgn_number"], "not_specified", "kept")
    kept = steps["kept"].body["id"]
    steps["kept_edited"] = client.edit_to_employee(token, kept, LARGEST_ID, "")
    steps["kept_read"] = client.get(token, kept)
    steps["unauthorized"] = client.list_def(token + "-wrong")
    steps["gone"] = client.get(token, id)
    steps["largest_id"] = client.get(token, LARGEST_ID)
    steps["other_account"] = client.get(other_token, kept)
    steps["duplicate"] = client.add(token, second["number"], second["dgn_number"], "company", "again")
    steps["held_elsewhere"] = client.add(other_token, second["number"], second["dgn_number"], "company", "b")
    return {name: {"status": answer.status, "body": answer.body} for name, answer in steps.items()}


def main(client_for: Any) -> None:
    """Run the walk with BASE_URL, API_TOKEN, OTHER_API_TOKEN; print its transcript as JSON."""
    client: Client = client_for(os.environ["BASE_URL"])
    json.dump(walk(client, os.environ["API_TOKEN"], os.environ["OTHER_API_TOKEN"]), sys.stdout)
