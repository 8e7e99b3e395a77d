"""Every catalog is complete, nothing fuzzy, placeholders and markup exactly as in English; its
headers agree with CLDR and its terms with the reviewed glossary."""

import gettext
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.plural import PluralRule

from i18n import LANGUAGES

LOCALES = Path(__file__).resolve().parent.parent / "locales"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}")
TAG = re.compile(r"</?[a-z]+>")
TRANSLATED = [code for code in LANGUAGES if code != "en"]


def _catalog(code: str):  # type: ignore[no-untyped-def]
    with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=None)


def _template_ids() -> set[str]:
    with (LOCALES / "messages.pot").open("rb") as handle:
        return {str(m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(handle) if m.id}


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalog_is_complete_and_consistent(code: str) -> None:
    catalog = _catalog(code)
    entries = [message for message in catalog if message.id]
    ids = {message.id if isinstance(message.id, str) else message.id[0] for message in entries}
    assert ids >= _template_ids(), f"{code}: missing {_template_ids() - ids}"
    for message in entries:
        assert not message.fuzzy, f"{code}: fuzzy {message.id!r}"
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        translations = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(translations), f"{code}: untranslated {message.id!r}"
        for translation in translations:
            assert set(PLACEHOLDER.findall(translation)) == set(PLACEHOLDER.findall(sources[-1])), (
                f"{code}: placeholders differ in {message.id!r}"
            )
            assert sorted(TAG.findall(translation)) == sorted(TAG.findall(sources[0])), (
                f"{code}: markup differs in {message.id!r}"
            )
        assert not any(error for error in message.check(catalog)), f"{code}: {message.id!r}"


def test_every_language_has_a_catalog() -> None:
    assert sorted(path.name for path in LOCALES.iterdir() if path.is_dir()) == sorted(TRANSLATED)


def test_template_holds_every_message_the_code_uses() -> None:
    """`make update-catalogs` was run after the last change to user-facing text."""
    root = LOCALES.parent
    with (root / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "lazy": None}
    used = {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(
            str(root), method_map, options_map, keywords=keywords
        )
    }
    assert used <= _template_ids(), f"missing from messages.pot: {sorted(used - _template_ids())}"


# gettext numbers the plural forms in CLDR's category order; "other" is always there and last.
CLDR_CATEGORY_ORDER = ("zero", "one", "two", "few", "many")
# Every rule CLDR has for our languages turns on the last two digits or on whole millions
# (Portuguese "1 000 000 de pessoas").
SAMPLE_COUNTS = (*range(201), 1_000, 1_000_000, 2_000_000, 10_000_000)


def _cldr_rule(code: str) -> PluralRule:
    return Locale.parse(LANGUAGES[code].babel_locale).plural_form


@pytest.mark.parametrize("code", TRANSLATED)
def test_catalog_declares_the_babel_locale_it_is_loaded_with(code: str) -> None:
    assert str(_catalog(code).locale) == LANGUAGES[code].babel_locale


@pytest.mark.parametrize("code", TRANSLATED)
def test_plural_forms_follow_cldr(code: str) -> None:
    catalog = _catalog(code)
    rule = _cldr_rule(code)
    categories = [tag for tag in CLDR_CATEGORY_ORDER if tag in rule.tags] + ["other"]
    assert catalog.num_plurals == len(categories), (
        f"{code}: {catalog.num_plurals} plural forms, CLDR has {categories}"
    )
    form_of = gettext.c2py(catalog.plural_expr)
    wrong = [n for n in SAMPLE_COUNTS if form_of(n) != categories.index(rule(n))]
    assert not wrong, f"{code}: plural={catalog.plural_expr} disagrees with CLDR for n in {wrong}"


@dataclass(frozen=True)
class Term:
    """Where the English matches ``meaning`` (a concept), the translation says ``right``, never
    ``wrong``."""

    code: str
    concept: str
    meaning: str
    right: str
    wrong: str


# A translation reviewer's findings (issue 12): words that read as something else in context.
GLOSSARY = (
    Term("vi", "full", r"\bfull\b", "hết chỗ", "đủ chỗ"),
    Term("ta", "broadcast", r"broadcast", "அறிவிப்பு", "ஒலிபரப்ப"),
    # ផ្សព្វផ្សាយ is to promote; it stays in ប្រព័ន្ធផ្សព្វផ្សាយ, the media.
    Term("km", "publish", r"publish", "បោះផ្សាយ", "ផ្សព្វផ្សាយ"),
    # A GPS location, not a venue (ສະຖານທີ່ຈັດງານ).
    Term("lo", "location", r"\blocation\b", "ທີ່ຕັ້ງ", "ສະຖານທີ່(?!ຈັດງານ)"),
    # ງານ on its own is a festival or a job; organizer (ຜູ້ຈັດງານ), report (ລາຍງານ), achievement
    # (ຜົນງານ) and partner (ຄູ່ຮ່ວມງານ) are words of their own.
    Term(
        "lo", "event", r"\bevents?\b|see you there", "ກິດຈະກຳ", "(?<!ຈັດ)(?<!ລາຍ)(?<!ຜົນ)(?<!ຮ່ວມ)ງານ"
    ),
    # persetujuan is also an organizer's approval.
    Term("id", "consent", r"consent|agreed to", "izin", "persetujuan"),
    # daftar is to register.
    Term("ms", "check-in", r"check(ed|ing)?[- ]in\b", "kehadiran", "daftar masuk"),
)


@pytest.mark.parametrize("term", GLOSSARY, ids=lambda term: f"{term.code}-{term.concept}")
def test_terms_follow_the_glossary(term: Term) -> None:
    checked = 0
    for message in _catalog(term.code):
        english = message.id if isinstance(message.id, str) else message.id[0]
        if not message.id or not re.search(term.meaning, PLACEHOLDER.sub("", english), re.I):
            continue
        checked += 1
        translations = [message.string] if isinstance(message.string, str) else message.string
        for translation in translations:
            assert term.right.casefold() in translation.casefold(), (
                f"{term.code}: {english!r} lacks {term.right}"
            )
            assert not re.search(term.wrong, translation, re.I), f"{term.code}: {english!r}"
    assert checked, f"{term.code}: no message means {term.concept}"


# The card's "Cigar tips" are the plastic mouthpieces of cigarillos, not cigar butts.
PLASTIC = {
    "zh": "塑料",
    "id": "plastik",
    "ms": "plastik",
    "th": "พลาสติก",
    "vi": "nhựa",
    "fil": "plastik",
    "km": "ប្លាស្ទិក",
    "lo": "ພາດສະຕິກ",
    "my": "ပလတ်စတစ်",
    "ta": "பிளாஸ்டிக்",
    "pt": "plástico",
}


@pytest.mark.parametrize("code", TRANSLATED)
def test_cigar_tips_say_they_are_plastic(code: str) -> None:
    translations = {message.id: message.string for message in _catalog(code) if message.id}
    assert PLASTIC[code] in translations["Plastic pieces"], "the card's own word for plastic"
    assert PLASTIC[code] in translations["Cigar tips"]
