"""Every rule of AddMobileNumberRequest, with an accepted and a rejected payload.

Each payload is checked twice: by the document's JSON Schema and by the generated pydantic
model. Both are derived from the document, so they must agree with the table below.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from generated.models import AddMobileNumberRequest
from tests.contract_data import REQUEST_EXAMPLES, seed_request

DROP = object()  # marks a property to remove from the seed request


def changed(**changes: Any) -> dict[str, Any]:
    body = seed_request()
    for name, value in changes.items():
        if value is DROP:
            body.pop(name, None)
        else:
            body[name] = value
    return body


ACCEPTED: dict[str, Any] = {
    **{f"example {name}": value for name, value in REQUEST_EXAMPLES.items()},
    "comment omitted": changed(comment=DROP),
    "purpose company": changed(purpose="company"),
    "purpose not_specified": changed(purpose="not_specified"),
    "empty comment": changed(comment=""),
    "comment of 255 characters": changed(comment="x" * 255),
    "comment of 255 Cyrillic characters (510 bytes)": changed(comment="ж" * 255),
    "dgn_number in another region": changed(dgn_number="78123456789"),
    "dgn_number that is itself mobile": changed(dgn_number="79161234567"),
}

REJECTED: dict[str, Any] = {
    **{f"{name} missing": changed(**{name: DROP}) for name in ("number", "dgn_number", "purpose", "type")},
    # Enum neighbours: values the response may carry but a request may not (D17), look-alikes.
    "purpose employee": changed(purpose="employee"),
    "purpose with Cyrillic с (U+0441)": changed(purpose="\u0441ompany"),
    "purpose Company": changed(purpose="Company"),
    "purpose empty": changed(purpose=""),
    "type abc": changed(type="abc"),
    "type sip_registration": changed(type="sip_registration"),
    "type sip_redirection": changed(type="sip_redirection"),
    "type toll_free": changed(type="toll_free"),
    "type DEF": changed(type="DEF"),
    # Number forms (D3).
    "number of 10 digits": changed(number="7926862233"),
    "number of 12 digits": changed(number="792686223321"),
    "number with +7": changed(number="+79268622332"),
    "number with 8": changed(number="89268622332"),
    "number with a letter": changed(number="7926862233a"),
    "number as an integer": changed(number=79268622332),
    "number that is not mobile (7 495…)": changed(number="74958042300"),
    "number with a trailing newline": changed(number="79268622332\n"),
    "number with Arabic-Indic digits": changed(number="79" + "\u0661" * 9),
    "number with spaces": changed(number="7 926 862 23 32"),
    "dgn_number of 10 digits": changed(dgn_number="7495804230"),
    "dgn_number of 12 digits": changed(dgn_number="749580423001"),
    "dgn_number with +7": changed(dgn_number="+74958042300"),
    "dgn_number with 8": changed(dgn_number="84958042300"),
    "dgn_number with a letter": changed(dgn_number="7495804230O"),
    "dgn_number as an integer": changed(dgn_number=74958042300),
    "dgn_number with a trailing newline": changed(dgn_number="74958042300\n"),
    # Comment (D4).
    "comment of 256 characters": changed(comment="x" * 256),
    "comment as an integer": changed(comment=5),
    # null is allowed nowhere in a request.
    **{f"{name} null": changed(**{name: None})
       for name in ("number", "dgn_number", "purpose", "comment", "type")},
    # Shape (D12).
    "unknown property": changed(coment="typo"),
    "empty object": {},
    "JSON array": [seed_request()],
    "JSON string": "79268622332",
}


@pytest.fixture(scope="module")
def validator(schemas):
    return schemas.component("AddMobileNumberRequest")


@pytest.mark.parametrize("payload", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_schema_accepts(validator, payload):
    assert list(validator.iter_errors(payload)) == []


@pytest.mark.parametrize("payload", REJECTED.values(), ids=REJECTED.keys())
def test_schema_rejects(validator, payload):
    assert list(validator.iter_errors(payload)) != []


@pytest.mark.parametrize("payload", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_model_accepts(payload):
    AddMobileNumberRequest.model_validate(payload)


@pytest.mark.parametrize("payload", REJECTED.values(), ids=REJECTED.keys())
def test_model_rejects(payload):
    with pytest.raises(ValidationError):
        AddMobileNumberRequest.model_validate(payload)


def test_model_leaves_an_omitted_comment_out_of_its_json():
    request = AddMobileNumberRequest.model_validate(changed(comment=DROP))
    assert "comment" not in request.model_dump(mode="json")
    assert request.model_dump(mode="json") == changed(comment=DROP)
