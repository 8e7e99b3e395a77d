"""Reviewers: granted by administrators, they accept pledges or send them back with a note, and
the company's members hear of every decision in their own language."""

from sqlalchemy import select

from accounts.models import AccessRole, User
from demo.runner import BotRunner
from pledges import service
from pledges.models import Decision, PledgeStatus
from tests.conftest import ADMIN_ID
from tests.flows import button_with, onboard
from tests.pledge_flows import company_with_pledge, person, pledge

REFUSED = "Sorry, your role does not allow that."


async def _role(bot: BotRunner, telegram_id: int) -> AccessRole:
    async with bot.session_factory() as session:
        user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
        assert user is not None
        return user.access_role


def _menu(bot: BotRunner, telegram_id: int) -> set[str]:
    return {entry["command"] for entry in bot.server.menu_seen_by(telegram_id)}


async def test_an_administrator_grants_and_revokes_the_reviewer_role(bot: BotRunner) -> None:
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await person(bot, 7001, language="th", role=AccessRole.ORGANIZER)
    nok = bot.server.user(7001, first_name="Nok", language_code="th")
    await bot.do(nok.send_command("help"))

    await bot.do(admin.send_command("grantreviewer", "7001"))
    assert await _role(bot, 7001) == AccessRole.REVIEWER
    assert "is now a reviewer of business pledges" in admin.last.text
    assert "Their organizer role ended" in admin.last.text
    thai = bot.catalogs.translator("th")
    assert nok.last.text == thai._(
        "You are now a reviewer of business pledges in Tideline. Send /review to see what is "
        "waiting."
    )
    assert "review" in _menu(bot, 7001)
    assert "organize" not in _menu(bot, 7001)
    await onboard(bot, admin)
    assert {"review", "grantreviewer", "revokereviewer"} <= _menu(bot, ADMIN_ID)

    # /revoke takes the organizer role only: a reviewer keeps theirs.
    await bot.do(admin.send_command("revoke", "7001"))
    assert "was not an organizer" in admin.last.text
    assert await _role(bot, 7001) == AccessRole.REVIEWER

    await bot.do(admin.send_command("revokereviewer", "7001"))
    assert await _role(bot, 7001) == AccessRole.PARTICIPANT
    assert nok.last.text == thai._("Your reviewer role in Tideline has ended.")
    assert "review" not in _menu(bot, 7001)

    await bot.do(nok.send_command("grantreviewer", "7001"))
    assert nok.last.text == thai._(REFUSED)


async def test_reviewer_asks_for_changes_then_accepts_and_members_are_told(
    bot: BotRunner,
) -> None:
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await person(bot, 7101, language="en")
    founder = await person(bot, 7102, language="th")
    colleague = await person(bot, 7103, language="vi")
    somchai = bot.server.user(7102, first_name="Somchai", language_code="th")
    lan = bot.server.user(7103, first_name="Lan", language_code="vi")
    await bot.do(somchai.send_command("help"))
    await bot.do(lan.send_command("help"))
    company_id, pledge_id = await company_with_pledge(bot, [founder, colleague])
    await bot.do(admin.send_command("grantreviewer", "7101"))
    rita = bot.server.user(7101, first_name="Rita", language_code="en")

    await bot.do(rita.send_command("review"))
    assert "1 pledge" in rita.last.text
    await bot.do(rita.press(button_with(rita, "Pledge: Siam Fresh Foods")))
    assert "Pledge of Siam Fresh Foods" in rita.last.text
    # The reviewer sees what the company pledged: the share it starts from, the items it drops.
    assert "Post-consumer recycled content: from 5% to 30%, by 2027" in rita.last.text
    assert (
        "Problematic items eliminated: PS/EPS (polystyrene), Straws, plastic-lined paper cups, "
        "by 2025" in rita.last.text
    )
    await bot.do(rita.press("Ask for changes"))
    assert "Type your note" in rita.last.text
    await bot.do(rita.send_sticker())
    assert "type your answer as a text message" in rita.last.text
    note = "Please say where the baseline tonnes come from."
    await bot.do(rita.send_text(note))
    assert "Sent back to the company" in rita.inbox_since(0)[-2].text
    stored = await pledge(bot, pledge_id)
    assert stored.status == PledgeStatus.CHANGES_REQUESTED
    assert stored.review_note == note

    mark_th, mark_vi = somchai.mark(), lan.mark()
    await bot.deliver_due()
    thai, vietnamese = bot.catalogs.translator("th"), bot.catalogs.translator("vi")
    [told_th] = somchai.inbox_since(mark_th)
    assert thai._("Their note: {note}").format(note=note) in told_th.text
    [told_vi] = lan.inbox_since(mark_vi)
    assert vietnamese._("Edit the pledge from your company screen and submit it again.") in (
        told_vi.text
    )

    # The company edits and resubmits; the reviewer accepts.
    async with bot.session_factory() as session, session.begin():
        again = await service.current_pledges(session, company_id)
        assert again[1] is not None
        member = await session.get(User, founder.id)
        assert member is not None
        await service.submit_pledge(session, again[1], by=member, now=bot.clock())
    await bot.do(rita.send_command("review"))
    await bot.do(rita.press(button_with(rita, "Pledge: Siam Fresh Foods")))
    assert f"changes requested by Rita — {note}" in rita.last.text
    await bot.do(rita.press("Accept"))
    assert (await pledge(bot, pledge_id)).status == PledgeStatus.ACCEPTED
    async with bot.session_factory() as session:
        decisions = await service.decisions_on(session, pledge_id)
        reviewer = await session.scalar(select(User).where(User.telegram_id == 7101))
    assert [d.decision for d in decisions] == [Decision.CHANGES_REQUESTED, Decision.ACCEPTED]
    assert reviewer is not None
    assert {d.reviewer_id for d in decisions} == {reviewer.id}
    assert decisions[-1].decided_at == bot.clock()

    mark_vi = lan.mark()
    await bot.deliver_due()
    [accepted] = lan.inbox_since(mark_vi)
    assert (
        vietnamese._("<b>{company}</b>: your pledge was accepted and is now public.")
        .format(company="Siam Fresh Foods")
        .replace("<b>", "")
        .replace("</b>", "")
        in accepted.text
    )

    # The same old button decides nothing twice.
    accept_button = next(
        message for message in reversed(rita.messages) if "Accept" in str(message.buttons)
    )
    await bot.do(rita.press("Accept", accept_button))
    assert "no longer waiting for review" in rita.callback_answers[-1].get("text", "")
    async with bot.session_factory() as session:
        assert len(await service.decisions_on(session, pledge_id)) == 2


async def test_people_without_the_role_cannot_review_even_with_an_old_button(
    bot: BotRunner,
) -> None:
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await person(bot, 7201)
    founder = await person(bot, 7202)
    _, pledge_id = await company_with_pledge(bot, [founder])
    member = bot.server.user(7202, first_name="Member", language_code="en")
    await bot.do(member.send_command("review"))
    assert member.last.text == REFUSED

    await bot.do(admin.send_command("grantreviewer", "7201"))
    vera = bot.server.user(7201, first_name="Vera", language_code="en")
    await bot.do(vera.send_command("review"))
    await bot.do(vera.press(button_with(vera, "Pledge: Siam Fresh Foods")))
    await bot.do(admin.send_command("revokereviewer", "7201"))
    await bot.do(vera.press("Accept", vera.inbox_since(0)[-2]))
    assert vera.callback_answers[-1].get("text") == REFUSED
    assert (await pledge(bot, pledge_id)).status == PledgeStatus.SUBMITTED
