"""i18n.numbers, i18n.typed_dates and the Translator's date-time glue, without the bot: numbers
read in the reader's convention, typed dates told precisely, event times in each language's own
CLDR patterns."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from babel import Locale, dates

from events import cleanup_card as card
from events.cleanup_card import FigureProblem, InvalidFigure
from events.figure_units import UNITS
from i18n import LANGUAGES, Catalogs
from i18n.catalogs import buddhist_era_pattern
from i18n.input_problems import ambiguous_number, date_problem
from i18n.languages import babel_locale
from i18n.numbers import NumberProblem, UnreadableNumber, ascii_digits, read_decimal
from i18n.typed_dates import DateProblem, UnreadableDate, read_clock, read_date_and_clock

ENGLISH, INDONESIAN, PORTUGUESE = Locale.parse("en"), Locale.parse("id"), Locale.parse("pt_TL")
TODAY = date(2026, 11, 25)
DISTANCE, WEIGHT = card.Figure.DISTANCE, card.Figure.WEIGHT


@pytest.fixture(scope="module")
def catalogs() -> Catalogs:
    return Catalogs("en")


def _locale(code: str) -> Locale:
    return Locale.parse(LANGUAGES[code].babel_locale)


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        # A dot groups thousands for these readers, a comma is their decimal mark.
        ("id", "1.500", "1500"),
        ("vi", "1.500", "1500"),
        ("pt", "1.500", "1500"),
        ("lo", "1.500", "1500"),
        ("id", "12,5", "12.5"),
        ("pt", "1.234.567,25", "1234567.25"),
        # And the other way round.
        ("en", "1,500", "1500"),
        ("zh", "1,500", "1500"),
        ("th", "12.5", "12.5"),
        ("ta", "12,34,567", "1234567"),
        ("ta", "1,234,567", "1234567"),
        # The other convention, where it can only mean one thing.
        ("en", "12,5", "12.5"),
        ("en", "1.200,5", "1200.5"),
        ("en", "1.234.567", "1234567"),
        ("id", "1.5", "1.5"),
        ("id", "1,200.5", "1200.5"),
        ("en", "0.500", "0.5"),
        ("id", "0,500", "0.5"),
        # Spaces group in every convention; every script's digits count.
        ("pt", "1 500", "1500"),
        ("pt", "1\u00a0500,5", "1500.5"),
        ("th", "๑๒", "12"),
        ("lo", "໑໒,໕", "12.5"),
        ("km", "១២.៥", "12.5"),
        ("my", "၁,၅၀၀", "1500"),
        ("ta", "௧௨", "12"),
        ("en", "-3", "-3"),
    ],
)
def test_numbers_in_the_readers_convention(code: str, text: str, expected: str) -> None:
    assert read_decimal(text, _locale(code)) == Decimal(expected)


@pytest.mark.parametrize(
    ("code", "text", "readings"),
    [
        ("en", "1.500", ("1.5", "1500")),
        ("th", "12.500", ("12.5", "12500")),
        ("zh", "1.500", ("1.5", "1500")),
        ("id", "1,500", ("1.5", "1500")),
        ("pt", "2,250", ("2.25", "2250")),
    ],
)
def test_the_readers_decimal_mark_before_three_digits_is_asked(
    code: str, text: str, readings: tuple[str, str]
) -> None:
    with pytest.raises(UnreadableNumber) as raised:
        read_decimal(text, _locale(code))
    assert raised.value.problem == NumberProblem.AMBIGUOUS
    assert raised.value.readings == tuple(Decimal(reading) for reading in readings)


def test_only_a_reading_that_makes_sense_is_taken() -> None:
    def whole(value: Decimal) -> bool:
        return value == value.to_integral_value()

    assert read_decimal("1.500", ENGLISH, whole) == 1500
    assert read_decimal("1,500", INDONESIAN, whole) == 1500
    # Neither makes sense: the reader's own reading, for the caller to explain.
    assert read_decimal("1.500", ENGLISH, lambda value: value > 10**6) == Decimal("1.5")


@pytest.mark.parametrize(
    "text", ["", "abc", "1e5", "NaN", "Infinity", "1,2,3", "1..5", "-", "9" * 41]
)
def test_not_numbers(text: str) -> None:
    with pytest.raises(UnreadableNumber) as raised:
        read_decimal(text, ENGLISH)
    assert raised.value.problem == NumberProblem.NOT_A_NUMBER


def test_ascii_digits_leaves_everything_else() -> None:
    assert ascii_digits("๒๕๗๐-๐๓-๑๘ ၉:၀၀ km") == "2570-03-18 9:00 km"


def test_cleanup_figures_read_with_the_readers_locale() -> None:
    assert card.parse_figure(DISTANCE, "1.500", INDONESIAN) == 1500
    assert card.parse_figure(DISTANCE, "1.500", PORTUGUESE) == 1500
    assert card.parse_figure(DISTANCE, "1,5 km", INDONESIAN) == 1500
    # 1,500 km is past the limit, so an English reader's "1.500 km" is one and a half.
    assert card.parse_figure(DISTANCE, "1.500 km", ENGLISH) == 1500
    assert card.parse_figure(WEIGHT, "12,5", ENGLISH) == 12.5
    assert card.parse_count("1,200", card.MAX_ITEM_COUNT, ENGLISH) == 1200
    assert card.parse_count("1.500", card.LIMITS[card.Figure.BAGS], ENGLISH) == 1500
    with pytest.raises(InvalidFigure) as raised:
        card.parse_figure(DISTANCE, "1.500", ENGLISH)
    assert raised.value.problem == FigureProblem.AMBIGUOUS
    with pytest.raises(InvalidFigure) as raised:
        card.parse_count("2.5", 100, ENGLISH)
    assert raised.value.problem == FigureProblem.NOT_WHOLE


@pytest.mark.parametrize(
    ("figure", "text", "language", "value"),
    [
        ("weight", "12,5 กก.", "th", 12.5),
        ("weight", "12.5 kg", "en", 12.5),
        ("weight", "12.5kg", "zh", 12.5),
        ("weight", "12,5 公斤", "zh", 12.5),
        ("weight", "3 千克", "zh", 3),
        ("weight", "500 g", "en", 0.5),
        ("weight", "1.200 gram", "id", 1.2),
        ("weight", "7 KG", "vi", 7),
        ("weight", "๑๒,๕ กิโลกรัม", "th", 12.5),
        ("bags", "3 ถุง", "th", 3),
        ("bags", "4 bags", "en", 4),
        ("bags", "5袋", "zh", 5),
        ("bags", "2 kantong", "id", 2),
        ("people", "8 คน", "th", 8),
        ("people", "12人", "zh", 12),
        ("distance", "1,5 กม.", "th", 1500),
        ("distance", "800 เมตร", "th", 800),
        ("distance", "2 公里", "zh", 2000),
        ("distance", "300m", "en", 300),
    ],
)
def test_cleanup_figures_with_their_unit(
    figure: str, text: str, language: str, value: float
) -> None:
    assert card.parse_figure(card.Figure(figure), text, babel_locale(language)) == value


def test_a_unit_of_something_else_is_refused() -> None:
    with pytest.raises(InvalidFigure) as raised:
        card.parse_figure(card.Figure.BAGS, "3 kg", ENGLISH)
    assert raised.value.problem == FigureProblem.WRONG_UNIT
    with pytest.raises(InvalidFigure) as raised:
        card.parse_figure(card.Figure.WEIGHT, "12 rom", ENGLISH)  # "m" only after the number
    assert raised.value.problem == FigureProblem.NOT_A_NUMBER


def test_every_unit_word_means_one_unit() -> None:
    seen: dict[str, object] = {}
    for unit in UNITS:
        for words in unit.words.values():
            for word in words:
                assert seen.setdefault(word.casefold(), unit) is unit, word


def test_the_ambiguity_is_put_to_the_reader_in_their_language(catalogs: Catalogs) -> None:
    problem = UnreadableNumber(NumberProblem.AMBIGUOUS, (Decimal("1.500"), Decimal("1500")))
    assert ambiguous_number(catalogs.translator("en"), problem) == (
        "Did you mean 1.5 or 1,500? Please type it again as 1.5 or 1500."
    )
    indonesian = UnreadableNumber(NumberProblem.AMBIGUOUS, (Decimal("1.5"), Decimal("1500")))
    assert ambiguous_number(catalogs.translator("id"), indonesian) == (
        "Apakah maksud Anda 1,5 atau 1.500? Silakan ketik lagi sebagai 1,5 atau 1500."
    )


# -- typed dates ---------------------------------------------------------------------------------


def test_a_date_and_time_in_any_script() -> None:
    assert read_date_and_clock("2026-12-05 09:00", TODAY) == datetime(2026, 12, 5, 9, 0)
    assert read_date_and_clock(" 2026-12-05T9:30 ", TODAY) == datetime(2026, 12, 5, 9, 30)
    assert read_date_and_clock("2026-12-05 09.00", TODAY) == datetime(2026, 12, 5, 9, 0)
    assert read_date_and_clock("๒๐๒๖-๑๒-๐๕ ๐๙:๐๐", TODAY) == datetime(2026, 12, 5, 9, 0)
    assert read_clock("๑๒:๓๐").hour == 12


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("next tuesday", DateProblem.UNREADABLE),
        ("2026-02-31 09:00", DateProblem.NO_SUCH_DATE),
        ("2026-13-01 09:00", DateProblem.NO_SUCH_DATE),
        ("2026-12-05 24:30", DateProblem.NO_SUCH_TIME),
        ("2026-12-05 09:60", DateProblem.NO_SUCH_TIME),
        ("2570-03-18 09:00", DateProblem.BUDDHIST_ERA),
        ("2569-12-05 09:00", DateProblem.BUDDHIST_ERA),
        ("2032-01-01 09:00", DateProblem.TOO_FAR_AHEAD),
        ("9999-01-01 09:00", DateProblem.TOO_FAR_AHEAD),
    ],
)
def test_what_is_wrong_with_a_typed_date(text: str, problem: DateProblem) -> None:
    with pytest.raises(UnreadableDate) as raised:
        read_date_and_clock(text, TODAY)
    assert raised.value.problem == problem


def test_date_problems_in_words(catalogs: Catalogs) -> None:
    t = catalogs.translator("en")

    def told(text: str) -> str:
        with pytest.raises(UnreadableDate) as raised:
            read_date_and_clock(text, TODAY)
        return date_problem(t, raised.value, "unreadable")

    assert told("2570-03-18 09:00") == (
        "2570 looks like a Buddhist-era year: that is 2027. Please type the Western year, "
        "for example 2027-03-18 09:00."
    )
    assert told("2026-02-31 09:00") == (
        "There is no such date as 2026-02-31. Please check the day and the month."
    )
    assert told("2026-12-05 24:30") == (
        "There is no such time as 24:30. Please type the time as HH:MM, from 00:00 to 23:59."
    )
    assert told("2040-01-01 09:00") == "2040 is more than 5 years from now. Please check the year."
    assert told("soon") == "unreadable"


# -- dates and times glued as each language glues them -------------------------------------------

START = datetime(2027, 3, 18, 1, 0, tzinfo=UTC)  # 08:00 in Bangkok
END = datetime(2027, 3, 18, 4, 0, tzinfo=UTC)


def test_event_times_use_each_languages_patterns(catalogs: Catalogs) -> None:
    def span(code: str) -> str:
        return catalogs.translator(code).span(START, END, "Asia/Bangkok")

    assert span("zh") == "2027年3月18日星期四 GMT+07:00 08:00–11:00"
    assert span("en") == "Thursday, March 18, 2027, 8:00\u2009–\u200911:00\u202fAM GMT+07:00"
    assert span("id") == "Kamis, 18 Maret 2027 08.00–11.00 GMT+07:00"
    assert span("vi") == "08:00–11:00 GMT+07:00 Thứ Năm, 18 tháng 3, 2027"


@pytest.mark.parametrize("code", list(LANGUAGES))
def test_every_language_shows_the_day_both_times_and_the_zone(
    catalogs: Catalogs, code: str
) -> None:
    t = catalogs.translator(code)
    text = t.span(START, END, "Asia/Bangkok")
    assert t.date(START, "Asia/Bangkok", "full") in text
    assert "+07:00" in text and "(" not in text
    for hour in ("8", "11"):
        assert hour in text
    across_midnight = t.span(START, END.replace(day=19), "Asia/Bangkok")
    assert t.date(START, "Asia/Bangkok", "full") in across_midnight
    assert t.date(END.replace(day=19), "Asia/Bangkok", "medium") in across_midnight
    assert "+07:00" in across_midnight
    assert "+07:00" in t.moment_with_zone(START, "Asia/Bangkok")
    assert t.date(START, "Asia/Bangkok", "medium") in t.moment(START, "Asia/Bangkok")


def test_twelve_hour_languages_keep_their_clock(catalogs: Catalogs) -> None:
    afternoon = START.replace(hour=6)  # 13:00 in Bangkok
    english = catalogs.translator("en").span(START, afternoon, "Asia/Bangkok")
    assert "8:00\u202fAM\u2009–\u20091:00\u202fPM GMT+07:00" in english
    assert "08:00–13:00" in catalogs.translator("zh").span(START, afternoon, "Asia/Bangkok")


def test_a_zone_is_named_with_the_languages_own_brackets(catalogs: Catalogs) -> None:
    march = datetime(2027, 3, 18, tzinfo=UTC)
    assert catalogs.translator("zh").zone_name("Asia/Bangkok", march) == "曼谷（GMT+07:00）"
    assert catalogs.translator("en").zone_name("Asia/Bangkok", march) == "Bangkok (GMT+07:00)"


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("d MMMM G y", "18 มีนาคม พ.ศ. 2570"),
        ("d/M/yy", "18/3/70"),
        ("EEEEที่ d MMMM G yyyy", "วันพฤหัสบดีที่ 18 มีนาคม พ.ศ. 2570"),
        ("'y' d", "y 18"),  # a quoted letter is text, not the year
    ],
)
def test_only_the_year_and_era_fields_turn_buddhist(pattern: str, expected: str) -> None:
    thai_pattern = buddhist_era_pattern(pattern, 2027, "พ.ศ.")
    assert dates.format_date(date(2027, 3, 18), thai_pattern, locale="th") == expected


def test_thai_readers_read_buddhist_era_years_and_everyone_else_western(
    catalogs: Catalogs,
) -> None:
    moment = datetime(2027, 3, 18, 2, 0, tzinfo=UTC)
    thai = catalogs.translator("th")
    assert thai.date(moment, "Asia/Bangkok") == "18 มีนาคม พ.ศ. 2570"
    assert thai.date(moment, "Asia/Bangkok", "short") == "18/3/70"
    assert thai.moment(moment, "Asia/Bangkok") == "18 มี.ค. 2570 09:00 น."
    # New Year's Eve in UTC is already New Year's Day in Bangkok: the local year counts.
    assert "2571" in thai.date(datetime(2027, 12, 31, 20, 0, tzinfo=UTC), "Asia/Bangkok")
    for language in ("en", "lo", "km", "zh"):
        assert "2027" in catalogs.translator(language).date(moment, "Asia/Bangkok")
