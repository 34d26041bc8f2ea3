"""Metadata generated from the corpus: the dataset card, croissant.json, statistics."""
