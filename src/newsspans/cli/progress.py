"""Progress on long work: a bar on a terminal, nothing otherwise.

Library functions that take long accept a `progress` argument, a function that wraps an
iterable (the identity by default); the commands pass `bar(...)` so that a person at a
terminal sees documents done, the rate and the time left, while a pipe, a log or CI stays
quiet.
"""

import sys
from functools import partial


def on_terminal(stream=None) -> bool:
    stream = stream or sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def bar(desc: str, *, unit: str = "doc", stream=None):
    """A function that wraps an iterable in a progress bar named `desc`, shown only when
    `stream` (standard error by default) is a terminal. Give it `total=` when the iterable
    has no length."""
    stream = stream or sys.stderr
    if not on_terminal(stream):
        return _quiet
    return partial(_wrapped, desc=desc, unit=unit, stream=stream)


def _quiet(iterable, total=None):
    return iterable


def _wrapped(iterable, total=None, *, desc, unit, stream):
    from tqdm import tqdm   # only for a terminal: a pipe or CI never pays for the import
    return tqdm(iterable, total=total, desc=desc, unit=unit, file=stream, leave=False,
                dynamic_ncols=True, mininterval=0.5)
