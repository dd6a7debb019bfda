"""Which of cosmic-ray's mutants run, and why the others do not.

cosmic-ray writes every replacement of every operator: `a + b` gives twelve mutants, `a == b`
seven. Run whole over the mock that is about 1,100 mutants, over two hours on two cores. Two
cuts keep it within a run of about half an hour, both visible in the report:

1. Mutants inside a type annotation are not run. Every mutated module has
   `from __future__ import annotations`, so annotations are never evaluated: such a mutant
   cannot change behaviour (checked per module; a module without the import keeps them).
2. At one site, only the replacements that differ in a way a test can tell apart run: for a
   comparison its negation and its boundary neighbour (`<` -> `>=` and `<=`), for arithmetic
   its inverse (`+` -> `-`), for a number both neighbours (n+1, n-1), for a unary operator
   its removal. The other replacements at that site (`==` -> `<`, `+` -> `<<`) are counted as
   "not run: sibling" and kill or survive with the chosen ones in practice.
"""

from __future__ import annotations

import ast
from pathlib import Path

from cosmic_ray.work_db import WorkDB
from cosmic_ray.work_item import MutationSpec, WorkerOutcome, WorkResult

SKIPPED_ANNOTATION = "not run: inside a type annotation, never evaluated"
SKIPPED_SIBLING = "not run: another replacement at the same site runs"

# Comparison -> the replacements kept: negation first, then the boundary neighbour.
COMPARISONS: dict[str, tuple[str, ...]] = {
    "Eq": ("NotEq",), "NotEq": ("Eq",), "Is": ("IsNot",), "IsNot": ("Is",),
    "In": ("NotIn",), "NotIn": ("In",),
    "Lt": ("GtE", "LtE"), "LtE": ("Gt", "Lt"), "Gt": ("LtE", "GtE"), "GtE": ("Lt", "Gt"),
}
# Arithmetic and bitwise -> its inverse.
BINARY: dict[str, str] = {
    "Add": "Sub", "Sub": "Add", "Mul": "Div", "Div": "Mul", "FloorDiv": "Mul", "Mod": "FloorDiv",
    "Pow": "Mul", "BitOr": "BitAnd", "BitAnd": "BitOr", "BitXor": "BitOr",
    "LShift": "RShift", "RShift": "LShift",
}
UNARY_KEPT = {"Delete_Not", "Delete_USub", "USub_UAdd", "Delete_Invert", "Delete_UAdd"}


def annotation_spans(path: Path) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Source spans of the annotations of a module whose annotations are never evaluated."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    postponed = any(isinstance(node, ast.ImportFrom) and node.module == "__future__"
                    and any(alias.name == "annotations" for alias in node.names)
                    for node in tree.body)
    if not postponed:
        return []
    spans = []
    for node in ast.walk(tree):
        annotations: list[ast.expr | None] = []
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            annotations.append(node.returns)
        elif isinstance(node, ast.arg):
            annotations.append(node.annotation)
        elif isinstance(node, ast.AnnAssign):
            annotations.append(node.annotation)
        for annotation in annotations:
            if annotation is not None and annotation.end_lineno is not None:
                spans.append(((annotation.lineno, annotation.col_offset),
                              (annotation.end_lineno, annotation.end_col_offset or 0)))
    return spans


def is_kept_replacement(operator_name: str) -> bool:
    """Whether this replacement is one a test can tell apart from its siblings at the site."""
    name = operator_name.split("/")[-1]
    family, _, pair = name.partition("_")
    if family == "ReplaceComparisonOperator":
        original, _, replacement = pair.partition("_")
        return replacement in COMPARISONS.get(original, (replacement,))
    if family == "ReplaceBinaryOperator":
        original, _, replacement = pair.partition("_")
        return BINARY.get(original, replacement) == replacement
    if family == "ReplaceUnaryOperator":
        return pair in UNARY_KEPT
    return True


def select(work_db: WorkDB, copy: Path) -> dict[str, int]:
    """Mark the mutants that do not run as skipped, with the reason; return the counts."""
    spans: dict[str, list[tuple[tuple[int, int], tuple[int, int]]]] = {}
    counts = {"annotation": 0, "sibling": 0, "run": 0}
    for item in list(work_db.pending_work_items):
        mutation: MutationSpec = item.mutations[0]
        module = str(mutation.module_path)
        if module not in spans:
            spans[module] = annotation_spans(copy / module)
        start = tuple(mutation.start_pos)
        if any(low <= start < high for low, high in spans[module]):
            reason, key = SKIPPED_ANNOTATION, "annotation"
        elif not is_kept_replacement(mutation.operator_name):
            reason, key = SKIPPED_SIBLING, "sibling"
        else:
            counts["run"] += 1
            continue
        counts[key] += 1
        work_db.set_result(item.job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED,
                                                   output=reason))
    return counts
