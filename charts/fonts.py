"""The fonts charts draw with: Noto files shipped in charts/fonts/, in fallback order per language.

Matplotlib (3.11 and later) shapes each run of text with the first font in the family list that
has its glyphs, so one list covers every script of the twelve languages. The Thai, Lao, Khmer and
Myanmar fonts have no ASCII digits or Latin letters: Noto Sans is always in the list, right after
the language's own script font. A character no font covers is refused with `UncoveredTextError`
instead of being drawn as a box.
"""

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from matplotlib import font_manager
from matplotlib.font_manager import FontPath, FontProperties
from matplotlib.ft2font import FT2Font

from i18n.languages import LANGUAGES

FONTS_DIR = Path(__file__).resolve().parent / "fonts"


@dataclass(frozen=True)
class ChartFont:
    family: str
    filename: str


NOTO_SANS = ChartFont("Noto Sans", "NotoSans-Regular.ttf")
# The script font each language's text needs first; the others are Latin and use Noto Sans.
SCRIPT_FONTS: dict[str, ChartFont] = {
    "th": ChartFont("Noto Sans Thai", "NotoSansThai-Regular.ttf"),
    "lo": ChartFont("Noto Sans Lao", "NotoSansLao-Regular.ttf"),
    "km": ChartFont("Noto Sans Khmer", "NotoSansKhmer-Regular.ttf"),
    "my": ChartFont("Noto Sans Myanmar", "NotoSansMyanmar-Regular.ttf"),
    "ta": ChartFont("Noto Sans Tamil", "NotoSansTamil-Regular.ttf"),
    # Noto Sans CJK SC cut down to GB 2312 (see charts/fonts/README.md); a full copy installed on
    # the system under the same family name (Debian's fonts-noto-cjk) is used instead when present.
    "zh": ChartFont("Noto Sans CJK SC", "NotoSansCJKsc-Regular-GB2312.otf"),
}
ALL_FONTS: tuple[ChartFont, ...] = (NOTO_SANS, *SCRIPT_FONTS.values())

# Characters shaping engines treat as invisible controls: no font needs a glyph for them.
_INVISIBLE = frozenset({"\n", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"})


class MissingFontError(RuntimeError):
    """A font the charts need is not where it should be: charts would show boxes instead of text."""


class UncoveredTextError(ValueError):
    """Text has characters that none of the chart fonts can draw."""

    def __init__(self, characters: str) -> None:
        self.characters = characters
        named = ", ".join(f"U+{ord(character):04X} {character!r}" for character in characters)
        super().__init__(f"No chart font has a glyph for: {named}")


@dataclass(frozen=True)
class FontSet:
    """The chart fonts as matplotlib resolved them (file and face, per family), and the
    characters each covers."""

    files: dict[str, FontPath]
    coverage: dict[str, frozenset[int]]
    everything: frozenset[int]

    def families(self, language: str, texts: Iterable[str] = ()) -> list[str]:
        """The fallback list for a chart in ``language``: its script font first, then Noto Sans,
        then only those other script fonts that ``texts`` need (matplotlib looks every family of
        the list up again for each text it lays out, so a shorter list draws faster)."""
        if language not in LANGUAGES:
            raise ValueError(f"Unknown language {language!r}")
        first = SCRIPT_FONTS.get(language, NOTO_SANS)
        order = [first] if first == NOTO_SANS else [first, NOTO_SANS]
        needed = {ord(character) for text in texts for character in text}
        for font in order:
            needed -= self.coverage[font.family]
        for font in ALL_FONTS:
            if font not in order and needed & self.coverage[font.family]:
                order.append(font)
                needed -= self.coverage[font.family]
        return [font.family for font in order]

    def uncovered(self, text: str) -> str:
        """The distinct characters of ``text`` that no chart font covers, in order of appearance."""
        missing = dict.fromkeys(
            character
            for character in text
            if character not in _INVISIBLE
            and not character.isspace()
            and ord(character) not in self.everything
        )
        return "".join(missing)

    def check(self, texts: Iterable[str]) -> None:
        missing = "".join(dict.fromkeys("".join(self.uncovered(text) for text in texts)))
        if missing:
            raise UncoveredTextError(missing)


_REGISTRATION = threading.Lock()


@cache
def chart_fonts() -> FontSet:
    """Register the shipped fonts with matplotlib once and check that each family resolves."""
    with _REGISTRATION:
        return register_fonts(ALL_FONTS)


def register_fonts(fonts: Iterable[ChartFont]) -> FontSet:
    """Make the shipped ``fonts`` known to matplotlib and read what they cover together."""
    manager = font_manager.fontManager
    known = {entry.fname for entry in manager.ttflist}
    files: dict[str, FontPath] = {}
    coverage: dict[str, frozenset[int]] = {}
    for font in fonts:
        path = FONTS_DIR / font.filename
        if not path.is_file():
            raise MissingFontError(
                f"Chart font {font.family!r} is missing: expected {path}. Charts would draw "
                "boxes instead of text; restore the file from the repository."
            )
        if str(path) not in known:
            manager.addfont(path)
        try:
            found = manager.findfont(FontProperties(family=font.family), fallback_to_default=False)
        except ValueError as error:
            raise MissingFontError(f"Matplotlib cannot find chart font {font.family!r}") from error
        face = FT2Font(found.path, face_index=found.face_index)
        files[font.family] = found
        coverage[font.family] = frozenset(face.get_charmap())
    everything = frozenset().union(*coverage.values())
    return FontSet(files=files, coverage=coverage, everything=everything)
