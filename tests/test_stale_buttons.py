"""Buttons that set a state (consent, attendance) do what they showed when they were sent: a tap on
an older message never does the opposite, and says the message was out of date."""

from datetime import timedelta

from sqlalchemy import select

from accounts.models import ConsentPurpose
from accounts.service import consents_of
from demo.runner import BotRunner
from events.models import Registration
from handlers.kit.profile_fields import CONSENT_LABELS
from tests.accounts_db import account
from tests.flows import button_with, labels, onboard
from tests.organize_flows import make_organizer, make_participant, register_person, stored_event

OUT_OF_DATE = "Those buttons were out of date"
SHARING = CONSENT_LABELS[ConsentPurpose.PARTNER_SHARING]


def _data_of(message, label: str) -> str:  # type: ignore[no-untyped-def]
    return next(data for row in message.buttons for text, data in row if text == label)


async def _granted(bot: BotRunner, telegram_id: int, purpose: ConsentPurpose) -> bool:
    user = await account(bot, telegram_id)
    assert user is not None
    return consents_of(user)[purpose]


async def test_withdrawing_on_an_older_privacy_message_never_grants(bot: BotRunner) -> None:
    mai = bot.server.user(7101, first_name="Mai", language_code="en")
    await onboard(
        bot, mai, consents=(ConsentPurpose.EVENT_LOGISTICS, ConsentPurpose.PARTNER_SHARING)
    )
    await bot.do(mai.send_command("privacy"))
    older = mai.last
    await bot.do(mai.send_command("privacy"))
    await bot.do(mai.press(f"✅ {SHARING}"))
    assert not await _granted(bot, 7101, ConsentPurpose.PARTNER_SHARING)

    # The older message still shows the consent as given; its button means "withdraw".
    await bot.do(mai.press(f"✅ {SHARING}", message=older))
    assert not await _granted(bot, 7101, ConsentPurpose.PARTNER_SHARING)
    assert OUT_OF_DATE in mai.callback_answers[-1].get("text", "")
    assert f"⬜ {SHARING}" in [text for row in older.buttons for text, _ in row]


async def test_a_repeated_tap_during_set_up_keeps_the_consent_given(bot: BotRunner) -> None:
    lan = bot.server.user(7102, first_name="Lan", language_code="en")
    await bot.do(lan.send_command("start"))
    await bot.do(lan.press(button_with(lan, "English")))
    photos = button_with(lan, CONSENT_LABELS[ConsentPurpose.PHOTOS_LOCATION])
    grant = _data_of(lan.last, photos)
    await bot.do(lan.press_data(grant))
    assert await _granted(bot, 7102, ConsentPurpose.PHOTOS_LOCATION)
    # The same "grant" press again (a double tap, or an older copy of the keyboard).
    await bot.do(lan.press_data(grant))
    assert await _granted(bot, 7102, ConsentPurpose.PHOTOS_LOCATION)
    assert OUT_OF_DATE in lan.callback_answers[-1].get("text", "")
    assert any(text.startswith("✅") and "Photos" in text for text in labels(lan))


async def _attended(bot: BotRunner, registration_id: int) -> bool:
    async with bot.session_factory() as session:
        registration = await session.scalar(
            select(Registration).where(Registration.id == registration_id)
        )
        assert registration is not None
        return registration.attended_at is not None


async def test_an_older_attendance_tick_never_takes_the_tick_back(bot: BotRunner) -> None:
    ana = await make_organizer(bot, 7103, "Ana")
    event_id = await stored_event(bot, 7103, starts_in=timedelta(hours=2))
    await make_participant(bot, 7104, "Guest")
    registration_id = await register_person(bot, event_id, 7104)
    await bot.do(ana.send_command("organize"))
    await bot.do(ana.press(labels(ana)[1]))
    await bot.do(ana.press("Registrations"))
    tick = _data_of(ana.last, "⬜ Guest")
    await bot.do(ana.press_data(tick))
    assert await _attended(bot, registration_id)
    assert "✅ Guest" in labels(ana)

    await bot.do(ana.press_data(tick))
    assert await _attended(bot, registration_id)
    assert OUT_OF_DATE in ana.callback_answers[-1].get("text", "")
    assert "✅ Guest" in labels(ana)

    await bot.do(ana.press("✅ Guest"))
    assert not await _attended(bot, registration_id)
