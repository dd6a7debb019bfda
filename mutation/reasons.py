"""The committed explanations of survivors (`survivors.yaml`), matched to mutants.

An entry names a module, the stripped source line (not its number: the mock keeps changing and
lines move) and optionally an operator (exact, or a glob such as `core/NumberReplacer*`):

    - module: vpbx_mock/app.py
      code: 'codes = {404: "not_found", 405: "method_not_allowed"}'
      operator: core/NumberReplacer
      category: error detail
      reason: the error body's code; the contract's Error is any JSON object (D10)

An optional `function` (the enclosing definition) tells apart identical lines of one module.
`reason` (with its `category`) says why the mutant cannot change what the contract promises. `killed_by` names the
suite change that kills it instead; if such a mutant survives, it is unexplained.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import yaml

from mutation.results import Mutant

FILE = Path(__file__).resolve().parent / "survivors.yaml"


@dataclass(frozen=True)
class Entry:
    module: str
    code: str
    operator: str | None
    function: str | None
    category: str | None
    reason: str | None
    killed_by: str | None

    def matches(self, mutant: Mutant) -> bool:
        return (mutant.module == self.module and mutant.original == self.code.strip()
                and (self.operator is None or fnmatchcase(mutant.operator, self.operator))
                and (self.function is None or mutant.function == self.function))


def load(path: Path = FILE) -> list[Entry]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    entries = []
    for index, item in enumerate(raw or []):
        if not (item.get("reason") or item.get("killed_by")):
            raise ValueError(f"{path.name}: entry {index + 1} has neither reason nor killed_by")
        if item.get("reason") and not item.get("category"):
            raise ValueError(f"{path.name}: entry {index + 1} has a reason but no category")
        entries.append(Entry(module=item["module"], code=str(item["code"]),
                             operator=item.get("operator"), function=item.get("function"),
                             category=item.get("category"),
                             reason=item.get("reason"),
                             killed_by=item.get("killed_by")))
    return entries


def explain(mutant: Mutant, entries: list[Entry]) -> Entry | None:
    """The first entry for this mutant that fits its outcome: a reason for a survivor, a
    killed_by for a killed one (a line may have both when the mock changed around it); else the
    first entry at all, so that a survivor with only a killed_by is reported as such."""
    matching = [entry for entry in entries if entry.matches(mutant)]
    wanted = [entry for entry in matching
              if (entry.reason if mutant.outcome == "survived" else entry.killed_by)]
    return (wanted or matching or [None])[0]
