"""Group chats: the bot answers a command there with one line and a link to a private chat,
and shows nobody's set-up, consent or event screens to the whole group."""

from demo.runner import BotRunner
from tests.flows import onboard


async def test_a_command_in_a_group_gets_a_link_to_a_private_chat(bot: BotRunner) -> None:
    bot_name = bot.server.state.bot.username
    mai = bot.server.user(7101, first_name="Mai", language_code="en")
    group = bot.server.group(-100777, title="Beach volunteers", members=[mai])

    await bot.do(group.send_command(mai, "start"))
    assert len(group.messages) == 1
    assert group.last is not None and group.last.text is not None
    assert "private chat" in group.last.text and f"https://t.me/{bot_name}" in group.last.text
    assert not group.last.buttons  # no language or consent buttons for the whole group
    assert mai.messages == []

    # A deep link's payload is kept, so the private chat opens the same thing.
    await bot.do(group.send_command(mai, "start", "ev_12", mention=True))
    assert group.last.text is not None
    assert f"https://t.me/{bot_name}?start=ev_12" in group.last.text

    await bot.do(group.send_command(mai, "events", mention=True))
    assert len(group.messages) == 3 and "private chat" in (group.last.text or "")
    # Ordinary talk in the group is none of the bot's business.
    await bot.do(group.send_text(mai, "See you at the beach!"))
    assert len(group.messages) == 3


async def test_the_private_chat_still_sets_people_up(bot: BotRunner) -> None:
    mai = bot.server.user(7102, first_name="Mai", language_code="en")
    group = bot.server.group(-100778, members=[mai])
    await bot.do(group.send_command(mai, "start"))
    await onboard(bot, mai)
    assert mai.last is not None and mai.last.text is not None
    assert len(group.messages) == 1
