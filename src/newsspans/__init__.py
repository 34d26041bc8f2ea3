"""newsspans: an annotated news corpus and the tools that keep it correct."""

__version__ = "0.1.0"
