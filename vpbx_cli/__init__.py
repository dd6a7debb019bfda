"""`vpbx`: one installed command for the toolkit's jobs (`vpbx --help`).

Each subcommand is a thin front-end: its options are the settings the README names (every
option is also read from the environment variable of the same name, so `make contract
BASE_URL=…` and `vpbx contract --base-url …` mean the same), and it hands them to the module
that does the job, which parses and checks them as it always has.
"""
