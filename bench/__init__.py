"""`python -m bench` (`make bench`): how fast the mock is next to Prism, what the contract
suite costs next to plain schemathesis, and whether the mock's memory stays bounded.

One run on one machine, every comparison side by side in that run; the results table is
printed and written to bench/RESULTS.md. Missed targets are named, never fatal: the exit
status is 0 unless the benchmark itself could not run.
"""
