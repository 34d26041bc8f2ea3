"""The corpus model: annotations as frozen value objects, labels, normalised text."""
