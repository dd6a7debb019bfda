"""Non-interference: an answer about another account's object must be the answer about an object
that never existed, but for the name itself (D32, D35).

Two control requests naming two objects that never existed tell what of an answer is the
server's to vary from one request to the next (a request id, a time): the leaves in which the
controls differ, once each name is masked. Everything else must be the same in the answer about
the other account's object: status, media type, the body's shape, and every stable leaf."""

from __future__ import annotations

from typing import Any

from vpbx_model.oracle import Answer

MASK = "<name>"


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        return {leaf: item for key, child in value.items() for leaf, item in _leaves(child, f"{path}/{key}").items()}
    if isinstance(value, list):
        return {leaf: item for index, child in enumerate(value)
                for leaf, item in _leaves(child, f"{path}/{index}").items()}
    return {path: value}


def _masked(answer: Answer, name: str) -> dict[str, Any]:
    body = answer.body if answer.body is not None else answer.text
    return {path: value.replace(name, MASK) if isinstance(value, str) and name else value
            for path, value in _leaves(body).items()}


def differences(subject: Answer, subject_name: str, controls: list[tuple[Answer, str]]) -> list[str]:
    """How the answer about another account's object differs from the answers about objects that
    never existed (each answer with its own name masked)."""
    (first, first_name), (second, second_name) = controls[:2]
    problems = []
    if subject.status != first.status:
        problems.append(f"status {subject.status}, where an object that never existed gets {first.status}")
    if subject.media_type != first.media_type:
        problems.append(f"media type {subject.media_type}, where an object that never existed gets "
                        f"{first.media_type}")
    ours, one, two = _masked(subject, subject_name), _masked(first, first_name), _masked(second, second_name)
    if set(ours) != set(one) and set(one) == set(two):
        problems.append(f"the body's fields {sorted(ours)}, where an object that never existed gets {sorted(one)}")
    for path, value in one.items():
        if two.get(path) == value and path in ours and ours[path] != value:
            problems.append(f"{path or 'the body'} is {ours[path]!r}, where an object that never existed gets "
                            f"{value!r} (the name masked as {MASK})")
    return problems
