"""Annotation curation: ingest, revise and re-anchor, adopt, agreement, release."""
