"""What can go wrong with one send, in Telegram-free terms: the sender translates Bot API
errors into these, and the dispatcher decides what happens to the row."""


class SkipSend(Exception):
    """Raised by a renderer when the message no longer makes sense (the kind's cut-off, e.g.
    the event already started); the row is skipped with ``reason``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SendError(Exception):
    """A send did not go through; ``reason`` is safe to store (no personal data)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FloodWait(SendError):
    """429: all sending must stop for ``seconds``; the send itself is retried afterwards."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"flood control: retry after {seconds:g} s")
        self.seconds = seconds


class RecipientBlocked(SendError):
    """403: the person blocked the bot (or can no longer be written to)."""


class Rejected(SendError):
    """A permanent refusal (400): sending it again would fail again."""


class TransientError(SendError):
    """Network errors, timeouts and 5xx: worth retrying later."""
