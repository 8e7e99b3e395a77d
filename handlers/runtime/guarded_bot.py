"""The bot whose every Bot API call first checks that no transaction is open in its task.

A round trip to Telegram inside a transaction holds SQLite's one connection, and so every other
chat, for its whole length; steps (``handlers.kit.steps``) send only after they committed, and
this makes any call that slips past them fail loudly instead of slowing everyone down. It also
tells ``handlers.runtime.typed_presses`` which keyboards the bot showed, and
``handlers.kit.latest_messages`` which messages it sent."""

from typing import Any

from telegram.ext import ExtBot

from db.unit_of_work import refuse_while_open
from handlers.kit.latest_messages import LatestMessages
from handlers.runtime.typed_presses import note_bot_call


class GuardedBot(ExtBot[None]):
    def __init__(self, *args: Any, latest_messages: LatestMessages, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._latest_messages = latest_messages

    async def _do_post(self, endpoint: str, data: Any, **kwargs: Any) -> Any:
        refuse_while_open(f"the Bot API call {endpoint}")
        result = await super()._do_post(endpoint, data, **kwargs)
        note_bot_call(endpoint, data, result)
        for message in result if isinstance(result, list) else [result]:
            if isinstance(message, dict) and "message_id" in message and "chat" in message:
                self._latest_messages.note(int(message["chat"]["id"]), int(message["message_id"]))
        return result
