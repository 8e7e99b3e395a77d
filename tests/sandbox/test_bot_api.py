"""The sandbox driven by a real ``telegram.Bot`` over HTTP."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken

from sandbox import SandboxServer, SandboxUser

from .conftest import make_bot

# PTB 22 warns that duration attributes will become timedeltas; not the sandbox's concern.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


PNG_1x1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


# -- identity and polling -----------------------------------------------------------------


async def test_get_me_describes_the_sandbox_bot(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.username == "tideline_sandbox_bot"
    assert me.first_name == "Tideline"
    assert me.is_bot


async def test_wrong_token_is_unauthorized(server: SandboxServer) -> None:
    with pytest.raises(InvalidToken):
        async with make_bot(server, token="999:WRONG") as wrong:
            await wrong.get_me()
    assert server.calls[-1].status == 401


async def test_unknown_method_answers_404_like_telegram(server: SandboxServer) -> None:
    url = f"{server.base_url}/bot{server.token}/sendDice"
    async with aiohttp.ClientSession() as session, session.post(url, json={}) as response:
        body = await response.json()
    assert response.status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


async def test_long_poll_wakes_as_soon_as_a_user_writes(server: SandboxServer, bot: Bot) -> None:
    alice = server.user(1001, first_name="Alice")
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await server.wait_for(lambda: server.poller.waiting == 1, timeout=5)
    assert not poll.done()
    sent = await alice.send_text("wake up")
    updates = await asyncio.wait_for(poll, timeout=5)
    assert time.monotonic() - started < 5
    assert [u.update_id for u in updates] == [sent["update_id"]]
    assert updates[0].message.text == "wake up"
    assert updates[0].message.chat.id == 1001
    assert updates[0].message.from_user.language_code is None


async def test_long_poll_returns_empty_after_its_timeout(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 3


async def test_offset_acknowledges_and_unacknowledged_updates_repeat(
    server: SandboxServer, bot: Bot
) -> None:
    alice = server.user(1001, first_name="Alice")
    first = await alice.send_text("one")
    second = await alice.send_command("start", "ev_42")
    assert server.pending_updates == 2

    again = await bot.get_updates()
    assert [u.update_id for u in again] == [first["update_id"], second["update_id"]]
    assert [u.update_id for u in await bot.get_updates()] == [1, 2]  # nothing confirmed yet

    command = again[1].message
    assert command.text == "/start ev_42"
    assert command.entities[0].type == "bot_command" and command.entities[0].offset == 0

    assert [u.update_id for u in await bot.get_updates(offset=2)] == [2]
    await server.acknowledged(1, timeout=1)
    with pytest.raises(TimeoutError):
        await server.acknowledged(2, timeout=0.05)
    assert await bot.get_updates(offset=3) == ()
    await server.acknowledged(2, timeout=1)
    assert server.pending_updates == 0


async def test_a_second_poller_terminates_the_first_with_conflict(
    server: SandboxServer, bot: Bot
) -> None:
    from telegram.error import Conflict

    first = asyncio.create_task(bot.get_updates(timeout=10))
    await server.wait_for(lambda: server.poller.waiting == 1, timeout=5)
    second = asyncio.create_task(bot.get_updates(timeout=10))
    with pytest.raises(Conflict, match="(?i)terminated by other getUpdates"):
        await asyncio.wait_for(first, timeout=5)
    await server.user(7, first_name="Zed").send_text("x")
    assert len(await asyncio.wait_for(second, timeout=5)) == 1


# -- sending and Telegram's rules ---------------------------------------------------------


async def test_unknown_chat_is_not_found(server: SandboxServer, bot: Bot) -> None:
    server.user(2002, first_name="Never wrote")
    with pytest.raises(BadRequest, match="(?i)Chat not found"):
        await bot.send_message(2002, "hello?")


async def test_message_too_long_counts_utf16_units(bot: Bot, alice: SandboxUser) -> None:
    await bot.send_message(alice.id, "x" * 4096)
    with pytest.raises(BadRequest, match="(?i)Message is too long"):
        await bot.send_message(alice.id, "x" * 4097)
    # Emoji outside the BMP are two UTF-16 code units each, as Telegram counts them.
    with pytest.raises(BadRequest, match="(?i)Message is too long"):
        await bot.send_message(alice.id, "😀" * 2049)
    # Markup does not count: only the visible text does.
    await bot.send_message(alice.id, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    assert len(alice.messages) == 2


async def test_empty_text_and_long_caption_are_rejected(bot: Bot, alice: SandboxUser) -> None:
    with pytest.raises(BadRequest, match="(?i)Message text is empty"):
        await bot.send_message(alice.id, "   ")
    with pytest.raises(BadRequest, match="(?i)caption is too long"):
        await bot.send_document(alice.id, b"data", filename="a.txt", caption="c" * 1025)


async def test_callback_data_over_64_bytes_is_rejected(bot: Bot, alice: SandboxUser) -> None:
    await bot.send_message(alice.id, "ok", reply_markup=keyboard([("Yes", "y" * 64)]))
    with pytest.raises(BadRequest, match="(?i)Button_data_invalid"):
        await bot.send_message(alice.id, "too long", reply_markup=keyboard([("Yes", "y" * 65)]))
    # 22 three-byte characters are 66 bytes although only 22 characters.
    with pytest.raises(BadRequest, match="(?i)Button_data_invalid"):
        await bot.send_message(alice.id, "thai", reply_markup=keyboard([("Yes", "ก" * 22)]))


async def test_invalid_button_url_and_empty_label_are_rejected(
    bot: Bot, alice: SandboxUser
) -> None:
    bad_url = InlineKeyboardMarkup([[InlineKeyboardButton("Site", url="not a url")]])
    with pytest.raises(BadRequest, match="(?i)is invalid"):
        await bot.send_message(alice.id, "x", reply_markup=bad_url)
    with pytest.raises(BadRequest):
        await bot.send_message(alice.id, "x", reply_markup=keyboard([("", "data")]))


@pytest.mark.parametrize(
    "html",
    ["a < b", "Fish & chips", "<b>unclosed", "<b>x</i>", "<br>", "<span>x</span>"],
)
async def test_bad_html_cannot_be_parsed(bot: Bot, alice: SandboxUser, html: str) -> None:
    with pytest.raises(BadRequest, match="(?i)Can't parse entities"):
        await bot.send_message(alice.id, html, parse_mode=ParseMode.HTML)


async def test_valid_html_is_stored_as_visible_text(bot: Bot, alice: SandboxUser) -> None:
    raw = '<b>Clean-up</b> at <a href="https://example.org/e?a=1&amp;b=2">Beihai</a> &lt;3'
    sent = await bot.send_message(alice.id, raw, parse_mode=ParseMode.HTML)
    assert sent.text == "Clean-up at Beihai <3"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 8),
        ("text_link", 12, 6),
    ]
    assert sent.entities[1].url == "https://example.org/e?a=1&b=2"
    assert alice.last is not None
    assert alice.last.text == "Clean-up at Beihai <3"
    assert alice.last.raw_text == raw
    assert alice.last.parse_mode == "HTML"


async def test_markdown_v2_requires_escaping(bot: Bot, alice: SandboxUser) -> None:
    with pytest.raises(BadRequest, match="(?i)reserved"):
        await bot.send_message(alice.id, "Done.", parse_mode=ParseMode.MARKDOWN_V2)
    with pytest.raises(BadRequest, match="(?i)Can't find end of Bold entity"):
        await bot.send_message(alice.id, "*bold", parse_mode=ParseMode.MARKDOWN_V2)
    sent = await bot.send_message(
        alice.id,
        "*Bold* _it_ ||secret|| [map](https://osm.org) 10\\.5\\%\\!",
        parse_mode=ParseMode.MARKDOWN_V2,
    )
    assert sent.text == "Bold it secret map 10.5%!"  # any ASCII char may be escaped
    assert [e.type for e in sent.entities] == ["bold", "italic", "spoiler", "text_link"]


async def test_reply_markup_kinds_and_reply_parameters(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    question = await bot.send_message(
        alice.id,
        "Share?",
        reply_markup=ReplyKeyboardMarkup([["Yes", "No"]], one_time_keyboard=True),
    )
    assert alice.last is not None and alice.last.reply_keyboard == [["Yes", "No"]]
    assert question.reply_markup is None  # Telegram only echoes inline keyboards
    with pytest.raises(LookupError, match="(?i)Maybe"):
        await alice.tap_reply_keyboard("Maybe")
    update = await alice.tap_reply_keyboard("Yes")
    assert update["message"]["text"] == "Yes"
    with pytest.raises(LookupError):
        await alice.tap_reply_keyboard("No")  # one-time keyboard is gone

    reply = await bot.send_message(
        alice.id,
        "Thanks",
        reply_parameters=ReplyParameters(update["message"]["message_id"]),
        reply_markup=ReplyKeyboardRemove(),
    )
    assert reply.reply_to_message is not None and reply.reply_to_message.text == "Yes"
    with pytest.raises(BadRequest, match="(?i)Message to be replied not found"):
        await bot.send_message(alice.id, "?", reply_parameters=ReplyParameters(999))


# -- edits, deletes, buttons --------------------------------------------------------------


async def test_edit_of_missing_message_fails(bot: Bot, alice: SandboxUser) -> None:
    with pytest.raises(BadRequest, match="(?i)Message to edit not found"):
        await bot.edit_message_text("new", chat_id=alice.id, message_id=999)
    with pytest.raises(BadRequest, match="(?i)Message to delete not found"):
        await bot.delete_message(alice.id, 999)


async def test_identical_edit_is_not_modified(bot: Bot, alice: SandboxUser) -> None:
    markup = keyboard([("A", "a")])
    sent = await bot.send_message(alice.id, "<b>Same</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match="(?i)Message is not modified"):
        await bot.edit_message_text(
            "<b>Same</b>",
            chat_id=alice.id,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=markup,
        )
    # Dropping the keyboard is a modification (Telegram removes it when not repeated).
    await bot.edit_message_text("<b>Same</b>", alice.id, sent.message_id, parse_mode="HTML")
    message = alice.messages[-1]
    assert message.edited == 1 and message.buttons == []
    with pytest.raises(BadRequest, match="(?i)Message is not modified"):
        await bot.edit_message_reply_markup(alice.id, sent.message_id, reply_markup=None)


async def test_press_answer_edit_and_delete(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    sent = await bot.send_message(
        alice.id, "Join?", reply_markup=keyboard([("Yes", "join:1"), ("No", "join:0")])
    )
    assert alice.last is not None
    assert alice.last.buttons == [[("Yes", "join:1"), ("No", "join:0")]]
    with pytest.raises(LookupError, match="(?i)Maybe"):
        await alice.press("Maybe")
    update = await alice.press("Yes")
    query = update["callback_query"]
    assert query["data"] == "join:1"
    assert query["message"]["message_id"] == sent.message_id
    assert (await alice.press("join:0"))["callback_query"]["data"] == "join:0"  # by data

    await bot.answer_callback_query(query["id"], text="Joined!", show_alert=True)
    assert alice.callback_answers[-1]["text"] == "Joined!"
    assert alice.callback_answers[-1]["show_alert"] is True
    with pytest.raises(BadRequest, match="(?i)Query is too old"):
        await bot.answer_callback_query(query["id"])
    with pytest.raises(BadRequest, match="(?i)Query is too old"):
        await bot.answer_callback_query("12345")

    edited = await bot.edit_message_text("Joined", alice.id, sent.message_id)
    assert edited.text == "Joined" and edited.edit_date is not None
    await bot.send_message(alice.id, "See you there")
    assert await bot.delete_message(alice.id, sent.message_id)
    assert alice.messages[0].deleted and not alice.messages[1].deleted
    assert alice.last is not None and alice.last.text == "See you there"
    with pytest.raises(LookupError):
        await alice.press("Yes", message=sent.message_id)
    forged = await alice.press_data("admin:delete_all")
    assert forged["callback_query"]["data"] == "admin:delete_all"


async def test_blocked_user_gives_forbidden_and_my_chat_member(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    update = alice.block()
    assert update is not None
    updates = await bot.get_updates()
    member = updates[-1].my_chat_member
    assert member is not None
    assert (member.old_chat_member.status, member.new_chat_member.status) == ("member", "kicked")
    with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
        await bot.send_message(alice.id, "still there?")
    with pytest.raises(Forbidden):
        await bot.send_chat_action(alice.id, "typing")
    alice.unblock()
    await bot.send_message(alice.id, "welcome back")
    assert alice.last is not None and alice.last.text == "welcome back"


# -- files and media ----------------------------------------------------------------------


async def test_multipart_document_reaches_the_user(bot: Bot, alice: SandboxUser) -> None:
    payload = b"%PDF-1.4 sandbox report"
    sent = await bot.send_document(
        alice.id, payload, filename="report.pdf", caption="<i>Report</i>", parse_mode="HTML"
    )
    assert sent.document is not None and sent.document.file_name == "report.pdf"
    assert sent.caption == "Report"
    last = alice.last
    assert last is not None and last.document is not None
    assert last.document.filename == "report.pdf"
    assert last.document.data == payload
    assert last.text == "Report"
    # Re-sending by file_id reuses the stored file.
    again = await bot.send_document(alice.id, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id


async def test_user_photo_can_be_downloaded_by_the_bot(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    update = await alice.send_photo(PNG_1x1, caption="beach")
    updates = await bot.get_updates()
    photo = updates[-1].message.photo
    assert updates[-1].update_id == update["update_id"]
    assert photo[-1].width == 1 and photo[-1].height == 1
    telegram_file = await bot.get_file(photo[-1].file_id)
    assert telegram_file.file_path is not None
    assert telegram_file.file_path.startswith(f"{server.base_url}/file/bot{server.token}/")
    assert bytes(await telegram_file.download_as_bytearray()) == PNG_1x1
    assert await server.download(photo[0].file_id) == PNG_1x1
    with pytest.raises(BadRequest, match="(?i)Invalid file_id"):
        await bot.get_file("nope")


async def test_bot_photo_location_venue_and_action(bot: Bot, alice: SandboxUser) -> None:
    await bot.send_photo(alice.id, PNG_1x1, caption="map")
    assert alice.last is not None and alice.last.photo == PNG_1x1
    await bot.send_location(alice.id, 21.48, 109.12)
    assert alice.last is not None and alice.last.location == (21.48, 109.12)
    venue = await bot.send_venue(alice.id, 21.48, 109.12, "Silver Beach", "Beihai")
    assert venue.venue is not None and venue.venue.title == "Silver Beach"
    assert alice.last is not None and alice.last.venue is not None
    assert await bot.send_chat_action(alice.id, "typing")


async def test_user_side_message_kinds_parse_in_ptb(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    bob = server.user(1002, first_name="Bob", username="bob")
    await alice.send_sticker()
    await alice.send_document(b"csv,data", filename="x.csv", mime_type="text/csv")
    await alice.send_location(13.75, 100.5, live_period=600)
    await alice.move_live_location(13.76, 100.51)
    await alice.send_contact("+66000000", "Somchai")
    await alice.forward_from(bob, text="from bob")
    await alice.forward_from(None, text="from someone")
    updates = await bot.get_updates()
    messages = [u.message or u.edited_message for u in updates[1:]]
    assert messages[0].sticker is not None and messages[0].sticker.emoji == "👍"
    assert messages[1].document is not None and messages[1].document.file_name == "x.csv"
    assert messages[2].location is not None and messages[2].location.live_period == 600
    assert updates[4].edited_message is not None
    assert messages[3].location.latitude == 13.76
    assert messages[4].contact is not None and messages[4].contact.first_name == "Somchai"
    assert messages[5].forward_origin.sender_user.id == bob.id
    assert messages[6].forward_origin.sender_user_name == "Hidden User"


# -- commands, chats, groups --------------------------------------------------------------


async def test_commands_are_stored_per_scope_and_language(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("events", "Events")])
    await bot.set_my_commands(
        [BotCommand("start", "เริ่ม")], scope=BotCommandScopeAllPrivateChats(), language_code="th"
    )
    await bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(alice.id))
    assert [c["command"] for c in server.commands()] == ["start", "events"]
    assert server.commands("all_private_chats", "th") == [
        {"command": "start", "description": "เริ่ม"}
    ]
    assert server.commands({"type": "chat", "chat_id": alice.id})[0]["command"] == "admin"
    fetched = await bot.get_my_commands(scope=BotCommandScopeAllPrivateChats(), language_code="th")
    assert fetched[0].command == "start"
    await bot.delete_my_commands()
    assert server.commands() == []
    with pytest.raises(BadRequest, match="(?i)Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Start-Now", "bad")])
    assert await bot.set_chat_menu_button()


async def test_a_person_sees_the_menu_telegram_would_show(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    bob = server.user(1002, first_name="Bob", language_code="en-GB")
    await bob.send_text("hi")
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands([BotCommand("start", "Start (en)")], language_code="en")
    await bot.set_my_commands([BotCommand("start", "เริ่ม")], language_code="th")
    assert server.menu_seen_by(bob.id) == [{"command": "start", "description": "Start (en)"}]
    await bot.set_my_commands([BotCommand("grant", "Grant")], scope=BotCommandScopeChat(alice.id))
    assert [c["command"] for c in server.menu_seen_by(alice.id)] == ["grant"]
    assert server.menu_seen_by(bob.id)[0]["description"] == "Start (en)"
    async with aiohttp.ClientSession() as http:
        response = await http.get(f"{server.base_url}/sandbox/users/{alice.id}/commands")
        assert await response.json() == [{"command": "grant", "description": "Grant"}]


async def test_a_chat_menu_needs_a_known_chat(bot: Bot) -> None:
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.set_my_commands([BotCommand("start", "Start")], scope=BotCommandScopeChat(4242))


async def test_get_chat_and_groups(server: SandboxServer, bot: Bot, alice: SandboxUser) -> None:
    chat = await bot.get_chat(alice.id)
    assert chat.first_name == "Alice" and chat.username == "alice"
    bob = server.user(1002, first_name="Bob")
    group = server.group(-100123, title="Roundtable Guangxi", members=[alice, bob])
    update = await group.send_command(bob, "events", mention=True)
    assert update["message"]["chat"]["type"] == "supergroup"
    assert update["message"]["from"]["id"] == bob.id
    sent = await bot.send_message(group.id, "Pick one", reply_markup=keyboard([("Mon", "d:1")]))
    assert group.last is not None and group.last.message_id == sent.message_id
    pressed = await group.press(alice, "Mon")
    assert pressed["callback_query"]["from"]["id"] == alice.id
    assert (await bot.get_chat(group.id)).title == "Roundtable Guangxi"


async def test_calls_are_recorded_with_status(
    server: SandboxServer, bot: Bot, alice: SandboxUser
) -> None:
    await bot.send_message(alice.id, "123")
    with pytest.raises(BadRequest):
        await bot.send_message(alice.id, "")
    sends = server.calls_to("sendMessage")
    assert [call.status for call in sends] == [200, 400]
    assert sends[0].chat_id == alice.id
    assert sends[0].params["text"] == "123" and sends[0].params["chat_id"] == alice.id
    assert len(server.sends) == 1


async def test_http_control_api(server: SandboxServer, bot: Bot) -> None:
    base = f"{server.base_url}/sandbox"
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/users/42/text", json={"text": "hi"}) as response:
            assert (await response.json())["update"]["message"]["text"] == "hi"
        await bot.send_message(42, "hello", reply_markup=keyboard([("OK", "ok")]))
        async with session.post(f"{base}/users/42/press", json={"button": "OK"}) as response:
            assert (await response.json())["update"]["callback_query"]["data"] == "ok"
        async with session.post(f"{base}/users/42/press", json={"button": "?"}) as response:
            assert response.status == 404
        async with session.get(f"{base}/users/42/messages") as response:
            assert (await response.json())[0]["text"] == "hello"
        async with session.get(f"{base}/calls") as response:
            assert "sendMessage" in [call["method"] for call in await response.json()]


async def test_caption_edits_and_photo_by_file_id(bot: Bot, alice: SandboxUser) -> None:
    update = await alice.send_photo(PNG_1x1)
    file_id = update["message"]["photo"][-1]["file_id"]
    sent = await bot.send_photo(alice.id, file_id, caption="first")
    assert alice.last is not None and alice.last.photo == PNG_1x1
    edited = await bot.edit_message_caption(
        alice.id, sent.message_id, caption="<b>second</b>", parse_mode="HTML"
    )
    assert isinstance(edited, Message) and edited.caption == "second"
    assert alice.last.text == "second" and alice.last.edited == 1
    with pytest.raises(BadRequest, match="(?i)not modified"):
        await bot.edit_message_caption(
            alice.id, sent.message_id, caption="<b>second</b>", parse_mode="HTML"
        )
    with pytest.raises(BadRequest, match="(?i)no text in the message"):
        await bot.edit_message_text("text", alice.id, sent.message_id)
    plain = await bot.send_message(alice.id, "plain")
    with pytest.raises(BadRequest, match="(?i)no caption in the message"):
        await bot.edit_message_caption(alice.id, plain.message_id, caption="x")


async def test_get_updates_limit_and_allowed_updates(server: SandboxServer, bot: Bot) -> None:
    alice = server.user(1001, first_name="Alice")
    for number in range(3):
        await alice.send_text(str(number))
    alice.block()
    assert len(await bot.get_updates(limit=2)) == 2
    updates = await bot.get_updates(allowed_updates=["message"])
    assert [u.message.text for u in updates if u.message] == ["0", "1", "2"]
    assert len(updates) == 3  # the my_chat_member update was not wanted, so it is gone
    assert server.pending_updates == 3
