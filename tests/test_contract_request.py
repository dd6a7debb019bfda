"""Every rule of AddMobileNumberRequest, with an accepted and a rejected payload.

Each payload is checked twice: by the document's JSON Schema and by the generated pydantic
model. Both are derived from the document, so they must agree with the table below.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from generated.models import AddMobileNumberRequest
from tests.contract_data import DROP, REQUEST_EXAMPLES, request_with, seed_request



ACCEPTED: dict[str, Any] = {
    **{f"example {name}": value for name, value in REQUEST_EXAMPLES.items()},
    "comment omitted": request_with(comment=DROP),
    "purpose company": request_with(purpose="company"),
    "purpose not_specified": request_with(purpose="not_specified"),
    "empty comment": request_with(comment=""),
    "comment of 255 characters": request_with(comment="x" * 255),
    "comment of 255 Cyrillic characters (510 bytes)": request_with(comment="ж" * 255),
    "dgn_number in another region": request_with(dgn_number="78123456789"),
    "dgn_number that is itself mobile": request_with(dgn_number="79161234567"),
}

REJECTED: dict[str, Any] = {
    **{f"{name} missing": request_with(**{name: DROP}) for name in ("number", "dgn_number", "purpose", "type")},
    # Enum neighbours: values the response may carry but a request may not (D17), look-alikes.
    "purpose employee": request_with(purpose="employee"),
    "purpose with Cyrillic с (U+0441)": request_with(purpose="\u0441ompany"),
    "purpose Company": request_with(purpose="Company"),
    "purpose empty": request_with(purpose=""),
    "type abc": request_with(type="abc"),
    "type sip_registration": request_with(type="sip_registration"),
    "type sip_redirection": request_with(type="sip_redirection"),
    "type toll_free": request_with(type="toll_free"),
    "type DEF": request_with(type="DEF"),
    # Number forms (D3).
    "number of 10 digits": request_with(number="7926862233"),
    "number of 12 digits": request_with(number="792686223321"),
    "number with +7": request_with(number="+79268622332"),
    "number with 8": request_with(number="89268622332"),
    "number with a letter": request_with(number="7926862233a"),
    "number as an integer": request_with(number=79268622332),
    "number that is not mobile (7 495…)": request_with(number="74958042300"),
    "number with a trailing newline": request_with(number="79268622332\n"),
    "number with Arabic-Indic digits": request_with(number="79" + "\u0661" * 9),
    "number with spaces": request_with(number="7 926 862 23 32"),
    "dgn_number of 10 digits": request_with(dgn_number="7495804230"),
    "dgn_number of 12 digits": request_with(dgn_number="749580423001"),
    "dgn_number with +7": request_with(dgn_number="+74958042300"),
    "dgn_number with 8": request_with(dgn_number="84958042300"),
    "dgn_number with a letter": request_with(dgn_number="7495804230O"),
    "dgn_number as an integer": request_with(dgn_number=74958042300),
    "dgn_number with a trailing newline": request_with(dgn_number="74958042300\n"),
    # Comment (D4).
    "comment of 256 characters": request_with(comment="x" * 256),
    "comment as an integer": request_with(comment=5),
    # null is allowed nowhere in a request.
    **{f"{name} null": request_with(**{name: None})
       for name in ("number", "dgn_number", "purpose", "comment", "type")},
    # Shape (D12).
    "unknown property": request_with(coment="typo"),
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
    request = AddMobileNumberRequest.model_validate(request_with(comment=DROP))
    assert "comment" not in request.model_dump(mode="json")
    assert request.model_dump(mode="json") == request_with(comment=DROP)
