"""Checking recorded or live traffic against the contract, without sending anything:
a HAR validator (`vpbx validate-traffic`, `python -m vpbx_traffic.har`) and a validating
reverse proxy (`vpbx proxy`, `python -m vpbx_traffic.proxy`). Both judge every exchange through vpbx_suite.judge,
the same rules the contract suite applies."""
