"""Personal check-in codes: a deep link ``ci_<token>`` and the QR image an organizer scans."""

import re
import secrets
from io import BytesIO

import qrcode
from qrcode.constants import ERROR_CORRECT_M

CHECKIN_PREFIX = "ci_"
# Telegram accepts start payloads of [A-Za-z0-9_-]{1,64} (design.md section 2).
START_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")
# 16 random bytes: unguessable, and 22 URL-safe characters fit Registration.checkin_token.
TOKEN_BYTES = 16
# Pixels per QR module and the quiet zone around the code that scanners need (in modules).
MODULE_PIXELS = 10
QUIET_ZONE_MODULES = 4


def new_checkin_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def checkin_payload(token: str) -> str:
    payload = f"{CHECKIN_PREFIX}{token}"
    if not token or not START_PAYLOAD.fullmatch(payload):
        raise ValueError(f"not a valid check-in token: {token!r}")
    return payload


def token_from_payload(payload: str) -> str | None:
    """The token of a ``ci_`` start payload, or None when the payload is something else."""
    if not payload.startswith(CHECKIN_PREFIX) or not START_PAYLOAD.fullmatch(payload):
        return None
    return payload.removeprefix(CHECKIN_PREFIX) or None


def checkin_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username.removeprefix('@')}?start={checkin_payload(token)}"


def checkin_qr_png(deep_link: str) -> bytes:
    """A PNG QR code of ``deep_link``; medium error correction survives a cracked phone screen."""
    code = qrcode.QRCode(
        error_correction=ERROR_CORRECT_M, box_size=MODULE_PIXELS, border=QUIET_ZONE_MODULES
    )
    code.add_data(deep_link)
    code.make(fit=True)
    buffer = BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()
