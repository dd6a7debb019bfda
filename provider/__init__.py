"""The provider's vendored pages as package data (`vpbx_provider`): pages/*.md, verbatim, and
pages.yaml, their provenance and their mapping to the document's operations."""
