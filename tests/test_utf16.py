"""Code points <-> UTF-16 code units at the Doccano boundary."""

import pytest
from hypothesis import given, strategies as st

from newsspans.doccano.offsets import Utf16Index, to_codepoint, to_utf16

# Emoji (outside the BMP), a ZWJ family, combining marks, right-to-left script, CJK.
PIECES = ["a", " ", "é", "e\u0301", "\U0001F389", "\U0001F468\u200d\U0001F469\u200d\U0001F467",
          "\u1ecc\u0300\u1e63", "\u0645\u062d\u0645\u062f", "\u4e2d", "\U0001D11E", "\n"]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join) | st.text(max_size=60)


def _units(s: str) -> int:
    return len(s.encode("utf-16-le")) // 2


@given(texts)
def test_every_code_point_offset_maps_to_the_utf16_length_of_its_prefix(text):
    index = Utf16Index(text)
    for i in range(len(text) + 1):
        assert index.to_utf16(i) == _units(text[:i])
        assert index.to_codepoint(index.to_utf16(i)) == i


@given(texts)
def test_offsets_inside_a_surrogate_pair_are_rejected(text):
    index = Utf16Index(text)
    valid = {_units(text[:i]) for i in range(len(text) + 1)}
    for unit in range(index.length16 + 1):
        if unit in valid:
            assert to_utf16(text, index.to_codepoint(unit)) == unit
        else:
            with pytest.raises(ValueError, match="surrogate pair"):
                index.to_codepoint(unit)


def test_emoji_counts_two_units_and_combining_marks_one():
    text = "Mayor \U0001F389 said \u1ecc\u0300\u1e63un"
    start = text.index("said")
    assert to_utf16(text, start) == start + 1
    assert to_codepoint(text, start + 1) == start
    assert to_utf16(text, len(text)) == len(text) + 1


def test_out_of_range_offsets_name_the_range():
    with pytest.raises(ValueError, match=r"outside 0\.\.3"):
        to_utf16("abc", 4)
    with pytest.raises(ValueError, match=r"outside 0\.\.2"):
        to_codepoint("\U0001F389", 3)
