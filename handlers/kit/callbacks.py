"""Signed callback data: a button's data names an action and its arguments, and carries a short
HMAC over them and the person it was sent to. Anything else (forged, tampered, replayed to
another person) is refused before any handler sees it."""

import base64
import hashlib
import hmac
import re

from telegram import Update

SEPARATOR = "|"
SIGNATURE_LENGTH = 8
MAX_CALLBACK_BYTES = 64


class CallbackCodec:
    def __init__(self, secret: bytes) -> None:
        self._secret = secret

    def _signature(self, user_id: int, payload: str) -> str:
        digest = hmac.new(self._secret, f"{user_id}{SEPARATOR}{payload}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).decode()[:SIGNATURE_LENGTH]

    def encode(self, user_id: int, action: str, *args: object) -> str:
        payload = SEPARATOR.join([action, *(str(arg) for arg in args)])
        data = f"{payload}{SEPARATOR}{self._signature(user_id, payload)}"
        if len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"callback data for {action!r} exceeds {MAX_CALLBACK_BYTES} bytes")
        return data

    def is_authentic(self, user_id: int, data: str) -> bool:
        payload, _, signature = data.rpartition(SEPARATOR)
        if not payload:
            return False
        # Bytes, not str: compare_digest refuses non-ASCII strings, and forged data may hold any.
        return hmac.compare_digest(signature.encode(), self._signature(user_id, payload).encode())


def parse(data: str) -> tuple[str, list[str]]:
    """Action and arguments of data already checked by ``CallbackCodec.is_authentic``."""
    action, *rest = data.split(SEPARATOR)
    return action, rest[:-1]


def button_args(update: Update) -> list[str]:
    """Arguments of the pressed button (its data is authentic: the gate checked it)."""
    assert update.callback_query is not None
    return parse(update.callback_query.data or "")[1]


def action_pattern(action: str) -> str:
    """A CallbackQueryHandler pattern matching one action exactly."""
    return "^" + re.escape(action + SEPARATOR)
