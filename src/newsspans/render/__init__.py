"""The static HTML view of the corpus (docs/)."""
