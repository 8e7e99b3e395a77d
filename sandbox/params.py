"""Typed access to Bot API parameters, whatever encoding the client used.

PTB sends form-urlencoded or multipart bodies in which strings are raw and every other value is
JSON-encoded (``chat_id=1001``, ``reply_markup={"inline_keyboard": ...}``); other clients send a
JSON body with native values. Getters here accept both, so handlers never care.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import bad_request


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    mime_type: str | None
    data: bytes


# Parameters that are strings by definition; used only to make the recorded call log readable
# (so ``text="123"`` is not shown as the integer 123).
_STRING_FIELDS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "url",
        "secret_token",
        "callback_query_id",
        "title",
        "address",
        "foursquare_id",
        "foursquare_type",
        "google_place_id",
        "google_place_type",
        "language_code",
        "file_id",
        "action",
        "ip_address",
        "business_connection_id",
        "message_effect_id",
        "photo",
        "document",
        "emoji",
    }
)


class Params:
    """The merged query-string and body parameters of one request."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw = raw

    def __contains__(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def get(self, name: str) -> Any:
        return self.raw.get(name)

    def string(self, name: str, default: str | None = None) -> str | None:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, UploadedFile):
            raise bad_request(f'parameter "{name}" must be a string')
        return value if isinstance(value, str) else json.dumps(value)

    def required_string(self, name: str) -> str:
        value = self.string(name)
        if value is None:
            raise bad_request(f'parameter "{name}" is required')
        return value

    def integer(self, name: str, default: int | None = None) -> int | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def required_integer(self, name: str) -> int:
        value = self.integer(name)
        if value is None:
            raise bad_request(f'parameter "{name}" is required')
        return value

    def number(self, name: str, default: float | None = None) -> float | None:
        value = self.raw.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        return str(value).strip().lower() in {"true", "1", "yes"}

    def structured(self, name: str) -> Any:
        """A structured parameter (object or array), decoded if it arrived as JSON text."""
        value = self.raw.get(name)
        if isinstance(value, str):
            if value == "":
                return None
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value

    def file(self, name: str) -> UploadedFile | str | None:
        """An InputFile parameter: an uploaded part, or a file_id / URL / ``attach://`` string."""
        value = self.raw.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            attached = self.raw.get(value.removeprefix("attach://"))
            if not isinstance(attached, UploadedFile):
                raise bad_request(f"file {value} not found in the request")
            return attached
        if value is None or isinstance(value, UploadedFile):
            return value
        return str(value)

    def chat_id_or_none(self) -> int | str | None:
        value = self.raw.get("chat_id")
        if value is None:
            return None
        if isinstance(value, int):
            return value
        text = str(value).strip()
        try:
            return int(text)
        except ValueError:
            return text

    def for_log(self) -> dict[str, Any]:
        """A readable copy for ``server.calls``: JSON values decoded, uploads summarised."""
        return {name: _readable(name, value) for name, value in self.raw.items()}


def _readable(name: str, value: Any) -> Any:
    if isinstance(value, UploadedFile):
        return f"<upload {value.filename!r} {len(value.data)} bytes>"
    if isinstance(value, str) and name not in _STRING_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
