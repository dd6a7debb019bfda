"""`make breaking`: does this version of the document break the clients or servers of BASE?

Two judges, both must be satisfied:

1. Optic (`@useoptic/optic`, pinned in tools/package.json), the established OpenAPI diff
   tool, with its breaking-changes rules: removed operations, status codes and response
   properties, requests that became stricter in ways it knows (new required properties,
   removed enum values), changed types, new response enum values, and more.
2. The rules of this contract that no generic tool knows, on request bodies. The request
   schemas reject what they do not allow (unknown properties, D12; every enum, length and
   pattern), and the contract suite fails a server that accepts what the document forbids.
   So a request that accepts *more* than at BASE breaks servers (a server of the BASE
   version answers 400 to what clients may now send), and a length or pattern rule that
   accepts *less* breaks clients.

Exit status: 0 nothing breaks, 1 something breaks, 2 the comparison could not run.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vpbx_spec.document import DOCUMENT_PATH, REPOSITORY_ROOT, Document, DocumentSchemas, load_document
from vpbx_spec.provider_drift import _branches, _merged
from vpbx_spec.redocly import TOOLS_BIN, ToolMissing, run_node_tool
from vpbx_spec.walk import iter_operations

OPTIC = TOOLS_BIN / "optic"
_OPTIC_FINDING = re.compile(r"^\s*x \[(?P<rule>[^\]]+)\] (?P<message>.+)$")
_OPTIC_OPERATION = re.compile(r"^x (?P<operation>(GET|PUT|POST|DELETE|PATCH|HEAD|OPTIONS) \S+):")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Break:
    judge: str  # "optic" or "contract"
    operation: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.operation}: [{self.judge}: {self.rule}] {self.message}"


@dataclass(frozen=True)
class Verdict:
    breaks: tuple[Break, ...]
    optic_output: str

    @property
    def breaking(self) -> bool:
        return bool(self.breaks)


# --- Optic -----------------------------------------------------------------------------------


def optic_breaks(base: Path, head: Path) -> tuple[list[Break], str]:
    """Optic's breaking-change findings. `--validation loose`: Optic's own schema refuses a
    link's `requestBody` written as an object, which OpenAPI allows; openapi-spec-validator
    in `make check` validates the document strictly anyway. Optic runs in a scratch directory:
    under CI=true it writes a report file (ci-run-details.json) into the one it runs in."""
    with tempfile.TemporaryDirectory(prefix="vpbx-optic-") as scratch:
        result = run_node_tool(OPTIC, "diff", str(base.resolve()), str(head.resolve()), "--check",
                               "--validation", "loose", "--severity", "error", cwd=Path(scratch))
    output = _ANSI.sub("", result.stdout + result.stderr)
    breaks: list[Break] = []
    operation = ""
    for line in output.splitlines():
        if match := _OPTIC_OPERATION.match(line.strip()):
            operation = match["operation"]
        elif match := _OPTIC_FINDING.match(line):
            breaks.append(Break("optic", operation or "document", match["rule"],
                                match["message"].strip()))
    if result.returncode not in (0, 1) or (result.returncode == 1 and not breaks):
        breaks.append(Break("optic", "document", "optic-failed",
                            f"optic exited {result.returncode}: {output.strip()[-600:]}"))
    return breaks, output


# --- the contract's own request rules ------------------------------------------------------


def _request_schema(document: Document, operation: dict) -> Any:
    body = DocumentSchemas(document).resolve(operation.get("requestBody")) or {}
    return ((body.get("content") or {}).get("application/json") or {}).get("schema")


def _operations(document: Document) -> dict[str, dict]:
    return {name: operation for _, name, operation in iter_operations(document)}


_TIGHTER = {"maxLength": "lowered", "maximum": "lowered", "maxItems": "lowered",
            "minLength": "raised", "minimum": "raised", "minItems": "raised"}


def _compare_request(base: DocumentSchemas, head: DocumentSchemas, old: Any, new: Any,
                     where: str) -> Iterator[tuple[str, str]]:
    """(rule, message) for each way the request at `where` accepts more or less than before."""
    old_branches, new_branches = _branches(base, old), _branches(head, new)
    if len(old_branches) != len(new_branches):
        yield ("request-alternatives", f"{where}: the request's alternatives (oneOf) went from "
               f"{len(old_branches)} to {len(new_branches)}; servers and clients must both "
               "follow (breaks both)")
        return
    for old_schema, new_schema in zip(old_branches, new_branches):
        yield from _compare_one(base, head, old_schema, new_schema, where)


def _compare_one(base: DocumentSchemas, head: DocumentSchemas, old: dict, new: dict,
                 where: str) -> Iterator[tuple[str, str]]:
    old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
    if old.get("additionalProperties") is False:
        for name in new_props.keys() - old_props.keys():
            yield ("request-property-added", f"{where}: new request property `{name}`; the "
                   "request rejects unknown properties (D12), so servers of the base version "
                   "answer 400 to clients that send it (breaks servers)")
    for name in set(old.get("required") or ()) - set(new.get("required") or ()):
        yield ("request-property-optional", f"{where}: request property `{name}` is no longer "
               "required; servers of the base version reject requests without it (breaks "
               "servers)")
    old_enum, new_enum = old.get("enum"), new.get("enum")
    if old_enum is not None:
        added = [value for value in (new_enum or ()) if value not in old_enum]
        for value in added if new_enum is not None else ():
            yield ("request-enum-value-added", f"{where}: new allowed value {value!r}; servers "
                   "of the base version reject it (breaks servers)")
        if new_enum is None:
            yield ("request-enum-removed", f"{where}: any value is allowed now, not only "
                   f"{old_enum}; servers of the base version reject the others (breaks servers)")
    for keyword, tighter in _TIGHTER.items():
        before, after = old.get(keyword), new.get(keyword)
        if before == after:
            continue
        if after is not None and (before is None or (after < before) == (tighter == "lowered")):
            yield (f"request-{keyword}-tightened", f"{where}: `{keyword}` {tighter} from "
                   f"{before} to {after}; requests valid before are refused now (breaks "
                   "clients)")
        else:
            yield (f"request-{keyword}-loosened", f"{where}: `{keyword}` went from {before} to "
                   f"{after}; servers of the base version refuse what clients may now send "
                   "(breaks servers)")
    if old.get("pattern") != new.get("pattern"):
        yield ("request-pattern-changed", f"{where}: `pattern` changed from "
               f"{old.get('pattern')!r} to {new.get('pattern')!r}; strings valid for one are "
               "refused by the other (breaks clients and servers)")
    for name in old_props.keys() & new_props.keys():
        yield from _compare_request(base, head, old_props[name], new_props[name],
                                    f"{where}.{name}")
    if isinstance(old.get("items"), dict) and isinstance(new.get("items"), dict):
        yield from _compare_request(base, head, old["items"], new["items"], f"{where}[]")


def contract_breaks(base: Document, head: Document) -> list[Break]:
    base_schemas, head_schemas = DocumentSchemas(base), DocumentSchemas(head)
    head_operations = _operations(head)
    breaks = []
    for name, old_operation in _operations(base).items():
        new_operation = head_operations.get(name)
        if new_operation is None:
            continue  # a removed operation is Optic's to report
        old, new = _request_schema(base, old_operation), _request_schema(head, new_operation)
        if old is None or new is None:
            continue
        for rule, message in _compare_request(base_schemas, head_schemas, _merged(
                base_schemas, old), _merged(head_schemas, new), "body"):
            breaks.append(Break("contract", name, rule, message))
    return breaks


# --- both, and the command ----------------------------------------------------------------


def compare(base: Path, head: Path) -> Verdict:
    found, output = optic_breaks(base, head)
    return Verdict(tuple(found + contract_breaks(load_document(base), load_document(head))),
                   output)


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=REPOSITORY_ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def default_base() -> str:
    """The merge base with main (origin/main on a clone without a local main)."""
    for ref in ("main", "origin/main"):
        try:
            return _git("merge-base", "HEAD", ref)
        except subprocess.CalledProcessError:
            continue
    raise SystemExit("breaking: no `main` or `origin/main` to compare with; give BASE=<ref>")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vpbx_spec.breaking", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", default="", help="git ref (default: merge base with main)")
    parser.add_argument("--document", type=Path, default=DOCUMENT_PATH)
    args = parser.parse_args(argv)
    base_ref = args.base or default_base()
    # BASE's side is always the repository's document; --document names the side to judge.
    relative = DOCUMENT_PATH.relative_to(REPOSITORY_ROOT).as_posix()
    try:
        base_text = _git("show", f"{base_ref}:{relative}")
    except subprocess.CalledProcessError as error:
        print(f"breaking: cannot read {relative} at {base_ref}: {error.stderr.strip()}")
        return 2
    with tempfile.TemporaryDirectory() as folder:
        base_path = Path(folder) / "base.yaml"
        base_path.write_text(base_text + "\n", encoding="utf-8")
        try:
            verdict = compare(base_path, args.document)
        except ToolMissing as error:
            print(f"breaking: {error}")
            return 2
    print(f"breaking: {args.document} against {relative} at {base_ref}")
    for found in verdict.breaks:
        print(f"  {found}")
    if verdict.breaking:
        print(f"breaking: FAILED, {len(verdict.breaks)} breaking change(s)")
        return 1
    print("breaking: OK, nothing breaks clients or servers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
