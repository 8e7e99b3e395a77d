"""Cities through the gazetteer: one place whatever the script it is typed in, chosen with a
button, matched by its GeoNames id; names without letters are refused."""

from sqlalchemy import select

from accounts.gazetteer import fold, gazetteer, has_letters
from accounts.models import StakeholderRole, User
from demo.runner import BotRunner
from events.importer import ImportProblem, parse_event
from handlers.kit.profile_fields import STAKEHOLDER_LABELS
from i18n import LANGUAGES
from tests.events_setup import make_event
from tests.flows import button_with, labels, onboard
from tests.organize_flows import answer_wizard, make_organizer, newest_event
from tests.test_broadcasts import compose, organizer, person
from tests.test_event_import import minimal_event, problems_of

XIAMEN = 1790645
HANOI = 1581130
CHON_BURI = 1611110


async def _account(bot: BotRunner, telegram_id: int) -> User:
    async with bot.session_factory() as session:
        user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
        assert user is not None
        return user


def test_one_place_answers_to_its_names_in_every_script() -> None:
    places = gazetteer()
    for typed in ("Xiamen", "xiamen city", "厦门", "廈門", "เซี่ยเหมิน", "Amoy"):
        assert [city.geoname_id for city in places.find(typed, ("CN",))] == [XIAMEN], typed
    assert [city.geoname_id for city in places.find("ha noi", ("VN",))] == [HANOI]
    assert places.find("Xiamen", ("TH",)) == []
    assert places.find("Bangk", ("TH",))[0].name == "Bangkok"
    assert fold("Hà Nội") == fold("HANOI") == fold("Ha-noi")


def test_a_place_is_named_in_the_readers_script() -> None:
    places = gazetteer()
    xiamen, hanoi = places.city(XIAMEN), places.city(HANOI)
    assert xiamen is not None and hanoi is not None
    assert places.display_name(xiamen, "zh") == "厦门"
    assert places.display_name(xiamen, "th") == "เซี่ยเหมิน"
    assert places.display_name(xiamen, "id") == "Xiamen"
    assert places.display_name(hanoi, "vi") == "Hà Nội"
    phnom_penh = places.named("Phnom Penh")[0]
    # Not ភនពេញ, a copy in GeoNames that lost its subscripts.
    assert places.display_name(phnom_penh, "km") == "ភ្នំពេញ"


def test_names_without_letters_are_no_places() -> None:
    assert not has_letters("🌊🏝️") and not has_letters("12345") and not has_letters("-- !")
    assert has_letters("厦门") and has_letters("ភ្នំពេញ") and has_letters("Hà Nội 2")


async def test_onboarding_refuses_emoji_and_offers_the_places_a_city_means(
    bot: BotRunner,
) -> None:
    lin = bot.server.user(7001, first_name="Lin", language_code="zh-hans")
    zh = bot.catalogs.translator("zh")
    await bot.do(lin.send_command("start"))
    await bot.do(lin.press(button_with(lin, LANGUAGES["zh"].native_name)))
    await bot.do(lin.press(zh._("Continue")))
    await bot.do(lin.press(zh._(STAKEHOLDER_LABELS[StakeholderRole.RESEARCH])))
    await bot.do(lin.press(zh._("Skip")))
    await bot.do(lin.press(zh.country_name("CN")))
    refusal = zh._("That does not look like the name of a place: please type it in letters.")
    for nameless in ("🌊🌊", "2026", "!!"):
        await bot.do(lin.send_text(nameless))
        assert lin.last.text == refusal
    await bot.do(lin.send_text("Xiamen"))
    offer = zh._("Which place do you mean? Tap it, or keep the name as you typed it.")
    assert lin.last.text == offer
    assert labels(lin) == ["厦门, 中国", zh._("Keep what I typed")]
    await bot.do(lin.press("厦门, 中国"))
    assert zh._("City: {city}").format(city="厦门") in lin.messages[-2].text
    await bot.do(lin.press(zh._("Yes, that's right")))
    account = await _account(bot, 7001)
    assert (account.city, account.city_geoname_id, account.timezone) == (
        "厦门",
        XIAMEN,
        "Asia/Shanghai",
    )


async def test_profile_offers_the_places_and_keeps_what_was_typed(bot: BotRunner) -> None:
    somchai = bot.server.user(7007, first_name="Somchai", language_code="th")
    await onboard(bot, somchai, language="th", city="ชลบุรี", place="ชลบุรี")
    assert (await _account(bot, 7007)).city_geoname_id == CHON_BURI
    th = bot.catalogs.translator("th")
    await bot.do(somchai.send_command("profile"))
    await bot.do(somchai.press(th._("City")))
    await bot.do(somchai.send_text("Bang Saen Sai 2"))  # no place of the gazetteer
    assert th._("City: {city}").format(city="Bang Saen Sai 2") in somchai.last.text
    assert (await _account(bot, 7007)).city_geoname_id is None
    await bot.do(somchai.press(th._("City")))
    await bot.do(somchai.send_text("pattaya"))
    await bot.do(somchai.press(th._("Keep what I typed")))
    account = await _account(bot, 7007)
    assert (account.city, account.city_geoname_id) == ("pattaya", None)
    assert th._("City: {city}").format(city="pattaya") in somchai.last.text


async def test_my_city_finds_an_event_typed_in_another_script(bot: BotRunner) -> None:
    """The issue: a volunteer who typed "Xiamen" found nothing in "my city" for an event in 厦门."""
    await make_event(bot, country="CN", city="厦门", timezone="Asia/Shanghai")
    await make_event(bot, country="CN", city="Fuzhou", timezone="Asia/Shanghai")
    kept = bot.server.user(7002, first_name="Kept", language_code="en")
    await onboard(bot, kept, country="CN", city="Xiamen")  # keeps what was typed: no id
    chose = bot.server.user(7003, first_name="Chose", language_code="th")
    await onboard(bot, chose, language="th", country="CN", city="xiamen", place="เซี่ยเหมิน")
    assert (await _account(bot, 7002)).city_geoname_id is None
    assert (await _account(bot, 7003)).city_geoname_id == XIAMEN
    th = bot.catalogs.translator("th")
    for who, t in ((kept, bot.catalogs.translator("en")), (chose, th)):
        await bot.do(who.send_command("events"))
        await bot.do(who.press(button_with(who, "🏙")))
        await bot.do(who.press(t._("My city")))
        events = [text for text in labels(who) if text[:1].isdigit()]
        assert len(events) == 1, (who, who.last.text)
        assert "Fuzhou" not in who.last.text


async def test_the_wizard_stores_the_chosen_place(bot: BotRunner) -> None:
    alice = await make_organizer(bot, 7004, "Alice")
    await answer_wizard(bot, alice, country_label="China", city="厦门", place="Xiamen, China")
    await bot.do(alice.press("✅ Publish"))
    event = await newest_event(bot)
    assert (event.city, event.city_geoname_id, event.timezone) == (
        "Xiamen",
        XIAMEN,
        "Asia/Shanghai",
    )
    lin = bot.server.user(7005, first_name="Lin", language_code="zh-hans")
    await onboard(bot, lin, language="zh", country="CN", city="厦门")
    await bot.do(lin.send_command("start", f"ev_{event.id}"))
    # The card names the chosen place in the reader's script.
    assert "厦门, 中国" in lin.last.text


async def test_the_wizard_refuses_a_city_without_letters(bot: BotRunner) -> None:
    alice = await make_organizer(bot, 7006, "Alice")
    await bot.do(alice.send_command("organize"))
    await bot.do(alice.press("➕ New event"))
    await bot.do(alice.press("Cleanup"))
    for answer in ("Beach cleanup", "Bring gloves.", "Pier 3", "Strand Road"):
        await bot.do(alice.send_text(answer))
    await bot.do(alice.send_location(16.7690, 96.1720))
    await bot.do(alice.press("Myanmar (Burma)"))
    await bot.do(alice.send_text("🏖️🏖️"))
    refusal = "That does not look like the name of a place: please type it in letters."
    assert refusal in alice.last.text
    await bot.do(alice.send_text("Rangoon"))
    await bot.do(alice.press("Yangon, Myanmar (Burma)"))
    await bot.do(alice.send_text("2026-12-05 09:00"))  # Myanmar has one zone: the start next
    assert "12:30" in alice.last.text or "end" in alice.last.text.lower()


async def test_broadcast_city_reaches_every_spelling_of_the_chosen_place(bot: BotRunner) -> None:
    org = organizer(bot)
    await person(bot, 7101, "Lan", language="vi", country="VN", city="Hà Nội")
    await person(bot, 7102, "Minh", language="vi", country="VN", city="HANOI")
    await person(bot, 7103, "Hai", language="vi", country="VN", city="Hai Phong")
    await compose(bot, org, {"en": "Cleanup on the Red River this Sunday."})
    await bot.do(org.press("City"))
    await bot.do(org.send_text("📍"))
    assert "does not look like the name of a place" in org.last.text
    await bot.do(org.send_text("hanoi"))
    assert labels(org) == ["Hanoi, Vietnam", "Keep what I typed"]
    await bot.do(org.press("Hanoi, Vietnam"))
    assert "City: Hanoi" in org.last.text and "It goes to 2 people." in org.last.text


def test_import_matches_the_city_and_checks_a_given_id() -> None:
    problems: list[ImportProblem] = []
    spec = parse_event(minimal_event(country="CN", city="厦门"), 1, problems)
    assert problems == [] and spec is not None
    assert spec.columns["city_geoname_id"] == XIAMEN
    assert spec.columns["timezone"] == "Asia/Shanghai"
    spec = parse_event(
        minimal_event(country="VN", city="Thủ đô", city_geoname_id=HANOI), 1, problems
    )
    assert problems == [] and spec is not None and spec.columns["city_geoname_id"] == HANOI
    assert problems_of(minimal_event(country="TH", city_geoname_id=XIAMEN)) == [
        f"sg-east-coast-cleanup: city_geoname_id: {XIAMEN} is no place of TH in the gazetteer"
    ]
    assert problems_of(minimal_event(city="🌊🌊")) == [
        "sg-east-coast-cleanup: city: must contain letters, not only digits, emoji or punctuation"
    ]
    assert problems_of(minimal_event(city_geoname_id="Xiamen")) == [
        "sg-east-coast-cleanup: city_geoname_id: expected a GeoNames id (a whole number)"
    ]
