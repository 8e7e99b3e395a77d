"""The process's logging: one line per record, secrets masked, routine library chatter hidden.

Bot API URLs carry the token (``/bot<token>/getMe``) and a rejected token's exception quotes
it, so every formatted line, its traceback included, is searched for the secrets it must not
show. That covers any library's logger at any level, not only the ones known to log URLs.
"""

import logging
from collections.abc import Iterable

from sqlalchemy.engine import make_url

from settings import Settings

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MASK = "<redacted>"
# Shorter strings are no real secret (BotFather's are 35 characters) and masking them would
# garble ordinary words.
MIN_SECRET_LENGTH = 6
# Each logs every request, job run or migration step at INFO: noise in an operator's log.
CHATTY_LOGGERS = ("httpx", "httpcore", "apscheduler", "alembic")


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__(FORMAT)
        # Longest first, so a token is masked whole before its secret half is looked for.
        kept = {secret for secret in secrets if len(secret) >= MIN_SECRET_LENGTH}
        self._secrets = sorted(kept, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self._secrets:
            line = line.replace(secret, MASK)
        return line


def secrets_of(settings: Settings) -> list[str]:
    """The token, its secret half (after the bot id), the webhook secret, the database password."""
    token = settings.BOT_TOKEN
    secrets = [token, token.partition(":")[2], settings.WEBHOOK_SECRET]
    password = make_url(settings.DATABASE_URL).password
    if password:
        secrets.append(str(password))
    return secrets


def configure_logging(level: int, secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter(secrets))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(level if level <= logging.DEBUG else logging.WARNING)
