"""Translations and locale-aware formatting for the twelve languages of design.md section 5."""

from i18n.catalogs import Catalogs, Translator, lazy
from i18n.languages import LANGUAGE_CODES, LANGUAGES, Language, match_language

__all__ = [
    "LANGUAGES",
    "LANGUAGE_CODES",
    "Catalogs",
    "Language",
    "Translator",
    "lazy",
    "match_language",
]
