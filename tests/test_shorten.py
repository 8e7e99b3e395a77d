"""Titles shortened for buttons and lists keep whole words, and whole letters where words have
no spaces between them."""

import unicodedata

import pytest

from i18n.shorten import shorten


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Bang Saen beach cleanup", 40, "Bang Saen beach cleanup"),
        ("Bang Saen beach cleanup and mangrove planting", 28, "Bang Saen beach cleanup and…"),
        ("Bang Saen beach cleanup, mangrove planting", 26, "Bang Saen beach cleanup…"),
        ("Roundtable on marine plastics", 16, "Roundtable on…"),
        ("Supercalifragilisticexpialidocious talk", 12, "Supercalifr…"),
    ],
)
def test_shorten(text: str, limit: int, expected: str) -> None:
    shortened = shorten(text, limit)
    assert shortened == expected
    assert len(shortened) <= limit


def test_a_letter_keeps_its_marks_in_scripts_without_spaces() -> None:
    thai = "เก็บขยะชายหาดบางแสนและปลูกป่าชายเลน"
    # "ก็" is a letter and a mark: a cut after "เก" would leave the mark behind.
    assert shorten(thai, 3) == "เ…"
    assert shorten(thai, 4) == "เก็…"
    for limit in range(2, len(thai)):
        kept = shorten(thai, limit).removesuffix("…")
        assert thai.startswith(kept) and len(kept) < limit
        assert not unicodedata.category(thai[len(kept)]).startswith("M")
