"""Onboarding through the sandbox: language, consent per purpose, profile, time zone."""

from accounts.models import ConsentPurpose, StakeholderRole
from accounts.service import consents_of
from demo.runner import BotRunner
from tests.accounts_db import account
from tests.flows import onboard


async def test_english_onboarding_builds_the_profile(bot: BotRunner) -> None:
    alice = bot.server.user(1001, first_name="Alice", language_code="en")
    await onboard(
        bot,
        alice,
        role=StakeholderRole.NGO,
        organization="Ocean Friends",
        country="ID",
        city="Denpasar",
        consents=(ConsentPurpose.EVENT_LOGISTICS, ConsentPurpose.NEWS),
    )

    user = await account(bot, 1001)
    assert user is not None
    assert user.onboarded_at == bot.clock.now
    assert (user.stakeholder_role, user.organization, user.country, user.city) == (
        "ngo",
        "Ocean Friends",
        "ID",
        "Denpasar",
    )
    assert user.timezone == "Asia/Makassar"  # Bali is on Central Indonesia Time
    consents = consents_of(user)
    assert consents[ConsentPurpose.EVENT_LOGISTICS] and consents[ConsentPurpose.NEWS]
    assert not consents[ConsentPurpose.PHOTOS_LOCATION]
    assert "All set" in alice.messages[-2].text
    assert "/mydata" in alice.last.text


async def test_language_is_preselected_from_telegram_and_used_afterwards(bot: BotRunner) -> None:
    somchai = bot.server.user(1002, first_name="Somchai", language_code="th")
    await bot.do(somchai.send_command("start"))
    thai = bot.catalogs.translator("th")
    assert thai._("Choose your language:") in somchai.last.text
    assert [text for row in somchai.last.buttons for text, _ in row if text.startswith("✓")] == [
        "✓ ไทย"
    ]
    await bot.do(somchai.press("✓ ไทย"))
    assert somchai.last.text.startswith(
        thai._("<b>Your privacy</b>").replace("<b>", "").replace("</b>", "")
    )


async def test_filipino_client_code_tl_maps_to_filipino(bot: BotRunner) -> None:
    maria = bot.server.user(1003, first_name="Maria", language_code="tl")
    await bot.do(maria.send_command("start"))
    assert any(text == "✓ Filipino" for row in maria.last.buttons for text, _ in row)


async def test_unknown_deep_link_gets_a_friendly_answer_and_onboarding(bot: BotRunner) -> None:
    lin = bot.server.user(1004, first_name="Lin", language_code="zh-hans")
    await bot.do(lin.send_command("start", "xyz_999999"))
    zh = bot.catalogs.translator("zh")
    texts = [message.text for message in lin.messages]
    assert any(
        zh._(
            "I don't recognize that link: it may be mistyped or no longer valid. "
            "Here is where you can start instead."
        )
        in text
        for text in texts
    )
    assert zh._("Choose your language:") in lin.last.text


async def test_onboarding_survives_a_restart(bot: BotRunner) -> None:
    dewi = bot.server.user(1005, first_name="Dewi", language_code="id")
    await bot.do(dewi.send_command("start"))
    await bot.do(dewi.press("✓ Bahasa Indonesia"))
    await bot.stop()
    restarted = BotRunner(bot.server, bot.settings, bot.clock)
    await restarted.start()
    try:
        continue_button = dewi.last.buttons[-1][0][0]
        await restarted.do(dewi.press(continue_button))
        indonesian = restarted.catalogs.translator("id")
        assert indonesian._("Which of these describes you best?") in dewi.last.text
    finally:
        await restarted.stop()
