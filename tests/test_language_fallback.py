"""Text organizers wrote, in the reader's language or the next along the fallback chain
(i18n.fallback), saying which language is shown; and language names inside sentences in the
reader's language. Through the real bot and the sandbox, plus the chain itself."""

from typing import Any

from icalendar import Calendar

from accounts.models import ConsentPurpose
from broadcasts import service as broadcasts
from broadcasts.models import Broadcast, BroadcastText
from demo.runner import BotRunner
from events.importer import ImportProblem, parse_event
from events.models import QuestionKind
from events.service import QuestionDraft
from i18n import LANGUAGES
from i18n.fallback import chain, pick
from tests.conftest import ADMIN_ID
from tests.events_setup import make_event
from tests.flows import labels, onboard
from tests.organize_flows import stored_event

NOTE = "(Shown in {language}: the organizers have not written it in yours.)"
CHINESE_AND_ENGLISH = {
    "zh": ("邦盛海滩清洁活动", "提供手套和垃圾袋。"),
    "en": ("Bang Saen beach cleanup", "Gloves and bags provided."),
}
SHIRT = QuestionDraft(
    kind=QuestionKind.CHOICE,
    texts={
        "zh": {"prompt": "T恤尺码？", "choices": ["小号", "中号", "大号"]},
        "en": {"prompt": "T-shirt size?", "choices": ["Small", "Medium", "Large"]},
    },
)


async def _person(bot: BotRunner, telegram_id: int, language: str, **kwargs: Any) -> Any:
    person = bot.server.user(telegram_id, first_name=f"P{telegram_id}", language_code=language)
    await onboard(bot, person, language=language, **kwargs)
    return person


# -- the chain ---------------------------------------------------------------------------------


def test_the_chain_is_the_reader_then_a_second_language_then_the_main_one() -> None:
    written = {"zh": "中文", "en": "English", "th": "ไทย"}
    assert pick(written, "th", "zh").text == "ไทย"
    shown = pick(written, "vi", "zh")
    assert (shown.text, shown.language, shown.in_readers_language) == ("English", "en", False)
    # Lao readers read Thai more easily than English; Malay readers read Indonesian.
    assert pick(written, "lo", "zh").language == "th"
    assert chain("ms", "zh") == ("ms", "id", "en", "zh")
    # The organizer's second language replaces the reader's likely one.
    assert pick(written, "vi", "zh", second="th").language == "th"
    # Not written in the second language either: the main language, then any.
    assert pick({"zh": "中文", "th": "ไทย"}, "my", "zh").language == "zh"
    assert pick({"th": "ไทย"}, "my", "zh").language == "th"
    assert pick({"en": "English"}, "en", "zh").in_readers_language


def test_the_import_accepts_a_second_language_among_those_written() -> None:
    event = {
        "key": "cn-nanning",
        "kind": "roundtable",
        "texts": {"zh": {"title": "圆桌会"}, "en": {"title": "Roundtable"}},
        "fallback_language": "zh",
        "venue": {"name": "Hall", "address": "1 Road", "latitude": 22.8, "longitude": 108.3},
        "country": "CN",
        "city": "Nanning",
        "start": "2027-03-18 09:00",
        "end": "2027-03-18 12:00",
        "capacity": 50,
    }
    problems: list[ImportProblem] = []
    left_out = parse_event(event, 1, problems)
    named = parse_event({**event, "second_language": "en"}, 2, problems)
    parse_event({**event, "second_language": "th"}, 3, problems)
    assert left_out is not None and left_out.columns["second_language"] is None
    assert named is not None and named.columns["second_language"] == "en"
    assert [str(problem) for problem in problems] == [
        "cn-nanning: second_language: 'th' is not one of: zh, en"
    ]


# -- events ------------------------------------------------------------------------------------


async def test_a_thai_volunteer_reads_an_event_in_chinese_and_english_in_english(
    bot: BotRunner,
) -> None:
    event_id = await make_event(
        bot, texts=CHINESE_AND_ENGLISH, fallback_language="zh", questions=[SHIRT]
    )
    somchai = await _person(bot, 7001, "th")
    thai = bot.catalogs.translator("th")
    shown_in_english = thai._(NOTE).format(language="อังกฤษ")

    await bot.do(somchai.send_command("start", f"ev_{event_id}"))
    card = somchai.last.text
    assert "Bang Saen beach cleanup" in card and "Gloves and bags provided." in card
    assert "邦盛" not in card
    assert shown_in_english in card
    assert somchai.messages[-2].venue["title"] == "Bang Saen beach cleanup"

    await bot.do(somchai.press(thai._("Register")))
    assert "T-shirt size?" in somchai.last.text and shown_in_english in somchai.last.text
    assert labels(somchai) == ["Small", "Medium", "Large"]
    await bot.do(somchai.press("Medium"))
    [document] = [m.document for m in somchai.messages if m.document is not None]
    [vevent] = Calendar.from_ical(document.data).walk("VEVENT")
    assert str(vevent["summary"]) == "Bang Saen beach cleanup"
    assert str(vevent["description"]) == "Gloves and bags provided."


async def test_an_event_may_name_its_own_second_language(bot: BotRunner) -> None:
    texts = {**CHINESE_AND_ENGLISH, "th": ("เก็บขยะชายหาดบางแสน", "มีถุงมือและถุงให้")}
    event_id = await make_event(bot, texts=texts, fallback_language="zh", second_language="th")
    aung = await _person(bot, 7002, "my", country="MM", city="Yangon")
    await bot.do(aung.send_command("start", f"ev_{event_id}"))
    burmese = bot.catalogs.translator("my")
    assert "เก็บขยะชายหาดบางแสน" in aung.last.text
    assert burmese._(NOTE).format(language=burmese.language_name("th")) in aung.last.text


# -- broadcasts --------------------------------------------------------------------------------


async def test_a_broadcast_in_chinese_and_english_reaches_a_vietnamese_reader_in_english(
    bot: BotRunner,
) -> None:
    org = bot.server.user(ADMIN_ID, first_name="Ada", language_code="en")
    news = (ConsentPurpose.EVENT_LOGISTICS, ConsentPurpose.NEWS)
    lan = await _person(bot, 7003, "vi", country="VN", city="Da Nang", consents=news)
    await bot.do(org.send_command("broadcast"))
    await bot.do(org.press("简体中文"))
    await bot.do(org.send_text("周六一起清洁海滩！"))
    await bot.do(org.press("Add another language"))
    await bot.do(org.press("English"))
    await bot.do(org.send_text("Clean the beach with us on Saturday!"))
    await bot.do(org.press("Continue"))
    await bot.do(org.press("简体中文"))  # everyone else gets Chinese
    mark = lan.mark()
    await bot.do(org.press("Preview"))
    await bot.do(org.press("Send now"))
    await bot.do(org.press("Yes, send it"))
    await bot.deliver_due()

    [message] = [m for m in lan.inbox_since(mark) if m.has_inline_keyboard]
    vietnamese = bot.catalogs.translator("vi")
    assert message.text.startswith("Clean the beach with us on Saturday!")
    assert vietnamese._(NOTE).format(language="Tiếng Anh") in message.text


def test_a_broadcast_may_name_its_own_second_language() -> None:
    written = [BroadcastText(language=code, html=code) for code in ("zh", "en", "th")]
    broadcast = Broadcast(texts=written, fallback_language="zh")
    assert broadcasts.text_for(broadcast, "lo").language == "th"
    assert broadcasts.text_for(broadcast, "vi").language == "en"
    broadcast.second_language = "th"
    assert broadcasts.text_for(broadcast, "vi").language == "th"
    assert broadcasts.text_for(broadcast, "zh").in_readers_language


# -- language names inside sentences -----------------------------------------------------------


async def _chinese_organizer(bot: BotRunner, telegram_id: int) -> Any:
    person = await _person(bot, telegram_id, "zh", country="CN", city="Nanning")
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await bot.do(admin.send_command("grant", str(telegram_id)))
    return person


async def test_an_organizer_reading_chinese_sees_language_names_in_chinese(
    bot: BotRunner,
) -> None:
    lin = await _chinese_organizer(bot, 7004)
    t = bot.catalogs.translator("zh")
    await stored_event(bot, 7004, title="Mangrove roundtable", publish=False)

    await bot.do(lin.send_command("organize"))
    await bot.do(lin.press(next(label for label in labels(lin) if "Mangrove" in label)))
    await bot.do(lin.press(t._("Continue editing")))
    assert t._("Languages: {languages}").format(languages="英语") in lin.last.text
    await bot.do(lin.press(t._("Add another language")))
    # The picker names each language in its own script; sentences name it in the reader's.
    await bot.do(lin.press(LANGUAGES["zh"].native_name))
    assert lin.last.text == t._("Type the title in {language}.").format(language="中文")
    await bot.do(lin.send_text("红树林圆桌会"))
    await bot.do(lin.press(t._("Skip")))
    summary = lin.last.text
    assert t._("Added {language}.").format(language="中文") in summary
    languages = next(line for line in summary.split("\n") if line.startswith("语言："))
    assert "英语" in languages and "中文" in languages and "English" not in languages

    await bot.do(lin.send_command("cancel"))
    await bot.do(lin.send_command("broadcast"))
    await bot.do(lin.press("English"))
    assert "请用英语输入消息" in lin.last.text and "English" not in lin.last.text


async def test_the_personal_data_export_names_events_in_the_persons_language(
    bot: BotRunner,
) -> None:
    event_id = await make_event(bot, texts=CHINESE_AND_ENGLISH, fallback_language="zh")
    somchai = await _person(bot, 7005, "th")
    await bot.do(somchai.send_command("start", f"ev_{event_id}"))
    await bot.do(somchai.press(bot.catalogs.translator("th")._("Register")))
    await bot.do(somchai.send_command("mydata"))
    [export] = [
        m.document for m in somchai.messages if m.document and "json" in m.document.filename
    ]
    assert "Bang Saen beach cleanup" in export.data.decode()
