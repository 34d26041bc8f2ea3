"""Validation: JSON Schemas, located problems, semantic checks and lint."""
