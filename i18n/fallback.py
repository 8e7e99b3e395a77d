"""Which of the languages an organizer wrote a text in a reader gets.

One chain for events, broadcasts and everything organizers write (surveys and pledges too):

1. the reader's own language;
2. the second language the organizer named for this text, or, when they named none, the
   languages a reader of that language most likely also reads (``LIKELY_SECOND``);
3. the text's main language (the one the organizer wrote first or chose as the fallback);
4. any language it was written in.

Callers show the text together with ``shown_in_note`` so that a reader who gets another
language than their own is told which one it is.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from i18n.catalogs import Translator

T = TypeVar("T")

# What a reader of each language most likely also reads, most likely first. English is ASEAN's
# working language and the foreign language schools across the region (and in China) teach
# first, so it is there for every reader. Closer languages come before it where readers know
# them better than English: Malay and Indonesian readers read each other's language, Lao readers
# read Thai (the languages are close and Thai media is everywhere in Laos), and in Timor-Leste
# Indonesian is, like English, a working language of the state and more widely read.
LIKELY_SECOND: Mapping[str, tuple[str, ...]] = {
    "en": (),
    "zh": ("en",),
    "id": ("ms", "en"),
    "ms": ("id", "en"),
    "th": ("en",),
    "vi": ("en",),
    "fil": ("en",),
    "km": ("en",),
    "lo": ("th", "en"),
    "my": ("en",),
    "ta": ("en",),
    "pt": ("id", "en"),
}


@dataclass(frozen=True)
class Picked(Generic[T]):
    """The text a reader gets and the language it is in."""

    text: T
    language: str
    reader: str

    @property
    def in_readers_language(self) -> bool:
        return self.language == self.reader


def chain(reader: str, main: str, *, second: str | None = None) -> tuple[str, ...]:
    """The languages to try for ``reader``, best first; ``second`` is the organizer's choice and
    replaces the reader's likely second languages."""
    seconds: Iterable[str] = (second,) if second else LIKELY_SECOND.get(reader, ("en",))
    return tuple(dict.fromkeys((reader, *seconds, main)))


def pick(texts: Mapping[str, T], reader: str, main: str, *, second: str | None = None) -> Picked[T]:
    """The text for ``reader`` from ``texts`` (language → text) along the chain; LookupError when
    nothing was written at all."""
    for language in chain(reader, main, second=second):
        if language in texts:
            return Picked(texts[language], language, reader)
    for language, text in texts.items():
        return Picked(text, language, reader)
    raise LookupError("no text written in any language")


def shown_in_note(t: Translator, picked: Picked[T]) -> str | None:
    """A short line telling the reader which language they are reading when it is not theirs."""
    if picked.in_readers_language:
        return None
    return t._("(Shown in {language}: the organizers have not written it in yours.)").format(
        language=t.language_name(picked.language)
    )
