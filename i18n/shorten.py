"""Texts shortened to fit a button or a list line without cutting a word in half."""

import unicodedata

ELLIPSIS = "…"
# A cut at a space is taken only when it keeps at least this share of the room: one long word
# at the start is cut inside rather than leaving almost nothing.
_MIN_SHARE_KEPT = 0.5


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters: whole words and an ellipsis when it is longer.

    Thai, Lao, Khmer, Burmese and Chinese write words without spaces between them; there the
    cut falls between characters, never between a letter and its vowel or tone mark.
    """
    if len(text) <= limit:
        return text
    room = text[: limit - len(ELLIPSIS)]
    cut_at_space = text[len(room)].isspace()
    if not cut_at_space:
        space = max(room.rfind(" "), room.rfind("\u3000"))
        if space >= len(room) * _MIN_SHARE_KEPT:
            room, cut_at_space = room[:space], True
    if not cut_at_space:
        while room and unicodedata.category(text[len(room)]).startswith("M"):
            room = room[:-1]
    return room.rstrip(" ,;:·-–(") + ELLIPSIS
