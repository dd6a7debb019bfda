"""The reference mock: every operation of openapi/openapi.yaml, served from one SQLite store.

Run it with `vpbx mock`, `make mock` or `python -m vpbx_mock`; build it in-process with
`vpbx_mock.app.create_app`.
"""
