"""Units people type after a data card's figures ("12,5 กก.", "12.5 kg", "3 ถุง", "1.5 km").

The words are listed per language so each language's readers find theirs, but a unit is
understood whatever the reader's language: people mix "kg" into Thai and "km" into Chinese all
the time, and no word here means a different unit in another language. A figure's own unit has
scale 1; "1.5 km" for a distance in metres has scale 1000, "500 g" for a weight in kg 0.001.
"""

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class Measure(StrEnum):
    """What a figure counts, in the unit the data card stores it in."""

    BAGS = "bags"
    KILOGRAMS = "kilograms"
    PEOPLE = "people"
    METRES = "metres"


@dataclass(frozen=True)
class Unit:
    measure: Measure
    scale: Decimal
    words: dict[str, tuple[str, ...]]  # language code -> how its readers write the unit


UNITS: tuple[Unit, ...] = (
    Unit(
        Measure.KILOGRAMS,
        Decimal(1),
        {
            "en": ("kg", "kgs", "kg.", "kilo", "kilos", "kilogram", "kilograms", "kilogramme"),
            "zh": ("公斤", "千克"),
            "id": ("kilogram", "kilo"),
            "ms": ("kilogram", "kilo"),
            "th": ("กก.", "กก", "กิโลกรัม", "กิโล"),
            "vi": ("ký", "kí", "ki-lô-gam", "cân"),
            "fil": ("kilo", "kilogramo"),
            "km": ("គីឡូក្រាម", "គីឡូ", "គ.ក"),
            "lo": ("ກິໂລກຣາມ", "ກິໂລ", "ກກ"),
            "my": ("ကီလိုဂရမ်", "ကီလို"),
            "ta": ("கிலோ", "கிலோகிராம்", "கி.கி"),
            "pt": ("quilo", "quilos", "quilograma", "quilogramas"),
        },
    ),
    Unit(
        Measure.KILOGRAMS,
        Decimal("0.001"),
        {
            "en": ("g", "gram", "grams", "gramme", "grammes"),
            "zh": ("克",),
            "id": ("gram",),
            "th": ("กรัม",),
            "vi": ("gam", "gram"),
            "km": ("ក្រាម",),
            "lo": ("ກຣາມ",),
            "my": ("ဂရမ်",),
            "ta": ("கிராம்",),
            "pt": ("grama", "gramas"),
        },
    ),
    Unit(
        Measure.BAGS,
        Decimal(1),
        {
            "en": ("bag", "bags", "sack", "sacks"),
            "zh": ("袋", "包"),
            "id": ("kantong", "karung", "kantung"),
            "ms": ("beg", "karung", "kampit"),
            "th": ("ถุง", "ใบ"),
            "vi": ("túi", "bao"),
            "fil": ("supot", "sako"),
            "km": ("ថង់", "បាវ"),
            "lo": ("ຖົງ",),
            "my": ("အိတ်",),
            "ta": ("பை", "பைகள்"),
            "pt": ("saco", "sacos"),
        },
    ),
    Unit(
        Measure.PEOPLE,
        Decimal(1),
        {
            "en": ("people", "persons", "person", "pax"),
            "zh": ("人", "名", "位"),
            "id": ("orang",),
            "ms": ("orang",),
            "th": ("คน",),
            "vi": ("người",),
            "fil": ("tao", "katao"),
            "km": ("នាក់",),
            "lo": ("ຄົນ",),
            "my": ("ယောက်", "ဦး"),
            "ta": ("பேர்", "நபர்கள்"),
            "pt": ("pessoa", "pessoas"),
        },
    ),
    Unit(
        Measure.METRES,
        Decimal(1),
        {
            "en": ("m", "metre", "metres", "meter", "meters"),
            "zh": ("米", "公尺"),
            "id": ("meter",),
            "ms": ("meter",),
            "th": ("ม.", "เมตร"),
            "vi": ("mét",),
            "fil": ("metro",),
            "km": ("ម៉ែត្រ",),
            "lo": ("ແມັດ",),
            "my": ("မီတာ",),
            "ta": ("மீட்டர்", "மீ"),
            "pt": ("metro", "metros"),
        },
    ),
    Unit(
        Measure.METRES,
        Decimal(1000),
        {
            "en": ("km", "kilometre", "kilometres", "kilometer", "kilometers"),
            "zh": ("公里", "千米"),
            "id": ("kilometer",),
            "ms": ("kilometer",),
            "th": ("กม.", "กม", "กิโลเมตร"),
            "vi": ("cây số", "ki-lô-mét"),
            "fil": ("kilometro",),
            "km": ("គីឡូម៉ែត្រ", "គ.ម"),
            "lo": ("ກິໂລແມັດ", "ກມ"),
            "my": ("ကီလိုမီတာ",),
            "ta": ("கிலோமீட்டர்", "கி.மீ"),
            "pt": ("quilómetro", "quilómetros", "quilômetro", "km"),
        },
    ),
)


def _words_by_length() -> list[tuple[str, Unit]]:
    """Every word once, longest first, so "km" is tried before "m" and "千克" before "克"."""
    words = {
        word.casefold(): unit
        for unit in UNITS
        for spelled in unit.words.values()
        for word in spelled
    }
    return sorted(words.items(), key=lambda entry: -len(entry[0]))


_WORDS = _words_by_length()


class WrongUnit(ValueError):
    """A unit of another measure: "3 kg" typed for the number of bags."""

    def __init__(self, typed: Measure) -> None:
        super().__init__(typed)
        self.typed = typed


def split_unit(text: str, measure: Measure) -> tuple[str, Decimal]:
    """The number part of ``text`` and the scale its unit gives it in ``measure``'s unit (1 when
    no unit is typed); WrongUnit when the unit belongs to another measure."""
    stripped = text.strip()
    folded = stripped.casefold()
    for word, unit in _WORDS:
        if folded.endswith(word) and _starts_a_word(folded, len(folded) - len(word)):
            if unit.measure != measure:
                raise WrongUnit(unit.measure)
            return stripped[: len(stripped) - len(word)], unit.scale
    return stripped, Decimal(1)


def _starts_a_word(text: str, index: int) -> bool:
    """A unit follows the number or a space, never the end of a longer word ("rom" is no "m")."""
    return index > 0 and not text[index - 1].isalpha()
