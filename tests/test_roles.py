"""Administrators grant and revoke the organizer role; nobody else can, however they try."""

from accounts.models import AccessRole
from demo.runner import BotRunner
from tests.accounts_db import account
from tests.conftest import ADMIN_ID
from tests.flows import onboard


async def _role(bot: BotRunner, telegram_id: int) -> AccessRole | None:
    user = await account(bot, telegram_id)
    return None if user is None else user.access_role


async def test_grant_by_user_id_and_revoke_by_username(bot: BotRunner) -> None:
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    alice = bot.server.user(3001, first_name="Alice", username="Alice_Ngo", language_code="th")
    await onboard(bot, alice, language="th")

    await bot.do(admin.send_command("grant", "3001"))
    assert await _role(bot, 3001) == AccessRole.ORGANIZER
    assert "is now an organizer" in admin.last.text
    thai = bot.catalogs.translator("th")
    assert alice.last.text == thai._("You are now an organizer in Tideline.")

    await bot.do(admin.send_command("revoke", "@alice_ngo"))
    assert await _role(bot, 3001) == AccessRole.PARTICIPANT
    assert alice.last.text == thai._("Your organizer role in Tideline has ended.")


async def test_grant_by_forwarded_message(bot: BotRunner) -> None:
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    budi = bot.server.user(3002, first_name="Budi", language_code="id")
    await bot.do(budi.send_command("start"))
    await bot.do(admin.send_command("grant"))
    assert "forward" in admin.last.text
    await bot.do(admin.forward_from(budi, text="Halo"))
    assert await _role(bot, 3002) == AccessRole.ORGANIZER


async def test_hidden_forward_and_unknown_person_get_clear_answers(bot: BotRunner) -> None:
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await bot.do(admin.send_command("grant"))
    await bot.do(admin.forward_from(None, text="secret"))
    assert "hides their account" in admin.last.text
    await bot.do(admin.send_text("@nobody_here"))
    assert "don't know that person" in admin.last.text
    await bot.do(admin.send_command("grant", "424242"))
    assert "don't know that person" in admin.last.text


async def test_administrators_cannot_be_revoked(bot: BotRunner) -> None:
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await bot.do(admin.send_command("revoke", str(ADMIN_ID)))
    assert "ADMIN_IDS" in admin.last.text


async def test_non_admins_and_organizers_cannot_grant(bot: BotRunner) -> None:
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    mallory = bot.server.user(3003, first_name="Mallory", language_code="en")
    eve = bot.server.user(3004, first_name="Eve", language_code="en")
    await bot.do(eve.send_command("start"))
    await bot.do(mallory.send_command("start"))
    await bot.do(admin.send_command("grant", "3003"))

    await bot.do(mallory.send_command("grant", "3004"))
    assert mallory.last.text == "Sorry, your role does not allow that."
    assert await _role(bot, 3004) == AccessRole.PARTICIPANT
    await bot.do(eve.send_command("grant", "3004"))
    assert await _role(bot, 3004) == AccessRole.PARTICIPANT


async def test_forged_and_replayed_buttons_are_refused(bot: BotRunner) -> None:
    alice = bot.server.user(3005, first_name="Alice", language_code="en")
    bob = bot.server.user(3006, first_name="Bob", language_code="en")
    await onboard(bot, alice)
    await bot.do(alice.send_command("deleteme"))
    alices_button = alice.last.buttons[0][0][1]
    await bot.do(bob.send_command("deleteme"))

    await bot.do(bob.press_data("erase.2|forged"))
    await bot.do(bob.press_data("erase.2|fürged|Ωß"))  # any characters a client can send
    await bot.do(bob.press_data(alices_button.replace("erase.1", "erase.2")))
    await bot.do(bob.press_data(alices_button))
    assert all(
        answer["text"].startswith("This button is not valid")
        for answer in bob.callback_answers[-4:]
    )
    assert await account(bot, 3006) is not None
    assert await account(bot, 3005) is not None
