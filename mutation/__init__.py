"""`make mutation`: cosmic-ray over the mock's behaviour modules, `make contract` as the test.

Every mutant is applied to a throw-away copy of the repository's committed files, never to the
working tree (`copy.py`). The report (`RESULTS.md`) is rebuilt from the session database and
the reasons kept in `survivors.yaml` (`report.py`).
"""
