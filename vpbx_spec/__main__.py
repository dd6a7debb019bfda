"""`python -m vpbx_spec`: the spec checks behind `make check`.

1. openapi-spec-validator: the document is valid OpenAPI 3.1;
2. our lint rules (vpbx_spec.lint);
3. Redocly CLI's lint, the ecosystem's rules (vpbx_spec.redocly; redocly.yaml);
4. provider drift: the provider's pages (provider/pages/) against the document, every
   difference covered by a decision (vpbx_spec.provider_drift;
   openapi/provider-differences.yaml);
5. model drift: regenerating generated/models.py would not change it.
Exit status 0 only when all of them pass.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from openapi_spec_validator import OpenAPIV31SpecValidator

from vpbx_spec.document import DOCUMENT_PATH, load_document
from vpbx_spec.drift import MODELS_PATH, model_drift
from vpbx_spec.lint import RULES, lint
from vpbx_spec.provider_drift import check_drift
from vpbx_spec.provider_pages import PAGES_DIR
from vpbx_spec.redocly import ToolMissing, redocly_lint

_SHOWN_DIFF_LINES = 40


def validate_openapi(document: dict) -> list[str]:
    """openapi-spec-validator's findings; a document too broken to walk is one finding."""
    try:
        return [error.message for error in OpenAPIV31SpecValidator(document).iter_errors()]
    except Exception as error:  # the validator raises (e.g. KeyError) on some broken shapes
        return [f"cannot read the document ({type(error).__name__}: {error})"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vpbx_spec", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--document", type=Path, default=DOCUMENT_PATH)
    parser.add_argument("--models", type=Path, default=MODELS_PATH)
    parser.add_argument("--provider-pages", type=Path, default=PAGES_DIR,
                        help="the provider's pages to compare with (default: provider/pages)")
    args = parser.parse_args(argv)
    document = load_document(args.document)
    failed = False

    errors = validate_openapi(document)
    for error in errors:
        print(f"  openapi-spec-validator: {error}")
    print(f"openapi-spec-validator: {'OK' if not errors else f'{len(errors)} error(s)'}")
    if errors:
        print("lint and model drift: skipped, they need a valid OpenAPI document")
        print("check: FAILED")
        return 1

    problems = lint(document)
    for problem in problems:
        print(f"  {problem}")
    print(f"lint: {len(RULES)} rules, {len(problems)} problem(s)")
    failed |= bool(problems)

    try:
        findings = redocly_lint(args.document)
    except ToolMissing as error:
        findings = []
        print(f"  redocly: {error}")
        failed = True
    for finding in findings:
        print(f"  {finding}")
    print(f"redocly lint: {len(findings)} finding(s)")
    failed |= bool(findings)

    drift = check_drift(document, pages_dir=args.provider_pages)
    for line in drift.lines():
        print(f"  provider drift: {line}")
    print(drift.summary())
    failed |= drift.failed

    diff = model_drift(args.document, args.models)
    if diff:
        sys.stdout.writelines("  " + line for line in diff[:_SHOWN_DIFF_LINES])
        if len(diff) > _SHOWN_DIFF_LINES:
            print(f"  ... {len(diff) - _SHOWN_DIFF_LINES} more diff lines")
        print(f"models: {args.models} differs from a fresh generation; run `make generate`")
    else:
        print("models: in sync with the document")
    failed |= bool(diff)

    print("check: FAILED" if failed else "check: OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
