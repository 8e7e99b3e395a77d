"""Whatever people throw at the bot, it answers in their language and nothing breaks."""

import itertools
import logging
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo.runner import BotRunner
from tests.accounts_db import account

# Scripts that tell a language apart at a glance; replies in Latin-script languages are only
# checked for being there, since a reply in Malay and one in Indonesian look alike to a regex.
SCRIPTS = {
    "th": re.compile("[\u0e00-\u0e7f]"),
    "zh": re.compile("[\u4e00-\u9fff]"),
    "km": re.compile("[\u1780-\u17ff]"),
    "lo": re.compile("[\u0e80-\u0eff]"),
    "my": re.compile("[\u1000-\u109f]"),
    "ta": re.compile("[\u0b80-\u0bff]"),
}
COMMANDS = [
    "start",
    "help",
    "cancel",
    "language",
    "profile",
    "privacy",
    "mydata",
    "deleteme",
    "grant",
    "revoke",
    "events",
    "my",
    "report",
    "impact",
    "organize",
    "broadcast",
    "nonsense",
]

actions = st.one_of(
    st.tuples(st.just("text"), st.text(min_size=1, max_size=4096).filter(str.strip)),
    st.tuples(st.just("long_text"), st.just("ก" * 4096)),
    st.tuples(st.just("sticker"), st.none()),
    st.tuples(st.just("photo"), st.none()),
    st.tuples(st.just("location"), st.none()),
    st.tuples(st.just("command"), st.sampled_from(COMMANDS)),
    st.tuples(st.just("press"), st.integers(min_value=0, max_value=20)),
    st.tuples(st.just("press_stale"), st.integers(min_value=0, max_value=200)),
    st.tuples(st.just("forged"), st.text(min_size=1, max_size=20)),
    st.tuples(st.just("edit"), st.tuples(st.integers(0, 200), st.text(min_size=1, max_size=100))),
    st.tuples(st.just("edit_last"), st.text(min_size=1, max_size=100).filter(str.strip)),
)
# Edits answer nothing unless they correct the latest answer to a question still open.
QUIET = {"edit", "edit_last"}


async def _perform(bot: BotRunner, person, action: tuple[str, object]) -> bool:  # type: ignore[no-untyped-def]
    """Performs one action; False when it was impossible (no button to press)."""
    kind, value = action
    if kind in ("text", "long_text"):
        await bot.do(person.send_text(value))
    elif kind == "sticker":
        await bot.do(person.send_sticker())
    elif kind == "photo":
        await bot.do(person.send_photo(b"\xff\xd8\xff\xe0 not really a jpeg"))
    elif kind == "location":
        await bot.do(person.send_location(13.36, 100.98))
    elif kind == "command":
        await bot.do(person.send_command(value))
    elif kind in QUIET:
        typed = [m["message_id"] for m in person.chat.user_messages.values() if "text" in m]
        if not typed:
            return False
        if kind == "edit":
            index, value = value
            await bot.do(person.edit_text(typed[index % len(typed)], value))
        else:
            await bot.do(person.edit_text(typed[-1], value))
    elif kind in ("press", "press_stale"):
        with_buttons = [message for message in person.messages if message.buttons]
        if not with_buttons:
            return False
        message = with_buttons[-1] if kind == "press" else with_buttons[value % len(with_buttons)]
        flat = [data for row in message.buttons for _, data in row if data]
        await bot.do(person.press_data(flat[value % len(flat)], message=message))
    else:
        if not person.messages:
            return False
        await bot.do(person.press_data(str(value), message=person.messages[-1]))
    return True


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    # The same examples on every run, so CI is repeatable; raise max_examples to explore.
    derandomize=True,
)
@given(script=st.lists(actions, min_size=1, max_size=6))
async def test_any_input_gets_a_localized_reply_and_no_error(
    bot: BotRunner, script: list[tuple[str, object]], caplog
) -> None:  # type: ignore[no-untyped-def]
    person = bot.server.user(7001, first_name="Nok", language_code="th")
    language = "th"
    with caplog.at_level(logging.ERROR, logger="tideline.errors"):
        for action in script:
            before_messages = [(m.message_id, m.edited) for m in person.messages]
            before_answers = len(person.callback_answers)
            if not await _perform(bot, person, action):
                continue
            new_texts = [
                m.text or ""
                for m in person.messages
                if (m.message_id, m.edited) not in before_messages and not m.deleted
            ]
            new_texts += [a.get("text") or "" for a in person.callback_answers[before_answers:]]
            assert new_texts or action[0] in QUIET, f"no reply to {action[0]}"
            # People may switch language by pressing a language button; replies follow them.
            # After /deleteme the account is gone: its last words came in the last language.
            current = await account(bot, 7001)
            language = current.language if current else language
            script = SCRIPTS.get(language)
            if script and new_texts:
                assert any(script.search(text) for text in new_texts), (action[0], new_texts)
    assert [record for record in caplog.records if record.name == "tideline.errors"] == []


TYPISTS = itertools.count(7100)
typing_actions = st.one_of(
    st.tuples(st.just("text"), st.text(min_size=1, max_size=300).filter(str.strip)),
    st.tuples(st.just("edit"), st.tuples(st.integers(0, 20), st.text(min_size=1, max_size=300))),
    st.tuples(st.just("edit_last"), st.text(min_size=1, max_size=300).filter(str.strip)),
    st.tuples(st.just("press"), st.integers(min_value=0, max_value=20)),
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(script=st.lists(typing_actions, min_size=1, max_size=8))
async def test_edits_while_the_bot_waits_for_typed_input_never_break_a_step(
    bot: BotRunner, script: list[tuple[str, object]], caplog
) -> None:  # type: ignore[no-untyped-def]
    # Examples share the bot: each plays a new person, who starts set-up afresh.
    person = bot.server.user(next(TYPISTS), first_name="Nok", language_code="th")
    th = bot.catalogs.translator("th")
    with caplog.at_level(logging.ERROR, logger="tideline.errors"):
        # Set-up as far as the first typed question (the organization).
        await bot.do(person.send_command("start"))
        await bot.do(
            person.press(next(t for row in person.last.buttons for t, _ in row if "ไทย" in t))
        )
        await bot.do(person.press(th._("Continue")))
        await bot.do(person.press(th._("Community member")))
        for action in script:
            before = [(m.message_id, m.edited) for m in person.messages]
            before_answers = len(person.callback_answers)
            if not await _perform(bot, person, action):
                continue
            new_texts = [
                m.text or ""
                for m in person.messages
                if (m.message_id, m.edited) not in before and not m.deleted
            ]
            new_texts += [a.get("text") or "" for a in person.callback_answers[before_answers:]]
            assert new_texts or action[0] in QUIET, f"no reply to {action[0]}"
            if new_texts:
                assert any(SCRIPTS["th"].search(text) for text in new_texts), new_texts
    assert [record for record in caplog.records if record.name == "tideline.errors"] == []
