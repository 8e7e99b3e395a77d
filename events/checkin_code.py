"""Personal check-in codes: the token of a person's ``ci_`` deep link and the QR image of that
link, which an organizer scans."""

import secrets
from io import BytesIO

import qrcode
from qrcode.constants import ERROR_CORRECT_M

# 16 random bytes: unguessable, and 22 URL-safe characters fit Registration.checkin_token.
TOKEN_BYTES = 16
# Pixels per QR module and the quiet zone around the code that scanners need (in modules).
MODULE_PIXELS = 10
QUIET_ZONE_MODULES = 4


def new_checkin_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


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
