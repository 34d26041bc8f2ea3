"""The progress bar: shown on a terminal, silent in a pipe."""

import io

from newsspans.cli.progress import bar


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_not_a_terminal_is_the_identity():
    stream = io.StringIO()
    items = [1, 2, 3]
    wrap = bar("docs", stream=stream)
    assert wrap(items) is items
    assert stream.getvalue() == ""


def test_a_terminal_shows_what_is_done():
    stream = Terminal()
    wrap = bar("validating", stream=stream)
    assert list(wrap(iter(range(5)), total=5)) == [0, 1, 2, 3, 4]
    shown = stream.getvalue()
    assert "validating" in shown
    assert "0/5" in shown
