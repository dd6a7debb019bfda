"""Reference mock of POST /numbers/unconfirmed: the contract in openapi/openapi.yaml, running.

Run it with `make mock` or `python -m vpbx_mock`; build it in-process with
`vpbx_mock.app.create_app`.
"""
