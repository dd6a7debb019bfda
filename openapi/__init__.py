"""The contract as package data (`vpbx_openapi`): openapi.yaml, the decision log DECISIONS.md
and provider-differences.yaml. Installed with the toolkit, so every command finds the
document wherever it runs; in a checkout this folder is the package itself."""
