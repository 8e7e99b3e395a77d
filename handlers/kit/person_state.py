"""What a flow keeps about one person beside its conversation state (answers so far, a pending
choice): stored under the same key as the person's conversations in the chat, so /deleteme
erases it with them."""

import json

from telegram import Update


def person_key(update: Update) -> str:
    """The key PTB's persistence gives this chat and person's conversations (``[chat, user]``)."""
    chat, user = update.effective_chat, update.effective_user
    assert chat is not None and user is not None
    return json.dumps([chat.id, user.id])
