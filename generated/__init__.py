"""Pydantic models generated from openapi/openapi.yaml (see models.py)."""
