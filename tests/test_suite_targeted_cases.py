"""The targeted invalid requests: each really is invalid, and the issue's list is covered."""

from __future__ import annotations

import json

import pytest

from tests.contract_data import seed_request
from vpbx_suite.contract import bundled_facts
from vpbx_suite.targeted_cases import NOT_JSON, invalid_requests

CASES = invalid_requests(bundled_facts())


@pytest.fixture(scope="module")
def validator(schemas):
    return schemas.component("AddMobileNumberRequest")


def test_the_base_body_is_valid(validator):
    assert validator.is_valid(seed_request())


@pytest.mark.parametrize("name", list(CASES))
def test_each_case_is_invalid(validator, name):
    sent = CASES[name](seed_request())
    if sent.content_type != "application/json":
        assert json.loads(sent.content) == seed_request()  # only the media type is wrong
    elif sent.body is NOT_JSON:
        with pytest.raises(ValueError):
            json.loads(sent.content)
    else:
        assert json.loads(sent.content) == sent.body
        assert not validator.is_valid(sent.body)


def test_cases_cover_the_required_list():
    names = set(CASES)
    expected = {
        "purpose employee (response-only value)", "type abc (response-only value)",
        "type sip_registration (response-only value)", "type sip_redirection (response-only value)",
        "type toll_free (response-only value)",
        "purpose '\\u0441ompany' (Cyrillic look-alike of company)",
        "number missing", "dgn_number missing", "purpose missing", "type missing",
        "number of 10 digits", "number of 12 digits", "number with +7", "number with 8 instead of 7",
        "number with a letter", "number as an integer", "comment of 256 characters", "comment null",
        "unknown property", "JSON array", "empty body", "malformed JSON", "text/plain content type",
    }
    assert expected <= names, expected - names
