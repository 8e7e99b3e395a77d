"""Companies and pledges in the chat, through the sandbox: registering a company, pl_ invitations,
leaving, the pledge wizard (bad input, a restart, submitting, resubmitting after a change
request, withdrawing), refused buttons of non-members, and administrators' merge and transfer."""

import re
from typing import Any

from sqlalchemy import select

from accounts.models import AccessRole, StakeholderRole, User
from demo.runner import BotRunner
from pledges import service
from pledges.models import Company, Membership, Pledge, PledgeStatus
from tests.accounts_db import account
from tests.conftest import ADMIN_ID
from tests.flows import onboard
from tests.pledges_setup import answers, details

NOT_A_MEMBER = "Only the company's members can do that."


async def _company_named(bot: BotRunner, name: str) -> Company:
    async with bot.session_factory() as session:
        company = await session.scalar(select(Company).where(Company.sort_name == name.casefold()))
        assert company is not None
        return company


async def _members(bot: BotRunner, company_id: int) -> list[int]:
    async with bot.session_factory() as session:
        rows = await session.scalars(
            select(User.telegram_id)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.company_id == company_id)
            .order_by(User.telegram_id)
        )
        return [telegram_id for telegram_id in rows if telegram_id is not None]


async def _pledges(bot: BotRunner, company_id: int) -> list[Pledge]:
    async with bot.session_factory() as session:
        return list(
            await session.scalars(
                select(Pledge).where(Pledge.company_id == company_id).order_by(Pledge.id)
            )
        )


async def _company_of(bot: BotRunner, telegram_id: int, **changes: Any) -> int:
    """A company registered straight in the database, the person its founder."""
    async with bot.session_factory() as session, session.begin():
        founder = await session.scalar(select(User).where(User.telegram_id == telegram_id))
        assert founder is not None
        company = await service.register_company(
            session, details(**changes), founder=founder, now=bot.clock.now
        )
        return company.id


def _alerts(person: Any) -> list[str]:
    return [answer.get("text") or "" for answer in person.callback_answers]


async def test_a_business_person_registers_a_company_and_colleagues_join_by_link(
    bot: BotRunner,
) -> None:
    alice = bot.server.user(5101, first_name="Alice", language_code="en")
    await onboard(bot, alice, role=StakeholderRole.BUSINESS)
    await bot.do(alice.send_command("company"))
    assert "not registered yet" in alice.last.text
    await bot.do(alice.press("Register a company"))
    await bot.do(alice.send_sticker())
    assert "type your answer as a text message" in alice.last.text
    await bot.do(alice.send_text("Siam Fresh Foods"))
    await bot.do(alice.press("Thailand"))
    await bot.do(alice.press("Consumer goods"))
    await bot.do(alice.press("250 people or more"))
    await bot.do(alice.send_text("Siam Fresh, siam fresh"))
    assert "The same name appears twice." in alice.last.text
    await bot.do(alice.send_text("Siam Fresh, Krua Thai"))
    await bot.do(alice.press("No, keep them private"))

    company = await _company_named(bot, "Siam Fresh Foods")
    assert (company.country, company.sector, company.size_band) == (
        "TH",
        "consumer_goods",
        "large",
    )
    assert company.brands == ["Siam Fresh", "Krua Thai"]
    assert company.public_brand_aggregates is False
    assert await _members(bot, company.id) == [5101]
    assert "Siam Fresh Foods" in alice.last.text and "No pledge yet." in alice.last.text

    await bot.do(alice.press("Invite a colleague"))
    match = re.search(r"start=(pl_[A-Za-z0-9_-]+)", alice.last.text)
    assert match is not None
    link = match.group(1)

    bob = bot.server.user(5102, first_name="Bob", language_code="en")
    await onboard(bot, bob)
    await bot.do(bob.send_command("start", link))
    assert "you are now a member of Siam Fresh Foods" in bob.messages[-2].text
    assert await _members(bot, company.id) == [5101, 5102]
    bob_screen = bob.last
    old_buttons = {text: data for row in bob_screen.buttons for text, data in row}

    carol = bot.server.user(5103, first_name="Carol", language_code="en")
    await onboard(bot, carol)
    await bot.do(carol.send_command("start", link))
    assert "was already used" in carol.last.text
    await bot.do(carol.send_command("start", "pl_made-up-token"))
    assert "That invitation link is not valid" in carol.last.text
    await bot.do(alice.press("Invite a colleague", alice.messages[-2]))
    second = re.search(r"start=(pl_[A-Za-z0-9_-]+)", alice.last.text)
    assert second is not None
    bot.clock.advance(days=8)
    await bot.do(carol.send_command("start", second.group(1)))
    assert "has expired" in carol.last.text
    assert await _members(bot, company.id) == [5101, 5102]

    # Bob leaves; his old screen's buttons no longer work for him.
    await bot.do(bob.press("Leave the company", bob_screen))
    await bot.do(bob.press("Yes, leave"))
    assert "You left Siam Fresh Foods." in bob.last.text
    await bot.do(bob.press_data(old_buttons["Make a pledge"], bob_screen))
    await bot.do(bob.press_data(old_buttons["Invite a colleague"], bob_screen))
    assert _alerts(bob)[-2:] == [NOT_A_MEMBER, NOT_A_MEMBER]
    async with bot.session_factory() as session:
        assert await session.scalar(select(Pledge.id)) is None

    # The last member leaving leaves the company in place, with nobody in it.
    await bot.do(alice.send_command("company"))
    await bot.do(alice.press("Leave the company"))
    await bot.do(alice.press("Yes, leave"))
    assert await _members(bot, company.id) == []
    assert (await _company_named(bot, "Siam Fresh Foods")).id == company.id


async def test_someone_without_the_business_role_is_pointed_to_their_profile(
    bot: BotRunner,
) -> None:
    dan = bot.server.user(5104, first_name="Dan", language_code="th")
    await onboard(bot, dan, language="th")
    await bot.do(dan.send_command("company"))
    thai = bot.catalogs.translator("th")
    assert (
        thai._(
            "Companies are registered by people with the Business role. If that is you, "
            "change your role in /profile and send /company again."
        )
        in dan.last.text
    )


async def test_the_wizard_explains_bad_answers_survives_a_restart_and_submits(
    bot: BotRunner,
) -> None:
    alice = bot.server.user(5201, first_name="Alice", language_code="en")
    await onboard(bot, alice, role=StakeholderRole.BUSINESS)
    company_id = await _company_of(bot, 5201)
    await bot.do(alice.send_command("company"))
    await bot.do(alice.press("Make a pledge"))
    assert "Which year do your commitments start from?" in alice.last.text
    await bot.do(alice.send_sticker())
    assert "Please type a number as a text message" in alice.last.text
    await bot.do(alice.send_text("2030"))
    assert "it cannot be after 2026" in alice.last.text
    await bot.do(alice.send_text("2022"))
    await bot.do(alice.send_text("-5"))
    assert "That cannot be negative" in alice.last.text
    await bot.do(alice.send_text("1200"))
    await bot.do(alice.press("Post-consumer recycled content"))
    await bot.do(alice.send_text("150"))
    assert "A percentage goes from 0 to 100" in alice.last.text
    await bot.do(alice.send_text("5"))
    await bot.do(alice.send_text("3"))
    assert "The target must go beyond" in alice.last.text
    await bot.do(alice.send_text("30%"))
    await bot.do(alice.send_text("2020"))
    assert "The target year must come after the baseline year, 2022." in alice.last.text

    # Nothing half-saved: the draft holds only what was accepted so far.
    (draft,) = await _pledges(bot, company_id)
    assert draft.answers["commitments"] == [
        {"metric": "recycled_content", "baseline_value": 5.0, "target_value": 30.0}
    ]

    await bot.stop()
    restarted = BotRunner(bot.server, bot.settings, bot.clock)
    await restarted.start()
    try:
        await restarted.do(alice.send_text("2030"))
        assert "Your commitments" in alice.last.text
        await restarted.do(alice.press("Less virgin plastic"))
        await restarted.do(alice.send_text("20"))
        await restarted.do(alice.send_text("2030"))
        await restarted.do(alice.press("Problematic items eliminated"))
        await restarted.do(alice.press("Straws"))
        await restarted.do(alice.press("Other item"))
        await restarted.do(alice.send_text("plastic-lined cups"))
        await restarted.do(alice.press("Done"))
        await restarted.do(alice.send_text("2025"))
        await restarted.do(alice.press("Continue"))
        await restarted.do(alice.send_text("We put less plastic on the market every year."))
        assert "Your pledge" in alice.last.text and "plastic-lined cups" in alice.last.text
        await restarted.do(alice.press("Submit"))
        assert "Submitted" in alice.messages[-2].text
    finally:
        await restarted.stop()
        await bot.start()
    (pledge,) = await _pledges(bot, company_id)
    assert pledge.status == PledgeStatus.SUBMITTED
    assert (pledge.baseline_year, pledge.baseline_tonnes) == (2022, 1200.0)
    assert [c.metric for c in pledge.commitments] == [
        "recycled_content",
        "virgin_reduction",
        "problematic_items",
    ]
    assert pledge.statements == {"en": "We put less plastic on the market every year."}


async def test_a_change_request_is_answered_by_editing_and_resubmitting_then_withdrawn(
    bot: BotRunner,
) -> None:
    alice = bot.server.user(5301, first_name="Alice", language_code="en")
    await onboard(bot, alice, role=StakeholderRole.BUSINESS)
    reviewer = bot.server.user(5302, first_name="Rita", language_code="en")
    await onboard(bot, reviewer)
    company_id = await _company_of(bot, 5301)
    async with bot.session_factory() as session, session.begin():
        founder = await session.scalar(select(User).where(User.telegram_id == 5301))
        checker = await session.scalar(select(User).where(User.telegram_id == 5302))
        company = await session.get(Company, company_id)
        assert founder is not None and checker is not None and company is not None
        checker.access_role = AccessRole.REVIEWER
        now = bot.clock.now
        pledge = await service.start_pledge(session, company, by=founder, now=now)
        await service.save_answers(session, pledge, answers(), by=founder, now=now)
        await service.submit_pledge(session, pledge, by=founder, now=now)
        await service.request_changes(
            session,
            pledge,
            reviewer=checker,
            admin_ids=frozenset(),
            note="A 30% recycled content target by 2027 is below the sector's; aim for 40%.",
            now=now,
        )

    await bot.do(alice.send_command("company"))
    assert "aim for 40%" in alice.last.text
    await bot.do(alice.press("Edit and resubmit"))
    assert "The reviewers asked for changes" in alice.messages[-2].text
    assert "Your pledge" in alice.last.text
    await bot.do(alice.press("Change commitments"))
    await bot.do(alice.press("✓ Post-consumer recycled content"))
    await bot.do(alice.send_text("5"))
    await bot.do(alice.send_text("40"))
    await bot.do(alice.send_text("2028"))
    await bot.do(alice.press("Continue"))
    await bot.do(alice.press("Submit"))

    (resubmitted,) = await _pledges(bot, company_id)
    assert resubmitted.status == PledgeStatus.SUBMITTED
    recycled = [c for c in resubmitted.commitments if c.metric == "recycled_content"]
    assert [(c.target_value, c.target_year) for c in recycled] == [(40.0, 2028)]

    await bot.do(alice.press("Withdraw the pledge in progress"))
    await bot.do(alice.press("Yes, withdraw"))
    (withdrawn,) = await _pledges(bot, company_id)
    assert withdrawn.status == PledgeStatus.WITHDRAWN
    assert "Make a pledge" in [text for row in alice.last.buttons for text, _ in row]


async def test_administrators_merge_a_duplicate_and_transfer_a_company(bot: BotRunner) -> None:
    alice = bot.server.user(5401, first_name="Alice", language_code="en")
    await onboard(bot, alice, role=StakeholderRole.BUSINESS)
    bob = bot.server.user(5402, first_name="Bob", language_code="en")
    await onboard(bot, bob, role=StakeholderRole.BUSINESS)
    admin = bot.server.user(ADMIN_ID, first_name="Admin", language_code="en")
    await onboard(bot, admin)
    original = await _company_of(bot, 5401)
    duplicate = await _company_of(
        bot, 5402, names={"en": "Siam Fresh Foods Ltd"}, brands=["Siam Fresh", "Fresh Bites"]
    )

    # Only administrators see another company's screen.
    await bot.do(alice.send_command("company", str(duplicate)))
    assert alice.last.text == NOT_A_MEMBER

    await bot.do(admin.send_command("company", str(duplicate)))
    await bot.do(admin.press("Merge into another company"))
    await bot.do(admin.send_text("#99999"))
    assert "There is no company with that number." in admin.last.text
    await bot.do(admin.send_text(f"#{duplicate}"))
    assert "cannot be merged into itself" in admin.last.text
    await bot.do(admin.send_text(f"#{original}"))
    assert "is merged into Siam Fresh Foods" in admin.messages[-2].text
    assert await _members(bot, original) == [5401, 5402]
    async with bot.session_factory() as session:
        merged = await session.get(Company, duplicate)
        kept = await session.get(Company, original)
        assert merged is not None and kept is not None
        assert merged.merged_into_id == original
        assert kept.brands == ["Siam Fresh", "Krua Thai", "Fresh Bites"]

    await bot.do(admin.press("Transfer to a new member"))
    await bot.do(admin.send_text("424242"))
    assert "I don't know anyone with that Telegram user id here." in admin.last.text
    await bot.do(admin.send_text("5402"))
    assert await _members(bot, original) == [5402]
    # Alice's old screen is of a company she is no longer in.
    await bot.do(alice.send_command("company"))
    assert "not registered yet" in alice.last.text
    assert (await account(bot, 5401)) is not None


async def test_an_invitation_opened_before_set_up_adds_the_person_once_set_up(
    bot: BotRunner,
) -> None:
    alice = bot.server.user(5501, first_name="Alice", language_code="en")
    await onboard(bot, alice, role=StakeholderRole.BUSINESS)
    company_id = await _company_of(bot, 5501)
    await bot.do(alice.send_command("company"))
    await bot.do(alice.press("Invite a colleague"))
    match = re.search(r"start=(pl_[A-Za-z0-9_-]+)", alice.last.text)
    assert match is not None

    somchai = bot.server.user(5502, first_name="Somchai", language_code="th")
    await bot.do(somchai.send_command("start", match.group(1)))
    thai = bot.catalogs.translator("th")
    assert any(
        thai._("First, let's set you up: it takes a minute. Then I will add you to the company.")
        in message.text
        for message in somchai.messages
    )
    await onboard(bot, somchai, language="th")
    assert await _members(bot, company_id) == [5501, 5502]


async def test_members_change_the_company_details_and_others_cannot(bot: BotRunner) -> None:
    alice = bot.server.user(5601, first_name="Alice", language_code="en")
    await onboard(bot, alice, role=StakeholderRole.BUSINESS)
    company_id = await _company_of(bot, 5601)

    await bot.do(alice.send_command("company"))
    screen = alice.last
    edit = next(data for row in screen.buttons for label, data in row if "details" in label)
    await bot.do(alice.press("Change the company's details"))
    assert "What is your company called?" in alice.last.text
    await bot.do(alice.send_text("Siam Fresh Group"))
    await bot.do(alice.press("Malaysia"))
    await bot.do(alice.press("Retail"))
    await bot.do(alice.press("50 to 249 people"))
    await bot.do(alice.send_text("Siam Fresh, Krua Thai, Laut Segar"))
    await bot.do(alice.press("Yes, show them"))
    assert "the company's details are changed" in alice.messages[-2].text
    assert "Siam Fresh Group" in alice.last.text

    async with bot.session_factory() as session:
        company = await session.get(Company, company_id)
        assert company is not None
        # The English name changed; the Thai one, typed by nobody here, stays.
        assert company.names == {"en": "Siam Fresh Group", "th": "สยามเฟรชฟู้ดส์"}
        assert (company.country, company.sector, company.size_band) == ("MY", "retail", "medium")
        assert company.brands == ["Siam Fresh", "Krua Thai", "Laut Segar"]
        assert company.public_brand_aggregates is True

    # Once she has left, her old screen's button changes nothing.
    await bot.do(alice.press("Leave the company"))
    await bot.do(alice.press("Yes, leave"))
    assert await _members(bot, company_id) == []
    await bot.do(alice.press_data(edit, screen))
    assert NOT_A_MEMBER in _alerts(alice)
    async with bot.session_factory() as session:
        unchanged = await session.get(Company, company_id)
        assert unchanged is not None and unchanged.names["en"] == "Siam Fresh Group"
