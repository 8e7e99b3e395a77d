"""The places a typed city may mean, offered as buttons ("Xiamen, China") with "Keep what I
typed": onboarding, /profile, the organizer's wizard and a broadcast's audience ask a city."""

from accounts.cities import Place, display_name
from accounts.gazetteer import City, gazetteer
from handlers.kit.context import TidelineContext
from handlers.kit.keyboards import Keyboard
from i18n import Translator

# The value of "Keep what I typed"; GeoNames ids start at 1.
KEEP = "0"


def offer_prompt(t: Translator) -> str:
    return t._("Which place do you mean? Tap it, or keep the name as you typed it.")


def offer_keyboard(
    context: TidelineContext, action: str, cities: list[City], *prefix: object
) -> Keyboard:
    """A button per place and "Keep what I typed", each carrying ``prefix`` before the GeoNames
    id (or KEEP)."""
    t = context.t
    keyboard = [
        [context.button(place_label(t, city), action, *prefix, city.geoname_id)] for city in cities
    ]
    keyboard.append([context.button(t._("Keep what I typed"), action, *prefix, KEEP)])
    return keyboard


def place_label(t: Translator, city: City) -> str:
    return f"{gazetteer().display_name(city, t.language)}, {t.country_name(city.country)}"


def chosen_id(args: list[str]) -> int | None:
    """The GeoNames id a button chose, None for "Keep what I typed" (or a malformed button)."""
    if len(args) != 1 or not args[0].isdigit() or args[0] == KEEP:
        return None
    return int(args[0])


def city_name(t: Translator, name: str, geoname_id: int | None) -> str:
    """A recorded city as the reader calls it: the gazetteer's name in their language when the
    place was chosen, otherwise as typed."""
    return display_name(Place(name, geoname_id), t.language)
