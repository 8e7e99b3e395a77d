"""A city as people and events record it: the name as typed, and the GeoNames id of the
gazetteer's place when the person chose it (accounts.gazetteer). Two records are the same city
when both ids are known and equal; otherwise when their names are two names of one place, or
the same name."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, func, or_
from sqlalchemy.orm import InstrumentedAttribute

from accounts.gazetteer import City, gazetteer
from accounts.geography import CITY_MAX_LENGTH, COUNTRY_CODES, derive_timezone, zones_for


@dataclass(frozen=True)
class Place:
    name: str
    geoname_id: int | None = None


def candidates(typed: str, country: str | None) -> list[City]:
    """Places of the gazetteer a typed city may mean: in the given country, or in any of the
    partnership's when none is given; none for a country outside the partnership."""
    if country is not None and country not in COUNTRY_CODES:
        return []
    return gazetteer().find(typed, (country,) if country else COUNTRY_CODES)


def chosen_city(geoname_id: int, country: str | None) -> City | None:
    """The place a button named, if it is one of the country's (buttons outlive profiles)."""
    city = gazetteer().city(geoname_id)
    if city is None or (country is not None and city.country != country):
        return None
    return city


def display_name(place: Place, language: str) -> str:
    city = gazetteer().city(place.geoname_id)
    return place.name if city is None else gazetteer().display_name(city, language)


def timezone_of(country: str | None, place: Place, fallback: str) -> str:
    """GeoNames knows each place's zone (Sorong: Asia/Jayapura); the typed name only helps in
    the few cities geography lists."""
    city = gazetteer().city(place.geoname_id)
    if city is not None and city.timezone in zones_for(country) and country in COUNTRY_CODES:
        return city.timezone
    return derive_timezone(country, place.name, fallback)


def _spellings(cities: list[City], name: str) -> set[str]:
    found = {name.lower()}
    for city in cities:
        found.update(name.lower() for name in city.names if len(name) <= CITY_MAX_LENGTH)
    return found


def same_city(
    name_column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    id_column: InstrumentedAttribute[int | None],
    place: Place,
) -> ColumnElement[bool]:
    """Rows whose city is ``place`` (see the module's docstring)."""
    places = gazetteer()
    if place.geoname_id is not None:
        known = places.city(place.geoname_id)
        spellings = _spellings([known] if known else [], place.name)
        return or_(
            id_column == place.geoname_id,
            and_(id_column.is_(None), func.lower(name_column).in_(spellings)),
        )
    named = places.named(place.name)
    return or_(
        func.lower(name_column).in_(_spellings(named, place.name)),
        id_column.in_([city.geoname_id for city in named]),
    )
