"""The error type every Bot API method raises to produce a Telegram-shaped failure."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A Bot API failure, rendered as ``{"ok": false, "error_code": ..., ...}``.

    ``description`` is the full Telegram text (e.g. ``"Bad Request: message is too long"``),
    because PTB shows it verbatim in its exceptions and bots sometimes match on it.
    """

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> ApiError:
    return ApiError(403, f"Forbidden: {reason}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


CHAT_NOT_FOUND = "chat not found"
BLOCKED = "bot was blocked by the user"
