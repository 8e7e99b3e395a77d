"""Commands that work at any point, the command menu per language, and stray input."""

from datetime import UTC, datetime

from demo.runner import BotRunner
from i18n import LANGUAGES
from tests.flows import onboard, settle_city


async def test_command_menu_is_set_in_every_language(bot: BotRunner) -> None:
    for code, language in LANGUAGES.items():
        commands = bot.server.commands(language_code=language.command_menu_code)
        names = [command["command"] for command in commands]
        assert names[:4] == ["start", "help", "events", "my"], code
        assert {"language", "privacy", "report", "cancel"} <= set(names), code
        t = bot.catalogs.translator(code)
        assert commands[1]["description"] == t._("What I can do")
    assert bot.server.commands(language_code="tl") != bot.server.commands(language_code="en")


async def test_help_language_and_cancel_work_in_the_middle_of_onboarding(bot: BotRunner) -> None:
    lan = bot.server.user(4001, first_name="Lan", language_code="vi")
    await bot.do(lan.send_command("start"))
    await bot.do(lan.press("✓ Tiếng Việt"))
    await bot.do(lan.send_command("help"))
    vi = bot.catalogs.translator("vi")
    assert vi._("What I can do") in lan.last.text

    before = lan.mark()
    await bot.do(lan.send_command("language"))
    # Set-up keeps its answers: /language pauses it and says how to pick it up.
    paused = vi._(
        "I paused what you were doing ({flow}). Your answers so far are kept: "
        "send {command} to pick up where you left off."
    ).format(flow=vi._("setting up"), command="/start")
    assert lan.inbox_since(before)[0].text == paused
    await bot.do(lan.press("ພາສາລາວ"))
    lao = bot.catalogs.translator("lo")
    assert lan.last.text == lao._("Language: {language}").format(language="ພາສາລາວ")

    await bot.do(lan.send_command("start"))
    await bot.do(lan.send_command("cancel"))
    assert lan.last.text == lao._("Set-up paused. Send /start whenever you want to continue.")
    await bot.do(lan.send_command("cancel"))
    assert lan.last.text == lao._("There is nothing to cancel. Send /help to see what I can do.")


async def test_profile_edit_changes_one_field_and_rederives_nothing_else(bot: BotRunner) -> None:
    aung = bot.server.user(4002, first_name="Aung", language_code="my")
    await onboard(bot, aung, language="my", country="MM", city="Yangon")
    my = bot.catalogs.translator("my")
    await bot.do(aung.send_command("profile"))
    await bot.do(aung.press(my._("City")))
    await bot.do(aung.send_sticker())
    assert aung.last.text == my._(
        "Please type your answer as a text message, or send /cancel to stop."
    )
    await bot.do(aung.send_text("x" * 4096))
    assert "100" in aung.last.text or my.number(100) in aung.last.text
    await bot.do(aung.send_text("Mandalay"))
    await settle_city(bot, aung, "my")
    assert my._("City: {city}").format(city="Mandalay") in aung.last.text
    await bot.do(aung.press(my._("Done")))


async def test_profile_before_onboarding_points_to_start(bot: BotRunner) -> None:
    ravi = bot.server.user(4003, first_name="Ravi", language_code="ta")
    await bot.do(ravi.send_command("profile"))
    ta = bot.catalogs.translator("ta")
    assert ravi.last.text == ta._("Let's finish setting you up first: send /start.")


async def test_unknown_commands_stray_messages_and_stale_buttons(bot: BotRunner) -> None:
    siti = bot.server.user(4004, first_name="Siti", language_code="ms")
    ms = bot.catalogs.translator("ms")
    await bot.do(siti.send_command("frobnicate"))
    assert siti.last.text == ms._("I don't know that command. Send /help to see what I can do.")
    await bot.do(siti.send_sticker())
    assert siti.last.text == ms._("I didn't understand that. Send /help to see what I can do.")

    await onboard(bot, siti, language="ms", country="MY", city="Kuching")
    # An authentic button from the finished onboarding, pressed again much later.
    codec = bot.application.bot_data["services"].codec
    await bot.do(siti.press_data(codec.encode(4004, "ob.lang", "en"), message=siti.messages[0]))
    assert siti.callback_answers[-1]["text"] == ms._(
        "This button is no longer active. Send /help to see what you can do."
    )


async def test_profile_dates_use_the_readers_locale_and_time_zone(bot: BotRunner) -> None:
    # 20:30 UTC on 24 November is already 25 November in Bangkok.
    bot.clock.now = datetime(2026, 11, 24, 20, 30, tzinfo=UTC)
    nok = bot.server.user(4005, first_name="Nok", language_code="th")
    await onboard(bot, nok, language="th", country="TH", city="Pattaya")
    await bot.do(nok.send_command("profile"))
    th = bot.catalogs.translator("th")
    joined = "25 พฤศจิกายน พ.ศ. 2569"  # Thai readers count years in the Buddhist era
    assert th._("Member since: {date}").format(date=joined) in nok.last.text
