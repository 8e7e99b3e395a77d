"""Steps people take through the sandbox, shared by tests. Buttons are found by the label the
person's language gives them, so the same step works in all twelve languages."""

from typing import Any

from accounts.models import ConsentPurpose, StakeholderRole
from demo.runner import BotRunner
from handlers.kit.profile_fields import CONSENT_LABELS, STAKEHOLDER_LABELS
from i18n import LANGUAGES


def labels(person: Any) -> list[str]:
    return [text for row in person.last.buttons for text, _ in row]


def button_with(person: Any, part: str) -> str:
    matches = [text for text in labels(person) if part in text]
    assert matches, f"no button containing {part!r} in {labels(person)}"
    return matches[0]


async def settle_city(bot: BotRunner, person: Any, language: str, place: str | None = None) -> None:
    """After typing a city: tap the offered place whose button contains ``place``, or keep the
    name as typed when ``place`` is None (nothing to do when no place was offered)."""
    keep = bot.catalogs.translator(language)._("Keep what I typed")
    if person.last.has_inline_keyboard and keep in labels(person):
        await bot.do(person.press(keep if place is None else button_with(person, place)))
    else:
        assert place is None, f"no place was offered for {place!r}"


async def onboard(
    bot: BotRunner,
    person: Any,
    *,
    language: str = "en",
    role: StakeholderRole = StakeholderRole.COMMUNITY,
    organization: str | None = None,
    country: str = "TH",
    city: str = "Chonburi",
    place: str | None = None,
    consents: tuple[ConsentPurpose, ...] = (ConsentPurpose.EVENT_LOGISTICS,),
) -> None:
    t = bot.catalogs.translator(language)
    await bot.do(person.send_command("start"))
    await bot.do(person.press(button_with(person, LANGUAGES[language].native_name)))
    for purpose in consents:
        await bot.do(person.press(button_with(person, t._(CONSENT_LABELS[purpose]))))
    await bot.do(person.press(t._("Continue")))
    await bot.do(person.press(t._(STAKEHOLDER_LABELS[role])))
    if organization:
        await bot.do(person.send_text(organization))
    else:
        await bot.do(person.press(t._("Skip")))
    await bot.do(person.press(t.country_name(country)))
    await bot.do(person.send_text(city))
    await settle_city(bot, person, language, place)
    await bot.do(person.press(t._("Yes, that's right")))
