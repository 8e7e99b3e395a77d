"""The twelve languages Tideline speaks and how Telegram's language codes map onto them."""

from dataclasses import dataclass

from babel import Locale


@dataclass(frozen=True)
class Language:
    code: str
    babel_locale: str
    native_name: str
    typical_zone: str
    # setMyCommands only accepts two-letter ISO 639-1 codes.
    command_menu_code: str


LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language("en", "en", "English", "Asia/Singapore", "en"),
        Language("zh", "zh_Hans_CN", "简体中文", "Asia/Shanghai", "zh"),
        Language("id", "id", "Bahasa Indonesia", "Asia/Jakarta", "id"),
        Language("ms", "ms", "Bahasa Melayu", "Asia/Kuala_Lumpur", "ms"),
        Language("th", "th", "ไทย", "Asia/Bangkok", "th"),
        Language("vi", "vi", "Tiếng Việt", "Asia/Ho_Chi_Minh", "vi"),
        Language("fil", "fil", "Filipino", "Asia/Manila", "tl"),
        Language("km", "km", "ភាសាខ្មែរ", "Asia/Phnom_Penh", "km"),
        Language("lo", "lo", "ພາສາລາວ", "Asia/Vientiane", "lo"),
        Language("my", "my", "မြန်မာဘာသာ", "Asia/Yangon", "my"),
        Language("ta", "ta", "தமிழ்", "Asia/Singapore", "ta"),
        Language("pt", "pt_TL", "Português (Timor-Leste)", "Asia/Dili", "pt"),
    )
}

LANGUAGE_CODES: tuple[str, ...] = tuple(LANGUAGES)

# Telegram clients report IETF tags ("zh-hans", "pt-br", "tl"); these are the aliases that do
# not reduce to one of our codes by taking the part before the hyphen.
_ALIASES = {"tl": "fil", "in": "id", "zsm": "ms", "tam": "ta", "bur": "my", "khm": "km"}


def match_language(telegram_code: str | None) -> str | None:
    """Map a Telegram ``language_code`` to one of our languages, or None when we do not speak it."""
    if not telegram_code:
        return None
    tag = telegram_code.strip().lower().replace("_", "-")
    if tag in LANGUAGES:
        return tag
    primary = tag.split("-", 1)[0]
    if primary in LANGUAGES:
        return primary
    return _ALIASES.get(primary)


def babel_locale(code: str) -> Locale:
    return Locale.parse(LANGUAGES[code].babel_locale)
