"""getUpdates: long polling with Telegram's offset, conflict and allowed_updates semantics."""

from __future__ import annotations

import asyncio

from .errors import ApiError
from .params import Params
from .state import Json, SandboxState, update_kind

# Telegram leaves these out unless a bot asks for them explicitly.
_NOT_SENT_BY_DEFAULT = frozenset({"chat_member", "message_reaction", "message_reaction_count"})

WEBHOOK_ACTIVE = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to "
    "delete the webhook first"
)
TERMINATED = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance "
    "is running"
)
TERMINATED_BY_WEBHOOK = "Conflict: terminated by setWebhook request"


def wanted(update: Json, allowed: list[str] | None) -> bool:
    kind = update_kind(update)
    if allowed:
        return kind in allowed
    return kind not in _NOT_SENT_BY_DEFAULT


class Poller:
    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.closing = False
        # Each getUpdates takes a new generation; an older one still waiting then ends with
        # 409, like Telegram does when two bot instances poll the same token.
        self._generation = 0
        self.waiting = 0  # getUpdates requests currently held open

    async def get_updates(self, params: Params) -> list[Json]:
        state = self.state
        if state.webhook is not None:
            raise ApiError(409, WEBHOOK_ACTIVE)
        offset = params.integer("offset")
        limit = min(100, max(1, params.integer("limit", 100) or 100))
        timeout = max(0.0, params.number("timeout", 0) or 0.0)
        allowed = params.structured("allowed_updates")
        if isinstance(allowed, list):
            state.allowed_updates = [str(kind) for kind in allowed]
        if offset is not None and offset > 0:
            state.updates.ack_below(offset)
        elif offset is not None and offset < 0:
            state.updates.keep_last(-offset)

        self._generation += 1
        generation = self._generation
        state.signal.notify()  # lets an older poll notice it was superseded
        deadline = asyncio.get_running_loop().time() + timeout
        self.waiting += 1
        try:
            return await self._wait_for_updates(generation, limit, deadline)
        finally:
            self.waiting -= 1

    async def _wait_for_updates(self, generation: int, limit: int, deadline: float) -> list[Json]:
        state = self.state
        while True:
            state.updates.drop(lambda update: not wanted(update, state.allowed_updates))
            if state.updates.pending:
                return state.updates.pending[:limit]
            remaining = deadline - asyncio.get_running_loop().time()
            if self.closing or remaining <= 0:
                return []
            await state.signal.wait(remaining)
            if self._generation != generation:
                raise ApiError(409, TERMINATED)
            if state.webhook is not None:
                raise ApiError(409, TERMINATED_BY_WEBHOOK)
