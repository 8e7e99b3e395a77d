"""Deep-link payloads (``t.me/<bot>?start=<payload>``) as design.md section 2 defines them.

``ev_`` (open an event) and ``ci_`` (check in) are answered by handlers/events_browse.py and
handlers/checkin.py for people who are set up; everyone else meets onboarding first, told here
what became of their link: an event link is remembered and its event shown when set-up ends."""

import functools
import re
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ApplicationHandlerStop

from db.conversations import load_state, save_state
from handlers.kit.context import HandlerCallback, TidelineContext, account_of
from i18n import Translator

EVENT_LINK = re.compile(r"^ev_(\d{1,12})$")
CHECKIN_LINK = re.compile(r"^ci_[A-Za-z0-9_-]{1,61}$")
# An event link opened before set-up is kept here (same key as the person's conversations, so
# /deleteme forgets it too) and opened when set-up is done.
PENDING_LINKS = "deep_links.pending"


def describe_payload_before_setup(t: Translator, payload: str) -> str:
    if EVENT_LINK.match(payload):
        return t._("First, let's set you up: it takes a minute. Then I will show you the event.")
    if CHECKIN_LINK.match(payload):
        return t._(
            "First, let's set you up: it takes a minute. Then open the link again and I will "
            "take you straight there."
        )
    # Surveys and pledges will own the sv_ and pl_ prefixes; until then those links land here.
    return t._(
        "I don't recognize that link: it may be mistyped or no longer valid. "
        "Here is where you can start instead."
    )


def for_people_set_up(
    callback: HandlerCallback,
) -> Callable[[Update, TidelineContext], Coroutine[Any, Any, None]]:
    """Runs a deep-link handler (in a group before the conversations) only for people who
    finished onboarding, then stops there; anyone else goes on to onboarding's /start."""

    @functools.wraps(callback)
    async def guarded(update: Update, context: TidelineContext) -> None:
        session = await context.session()
        account = await account_of(session, update)
        if account.onboarded_at is None:
            return
        await callback(update, context)
        raise ApplicationHandlerStop

    return guarded


def _key(update: Update) -> str:
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    return f"[{chat.id}, {user.id}]"


async def remember_event_link(session: AsyncSession, update: Update, payload: str) -> None:
    if EVENT_LINK.match(payload):
        await save_state(session, PENDING_LINKS, _key(update), payload)


async def take_remembered_event(session: AsyncSession, update: Update) -> int | None:
    """The event whose link the person opened before set-up, forgotten once taken."""
    payload = await load_state(session, PENDING_LINKS, _key(update))
    if payload is None:
        return None
    await save_state(session, PENDING_LINKS, _key(update), None)
    match = EVENT_LINK.match(payload)
    return int(match.group(1)) if match else None
