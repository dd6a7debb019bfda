"""`python -m vpbx_spec` (`vpbx check`): the spec checks behind `make check`.

1. openapi-spec-validator: the document is valid OpenAPI 3.1;
2. our lint rules (vpbx_spec.lint);
3. Redocly CLI's lint, the ecosystem's rules (vpbx_spec.redocly; redocly.yaml);
4. Spectral's lint, Stoplight's `spectral:oas` rules (vpbx_spec.spectral; .spectral.yaml);
5. provider drift: the provider's pages (provider/pages/) against the document, every
   difference covered by a decision (vpbx_spec.provider_drift;
   openapi/provider-differences.yaml);
6. model drift: regenerating generated/models.py would not change it.
Exit status 0 only when all of them pass. A check that cannot run here (Redocly CLI or
Spectral not installed, no checkout to regenerate the models in) is reported as not run, and
the last line says `check: OK (partial: …)`; with --require-complete it fails instead (`make check`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from openapi_spec_validator import OpenAPIV31SpecValidator

from vpbx_spec.document import DOCUMENT_PATH, load_document
from vpbx_spec.drift import MODELS_PATH, codegen_configured, model_drift
from vpbx_spec.lint import RULES, lint
from vpbx_spec.provider_drift import check_drift
from vpbx_spec.provider_pages import PAGES_DIR
from vpbx_spec.redocly import ToolMissing, redocly_lint
from vpbx_spec.spectral import spectral_lint

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
    parser.add_argument("--require-complete", action="store_true",
                        help="fail when a check cannot run (Redocly CLI or Spectral missing, no checkout)")
    args = parser.parse_args(argv)
    return run_checks(args.document, args.models, args.provider_pages, args.require_complete)


def run_checks(document_path: Path = DOCUMENT_PATH, models: Path = MODELS_PATH,
               provider_pages: Path = PAGES_DIR, require_complete: bool = False) -> int:
    document = load_document(document_path)
    failed = False
    not_run: list[str] = []

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

    # The ecosystem's linters, each a node tool: one that cannot run is named, never skipped silently.
    for name, ecosystem_lint in (("redocly lint", redocly_lint), ("spectral lint", spectral_lint)):
        try:
            findings = ecosystem_lint(document_path)
        except ToolMissing as error:
            print(f"{name}: not run: {error}")
            not_run.append(name)
            continue
        for finding in findings:
            print(f"  {finding}")
        print(f"{name}: {len(findings)} finding(s)")
        failed |= bool(findings)

    drift = check_drift(document, pages_dir=provider_pages)
    for line in drift.lines():
        print(f"  provider drift: {line}")
    print(drift.summary())
    failed |= drift.failed

    if not codegen_configured():
        print("models: not compared: no checkout here (pyproject.toml's [tool.datamodel-codegen] "
              "holds the generator's options)")
        not_run.append("model drift")
    else:
        diff = model_drift(document_path, models)
        if diff:
            sys.stdout.writelines("  " + line for line in diff[:_SHOWN_DIFF_LINES])
            if len(diff) > _SHOWN_DIFF_LINES:
                print(f"  ... {len(diff) - _SHOWN_DIFF_LINES} more diff lines")
            print(f"models: {models} differs from a fresh generation; run `make generate`")
        else:
            print("models: in sync with the document")
        failed |= bool(diff)

    partial = f" (partial: not run: {', '.join(not_run)})" if not_run else ""
    if failed or (not_run and require_complete):
        print("check: FAILED" + partial)
        return 1
    print("check: OK" + partial)
    return 0


if __name__ == "__main__":
    sys.exit(main())
