"""The bot's commands per role, as /help lists them and Telegram's command menu shows them."""

from i18n import Translator, lazy

PARTICIPANT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", lazy("Start or finish setting up")),
    ("help", lazy("What I can do")),
    ("events", lazy("Find roundtables and cleanups")),
    ("my", lazy("Your registrations, calendar files and check-in codes")),
    ("language", lazy("Change your language")),
    ("profile", lazy("See and edit your profile")),
    ("privacy", lazy("Choose what your data is used for")),
    ("mydata", lazy("Download all your data")),
    ("deleteme", lazy("Delete your data")),
    ("report", lazy("Send a cleanup data card")),
    ("impact", lazy("See what your cleanups achieved")),
    ("company", lazy("Your company and its plastic pledge")),
    ("pledges", lazy("See businesses' plastic pledges")),
    ("cancel", lazy("Stop what you are doing")),
)

ORGANIZER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("organize", lazy("Create and manage your events")),
    ("broadcast", lazy("Send news and invitations")),
    ("surveys", lazy("See your events' survey results")),
)

REVIEWER_COMMANDS: tuple[tuple[str, str], ...] = (
    ("review", lazy("Review submitted pledges and progress reports")),
)

ADMIN_COMMANDS: tuple[tuple[str, str], ...] = (
    ("grant", lazy("Make someone an organizer")),
    ("revoke", lazy("Remove someone's organizer role")),
    ("grantreviewer", lazy("Make someone a pledge reviewer")),
    ("revokereviewer", lazy("Remove someone's reviewer role")),
)


def commands_for(
    organizer: bool, admin: bool, reviewer: bool = False
) -> tuple[tuple[str, str], ...]:
    """Everyone's commands, then those of the roles the person holds (administrators review)."""
    return (
        PARTICIPANT_COMMANDS
        + (ORGANIZER_COMMANDS if organizer else ())
        + (REVIEWER_COMMANDS if reviewer or admin else ())
        + (ADMIN_COMMANDS if admin else ())
    )


def command_lines(t: Translator, commands: tuple[tuple[str, str], ...]) -> list[str]:
    return [f"/{name} – {t._(description)}" for name, description in commands]
