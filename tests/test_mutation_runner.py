"""`make mutation`'s own logic: which mutants run, how survivors are matched to reasons.

cosmic-ray is installed only by `make mutation` (requirements-mutation.txt); without it these
tests are skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("cosmic_ray")

from mutation import reasons, results, selection  # noqa: E402


@pytest.mark.parametrize(("operator", "kept"), [
    ("core/ReplaceComparisonOperator_Eq_NotEq", True),
    ("core/ReplaceComparisonOperator_Eq_Lt", False),
    ("core/ReplaceComparisonOperator_Lt_GtE", True),
    ("core/ReplaceComparisonOperator_Lt_LtE", True),
    ("core/ReplaceComparisonOperator_Lt_Eq", False),
    ("core/ReplaceBinaryOperator_Add_Sub", True),
    ("core/ReplaceBinaryOperator_Add_LShift", False),
    ("core/ReplaceUnaryOperator_Delete_Not", True),
    ("core/ReplaceUnaryOperator_USub_Invert", False),
    ("core/NumberReplacer", True),
    ("core/AddNot", True),
])
def test_one_telling_replacement_per_site(operator: str, kept: bool) -> None:
    assert selection.is_kept_replacement(operator) is kept


def test_annotations_are_found_only_when_postponed(tmp_path: Path) -> None:
    source = "def f(a: int | None, b=1 | 2) -> str | None:\n    x: list[int] = [a | b]\n"
    module = tmp_path / "m.py"
    module.write_text("from __future__ import annotations\n" + source)
    spans = selection.annotation_spans(module)
    inside = lambda line, col: any(low <= (line, col) < high for low, high in spans)  # noqa: E731
    assert inside(2, 12)  # the | of "int | None"
    assert not inside(2, 26)  # the | of the default "1 | 2": evaluated
    assert not inside(3, 22)  # the | of "a | b": evaluated
    module.write_text(source)  # without the import annotations are evaluated: all mutated
    assert selection.annotation_spans(module) == []


def test_reasons_match_by_line_text_and_operator_glob(tmp_path: Path) -> None:
    survivors = tmp_path / "survivors.yaml"
    survivors.write_text(
        "- module: vpbx_mock/x.py\n  code: 'a = 1'\n  operator: core/Number*\n"
        "  category: equivalent\n  reason: same\n")
    entries = reasons.load(survivors)

    def mutant(original: str, operator: str) -> results.Mutant:
        return results.Mutant("job", "vpbx_mock/x.py", 7, operator, 0, original, "a = 2", "survived")

    assert reasons.explain(mutant("a = 1", "core/NumberReplacer"), entries) is not None
    assert reasons.explain(mutant("a = 1", "core/AddNot"), entries) is None
    assert reasons.explain(mutant("a = 10", "core/NumberReplacer"), entries) is None


def test_a_reason_without_category_is_refused(tmp_path: Path) -> None:
    survivors = tmp_path / "survivors.yaml"
    survivors.write_text("- module: m.py\n  code: 'a'\n  reason: r\n")
    with pytest.raises(ValueError, match="no category"):
        reasons.load(survivors)


def test_mutated_line_from_the_diff() -> None:
    diff = "--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-    a = 1\n+    a = 2\n"
    assert results.mutated_line(diff) == "a = 2"
    assert results.mutated_line("--- a/m.py\n+++ b/m.py\n@@ -1 +0,0 @@\n-@cache\n") == "(removed)"
