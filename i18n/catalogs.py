"""Compiled gettext catalogs and a per-language translator that also formats dates and numbers."""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import dates, lists, numbers
from babel.support import Translations

from i18n.languages import LANGUAGES, babel_locale

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"


def lazy(message: str) -> str:
    """Mark a module-level msgid for extraction; it is translated where it is shown."""
    return message


class Translator:
    """Everything a reader sees, in one language: translated text and formatted values."""

    def __init__(self, language: str, translations: Translations) -> None:
        self.language = language
        self.locale = babel_locale(language)
        self._translations = translations

    def _(self, message: str) -> str:
        return self._translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self._translations.ngettext(singular, plural, count)

    def date(self, moment: datetime, zone: str, length: str = "long") -> str:
        local = moment.astimezone(ZoneInfo(zone))
        return dates.format_date(local.date(), length, locale=self.locale)

    def moment(self, moment: datetime, zone: str) -> str:
        """A moment as the reader writes it, in ``zone`` (an event's zone, not the reader's)."""
        info = ZoneInfo(zone)
        local = moment.astimezone(info)
        day = dates.format_date(local.date(), "medium", locale=self.locale)
        return f"{day} {dates.format_time(local, 'short', tzinfo=info, locale=self.locale)}"

    def span(self, start: datetime, end: datetime, zone: str) -> str:
        """An event's time: full date and start–end times in its zone, with the zone named."""
        info = ZoneInfo(zone)
        local_start, local_end = start.astimezone(info), end.astimezone(info)
        day = dates.format_date(local_start.date(), "full", locale=self.locale)
        first = dates.format_time(local_start, "short", tzinfo=info, locale=self.locale)
        last = dates.format_time(local_end, "short", tzinfo=info, locale=self.locale)
        if local_end.date() != local_start.date():
            last = self.moment(end, zone)
        offset = dates.get_timezone_gmt(local_start, width="long", locale=self.locale)
        return f"{day}, {first}–{last} ({offset})"

    def number(self, value: int | float | Decimal) -> str:
        return numbers.format_decimal(value, locale=self.locale)

    def zone_name(self, zone: str, now: datetime) -> str:
        """A zone as people read it, e.g. "Western Indonesia Time (UTC+07:00)"."""
        info = ZoneInfo(zone)
        name = dates.get_timezone_location(info, locale=self.locale, return_city=True)
        offset = dates.get_timezone_gmt(now.astimezone(info), width="long", locale=self.locale)
        return f"{name} ({offset})"

    def country_name(self, country_code: str) -> str:
        return self.locale.territories.get(country_code, country_code)

    def language_name(self, code: str) -> str:
        """A language as the reader names it inside a sentence: "请用英语输入", not "请用English".
        Pickers show each language's own name instead (``Language.native_name``)."""
        known = LANGUAGES.get(code)
        return self.locale.languages.get(code) or (known.native_name if known else code)

    def language_list(self, codes: Iterable[str]) -> str:
        """Languages as one phrase in the reader's language, e.g. "English and Thai"."""
        names = [self.language_name(code) for code in codes]
        return lists.format_list(names, locale=self.locale) if names else ""


class Catalogs:
    """Loads every language's compiled catalog once at start-up."""

    def __init__(self, default_language: str, locales_dir: Path = LOCALES_DIR) -> None:
        self.default_language = default_language
        self._translators = {
            code: Translator(code, self._load(locales_dir, code)) for code in LANGUAGES
        }

    @staticmethod
    def _load(locales_dir: Path, code: str) -> Translations:
        if code == "en":
            return Translations()  # English msgids are the source text.
        mo_file = locales_dir / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if not mo_file.exists():
            raise FileNotFoundError(
                f"{mo_file} is missing: compile the catalogs with `make catalogs`"
            )
        with mo_file.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)

    def translator(self, language: str | None) -> Translator:
        return self._translators.get(language or "", self._translators[self.default_language])
