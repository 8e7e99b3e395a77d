"""charts/: PNG charts whose text renders in every script of the twelve languages.

Rendering is checked the way a reader would be let down: an image of the wrong size, a glyph
drawn as a box (matplotlib's "missing from font" warning), a character set in the wrong font
(Thai digits would come out as boxes: the script fonts have none), or text drawn unshaped (Khmer
and Burmese letters side by side instead of stacked and reordered).
"""

import io
import tomllib
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from fnmatch import fnmatch
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.ft2font import LoadFlags
from PIL import Image

import charts
from charts.canvas import TITLE_MAX_LINES, TITLE_SIZE, WIDTH_PX, Canvas
from charts.fonts import (
    ALL_FONTS,
    FONTS_DIR,
    ChartFont,
    FontSet,
    MissingFontError,
    register_fonts,
)
from charts.specimens import SPECIMENS
from charts.trajectory_chart import metric_axis
from charts.wrap import ELLIPSIS, cluster_starts, wrap
from i18n import LANGUAGE_CODES

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# The family each script's characters must be drawn with (by Unicode block).
SCRIPT_BLOCKS: list[tuple[range, str]] = [
    (range(0x0E00, 0x0E80), "Noto Sans Thai"),
    (range(0x0E80, 0x0F00), "Noto Sans Lao"),
    (range(0x1780, 0x1800), "Noto Sans Khmer"),
    (range(0x1000, 0x10A0), "Noto Sans Myanmar"),
    (range(0x0B80, 0x0C00), "Noto Sans Tamil"),
    (range(0x4E00, 0xA000), "Noto Sans CJK SC"),
]

# A word per complex script whose correct rendering needs a glyph only shaping reaches (a tone
# mark moved clear of a vowel, a subscript consonant, a medial drawn before its base, a ligature).
SHAPED_WORDS = {"th": "ที่", "lo": "ທີ່", "km": "ខ្មែរ", "my": "ကြက်", "ta": "ஸ்ரீ"}


@contextmanager
def no_missing_glyphs() -> Iterator[None]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    missing = [str(warning.message) for warning in caught if "missing" in str(warning.message)]
    assert not missing, missing


def _image(png: bytes) -> Image.Image:
    assert png.startswith(PNG_SIGNATURE)
    return Image.open(io.BytesIO(png))


def _expected_family(character: str) -> str | None:
    return next((family for block, family in SCRIPT_BLOCKS if ord(character) in block), None)


def _drawn_with(fonts: FontSet, language: str, text: str) -> list[tuple[str, str, int, bool]]:
    """(cluster, family, glyph, glyph reachable from the cmap) for each glyph of ``text`` as
    matplotlib's Agg backend shapes it for a chart in ``language``."""
    paths = [fonts.files[family] for family in fonts.families(language, [text])]
    font = font_manager.get_font(paths)
    return [
        (
            item.char,
            item.ft_object.family_name,
            item.glyph_index,
            item.glyph_index in item.ft_object.get_charmap().values(),
        )
        for item in font._layout(text, LoadFlags.NO_HINTING, language=language)
    ]


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_a_survey_chart_renders_in_every_language(language: str) -> None:
    specimen = SPECIMENS[language]
    with no_missing_glyphs():
        png = charts.bars(specimen.question, specimen.options, [14, 9, 3, 1], language=language)
    image = _image(png)
    assert image.size == (charts.WIDTH_PX, charts.HEIGHT_PX) == (1200, 800)
    assert image.format == "PNG"


@pytest.mark.parametrize("language", LANGUAGE_CODES)
def test_a_progress_chart_renders_in_every_language(language: str) -> None:
    specimen = SPECIMENS[language]
    series = [
        charts.MetricSeries(
            specimen.metric,
            (2023, 12.0),
            (2030, 40.0),
            [(2024, 15.0), (2025, 19.5)],
            percent=True,
        ),
        charts.MetricSeries(specimen.metric, (2023, 120_000.0), (2030, 80_000.0), [(2024, 1e5)]),
    ]
    with no_missing_glyphs():
        png = charts.trajectory(
            specimen.pledge_title,
            series,
            language=language,
            reported_label=specimen.reported,
            trajectory_label=specimen.path_to_target,
        )
    assert _image(png).size == (1200, 800)


def test_every_specimen_character_is_drawn_with_its_scripts_font() -> None:
    fonts = charts.chart_fonts()
    for language, specimen in SPECIMENS.items():
        texts = [specimen.question, *specimen.options, specimen.metric, specimen.reported]
        for text in texts:
            assert fonts.uncovered(text) == "", (language, text)
            for cluster, family, _, _ in _drawn_with(fonts, language, text):
                expected = _expected_family(cluster[0])
                if expected:
                    assert family == expected, (language, cluster, family)


@pytest.mark.parametrize("language", ["th", "lo", "km", "my"])
def test_digits_in_scripts_without_them_come_from_noto_sans(language: str) -> None:
    drawn = _drawn_with(charts.chart_fonts(), language, SPECIMENS[language].options[0] + " 2030")
    assert [family for cluster, family, _, _ in drawn if cluster.isdigit()] == ["Noto Sans"] * 4


@pytest.mark.parametrize("language", sorted(SHAPED_WORDS))
def test_complex_scripts_are_shaped(language: str) -> None:
    """At least one glyph is a form the font only reaches through OpenType shaping (GSUB):
    matplotlib 3.10 and older drew these words from cmap glyphs, broken."""
    drawn = _drawn_with(charts.chart_fonts(), language, SHAPED_WORDS[language])
    assert any(not from_cmap for _, _, _, from_cmap in drawn), drawn


def test_text_no_font_covers_is_refused_naming_the_characters() -> None:
    with pytest.raises(charts.UncoveredTextError, match="U\\+1F600") as refused:
        charts.bars("How was it? 😀", ["Good"], [3], language="en")
    assert refused.value.characters == "😀"
    with pytest.raises(charts.UncoveredTextError, match="U\\+0637"):
        charts.trajectory(
            "Plan",
            [charts.MetricSeries("طن", (2023, 1.0), (2030, 2.0))],
            language="en",
            reported_label="Reported",
            trajectory_label="Path",
        )


def test_the_fallback_list_holds_the_scripts_the_texts_need() -> None:
    fonts = charts.chart_fonts()
    assert fonts.families("en") == ["Noto Sans"]
    assert fonts.families("km") == ["Noto Sans Khmer", "Noto Sans"]
    assert fonts.families("en", ["Khmer ខ្មែរ, Thai ไทย"]) == [
        "Noto Sans",
        "Noto Sans Thai",
        "Noto Sans Khmer",
    ]
    assert fonts.families("zh", ["中文 and English"]) == ["Noto Sans CJK SC", "Noto Sans"]


def test_a_chart_mixing_scripts_draws_each_with_its_font() -> None:
    with no_missing_glyphs():
        png = charts.bars(
            "Languages",
            ["English", "ខ្មែរ", "မြန်မာ", "தமிழ்", "ไทย", "ລາວ", "中文"],
            [1, 2, 3, 4, 5, 6, 7],
            language="en",
        )
    assert _image(png).size == (1200, 800)


def test_invisible_joiners_and_spaces_need_no_glyph() -> None:
    fonts = charts.chart_fonts()
    assert fonts.uncovered("ខ្មែរ\u200bភាសា\u200c x\u00a0y\n") == ""


def test_the_shipped_fonts_are_installed_with_the_package() -> None:
    pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    patterns = pyproject["tool"]["setuptools"]["package-data"]["charts"]
    for font in ALL_FONTS:
        assert (FONTS_DIR / font.filename).is_file(), font
        assert any(fnmatch(f"fonts/{font.filename}", pattern) for pattern in patterns), font
    assert (FONTS_DIR / "OFL.txt").is_file()


def test_a_missing_font_file_is_named() -> None:
    with pytest.raises(MissingFontError, match="'Noto Sans Imaginary' is missing"):
        register_fonts([ChartFont("Noto Sans Imaginary", "NotoSansImaginary-Regular.ttf")])


def test_dollar_signs_stay_literal_text() -> None:
    with no_missing_glyphs():
        png = charts.bars("Costs in $ and $\\frac", ["$5", "$\\frac{1}{0}$"], [2, 1], language="en")
    assert _image(png).size == (1200, 800)


def test_the_same_chart_twice_is_the_same_image() -> None:
    def draw() -> bytes:
        return charts.bars("Rating", ["1", "2", "3", "4", "5"], [0, 1, 4, 9, 6], language="km")

    assert draw() == draw()


def test_charts_can_be_drawn_from_worker_threads_at_once() -> None:
    specimens = [SPECIMENS[code] for code in ("km", "my", "ta", "zh")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        images = list(
            pool.map(
                lambda item: charts.bars(
                    item[1].question, item[1].options, [1, 2, 3, 4], language=item[0]
                ),
                zip(("km", "my", "ta", "zh"), specimens, strict=True),
            )
        )
    assert all(_image(png).size == (1200, 800) for png in images)


def test_a_long_tamil_title_wraps_within_the_chart() -> None:
    canvas = Canvas("ta", charts.chart_fonts().families("ta"))
    title = SPECIMENS["ta"].question
    lines = canvas.wrapped(title, TITLE_SIZE, WIDTH_PX * 0.92, TITLE_MAX_LINES).split("\n")
    assert 2 <= len(lines) <= TITLE_MAX_LINES
    assert all(canvas.width(line, TITLE_SIZE) <= WIDTH_PX * 0.92 for line in lines)
    assert " ".join(lines) == title


def test_numbers_follow_the_language() -> None:
    def number(language: str, value: float, *, percent: bool = False) -> str:
        return Canvas(language, ["Noto Sans"]).number(value, percent=percent)

    assert number("pt", 40.5, percent=True) == "40,5%"
    assert number("en", 12.5, percent=True) == "12.5%"
    assert number("en", 120000) == "120,000"
    assert number("id", 1234.5) == "1.234,5"


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ((["a", "b"], [1]), "one value per label"),
        (([], []), "1 to 40 bars"),
        ((["a"], [-1]), "not negative"),
        ((["a"], [float("nan")]), "finite"),
    ],
)
def test_bad_bar_data_is_refused(arguments: tuple[list[str], list[float]], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        charts.bars("Title", *arguments, language="en")


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="Unknown language"):
        charts.bars("Title", ["a"], [1], language="xx")


def test_a_target_before_its_baseline_is_refused() -> None:
    with pytest.raises(ValueError, match="after its baseline"):
        charts.trajectory(
            "Plan",
            [charts.MetricSeries("Tonnes", (2030, 1.0), (2023, 2.0))],
            language="en",
            reported_label="Reported",
            trajectory_label="Path",
        )


def _fits_in(characters: int) -> Callable[[str], bool]:
    return lambda line: len(line) <= characters


def test_wrapping_breaks_at_spaces_then_zero_width_spaces() -> None:
    assert wrap("one two three four", _fits_in(9), 5) == ["one two", "three", "four"]
    khmer = "ភាសា\u200bខ្មែរ\u200bសម្រាប់"
    assert wrap(khmer, _fits_in(10), 5) == ["ភាសា\u200bខ្មែរ", "សម្រាប់"]


@pytest.mark.parametrize(
    "word", ["การประชุมโต๊ะกลมครั้งนี้มีประโยชน์", "ការវាយតម្លៃទូទៅសម្រាប់", "ဆွေးနွေးပွဲသည်မည်မျှ"]
)
def test_words_without_spaces_break_between_clusters_only(word: str) -> None:
    lines = wrap(word, _fits_in(6), 10)
    assert "".join(lines) == word
    for line in lines[1:]:
        assert unicodedata.category(line[0])[0] != "M", lines
    for line in lines[:-1]:
        assert line[-1] not in "\u17d2\u1039\u0e40\u0e41\u0e42\u0e43\u0e44", lines


def test_a_cluster_stays_whole_even_when_wider_than_the_line() -> None:
    assert cluster_starts("ស្ត្រី") == []
    assert wrap("ស្ត្រី", _fits_in(2), 3) == ["ស្ត្រី"]


def test_text_beyond_the_last_line_ends_in_an_ellipsis() -> None:
    lines = wrap("one two three four five six", _fits_in(9), 2)
    assert lines == ["one two", "three" + ELLIPSIS]


def test_a_count_metric_has_whole_number_ticks() -> None:
    reuse_models = charts.MetricSeries("Reuse models", (2023, 0.0), (2030, 2.0), [(2024, 1.0)])
    _, _, fractional = metric_axis(reuse_models)
    assert any(not tick.is_integer() for tick in fractional)
    _, top, ticks = metric_axis(replace(reuse_models, whole=True))
    assert ticks and all(tick.is_integer() for tick in ticks) and max(ticks) <= top
