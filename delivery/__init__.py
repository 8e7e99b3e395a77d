"""The outbox: everything the bot sends later (reminders, notices, broadcasts, invitations),
rate-limited, retried and restart-safe. Domains queue sends with :mod:`delivery.outbox`;
:mod:`delivery.dispatcher` claims and sends them; :mod:`delivery.sender` is the only module
here that knows Telegram."""
