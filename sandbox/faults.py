"""Fault injection: make the next matching Bot API calls fail, or slow every call down."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import ApiError, too_many_requests

FaultStatus = int | Literal["timeout"]

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected fault",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: injected fault",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class FaultRule:
    method: str | None  # None matches any method
    status: FaultStatus
    remaining: int
    retry_after: int | None = None
    description: str | None = None
    chat_id: int | str | None = None

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        if self.remaining <= 0:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)

    def to_error(self) -> ApiError:
        """The error response for a non-timeout fault."""
        assert self.status != "timeout"
        status = int(self.status)
        if status == 429:
            error = too_many_requests(self.retry_after or 1)
            if self.description:
                error.description = self.description
            return error
        description = self.description or _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
        return ApiError(status, description, retry_after=self.retry_after)


class Faults:
    """``server.faults``: rules consumed in the order they were added."""

    def __init__(self) -> None:
        self.latency: float = 0.0  # seconds added before every Bot API response
        self.timeout_seconds: float = 30.0  # how long a "timeout" fault holds the request
        self.rules: list[FaultRule] = []

    def add(
        self,
        method: str | None = None,
        status: FaultStatus = 500,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
        chat_id: int | str | None = None,
    ) -> FaultRule:
        if status != "timeout" and not isinstance(status, int):
            raise ValueError(f"status must be an HTTP status code or 'timeout', not {status!r}")
        rule = FaultRule(method, status, count, retry_after, description, chat_id)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()
        self.latency = 0.0

    def take(self, method: str, chat_id: int | str | None) -> FaultRule | None:
        """Consume one use of the first rule matching this call, if any."""
        for rule in self.rules:
            if rule.matches(method, chat_id):
                rule.remaining -= 1
                return rule
        return None

    @property
    def pending(self) -> int:
        return sum(rule.remaining for rule in self.rules if rule.remaining > 0)
