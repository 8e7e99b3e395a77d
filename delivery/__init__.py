"""The outbox: everything the bot sends later (reminders, notices, broadcasts, invitations),
rate-limited, retried and restart-safe. Domains queue sends with :mod:`delivery.outbox`;
:mod:`delivery.dispatcher` claims and sends them through a sender it is given (the chat side's
``handlers.runtime.sender``), so nothing here knows Telegram."""
