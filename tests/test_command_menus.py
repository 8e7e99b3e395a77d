"""The "/" menu a person sees: their language, and the commands of the roles they hold."""

from demo.runner import BotRunner, SimulatedClock
from sandbox import SandboxServer
from tests.conftest import ADMIN_ID
from tests.flows import onboard

ORGANIZER = {"organize", "broadcast"}
ADMIN = {"grant", "revoke"}


def _names(sandbox: SandboxServer, person_id: int) -> set[str]:
    return {command["command"] for command in sandbox.menu_seen_by(person_id)}


def _description(sandbox: SandboxServer, person_id: int, command: str) -> str:
    menu = {entry["command"]: entry["description"] for entry in sandbox.menu_seen_by(person_id)}
    return menu[command]


async def test_an_administrator_sees_the_commands_of_both_roles(bot: BotRunner) -> None:
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await onboard(bot, admin)
    assert ORGANIZER | ADMIN | {"start", "events", "cancel"} <= _names(bot.server, ADMIN_ID)


async def test_granting_revoking_and_changing_language_keep_the_menu_right(
    bot: BotRunner,
) -> None:
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    somchai = bot.server.user(3101, first_name="Somchai", language_code="th")
    await onboard(bot, somchai, language="th")
    assert not ORGANIZER & _names(bot.server, 3101)

    await bot.do(admin.send_command("grant", "3101"))
    thai = bot.catalogs.translator("th")
    assert _names(bot.server, 3101) >= ORGANIZER
    assert not ADMIN & _names(bot.server, 3101)
    assert _description(bot.server, 3101, "organize") == thai._("Create and manage your events")

    await bot.do(somchai.send_command("language"))
    await bot.do(somchai.press("Tiếng Việt"))
    vietnamese = bot.catalogs.translator("vi")
    assert _description(bot.server, 3101, "organize") == vietnamese._(
        "Create and manage your events"
    )
    assert _description(bot.server, 3101, "help") == vietnamese._("What I can do")

    await bot.do(admin.send_command("revoke", "3101"))
    assert not ORGANIZER & _names(bot.server, 3101)
    assert _description(bot.server, 3101, "help") == vietnamese._("What I can do")


async def test_start_up_gives_existing_organizers_their_menu(
    bot: BotRunner, sandbox: SandboxServer, clock: SimulatedClock
) -> None:
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    mai = bot.server.user(3102, first_name="Mai", language_code="vi")
    await onboard(bot, mai, language="vi")
    await bot.do(admin.send_command("grant", "3102"))
    await bot.stop()
    # As if the role had been given while the menu could not be set (or by an older version).
    sandbox.state.commands.pop(("chat:3102", ""))
    assert not ORGANIZER & _names(sandbox, 3102)

    restarted = BotRunner(sandbox, bot.settings, clock)
    await restarted.start()
    try:
        assert _names(sandbox, 3102) >= ORGANIZER
        vietnamese = restarted.catalogs.translator("vi")
        assert _description(sandbox, 3102, "broadcast") == vietnamese._("Send news and invitations")
    finally:
        await restarted.stop()
