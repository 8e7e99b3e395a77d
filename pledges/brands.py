"""Brand names as the partnership compares them: case- and accent-insensitively, whatever the
spacing or punctuation, so "Coca-Cola", "COCA COLA" and "coca‑cola" are one brand.

Only Latin accents go (the combining diacritics U+0300–U+036F that NFKD splits off): the vowel
signs of Thai, Lao, Khmer and Burmese are letters of the word, not accents."""

import unicodedata

BRANDS_MAX = 30
LATIN_DIACRITICS = range(0x0300, 0x0370)


def brand_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(
        character
        for character in decomposed
        if unicodedata.category(character)[0] in "LNM" and ord(character) not in LATIN_DIACRITICS
    )
