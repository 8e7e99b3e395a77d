"""Check-in tokens fit Telegram's start payloads; the QR image is a PNG of exactly the link."""

import re
from io import BytesIO

import pytest
import qrcode
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

from events.checkin_code import MODULE_PIXELS, QUIET_ZONE_MODULES, checkin_qr_png, new_checkin_token
from handlers.events.checkin import CHECKIN_LINK


def checkin_link(bot_username: str, token: str) -> str:
    return CHECKIN_LINK.url(bot_username, token)


def checkin_payload(token: str) -> str:
    return CHECKIN_LINK.payload(token)


def token_from_payload(payload: str) -> str | None:
    return CHECKIN_LINK.value_of(payload)


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_tokens_are_url_safe_short_and_unique() -> None:
    tokens = {new_checkin_token() for _ in range(1000)}
    assert len(tokens) == 1000
    for token in tokens:
        assert len(token) <= 32
        assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", f"ci_{token}")


def test_link_format() -> None:
    token = new_checkin_token()
    assert checkin_link("tideline_bot", token) == f"https://t.me/tideline_bot?start=ci_{token}"
    assert checkin_link("@tideline_bot", "abc-_9") == "https://t.me/tideline_bot?start=ci_abc-_9"


@pytest.mark.parametrize("token", ["", "has space", "slash/", "x" * 62])
def test_tokens_that_would_break_the_payload_are_refused(token: str) -> None:
    with pytest.raises(ValueError):
        checkin_payload(token)


def test_payload_round_trip() -> None:
    token = new_checkin_token()
    assert token_from_payload(checkin_payload(token)) == token
    assert token_from_payload("ev_12") is None
    assert token_from_payload("ci_") is None
    assert token_from_payload("ci_bad token") is None


def test_qr_png_draws_the_links_modules() -> None:
    link = checkin_link("tideline_bot", new_checkin_token())
    data = checkin_qr_png(link)
    assert data.startswith(PNG_SIGNATURE)

    # No pure-Python QR decoder is available, so compare the drawn modules with an independent
    # encoding of the same link.
    reference = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    reference.add_data(link)
    reference.make(fit=True)
    expected = reference.get_matrix()

    image = Image.open(BytesIO(data)).convert("L")
    size = len(expected)
    assert image.size == ((size + 2 * QUIET_ZONE_MODULES) * MODULE_PIXELS,) * 2
    drawn = [
        [
            image.getpixel(
                (
                    (QUIET_ZONE_MODULES + column) * MODULE_PIXELS + MODULE_PIXELS // 2,
                    (QUIET_ZONE_MODULES + row) * MODULE_PIXELS + MODULE_PIXELS // 2,
                )
            )
            < 128
            for column in range(size)
        ]
        for row in range(size)
    ]
    assert drawn == expected
