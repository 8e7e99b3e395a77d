"""Deep links (``https://t.me/<bot>?start=<payload>``, design.md section 2): one registry of the
payload prefixes, each owned by the feature that answers it.

A feature declares a ``DeepLink`` (its prefix, the shape of the value after it, what someone
not yet set up is told, and the callback that opens it); ``handlers.app`` gathers them into one
``DeepLinks``, which builds and parses payloads, answers ``/start <payload>`` for people who are
set up, and lets onboarding remember a link opened before set-up and open it when set-up ends.
Surveys (``sv_``) and pledges (``pl_``) plug in the same way.
"""

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ApplicationHandlerStop, CommandHandler, filters

from db.conversations import load_state, save_state
from handlers.kit.context import TidelineContext, account_of
from handlers.kit.person_state import person_key
from i18n import Translator, lazy

# Telegram accepts start payloads of [A-Za-z0-9_-]{1,64}.
START_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A link opened before set-up is kept here (same key as the person's conversations, so
# /deleteme forgets it too) and opened when set-up is done.
PENDING_LINKS = "deep_links.pending"

# Gets the value after the prefix, or None when it is malformed (a mistyped or forged link).
# The prefixes design.md section 2 promises, each answered by one feature.
EVENT, CHECKIN, SURVEY, PLEDGE = "ev_", "ci_", "sv_", "pl_"

OpenLink = Callable[[Update, TidelineContext, str | None], Awaitable[None]]

SET_UP_THEN_SHOW = lazy(
    "First, let's set you up: it takes a minute. Then I will show you the event."
)
SET_UP_THEN_OPEN_AGAIN = lazy(
    "First, let's set you up: it takes a minute. Then open the link again and I will "
    "take you straight there."
)


def start_url(bot_username: str, payload: str) -> str:
    return f"https://t.me/{bot_username.removeprefix('@')}?start={payload}"


@dataclass(frozen=True)
class DeepLink:
    """``prefix`` + a value matching ``value_pattern``; ``open`` gets the value."""

    prefix: str
    value_pattern: str
    open: OpenLink
    # What someone who is not set up yet is told; remembered links open when set-up ends.
    before_setup: str = SET_UP_THEN_OPEN_AGAIN
    remembered: bool = False

    def payload(self, value: object) -> str:
        payload = f"{self.prefix}{value}"
        if self.value_of(payload) is None:
            raise ValueError(f"not a valid {self.prefix} link value")
        return payload

    def value_of(self, payload: str) -> str | None:
        if not START_PAYLOAD.fullmatch(payload) or not payload.startswith(self.prefix):
            return None
        value = payload.removeprefix(self.prefix)
        return value if re.fullmatch(self.value_pattern, value) else None

    def url(self, bot_username: str, value: object) -> str:
        return start_url(bot_username, self.payload(value))


class DeepLinks:
    def __init__(self, links: Sequence[DeepLink]) -> None:
        prefixes = [link.prefix for link in links]
        if len(set(prefixes)) != len(prefixes):
            raise ValueError(f"deep-link prefixes must be unique: {prefixes}")
        self._links = tuple(links)

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(link.prefix for link in self._links)

    def url(self, bot_username: str, prefix: str, value: object) -> str:
        (link,) = (link for link in self._links if link.prefix == prefix)
        return link.url(bot_username, value)

    def find(self, payload: str) -> tuple[DeepLink, str | None] | None:
        """The link whose prefix ``payload`` has, with its value (None if malformed)."""
        for link in self._links:
            if payload.startswith(link.prefix):
                return link, link.value_of(payload)
        return None

    def describe_before_setup(self, t: Translator, payload: str) -> str:
        found = self.find(payload)
        if found is None or found[1] is None:
            return t._(
                "I don't recognize that link: it may be mistyped or no longer valid. "
                "Here is where you can start instead."
            )
        return t._(found[0].before_setup)

    async def remember(self, session: AsyncSession, update: Update, payload: str) -> None:
        found = self.find(payload)
        if found is not None and found[1] is not None and found[0].remembered:
            await save_state(session, PENDING_LINKS, person_key(update), payload)

    async def open_remembered(
        self, session: AsyncSession, update: Update, context: TidelineContext
    ) -> None:
        """Opens the link the person followed before set-up, forgotten once opened."""
        payload = await load_state(session, PENDING_LINKS, person_key(update))
        if payload is None:
            return
        await save_state(session, PENDING_LINKS, person_key(update), None)
        found = self.find(payload)
        if found is not None:
            link, value = found
            await link.open(update, context, value)

    def handler(self) -> CommandHandler[TidelineContext, None]:
        """``/start <payload>`` of a registered prefix, for people who finished set-up (in a
        group before the conversations, where it stops); anyone else meets onboarding's /start,
        and unknown payloads its "I don't recognize that link"."""
        pattern = "|".join(re.escape(prefix) for prefix in self.prefixes)
        return CommandHandler(
            "start", self._open_for_people_set_up, filters=filters.Regex(rf"^/start ({pattern})")
        )

    async def _open_for_people_set_up(self, update: Update, context: TidelineContext) -> None:
        account = await account_of(await context.session(), update)
        if account.onboarded_at is None:
            return
        found = self.find(context.args[0]) if context.args else None
        assert found is not None, "the filter lets only registered prefixes through"
        link, value = found
        await link.open(update, context, value)
        raise ApplicationHandlerStop
