"""Every catalog is complete, nothing fuzzy, placeholders and markup exactly as in English."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

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
