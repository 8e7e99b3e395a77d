"""Compiled gettext catalogs and a per-language translator that also formats dates and numbers."""

from collections.abc import Iterable
from datetime import date as CalendarDay
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel import dates, lists, numbers
from babel.support import Translations

from i18n.languages import LANGUAGES, babel_locale
from i18n.typed_dates import BUDDHIST_ERA_OFFSET

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
# Readers who count years in the Buddhist era (2570 for 2027), with the era's name. Babel knows
# only the Gregorian calendar, so their date patterns get the era and its year as literal text.
BUDDHIST_ERA_NAMES: dict[str, str] = {"th": "พ.ศ."}


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
        return self._format_date(local.date(), length)

    def _format_date(self, day: CalendarDay, length: str) -> str:
        """The language's date pattern of ``length``; in the Buddhist era where readers count
        years so."""
        era = BUDDHIST_ERA_NAMES.get(self.language)
        if era is None:
            return dates.format_date(day, length, locale=self.locale)
        pattern = buddhist_era_pattern(self.locale.date_formats[length].pattern, day.year, era)
        return dates.format_date(day, pattern, locale=self.locale)

    def moment(self, moment: datetime, zone: str) -> str:
        """A moment as the reader writes it, in ``zone`` (an event's zone, not the reader's)."""
        local = moment.astimezone(ZoneInfo(zone))
        return self._date_and_time("medium", local, self._time(local))

    def moment_with_zone(self, moment: datetime, zone: str) -> str:
        """A moment with its zone's offset, placed where the reader's language puts a zone."""
        local = moment.astimezone(ZoneInfo(zone))
        return self._date_and_time("medium", local, self._time(local, with_zone=True))

    def span(self, start: datetime, end: datetime, zone: str) -> str:
        """An event's time: full date and start–end times in its zone, with the zone's offset,
        glued with the language's own date-time and interval patterns."""
        info = ZoneInfo(zone)
        local_start, local_end = start.astimezone(info), end.astimezone(info)
        if local_start.date() == local_end.date():
            times = self._time_range(local_start, local_end)
            return self._date_and_time("full", local_start, times)
        first = self._date_and_time("full", local_start, self._time(local_start))
        last = self._date_and_time("medium", local_end, self._time(local_end, with_zone=True))
        fallback = self.locale.interval_formats[None]
        return fallback.replace("{0}", first).replace("{1}", last)

    def _date_and_time(self, length: str, local: datetime, time_text: str) -> str:
        day = self._format_date(local.date(), length)
        # CLDR's glue may quote literal words ("{1} 'at' {0}"); Babel drops the quotes likewise.
        glue = str(self.locale.datetime_formats[length]).replace("'", "")
        return glue.replace("{1}", day).replace("{0}", time_text)

    def _hour_skeleton(self) -> str:
        """ "hm" where the language reads a 12-hour clock (English: 9:00 AM), else "Hm"."""
        tokens = dates.tokenize_pattern(self.locale.time_formats["short"].pattern)
        twelve_hour = any(kind == "field" and value[0] in "hK" for kind, value in tokens)
        return "hm" if twelve_hour else "Hm"

    def _time(self, local: datetime, *, with_zone: bool = False) -> str:
        if not with_zone:
            return dates.format_time(local, "short", tzinfo=local.tzinfo, locale=self.locale)
        skeleton = self._hour_skeleton() + "v"
        pattern = _offset_for_zone(self.locale.datetime_skeletons[skeleton].pattern)
        return dates.format_datetime(local, pattern, tzinfo=local.tzinfo, locale=self.locale)

    def _time_range(self, local_start: datetime, local_end: datetime) -> str:
        """Two times of one day with the zone, from the language's interval patterns."""
        skeleton = self._hour_skeleton()
        patterns = self.locale.interval_formats[skeleton + "v"]
        if skeleton == "hm" and (local_start.hour < 12) != (local_end.hour < 12):
            differs = "a"
        elif local_start.hour != local_end.hour:
            differs = skeleton[0]
        else:
            differs = "m"
        return "".join(
            dates.format_datetime(
                local, _offset_for_zone(pattern), tzinfo=local.tzinfo, locale=self.locale
            )
            for pattern, local in zip(patterns[differs], (local_start, local_end), strict=True)
        )

    def number(self, value: int | float | Decimal) -> str:
        return numbers.format_decimal(value, locale=self.locale)

    def zone_name(self, zone: str, now: datetime) -> str:
        """A zone as people read it, e.g. "Western Indonesia Time (UTC+07:00)"."""
        info = ZoneInfo(zone)
        name = dates.get_timezone_location(info, locale=self.locale, return_city=True)
        offset = dates.get_timezone_gmt(now.astimezone(info), width="long", locale=self.locale)
        # CLDR's own brackets for a zone's name with a qualifier: "曼谷（GMT+07:00）" in Chinese.
        return self.locale.zone_formats["fallback"] % {"1": name, "0": offset}

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


def buddhist_era_pattern(pattern: str, year: int, era: str) -> str:
    """``pattern`` for a date of the Gregorian ``year`` with only its year fields in the
    Buddhist era (the same width: "yy" is the era year's last two digits) and its era field
    named ``era``; day, month and weekday fields stay as they are."""
    buddhist_year = str(year + BUDDHIST_ERA_OFFSET)
    tokens: list[tuple[str, Any]] = []
    for kind, value in dates.tokenize_pattern(pattern):
        if kind == "field" and value[0] in "yuY":  # calendar year, extended year, week year
            width = int(value[1])
            text = buddhist_year[-2:] if width == 2 else buddhist_year.zfill(width)
            tokens.append(("chars", text))
        elif kind == "field" and value[0] == "G":
            tokens.append(("chars", era))
        else:
            tokens.append((kind, value))
    return dates.untokenize_pattern(tokens)


def _offset_for_zone(pattern: str) -> str:
    """``pattern`` with its zone field shown as the GMT offset ("GMT+07:00"): unambiguous, and
    what every event card has always named the zone by."""
    tokens = [
        ("field", ("Z", 4)) if kind == "field" and value[0] in "vVzZO" else (kind, value)
        for kind, value in dates.tokenize_pattern(pattern)
    ]
    return dates.untokenize_pattern(tokens)


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
