"""Generation that hits the edges: free text from the hard classes, and invalid values (what a
negative case is about) left alone. (City numbers are spread by vpbx_suite.prepare.)"""

from __future__ import annotations

import copy

from hypothesis import HealthCheck, given, settings

from vpbx_suite.contract import bundled_facts
from vpbx_suite.strategies import _redraw

FACTS = bundled_facts()
ADD = FACTS.operations[FACTS.lifecycle.add or ""]
EDIT = FACTS.operations[FACTS.lifecycle.edit or ""]
MAX = ADD.request_properties["comment"]["maxLength"]


def _draws(operation, body, count=300):
    seen = []

    @settings(max_examples=count, database=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(_redraw(operation, body))
    def collect(drawn):
        seen.append(drawn)

    collect()
    return seen


def test_valid_bodies_get_hard_text():
    body = {**copy.deepcopy(ADD.request_examples["seed"]), "comment": "x"}
    drawn = _draws(ADD, body)
    comments = [b["comment"] for b in drawn]
    assert any(not c.isascii() for c in comments)
    assert any(len(c) == MAX and not c.isascii() for c in comments)  # at the bound, not in ASCII
    assert any("\x00" in c or any(ord(ch) < 32 for ch in c) for c in comments)
    assert all(isinstance(c, str) and len(c) <= MAX for c in comments)
    assert all(b["number"] == body["number"] for b in drawn)  # numbers stay the suite's own


def test_invalid_values_are_left_as_drawn():
    body = {**copy.deepcopy(ADD.request_examples["seed"]), "comment": "y" * (MAX + 1), "dgn_number": "8495"}
    assert all(b["comment"] == body["comment"] and b["dgn_number"] == "8495" for b in _draws(ADD, body, 50))


def test_the_edit_comment_too():
    body = copy.deepcopy(EDIT.request_examples["seed"])
    assert any(not b["comment"].isascii() or not b["comment"].isprintable() for b in _draws(EDIT, body))
