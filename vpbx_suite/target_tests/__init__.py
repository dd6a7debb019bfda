"""The contract suite's tests, run against a live target by `python -m vpbx_suite`."""
