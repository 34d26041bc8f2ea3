"""The compiled fast paths of validation (`_fastcheck.c`), or None.

None when the extension was not built (no C compiler where newsspans was installed), when
the build is of another version than this code expects (a stale build is not trusted),
or when NEWSSPANS_PURE_PYTHON is set (the Python references alone, to compare or to
debug). A fast path answers only what its Python reference would answer, or "not sure",
and then the reference decides: the answers are the same either way.
"""

import os

VERSION = 4


def _load():
    if os.environ.get("NEWSSPANS_PURE_PYTHON"):
        return None
    try:
        from newsspans import _fastcheck
    except ImportError:
        return None
    return _fastcheck if getattr(_fastcheck, "VERSION", None) == VERSION else None


fastcheck = _load()
