"""The contract-coverage summary: statuses, enum values and nullable fields seen."""

from __future__ import annotations

from tests.contract_data import RESPONSE_EXAMPLES
from vpbx_suite.contract import bundled_facts
from vpbx_suite.coverage import ContractCoverage


def test_records_what_the_server_returned():
    coverage = ContractCoverage(bundled_facts())
    coverage.record(201, RESPONSE_EXAMPLES["seed"])
    coverage.record(201, RESPONSE_EXAMPLES["listedRecord"])
    coverage.record(400, {"error": {"code": "validation_failed"}})
    coverage.record(418, None)
    data = coverage.as_dict()
    assert data["responses"] == 4
    assert data["statuses"]["observed"] == {"201": 2, "400": 1, "418": 1}
    assert data["statuses"]["undocumented_observed"] == [418]
    assert 409 in data["statuses"]["documented_not_observed"]
    assert data["enums"]["state"]["seen"] == ["active", "activation"]
    assert data["enums"]["purpose"]["not_seen"] == ["company"]
    nullable = data["nullable"]
    assert "scenario_id" in nullable["null_and_non_null"]  # null in one, 779 in the other
    assert "reason" in nullable["only_null"]
    assert "nc_type" in nullable["only_non_null"]
    text = coverage.render()
    assert "UNDOCUMENTED statuses" in text and "418" in text


def test_values_outside_an_enum_are_reported():
    coverage = ContractCoverage(bundled_facts())
    coverage.record(201, {**RESPONSE_EXAMPLES["seed"], "purpose": "\u0441ompany"})
    assert coverage.as_dict()["enums"]["purpose"]["outside_the_enum"] == ["\u0441ompany"]
    assert "OUTSIDE the enum" in coverage.render()
