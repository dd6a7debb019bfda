"""`vpbx check`: the spec checks of the contract (`make check`)."""

from __future__ import annotations

from pathlib import Path

import click

from vpbx_cli.settings import setting


@click.command(epilog="Exit status: 0 every check passed (a check that could not run is named on the "
                      "last line), 1 one failed.")
@click.option("--document", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The OpenAPI document to check.  [default: the bundled one]")
@click.option("--provider-pages", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="The provider's pages to compare with.  [default: the vendored ones]")
@setting("REQUIRE_COMPLETE", "--require-complete", is_flag=True,
         help="Fail when a check cannot run here (Redocly CLI not installed, no checkout to "
              "regenerate the models in).", default="off")
def check(document: Path | None, provider_pages: Path | None, require_complete: bool | None) -> None:
    """Validate and lint the document, compare it with the provider's pages and the models."""
    from vpbx_spec.__main__ import run_checks
    from vpbx_spec.document import DOCUMENT_PATH
    from vpbx_spec.provider_pages import PAGES_DIR

    raise SystemExit(run_checks(document or DOCUMENT_PATH, provider_pages=provider_pages or PAGES_DIR,
                                require_complete=bool(require_complete)))
