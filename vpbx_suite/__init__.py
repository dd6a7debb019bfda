"""The contract suite: checks any server against openapi/openapi.yaml (`make contract`)."""
