"""The self-test: proof that the contract suite catches broken servers and passes correct ones."""
