"""Deep-link payloads (``t.me/<bot>?start=<payload>``) as design.md section 2 defines them.

``ev_`` (open an event) and ``ci_`` (check in) are answered by handlers/events_browse.py and
handlers/checkin.py for people who are set up; everyone else meets onboarding first, told here
what became of their link."""

import functools
import re
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import ApplicationHandlerStop

from handlers.common import HandlerCallback, TidelineContext, account_of
from i18n import Translator

KNOWN_LINK = re.compile(r"^(ev_\d{1,12}|ci_[A-Za-z0-9_-]{1,61})$")


def describe_payload_before_setup(t: Translator, payload: str) -> str:
    if KNOWN_LINK.match(payload):
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
        async with context.services.transaction() as session:
            account = await account_of(session, update)
        if account.onboarded_at is None:
            return
        await callback(update, context)
        raise ApplicationHandlerStop

    return guarded
