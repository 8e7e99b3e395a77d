"""A local Telegram Bot API server plus a user-side API, for tests, demos and benchmarks.

The real bot connects over HTTP (``Bot(token, base_url=f"{root}/bot",
base_file_url=f"{root}/file/bot")``); tests act as people through :class:`SandboxUser` and
:class:`SandboxGroup` and read what the bot sent. See ``server.py`` for the full API.
"""

from .cli import serve
from .errors import ApiError
from .faults import FaultRule, Faults
from .flood import FloodPolicy, SendRecord, busiest_window, per_chat_violations
from .markup import MarkupError, ParsedText, parse_text, utf16_len
from .server import DEFAULT_BOT_USERNAME, DEFAULT_TOKEN, ApiCall, SandboxServer
from .state import BotMessage, DocumentInfo
from .users import SandboxGroup, SandboxUser

__all__ = [
    "DEFAULT_BOT_USERNAME",
    "DEFAULT_TOKEN",
    "ApiCall",
    "ApiError",
    "BotMessage",
    "DocumentInfo",
    "FaultRule",
    "Faults",
    "FloodPolicy",
    "MarkupError",
    "ParsedText",
    "SandboxGroup",
    "SandboxServer",
    "SandboxUser",
    "SendRecord",
    "busiest_window",
    "parse_text",
    "per_chat_violations",
    "serve",
    "utf16_len",
]
