"""The newest message of each private chat this process has seen, either side's.

A button on the newest message can turn that message into the next step (one edit instead of
dropping its buttons and sending anew), and the person's eyes stay where they were. A button on
an older message – the person typed something since, or a reminder arrived – is answered below
everything else, where it is seen. Message ids of a private chat rise with each message whoever
sends it. Kept in memory, per process: after a restart a step does not know and sends anew, as
for an older message; when several processes serve the bot, one does not see what another sent,
and a tap may edit a message that something newer already follows (the answer is still given,
only higher up in the chat)."""

from collections import OrderedDict

# Chats remembered; the least recently active are forgotten first (they get a new message).
DEFAULT_CAPACITY = 100_000


class LatestMessages:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._newest: OrderedDict[int, int] = OrderedDict()

    def note(self, chat_id: int, message_id: int) -> None:
        known = self._newest.get(chat_id)
        if known is None or message_id > known:
            self._newest[chat_id] = message_id
        self._newest.move_to_end(chat_id)
        if len(self._newest) > self._capacity:
            self._newest.popitem(last=False)

    def is_newest(self, chat_id: int, message_id: int) -> bool:
        return self._newest.get(chat_id) == message_id
