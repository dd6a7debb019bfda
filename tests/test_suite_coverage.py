"""The contract-coverage summary: statuses, enum values and nullable fields seen."""

from __future__ import annotations

from tests.contract_data import RESPONSE_EXAMPLES
from vpbx_suite.contract import bundled_facts
from vpbx_suite.coverage import ContractCoverage


ADD = bundled_facts().lifecycle.add or ""
LISTING = bundled_facts().lifecycle.listing or ""


def test_records_what_the_server_returned():
    coverage = ContractCoverage(bundled_facts())
    coverage.record(ADD, 201, RESPONSE_EXAMPLES["seed"])
    coverage.record(ADD, 201, RESPONSE_EXAMPLES["listedRecord"])
    coverage.record(ADD, 400, {"error": {"code": "validation_failed"}})
    coverage.record(ADD, 418, None)
    data = coverage.as_dict()["operations"][ADD]
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
    coverage.record(ADD, 201, {**RESPONSE_EXAMPLES["seed"], "purpose": "\u0441ompany"})
    assert coverage.as_dict()["operations"][ADD]["enums"]["purpose"]["outside_the_enum"] == ["\u0441ompany"]
    assert "OUTSIDE the enum" in coverage.render()


def test_a_listing_counts_each_of_its_records_and_operations_are_apart():
    coverage = ContractCoverage(bundled_facts())
    coverage.record(LISTING, 200, [RESPONSE_EXAMPLES["seed"], RESPONSE_EXAMPLES["listedRecord"]])
    data = coverage.as_dict()["operations"]
    assert data[LISTING]["enums"]["state"]["seen"] == ["active", "activation"]
    assert data[ADD]["responses"] == 0 and coverage.responses == 1
